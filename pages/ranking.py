"""Peer ranking: one metric across a peer group, with median, percentiles and the group's summary."""

import streamlit as st

from benchmark import charts, ui
from benchmark.metrics import METRICS_BY_ID
from benchmark.vocabulary import PLATFORMS

st.title("Peer ranking")
st.caption("Where each page stands in its peer group on one metric, with the group's median and percentiles.")

store = ui.get_store()
own, group, metric_id = ui.peer_controls(store, "ranking", default_metric="engagement_rate_by_follower")
row2 = st.columns([2, 4, 3])
platform = ui.platform_picker(store, row2[0], key="ranking.platform")
period = ui.period_picker(store, platform, row2[1], key="ranking.period")

result = ui.cached_ranking(store, store.data_version(), group.spec, platform, period, metric_id, own.organisation_id)
metric = METRICS_BY_ID[metric_id]
ui.demo_notice(result.shows_demo)
st.subheader(f"{group.label}: {metric.label}, {PLATFORMS[platform]}, {period.label}")

summary = result.summary
def _number(value, pattern: str) -> str:
    return "–" if value is None else pattern.format(value)


lost = summary.lost_followers
st.markdown(
    f"**Posts per month:** average {_number(summary.avg_posts_per_month, '{:.1f}')}, "
    f"median {_number(summary.median_posts_per_month, '{:.1f}')}  \n"
    f"**Largest page:** {summary.largest_page or '–'} ({_number(summary.largest_followers, '{:,}')} followers)  \n"
    f"**Fastest growth:** {summary.fastest_growth or '–'} ({_number(summary.fastest_growth_pct, '{:+.1f} %')})  \n"
    f"**Lost followers:** {len(lost)} {'page' if len(lost) == 1 else 'pages'}"
    + (f" ({', '.join(lost[:8])}{' …' if len(lost) > 8 else ''})" if lost else "")
)
st.caption(f"{summary.with_data} of {summary.members} pages in the group have figures for {period.label}.")

ranked = result.frame[result.frame["value"].notna()]
if ranked.empty:
    st.info(f"No {metric.label.lower()} figures for this group on {PLATFORMS[platform]} in {period.label}.")
else:
    st.altair_chart(charts.ranking_bars(result.frame, metric_id, result.peer_median), width="stretch", theme=None)
    if len(ranked) > charts.MAX_BARS:
        st.caption(f"The chart shows the top {charts.MAX_BARS} and your organisation; the table lists all {len(result.frame)}.")

shown = result.frame.copy()
shown["organisation"] = [
    ("★ " + n + " (you" + ("" if bool(member) else ", not in the group") + ")") if bool(o) else n
    for n, o, member in zip(shown["organisation"], shown["is_own"].fillna(False), shown["in_group"].fillna(True), strict=True)
]
fmt = f"%.{metric.decimals}f" + (" %%" if metric.unit == "%" else "")
st.dataframe(
    shown[["rank", "organisation", "value", "percentile", "peer_median", "difference_from_median"]],
    column_config={
        "rank": st.column_config.NumberColumn("Rank", format="%d"),
        "organisation": st.column_config.TextColumn("Page", help="★ marks your organisation"),
        "value": st.column_config.NumberColumn(metric.label, format=fmt),
        "percentile": st.column_config.NumberColumn("Percentile", format="%.0f", help="Share of the other ranked pages with a worse value; 100 = best"),
        "peer_median": st.column_config.NumberColumn("Peer median", format=fmt),
        "difference_from_median": st.column_config.NumberColumn("Difference from median", format=fmt),
    },
    hide_index=True, width="stretch", height=ui.table_height(len(shown)), key="ranking.table",
)
st.caption(ui.metric_explanation(metric_id) + " Pages without a value are listed last, unranked. Ranks, "
           "percentiles and the median are the group's; if your organisation is not in the group, its rank "
           "shows where it would stand.")
