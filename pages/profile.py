"""Organisation profile: one organisation's metric over time against its peer group's median and quartiles."""

from datetime import date

import streamlit as st

from benchmark import charts, i18n, ui, ui_links, views
from benchmark.periods import MONTH, QUARTER, YEAR, periods_between
from benchmark.viewstate import ViewState

t = ui.translator()
lang = ui.current_language()
st.title(t("profile.title"))
st.caption(t("profile.caption"))
store = ui.get_store()
ui_links.apply_link(store, "profile")
ui_links.show_problems()

own, group, metric_id = ui.peer_controls(store, "profile", default_metric="followers")
row2 = st.columns([2, 2, 5])
platform = ui.platform_picker(store, row2[0], key="profile.platform")
grain = row2[1].selectbox(t("profile.every"), [MONTH, QUARTER, YEAR], index=1, format_func=ui.labeller("period_kind"),
                          key="profile.grain")
platform_name = ui.platform_label(platform)

found = ui.cached_data_range(store, store.data_version(), platform)
if found is None:
    st.info(t("profile.nothing_stored", platform=platform_name))
    st.stop()
all_periods = periods_between(grain, found[0], found[1])
labels = [p.label for p in all_periods]
ui_links.check_range(f"profile.range.{grain}", labels)
first, last = row2[2].select_slider(t("profile.periods"), options=labels, value=(labels[max(0, len(labels) - 12)], labels[-1]), key=f"profile.range.{grain}")
weekly = ui.cached_weekly_only(store, store.data_version(), platform)
periods = [views.fit_period(p, weekly) for p in all_periods[labels.index(first): labels.index(last) + 1]]
if weekly:
    st.caption(t(f"profile.weekly_{grain}", platform=platform_name,
                 example=i18n.format_date_range(date(2025, 6, 30), date(2025, 9, 28), lang)))

state = ViewState(page="profile", org=own.reference, group=group.spec, platform=platform, metric=metric_id,
                  every=grain, first=first, last=last)
ui_links.publish(state)
ui_links.share_and_deck(store, state, key="profile.share")

result = ui.cached_profile(store, store.data_version(), own.organisation_id, group.spec, platform, metric_id, tuple(periods))
metric_name = ui.metric_label(metric_id)
ui.demo_notice(result.shows_demo)
st.subheader(t("profile.subheader", organisation=own.name, metric=metric_name, platform=platform_name,
               group=ui.group_label(group)))
if result.frame["value"].notna().sum() == 0 and result.frame["peer_median"].notna().sum() == 0:
    st.info(t("profile.no_figures"))
else:
    st.altair_chart(charts.profile_lines(result.frame, metric_id, own.name, lang=lang), width="stretch", theme=None)
value = ui.metric_format(metric_id)
st.dataframe(
    ui.formatted(result.frame[["period", "value", "peer_median", "peer_q1", "peer_q3", "peers_with_data"]], {
        "value": value, "peer_median": value, "peer_q1": value, "peer_q3": value, "peers_with_data": ui.number_format(),
    }),
    # No `format` on the number columns: the Styler of ui.formatted writes them in the page's language.
    column_config={
        "period": st.column_config.TextColumn(t("column.period")),
        "value": st.column_config.NumberColumn(own.name),
        "peer_median": st.column_config.NumberColumn(t("column.peer_median")),
        "peer_q1": st.column_config.NumberColumn(t("column.peer_q1")),
        "peer_q3": st.column_config.NumberColumn(t("column.peer_q3")),
        "peers_with_data": st.column_config.NumberColumn(t("column.peers_with_data")),
    },
    hide_index=True, width="stretch", height=ui.table_height(len(result.frame)), key="profile.table",
)
st.caption(ui.metric_explanation(metric_id) + " " + t("profile.table_caption"))

ui_links.downloads(store, state, key="profile.download")
