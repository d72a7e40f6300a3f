"""Altair chart specifications, built from view frames (no Streamlit here).

The same functions will feed the PNG/PowerPoint exports, so what is on screen
and what is in the slides cannot differ. Your own organisation is marked by
colour *and* by a text label, never by colour alone. The palette is
Okabe–Ito, which stays distinguishable for the common colour-vision deficiencies.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .metrics import get_metric

OWN_COLOUR = "#D55E00"  # Okabe–Ito vermillion
PEER_COLOUR = "#0072B2"  # Okabe–Ito blue
MEDIAN_COLOUR = "#000000"
BAND_COLOUR = "#56B4E9"  # Okabe–Ito sky blue
MAX_BARS = 25


def _axis_format(metric_id: str) -> str:
    metric = get_metric(metric_id)
    return f",.{metric.decimals}f"


def ranking_bars(frame: pd.DataFrame, metric_id: str, peer_median: float | None, max_bars: int = MAX_BARS,
                 lang: str = "en") -> alt.Chart:
    """Horizontal bars, best first; the top `max_bars` plus your organisation if it is further down."""
    metric = get_metric(metric_id)
    ranked = frame[frame["value"].notna()].copy()
    shown = ranked.head(max_bars)
    own = ranked[ranked["is_own"].fillna(False).astype(bool)]
    if len(own) and not own.index.isin(shown.index).all():
        shown = pd.concat([shown, own])
    data = pd.DataFrame({
        "organisation": shown["organisation"].astype(str),
        "rank": shown["rank"].astype("Int64").astype(float),
        "value": pd.to_numeric(shown["value"], errors="coerce").astype(float),
        "who": shown["is_own"].fillna(False).astype(bool).map({True: "Your organisation", False: "Peer"}),
    })
    data["label"] = data.apply(lambda r: f"#{int(r['rank'])} {r['organisation']}" + ("  ◀ you" if r["who"] != "Peer" else ""), axis=1)
    order = data.sort_values("rank")["label"].tolist()
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("value:Q", title=f"{metric.label}{' (' + metric.unit + ')' if metric.unit else ''}",
                axis=alt.Axis(format=_axis_format(metric_id))),
        y=y,
        color=alt.Color("who:N", scale=alt.Scale(domain=["Your organisation", "Peer"], range=[OWN_COLOUR, PEER_COLOUR]),
                        legend=alt.Legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("organisation:N", title="Organisation"), alt.Tooltip("rank:Q", title="Rank"),
                 alt.Tooltip("value:Q", title=metric.label, format=_axis_format(metric_id))],
    )
    layers: list[alt.Chart] = [bars]
    if peer_median is not None:
        rule_data = pd.DataFrame({"median": [float(peer_median)], "text": [f"peer median {peer_median:,.{metric.decimals}f}"]})
        layers.append(alt.Chart(rule_data).mark_rule(color=MEDIAN_COLOUR, strokeDash=[4, 3]).encode(x="median:Q"))
        layers.append(alt.Chart(rule_data).mark_text(align="left", dx=4, dy=-6, color=MEDIAN_COLOUR).encode(
            x="median:Q", y=alt.value(0), text="text:N"))
    return alt.layer(*layers).properties(height=max(120, 22 * len(data)), width="container")


def profile_lines(frame: pd.DataFrame, metric_id: str, organisation: str, lang: str = "en") -> alt.Chart:
    """The organisation's line against the peer median (dashed) and the interquartile band."""
    metric = get_metric(metric_id)
    data = pd.DataFrame({
        "period": frame["period"].astype(str),
        "period_start": pd.to_datetime(frame["period_start"]),
        "value": pd.to_numeric(frame["value"], errors="coerce").astype(float),
        "peer_median": pd.to_numeric(frame["peer_median"], errors="coerce").astype(float),
        "peer_q1": pd.to_numeric(frame["peer_q1"], errors="coerce").astype(float),
        "peer_q3": pd.to_numeric(frame["peer_q3"], errors="coerce").astype(float),
    })
    fmt = _axis_format(metric_id)
    # Periods are categories (2024-Q3), so the axis shows their labels, in time order.
    x = alt.X("period:O", title=None, sort=data.sort_values("period_start")["period"].tolist(), axis=alt.Axis(labelAngle=-45))
    band = alt.Chart(data).mark_area(opacity=0.3, color=BAND_COLOUR).encode(
        x=x, y=alt.Y("peer_q1:Q", title=metric.label, axis=alt.Axis(format=fmt)), y2="peer_q3:Q",
        tooltip=[alt.Tooltip("period:N", title="Period"), alt.Tooltip("peer_q1:Q", title="Peer 25th percentile", format=fmt),
                 alt.Tooltip("peer_q3:Q", title="Peer 75th percentile", format=fmt)],
    )
    # One legend names both lines; they differ in colour, dash and marker, not colour alone.
    series = data.melt(id_vars=["period", "period_start"], value_vars=["value", "peer_median"], var_name="series", value_name="y")
    names = {"value": organisation, "peer_median": "Peer median"}
    series["series"] = series["series"].map(names)
    domain = [organisation, "Peer median"]
    lines = alt.Chart(series).mark_line(point=True).encode(
        x=x,
        y=alt.Y("y:Q", title=metric.label, axis=alt.Axis(format=fmt)),
        color=alt.Color("series:N", scale=alt.Scale(domain=domain, range=[OWN_COLOUR, MEDIAN_COLOUR]),
                        legend=alt.Legend(title=None, orient="top")),
        strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=domain, range=[[1, 0], [4, 3]]), legend=None),
        shape=alt.Shape("series:N", scale=alt.Scale(domain=domain, range=["diamond", "circle"]), legend=None),
        tooltip=[alt.Tooltip("period:N", title="Period"), alt.Tooltip("series:N", title="Line"),
                 alt.Tooltip("y:Q", title=metric.label, format=fmt)],
    )
    return alt.layer(band, lines).properties(height=380, width="container")
