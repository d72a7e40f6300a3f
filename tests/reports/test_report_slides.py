"""PowerPoint decks: opened again with python-pptx and read slide by slide.

Figures: tests/reports/conftest.py; the long tables come from the demo data (21 regions, 290
Swedish municipalities).
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from pptx import Presentation
from pptx.util import Inches, Pt

from benchmark import i18n
from benchmark.errors import BenchmarkError
from benchmark.reports import TemplateError, build_deck, build_report, render
from benchmark.reports.images import png_size
from benchmark.reports.slides import FOOTNOTE_HEIGHT
from benchmark.viewstate import ViewState

NBSP = "\u00a0"
WATCH = ViewState(page="watch", org="SE:18", platform="facebook", period="2024-Q3")
RANKING = ViewState(page="ranking", org="SE:18", group="region:SE", platform="facebook", period="2024-Q3",
                    metric="posts")
PROFILE = ViewState(page="profile", org="SE:18", group="region:SE", platform="facebook", metric="followers",
                    every="quarter", first="2024-Q2", last="2024-Q3")


def open_deck(data: bytes):
    return Presentation(io.BytesIO(data))


def title_of(slide) -> str:
    return slide.shapes.title.text_frame.text


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def tables(slide) -> list[list[list[str]]]:
    return [[[cell.text_frame.text for cell in row.cells] for row in shape.table.rows]
            for shape in slide.shapes if shape.has_table]


def pictures(slide) -> list:
    return [shape for shape in slide.shapes if shape.shape_type == 13]


def runs(deck):
    """Every run of text on every slide, tables included."""
    for slide in deck.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            for frame in frames:
                for paragraph in frame.paragraphs:
                    yield from paragraph.runs


def assert_readable(deck) -> None:
    """16:9, no text below 14 pt, titles of 28 pt or more, a source footnote on every slide."""
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, abs=0.01)
    sizes = [run.font.size for run in runs(deck) if run.text.strip()]
    assert sizes and all(size is not None and size >= Pt(14) for size in sizes)
    for slide in deck.slides:
        assert all(run.font.size >= Pt(28) for p in slide.shapes.title.text_frame.paragraphs for run in p.runs)
        # Tables and charts end above the footnote and inside the slide.
        for shape in slide.shapes:
            if shape.has_table or shape.shape_type == 13:
                height = sum(r.height for r in shape.table.rows) if shape.has_table else shape.height
                assert shape.top + height <= deck.slide_height - FOOTNOTE_HEIGHT, title_of(slide)
                assert shape.left >= 0 and shape.left + shape.width <= deck.slide_width
        assert any(t.startswith(("Source:", "Källa:", "Kilde:")) or "\nSource:" in t or "\nKälla:" in t
                   for t in texts(slide)), title_of(slide)


def test_watch_deck_in_swedish(real_store):
    report = build_report(real_store, WATCH, "sv")
    deck = open_deck(render(report, "pptx"))
    assert len(deck.slides) == 2  # title + one table slide
    assert_readable(deck)
    title, table_slide = deck.slides
    assert title_of(title) == "Sidor att bevaka: Region Örebro län"
    as_of = i18n.format_date(date(2024, 9, 30), "sv")
    assert any(f"Data till och med {as_of}" in t for t in texts(title))
    assert title_of(table_slide) == "Sidor att bevaka: Region Örebro län"
    (grid,) = tables(table_slide)
    assert grid[0][0] == "Sida"
    # Your row first and bold; numbers as Swedes write them (no-break spaces).
    assert grid[1][:7] == ["★ Region Örebro län (du)", f"17{NBSP}000", f"3,0{NBSP}%", "40", f"2{NBSP}000", "50,0",
                           f"0,29{NBSP}%"]
    assert grid[2][:3] == ["Region Skåne", f"80{NBSP}000", f"6,7{NBSP}%"]
    assert grid[3][:3] == ["Region Gotland", f"9{NBSP}500", f"-5,0{NBSP}%"]
    shape = next(s for s in table_slide.shapes if s.has_table)
    assert all(r.font.bold for c in shape.table.rows[1].cells for p in c.text_frame.paragraphs for r in p.runs)
    assert not any(r.font.bold for c in shape.table.rows[2].cells for p in c.text_frame.paragraphs for r in p.runs)
    assert not any("syntetisk" in t.lower() for s in deck.slides for t in texts(s))  # real data


def test_watch_deck_in_english_numbers(real_store):
    deck = open_deck(render(build_report(real_store, WATCH, "en"), "pptx"))
    (grid,) = tables(deck.slides[1])
    assert grid[1][:7] == ["★ Region Örebro län (you)", "17,000", "3.0%", "40", "2,000", "50.0", "0.29%"]


def test_ranking_deck_has_a_chart_and_a_table_per_metric(real_store):
    report = build_report(real_store, RANKING, "en", ["posts", "followers", "engagement_rate_by_follower"])
    deck = open_deck(render(report, "pptx"))
    assert_readable(deck)
    assert [title_of(s) for s in deck.slides] == [
        "Regions in Sweden: Posts", "Regions in Sweden: Posts", "Regions in Sweden: Posts",
        "Regions in Sweden: Followers", "Regions in Sweden: Followers",
        "Regions in Sweden: Engagement rate by follower", "Regions in Sweden: Engagement rate by follower"]
    charts = [pictures(s) for s in deck.slides]
    assert [len(p) for p in charts] == [0, 1, 0, 1, 0, 1, 0]
    for (picture,) in (p for p in charts if p):
        width, height = png_size(picture.image.blob)
        assert width > 500 and height > 200
    assert tables(deck.slides[2])[0][1] == ["1", "Region Skåne", "100", "100", "+60"]
    assert tables(deck.slides[2])[0][2] == ["2", "★ Region Örebro län (you)", "40", "50", "0"]


def test_profile_deck_has_the_trend_and_its_small_table(real_store):
    deck = open_deck(render(build_report(real_store, PROFILE, "sv"), "pptx"))
    assert_readable(deck)
    assert len(deck.slides) == 2
    chart_slide = deck.slides[1]
    assert len(pictures(chart_slide)) == 1
    (grid,) = tables(chart_slide)
    assert grid[1:] == [["2024-Q2", f"16{NBSP}500", f"16{NBSP}500"], ["2024-Q3", f"17{NBSP}000", f"17{NBSP}000"]]


def test_demo_decks_are_labelled_and_long_tables_split(demo_store):
    report = build_report(demo_store, RANKING, "sv")  # the 21 Swedish regions
    deck = open_deck(render(report, "pptx"))
    assert_readable(deck)
    label = i18n.text("report.demo_label", "sv")
    assert any(label in t for t in texts(deck.slides[0]))
    for slide in deck.slides:
        assert any("syntetiska demodata" in t for t in texts(slide))
    table_slides = [s for s in deck.slides if tables(s)]
    heading = f"Regioner i Sverige: {i18n.text('metric.posts.label', 'sv')}"
    assert [title_of(s) for s in table_slides] == [f"{heading} (1/2)", f"{heading} (2/2)"]
    rows = [len(tables(s)[0]) - 1 for s in table_slides]
    assert sum(rows) == 21 and max(rows) - min(rows) <= 1


def test_a_very_long_table_is_cut_with_a_note(demo_store):
    report = build_report(demo_store, ViewState(page="watch", org="SE:1880", platform="facebook", period="2024-Q3"),
                          "en")
    total = len(report.table.frame)
    assert total > 200
    deck = open_deck(render(report, "pptx"))
    table_slides = [s for s in deck.slides if tables(s)]
    assert len(table_slides) == 4
    shown = sum(len(tables(s)[0]) - 1 for s in table_slides)
    assert tables(table_slides[0])[0][1][0] == "★ Örebro (you)"
    assert any(f"Showing {shown} of {total} rows" in t for t in texts(table_slides[-1]))


def test_a_deck_of_several_reports_has_one_title_slide(real_store):
    reports = [build_report(real_store, WATCH, "en"), build_report(real_store, RANKING, "en"),
               build_report(real_store, PROFILE, "en")]
    deck = open_deck(build_deck(reports, "en"))
    assert_readable(deck)
    assert title_of(deck.slides[0]) == "Social media benchmark"
    assert len(deck.slides) == 1 + 1 + 2 + 1
    assert any("Regions in Sweden" in t for t in texts(deck.slides[0]))


def make_template(path, rename_all: bool = False) -> None:
    template = Presentation()
    template.slide_width, template.slide_height = Inches(13.333), Inches(7.5)
    layouts = list(template.slide_layouts)
    layouts[5].name = "ACME Title Only"  # ours is gone: "Title and Content" is the next choice
    if rename_all:
        for i, layout in enumerate(layouts):
            layout.name = f"ACME {i}"
    example = template.slides.add_slide(layouts[0])
    example.shapes.title.text_frame.text = "Example slide of the template"
    template.save(path)


def test_a_template_s_layouts_are_used_and_its_slides_dropped(real_store, tmp_path):
    path = tmp_path / "acme.pptx"
    make_template(path)
    deck = open_deck(render(build_report(real_store, RANKING, "en"), "pptx", template=path))
    assert "ACME Title Only" in [layout.name for layout in deck.slide_layouts]
    assert [s.slide_layout.name for s in deck.slides] == ["Title Slide", "Title and Content", "Title and Content"]
    assert not any("Example slide" in t for s in deck.slides for t in texts(s))
    assert_readable(deck)


def test_a_template_without_the_names_is_used_by_position(real_store, tmp_path):
    path = tmp_path / "plain.pptx"
    make_template(path, rename_all=True)
    deck = open_deck(build_deck([build_report(real_store, WATCH, "en")], "en", template=path))
    assert [s.slide_layout.name for s in deck.slides] == ["ACME 0", "ACME 5"]


def test_the_template_setting_is_used(real_store, tmp_path, monkeypatch):
    path = tmp_path / "from-setting.pptx"
    make_template(path)
    monkeypatch.setenv("BENCHMARK_PPTX_TEMPLATE", str(path))
    deck = open_deck(render(build_report(real_store, WATCH, "en"), "pptx"))
    assert "ACME Title Only" in [layout.name for layout in deck.slide_layouts]


def test_a_missing_or_broken_template_is_a_clear_error(real_store, tmp_path):
    report = build_report(real_store, WATCH, "en")
    missing = tmp_path / "nowhere.pptx"
    with pytest.raises(TemplateError, match="does not exist") as raised:
        render(report, "pptx", template=missing)
    assert isinstance(raised.value, BenchmarkError) and str(missing) in str(raised.value)
    assert i18n.error_text(raised.value, "sv").startswith(f"PowerPoint-mallen {missing} finns inte")
    broken = tmp_path / "notes.pptx"
    broken.write_text("not a presentation", encoding="utf-8")
    with pytest.raises(TemplateError, match="cannot be read as a .pptx"):
        render(report, "pptx", template=broken)


def test_hostile_names_are_only_text_on_slides(real_store):
    from tests.reports.conftest import HOSTILE

    state = ViewState(page="watch", org="SE:18", watch=tuple(f"SE:H{i}" for i in range(1, 7)), platform="facebook",
                      period="2024-Q3")
    deck = open_deck(render(build_report(real_store, state, "en"), "pptx"))
    (grid,) = tables(deck.slides[1])
    names = [row[0] for row in grid[2:]]
    # Shown as written (a slide runs nothing), a tab or carriage return as a space.
    assert sorted(names) == sorted(h.strip() for h in HOSTILE)
