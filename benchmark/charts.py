"""Altair chart specifications, built from view frames (no Streamlit here).

The pages and the exports (PNG, SVG, PowerPoint) draw with these same functions, so what is on
screen and what is in the slides cannot differ. Your own organisation is marked by colour *and*
by a text label ("◀ you") and a marker shape, never by colour alone. The palette is Okabe–Ito,
which stays distinguishable for the common colour-vision deficiencies.

Every text is taken from the message catalogue in the chart's language, and the numbers follow
that language through Vega-Lite's `config.locale` (`17 000,5` in Swedish, `17.000,5` in Danish).
The background is explicitly white, so the dark colours stay readable in Streamlit's dark theme.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import i18n
from .metrics import get_metric

OWN_COLOUR = "#D55E00"  # Okabe–Ito vermillion
PEER_COLOUR = "#0072B2"  # Okabe–Ito blue
MEDIAN_COLOUR = "#000000"
BAND_COLOUR = "#56B4E9"  # Okabe–Ito sky blue
BACKGROUND = "#FFFFFF"
MAX_BARS = 25
# Vega's own default text size; `font_size` scales the chart's other dimensions from it.
BASE_FONT_SIZE = 11


def metric_title(metric_id: str, lang: str) -> str:
    """The metric's label with its unit in brackets, unless the label already says it
    ("Posts per month" needs no "(per month)"; "Engagement rate by follower (%)" does)."""
    get_metric(metric_id)
    label = i18n.text(f"metric.{metric_id}.label", lang)
    unit = i18n.text(f"metric.{metric_id}.unit", lang)
    return f"{label} ({unit})" if unit and unit.lower() not in label.lower() else label


def _axis_format(metric_id: str) -> str:
    metric = get_metric(metric_id)
    return f",.{metric.decimals}f"


def _value_axis(metric_id: str, title: str | None) -> alt.Axis:
    # Whole-number metrics get whole-number ticks, not "0 0 1 1 2" on a short axis.
    whole = get_metric(metric_id).decimals == 0
    return alt.Axis(format=_axis_format(metric_id), title=title, **({"tickMinStep": 1} if whole else {}))


def _finish(chart: alt.LayerChart, lang: str, width: int | None, height: int, font_size: int | None) -> alt.LayerChart:
    """Size, white background, the language's number locale and (for static images) larger text."""
    scale = (font_size or BASE_FONT_SIZE) / BASE_FONT_SIZE
    # A legend names your organisation in full: Vega would cut it at 160 pixels.
    legend: dict[str, object] = {"labelLimit": round(320 * scale)}
    config: dict[str, object] = {"background": BACKGROUND, "locale": i18n.vega_locale(lang), "legend": legend}
    if font_size:
        legend.update(labelFontSize=font_size, titleFontSize=font_size, symbolSize=font_size * 12)
        config.update(axis={"labelFontSize": font_size, "titleFontSize": font_size}, text={"fontSize": font_size})
    return chart.properties(width="container" if width is None else width, height=height).configure(**config)


def ranking_bars(frame: pd.DataFrame, metric_id: str, peer_median: float | None, max_bars: int = MAX_BARS,
                 lang: str = "en", width: int | None = None, font_size: int | None = None) -> alt.LayerChart:
    """Horizontal bars, best first; the top `max_bars` plus your organisation if it is further down.

    `width` (pixels of the plot) is for static images; None fills the page's container.
    `font_size` (pixels) enlarges every text for slides; None keeps Vega's defaults.
    """
    metric = get_metric(metric_id)
    mine, peer = i18n.text("word.your_organisation", lang), i18n.text("word.peer", lang)
    you = i18n.text("word.you", lang)
    ranked = frame[frame["value"].notna()].copy()
    shown = ranked.head(max_bars)
    own = ranked[ranked["is_own"].fillna(False).astype(bool)]
    if len(own) and not own.index.isin(shown.index).all():
        shown = pd.concat([shown, own])
    is_own = shown["is_own"].fillna(False).astype(bool)
    data = pd.DataFrame({
        "organisation": shown["organisation"].astype(str),
        "rank": shown["rank"].astype("Int64").astype(float),
        "value": pd.to_numeric(shown["value"], errors="coerce").astype(float),
        "who": is_own.map({True: mine, False: peer}),
    })
    data["label"] = [f"#{int(rank)} {name}" + (f"  ◀ {you}" if own_flag else "")
                     for rank, name, own_flag in zip(data["rank"], data["organisation"], is_own, strict=True)]
    order = data.sort_values("rank")["label"].tolist()
    scale = (font_size or BASE_FONT_SIZE) / BASE_FONT_SIZE
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=round(320 * scale)))
    value_title = metric_title(metric_id, lang)
    fmt = _axis_format(metric_id)
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("value:Q", axis=_value_axis(metric_id, value_title)),
        y=y,
        color=alt.Color("who:N", scale=alt.Scale(domain=[mine, peer], range=[OWN_COLOUR, PEER_COLOUR]),
                        legend=alt.Legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("organisation:N", title=i18n.text("column.organisation", lang)),
                 alt.Tooltip("rank:Q", title=i18n.text("column.rank", lang)),
                 alt.Tooltip("value:Q", title=i18n.text(f"metric.{metric_id}.label", lang), format=fmt)],
    )
    layers: list[alt.Chart] = [bars]
    if peer_median is not None:
        label = i18n.text("chart.peer_median", lang, value=i18n.format_metric(metric.id, peer_median, lang))
        rule_data = pd.DataFrame({"median": [float(peer_median)], "text": [label]})
        layers.append(alt.Chart(rule_data).mark_rule(color=MEDIAN_COLOUR, strokeDash=[4, 3]).encode(x="median:Q"))
        layers.append(alt.Chart(rule_data).mark_text(align="left", dx=4, dy=-6, color=MEDIAN_COLOUR).encode(
            x="median:Q", y=alt.value(0), text="text:N"))
    # 22 pixels a bar on screen; in a static image just taller than its (larger) label.
    row = 22 if font_size is None else round(font_size * 1.3)
    height = max(round(120 * scale), row * len(data))
    return _finish(alt.layer(*layers), lang, width, height, font_size)


