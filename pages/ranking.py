"""Peer ranking: one metric across a peer group, with median, percentiles and the group's summary."""

import streamlit as st

from benchmark import charts, i18n, ui, ui_links
from benchmark.viewstate import ViewState

t = ui.translator()
lang = ui.current_language()
st.title(t("ranking.title"))
st.caption(t("ranking.caption"))
store = ui.get_store()
ui_links.apply_link(store, "ranking")
ui_links.show_problems()

own, group, metric_id = ui.peer_controls(store, "ranking", default_metric="engagement_rate_by_follower")
row2 = st.columns([2, 4, 3])
platform = ui.platform_picker(store, row2[0], key="ranking.platform")
period = ui.period_picker(store, platform, row2[1], key="ranking.period")

state = ViewState(page="ranking", org=own.reference, group=group.spec, platform=platform,
                  period=ui_links.link_period(period), metric=metric_id)
ui_links.publish(state)
ui_links.share_and_deck(store, state, key="ranking.share")

result = ui.cached_ranking(store, store.data_version(), group.spec, platform, period, metric_id, own.organisation_id)
metric_name = ui.metric_label(metric_id)
platform_name = ui.platform_label(platform)
ui.demo_notice(result.shows_demo)
st.subheader(t("ranking.subheader", group=ui.group_label(group), metric=metric_name, platform=platform_name,
               period=period.label))

summary = result.summary
lost = summary.lost_followers
lost_names = f" ({', '.join(lost[:8])}{' …' if len(lost) > 8 else ''})" if lost else ""
st.markdown("  \n".join([
    t("ranking.summary_posts", average=i18n.format_number(summary.avg_posts_per_month, lang, 1),
      median=i18n.format_number(summary.median_posts_per_month, lang, 1)),
    t("ranking.summary_largest", page=summary.largest_page or "–",
      followers=i18n.format_number(summary.largest_followers, lang)),
    t("ranking.summary_growth", page=summary.fastest_growth or "–",
      change=i18n.format_percent(summary.fastest_growth_pct, lang, 1, signed=True)),
    t("ranking.summary_lost_one" if len(lost) == 1 else "ranking.summary_lost",
      count=i18n.format_number(len(lost), lang)) + lost_names,
]))
st.caption(t("ranking.with_figures", with_data=i18n.format_number(summary.with_data, lang),
             members=i18n.format_number(summary.members, lang), period=period.label))

ranked = result.frame[result.frame["value"].notna()]
if ranked.empty:
    st.info(t("ranking.no_figures", metric=metric_name, platform=platform_name, period=period.label))
else:
    st.altair_chart(charts.ranking_bars(result.frame, metric_id, result.peer_median, lang=lang), width="stretch", theme=None)
    if len(ranked) > charts.MAX_BARS:
        st.caption(t("ranking.chart_caption", top=charts.MAX_BARS, count=i18n.format_number(len(result.frame), lang)))

shown = result.frame.copy()
shown["organisation"] = [
    (t("marker.you", name=n) if bool(member) else t("marker.you_outside_group", name=n)) if bool(o) else n
    for n, o, member in zip(shown["organisation"], shown["is_own"].fillna(False), shown["in_group"].fillna(True), strict=True)
]
st.dataframe(
    ui.formatted(shown[["rank", "organisation", "value", "percentile", "peer_median", "difference_from_median"]], {
        "rank": ui.number_format(), "value": ui.metric_format(metric_id), "percentile": ui.number_format(),
        "peer_median": ui.metric_format(metric_id), "difference_from_median": ui.metric_format(metric_id, signed=True),
    }),
    # No `format` on the number columns: the Styler of ui.formatted writes them in the page's language.
    column_config={
        "rank": st.column_config.NumberColumn(t("column.rank")),
        "organisation": st.column_config.TextColumn(t("column.page"), help=t("ranking.page_help")),
        "value": st.column_config.NumberColumn(metric_name),
        "percentile": st.column_config.NumberColumn(t("column.percentile"), help=t("ranking.percentile_help")),
        "peer_median": st.column_config.NumberColumn(t("column.peer_median")),
        "difference_from_median": st.column_config.NumberColumn(t("column.difference_from_median")),
    },
    hide_index=True, width="stretch", height=ui.table_height(len(shown)), key="ranking.table",
)
st.caption(ui.metric_explanation(metric_id) + " " + t("ranking.table_caption"))

ui_links.downloads(store, state, key="ranking.download")
