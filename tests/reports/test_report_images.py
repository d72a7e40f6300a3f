"""PNG and SVG of the charts: drawn from the page's Altair spec, with titles, translated texts,
the language's numbers and the demo label when the figures are synthetic."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from benchmark import charts
from benchmark.errors import ValidationError
from benchmark.reports import build_report, chart_png, render
from benchmark.reports.images import png_size, static_spec, vegalite_version
from benchmark.viewstate import ViewState

NBSP = "\u00a0"
RANKING = ViewState(page="ranking", org="SE:18", group="region:SE", platform="facebook", period="2024-Q3",
                    metric="followers")
PROFILE = ViewState(page="profile", org="SE:18", group="region:SE", platform="facebook", metric="followers",
                    every="quarter", first="2024-Q2", last="2024-Q3")


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)  # parses, or the test fails
    return ["".join(element.itertext()) for element in root.iter("{http://www.w3.org/2000/svg}text")]


def test_png_has_the_header_and_twice_the_pixels_at_scale_2(real_store):
    report = build_report(real_store, RANKING, "sv")
    data = render(report, "png")
    width, height = png_size(data)
    # A 900-pixel plot plus the names beside it, drawn at twice the size.
    assert 2 * 900 < width < 2 * 1400 and 200 < height < 1000
    chart = report.charts[0]
    single = png_size(chart_png(chart, "sv", width=400, scale=1))
    double = png_size(chart_png(chart, "sv", width=400, scale=2))
    assert double == (2 * single[0], 2 * single[1])


def test_svg_is_translated_and_uses_the_language_s_numbers(real_store):
    texts = svg_texts(render(build_report(real_store, RANKING, "sv"), "svg"))
    assert charts.metric_title("followers", "sv") in texts  # the axis title
    assert "Din organisation" in texts and "Jämförbar" in texts  # the legend
    assert "#2 Region Örebro län  ◀ du" in texts  # your page: a label, not colour alone
    assert f"80{NBSP}000" in texts  # an axis tick in the Swedish style
    assert any(t.startswith("Regioner i Sverige: ") for t in texts)  # the title inside the image
    assert not any("demodata" in t for t in texts)  # real figures: no demo label
    english = svg_texts(render(build_report(real_store, RANKING, "en"), "svg"))
    assert "80,000" in english and "Your organisation" in english and "#2 Region Örebro län  ◀ you" in english


def test_images_of_demo_data_carry_the_label(demo_store):
    report = build_report(demo_store, PROFILE, "da")
    texts = svg_texts(render(report, "svg"))
    assert "Syntetiske demodata – ikke rigtige målinger" in "".join(texts)
    spec = static_spec(report.charts[0], "da", title="T", demo_label=report.demo_label)
    assert spec["title"]["subtitle"] == [report.demo_label]
    assert spec["config"]["background"] == "#FFFFFF"
    assert spec["config"]["locale"]["number"]["thousands"] == "."


def test_a_view_without_a_chart_says_so(real_store):
    watch = build_report(real_store, ViewState(page="watch", org="SE:18", platform="facebook", period="2024-Q3"), "en")
    with pytest.raises(ValidationError, match="no chart"):
        render(watch, "png")
    several = build_report(real_store, RANKING, "en", ["posts", "followers"])
    with pytest.raises(ValidationError, match="one chart"):
        render(several, "svg")
    with pytest.raises(ValidationError, match="one table"):
        render(several, "csv")


def test_the_vega_lite_version_matches_altair():
    import altair

    assert altair.SCHEMA_VERSION.lstrip("v").startswith(vegalite_version())
