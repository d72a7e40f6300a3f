"""Chart specifications: what is drawn, checked on the Vega-Lite dict (no browser needed)."""

import pandas as pd

from benchmark import charts, i18n


def ranking_frame(n: int, own_rank: int) -> pd.DataFrame:
    return pd.DataFrame({
        "rank": list(range(1, n + 1)) + [pd.NA],
        "organisation": [f"Page {i}" for i in range(1, n + 1)] + ["No data page"],
        "value": [float(100 - i) for i in range(1, n + 1)] + [None],
        "is_own": [i == own_rank for i in range(1, n + 1)] + [False],
    })


def bar_data(chart) -> list[dict]:
    spec = chart.to_dict()
    return next(d for d in spec["datasets"].values() if d and "label" in d[0])


def test_ranking_marks_own_page_by_text_and_colour_and_caps_bars():
    chart = charts.ranking_bars(ranking_frame(40, own_rank=33), "posts", peer_median=80.0)
    rows = bar_data(chart)
    assert len(rows) == charts.MAX_BARS + 1                      # top 25 + your page further down
    own = [r for r in rows if r["who"] == "Your organisation"]
    assert [r["label"] for r in own] == ["#33 Page 33  ◀ you"]
    assert all("No data page" not in r["label"] for r in rows)   # unranked pages are not drawn
    spec = chart.to_dict()
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colour["range"][0] == charts.OWN_COLOUR
    assert any(layer["mark"]["type"] == "rule" for layer in spec["layer"] if isinstance(layer.get("mark"), dict))


def test_ranking_without_median_has_only_bars():
    chart = charts.ranking_bars(ranking_frame(3, own_rank=1), "posts", peer_median=None)
    assert len(chart.to_dict()["layer"]) == 1


def test_profile_has_band_and_two_named_lines_in_period_order():
    frame = pd.DataFrame({
        "period": ["2024-Q2", "2024-Q1"],
        "period_start": pd.to_datetime(["2024-04-01", "2024-01-01"]),
        "value": [2, 1], "peer_median": [1.6, 1.5], "peer_q1": [1, 1], "peer_q3": [2, 2],
    })
    spec = charts.profile_lines(frame, "followers", "Region Örebro län").to_dict()
    band, lines = spec["layer"]
    assert band["mark"]["type"] == "area"
    assert lines["encoding"]["color"]["scale"]["domain"] == ["Region Örebro län", "Peer median"]
    assert lines["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [4, 3]]   # not colour alone
    assert lines["encoding"]["x"]["sort"] == ["2024-Q1", "2024-Q2"]


def test_charts_speak_the_language_with_its_numbers_on_white():
    chart = charts.ranking_bars(ranking_frame(3, own_rank=2), "posts", peer_median=98.0, lang="sv")
    rows = bar_data(chart)
    assert [r["label"] for r in rows if r["who"] == "Din organisation"] == ["#2 Page 2  ◀ du"]
    spec = chart.to_dict()
    assert spec["config"]["background"] == "#FFFFFF"  # readable in Streamlit's dark theme too
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    bars = spec["layer"][0]["encoding"]
    assert bars["color"]["scale"]["domain"] == ["Din organisation", "Jämförbar"]
    assert bars["color"]["scale"]["range"] == [charts.OWN_COLOUR, charts.PEER_COLOUR]
    assert [t["title"] for t in bars["tooltip"][:2]] == ["Organisation", "Placering"]
    median_text = next(d for d in spec["datasets"].values() if d and "median" in d[0])[0]["text"]
    assert median_text == "jämförelsegruppens median 98"


def test_axis_titles_carry_the_unit_once():
    assert charts.metric_title("engagement_rate_by_follower", "en") == "Engagement rate by follower (%)"
    assert charts.metric_title("posts_per_month", "en") == "Posts per month"  # the label says "per month"
    assert charts.metric_title("followers", "en") == "Followers"


def test_static_width_and_larger_text():
    on_screen = charts.ranking_bars(ranking_frame(4, own_rank=1), "posts", 98.0).to_dict()
    assert on_screen["width"] == "container"
    static = charts.ranking_bars(ranking_frame(4, own_rank=1), "posts", 98.0, width=700, font_size=22).to_dict()
    assert static["width"] == 700
    assert static["config"]["axis"]["labelFontSize"] == 22
    assert static["height"] > on_screen["height"]  # bars as tall as their larger labels
    profile = charts.profile_lines(pd.DataFrame({
        "period": ["2024-Q1"], "period_start": pd.to_datetime(["2024-01-01"]), "value": [1], "peer_median": [1],
        "peer_q1": [1], "peer_q3": [1]}), "followers", "Region Örebro län", lang="nb", width=500, height=300)
    spec = profile.to_dict()
    assert (spec["width"], spec["height"]) == (500, 300)
    assert spec["layer"][1]["encoding"]["color"]["scale"]["domain"] == ["Region Örebro län",
                                                                       i18n.text("column.peer_median", "nb")]


def _luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_marks_stand_out_from_the_white_background_and_from_each_other():
    from benchmark import charts

    # WCAG 1.4.11: graphical objects need 3:1 against what is next to them. Worked out by hand:
    # vermillion #D55E00 on white ≈ 3.9, blue #0072B2 ≈ 5.2, black 21.
    assert round(_contrast(charts.OWN_COLOUR, charts.BACKGROUND), 1) == 3.9
    assert round(_contrast(charts.PEER_COLOUR, charts.BACKGROUND), 1) == 5.2
    assert _contrast(charts.MEDIAN_COLOUR, charts.BACKGROUND) == 21.0
    # Your bar differs from the peers' by label and colour; the two colours also differ in lightness
    # (luminance 0.22 against 0.15), so they stay apart in greyscale too, not only by hue.
    assert abs(_luminance(charts.OWN_COLOUR) - _luminance(charts.PEER_COLOUR)) > 0.05