def profile_lines(frame: pd.DataFrame, metric_id: str, organisation: str, lang: str = "en",
                  width: int | None = None, font_size: int | None = None, height: int | None = None) -> alt.LayerChart:
    """The organisation's line against the peer median (dashed) and the interquartile band.

    `width` and `font_size` as for `ranking_bars`; `height` (pixels of the plot) to fit a slide.
    """
    get_metric(metric_id)
    data = pd.DataFrame({
        "period": frame["period"].astype(str),
        "period_start": pd.to_datetime(frame["period_start"]),
        "value": pd.to_numeric(frame["value"], errors="coerce").astype(float),
        "peer_median": pd.to_numeric(frame["peer_median"], errors="coerce").astype(float),
        "peer_q1": pd.to_numeric(frame["peer_q1"], errors="coerce").astype(float),
        "peer_q3": pd.to_numeric(frame["peer_q3"], errors="coerce").astype(float),
    })
    fmt = _axis_format(metric_id)
    label = i18n.text(f"metric.{metric_id}.label", lang)
    period_title = i18n.text("column.period", lang)
    # Periods are categories (2024-Q3), so the axis shows their labels, in time order.
    x = alt.X("period:O", title=None, sort=data.sort_values("period_start")["period"].tolist(), axis=alt.Axis(labelAngle=-45))
    y_title = metric_title(metric_id, lang)
    band = alt.Chart(data).mark_area(opacity=0.3, color=BAND_COLOUR).encode(
        x=x, y=alt.Y("peer_q1:Q", axis=_value_axis(metric_id, y_title)), y2="peer_q3:Q",
        tooltip=[alt.Tooltip("period:N", title=period_title),
                 alt.Tooltip("peer_q1:Q", title=i18n.text("column.peer_q1", lang), format=fmt),
                 alt.Tooltip("peer_q3:Q", title=i18n.text("column.peer_q3", lang), format=fmt)],
    )
    # One legend names both lines; they differ in colour, dash and marker, not colour alone.
    median_name = i18n.text("column.peer_median", lang)
    series = data.melt(id_vars=["period", "period_start"], value_vars=["value", "peer_median"], var_name="series", value_name="y")
    series["series"] = series["series"].map({"value": organisation, "peer_median": median_name})
    domain = [organisation, median_name]
    scale = (font_size or BASE_FONT_SIZE) / BASE_FONT_SIZE
    lines = alt.Chart(series).mark_line(point=alt.OverlayMarkDef(size=round(30 * scale * scale))).encode(
        x=x,
        y=alt.Y("y:Q", axis=_value_axis(metric_id, y_title)),
        color=alt.Color("series:N", scale=alt.Scale(domain=domain, range=[OWN_COLOUR, MEDIAN_COLOUR]),
                        legend=alt.Legend(title=None, orient="top")),
        # The same title and field on all three: Vega-Lite draws one legend with colour, dash and marker.
        strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=domain, range=[[1, 0], [4, 3]]),
                                  legend=alt.Legend(title=None, orient="top")),
        shape=alt.Shape("series:N", scale=alt.Scale(domain=domain, range=["diamond", "circle"]),
                        legend=alt.Legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("period:N", title=period_title), alt.Tooltip("series:N", title=i18n.text("chart.line", lang)),
                 alt.Tooltip("y:Q", title=label, format=fmt)],
    )
    return _finish(alt.layer(band, lines), lang, width, height or round(380 * scale), font_size)
