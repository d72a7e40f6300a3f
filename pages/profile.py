"""Organisation profile: one organisation's metric over time against its peer group's median and quartiles."""

import streamlit as st

from benchmark import charts, ui, views
from benchmark.metrics import METRICS_BY_ID
from benchmark.periods import MONTH, QUARTER, YEAR, periods_between
from benchmark.vocabulary import PLATFORMS

st.title("Organisation profile")
st.caption("One organisation over time, against the median of its peer group and the band where the middle half of the peers lie.")

store = ui.get_store()
own, group, metric_id = ui.peer_controls(store, "profile", default_metric="followers")
row2 = st.columns([2, 2, 5])
platform = ui.platform_picker(store, row2[0], key="profile.platform")
grain = row2[1].selectbox("Every", [MONTH, QUARTER, YEAR], index=1, format_func=str.capitalize, key="profile.grain")

found = ui.cached_data_range(store, store.data_version(), platform)
if found is None:
    st.info(f"No figures stored for {PLATFORMS[platform]} yet.")
    st.stop()
all_periods = periods_between(grain, found[0], found[1])
labels = [p.label for p in all_periods]
first, last = row2[2].select_slider("Periods", options=labels, value=(labels[max(0, len(labels) - 12)], labels[-1]), key=f"profile.range.{grain}")
weekly = ui.cached_weekly_only(store, store.data_version(), platform)
periods = [views.fit_period(p, weekly) for p in all_periods[labels.index(first): labels.index(last) + 1]]
if weekly:
    st.caption(f"The figures on {PLATFORMS[platform]} are weekly, so each {grain} is shown as the whole ISO weeks "
               "whose Thursday falls in it (e.g. 2025-Q3 as weeks 27–39, 30 Jun – 28 Sep 2025).")

result = ui.cached_profile(store, store.data_version(), own.organisation_id, group.spec, platform, metric_id, tuple(periods))
metric = METRICS_BY_ID[metric_id]
ui.demo_notice(result.shows_demo)
st.subheader(f"{own.name}: {metric.label} on {PLATFORMS[platform]}, against {group.label}")
if result.frame["value"].notna().sum() == 0 and result.frame["peer_median"].notna().sum() == 0:
    st.info("No figures for these periods.")
else:
    st.altair_chart(charts.profile_lines(result.frame, metric_id, own.name), width="stretch", theme=None)
fmt = f"%.{metric.decimals}f" + (" %%" if metric.unit == "%" else "")
st.dataframe(
    result.frame[["period", "value", "peer_median", "peer_q1", "peer_q3", "peers_with_data"]],
    column_config={
        "period": st.column_config.TextColumn("Period"),
        "value": st.column_config.NumberColumn(own.name, format=fmt),
        "peer_median": st.column_config.NumberColumn("Peer median", format=fmt),
        "peer_q1": st.column_config.NumberColumn("Peer 25th percentile", format=fmt),
        "peer_q3": st.column_config.NumberColumn("Peer 75th percentile", format=fmt),
        "peers_with_data": st.column_config.NumberColumn("Peers with figures", format="%d"),
    },
    hide_index=True, width="stretch", height=ui.table_height(len(result.frame)), key="profile.table",
)
st.caption(ui.metric_explanation(metric_id) + " The line is your organisation (◆), the dashed line the peer median, the band the 25th–75th percentiles.")
