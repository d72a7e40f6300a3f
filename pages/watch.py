"""Pages to watch: your organisation's pages next to the peers you watch."""

import streamlit as st

from benchmark import i18n, ui, ui_auth, ui_links
from benchmark.errors import BenchmarkError
from benchmark.groups import default_group_spec, resolve_group
from benchmark.viewstate import ViewState
from benchmark.watchlists import MAX_WATCHED, list_watch_lists, save_watch_list

t = ui.translator()
lang = ui.current_language()
st.title(t("watch.title"))
st.caption(t("watch.caption"))
store = ui.get_store()
ui_links.apply_link(store, "watch")
ui_links.show_problems()

top = st.columns([3, 2, 4])
own = ui.organisation_picker(store, top[0], key="watch.organisation")
platform = ui.platform_picker(store, top[1], key="watch.platform")
period = ui.period_picker(store, platform, top[2], key="watch.period")

default_spec = default_group_spec(own)
default_label = ui.group_label(resolve_group(store, default_spec))
sources = [default_spec, *list_watch_lists(store)]
with st.expander(t("watch.watch_list"), expanded=False):
    source = st.selectbox(
        t("watch.start_from"), sources, key="watch.source",
        format_func=lambda s: t("watch.default_source", group=default_label) if s == default_spec
        else t("watch.saved_source", name=s),
    )
    source_ids = [i for i in resolve_group(store, source).organisation_ids if i != own.organisation_id]
    options = ui.cached_organisation_options(store, store.data_version())
    labels = ui.organisation_labels(store)
    watched = st.multiselect(
        t("watch.watched", max=MAX_WATCHED), options["organisation_id"].tolist(), default=source_ids,
        format_func=lambda i: labels[i], max_selections=MAX_WATCHED, key=f"watch.members.{source}.{own.organisation_id}",
        help=t("watch.watched_help"),
    )
    actor = ui_auth.current_actor(store)
    if not actor.may("save_watch_list"):
        st.caption(t("auth.read_only"))
    name_col, button_col = st.columns([3, 1])
    list_name = name_col.text_input(t("watch.save_as"), placeholder=t("watch.save_as_placeholder"), key="watch.save_name",
                                    disabled=not actor.may("save_watch_list"))
    if button_col.button(t("watch.save"), key="watch.save", width="stretch", disabled=not actor.may("save_watch_list")):
        try:
            saved = save_watch_list(store, list_name, watched, own.organisation_id, actor=actor)
            # Rerun so the new list is offered under "Start from" at once; say so after the rerun.
            st.session_state["watch.saved_message"] = t(
                "watch.saved", name=saved.name, count=i18n.format_number(len(saved.organisation_ids), lang))
            st.rerun()
        except BenchmarkError as exc:
            st.error(i18n.error_text(exc, lang))
    if message := st.session_state.pop("watch.saved_message", None):
        st.success(message)

state = ViewState(page="watch", org=own.reference, platform=platform, period=ui_links.link_period(period),
                  group=None if source == default_spec else source,
                  watch=None if sorted(watched) == sorted(source_ids) else ui_links.codes(store, watched))
ui_links.publish(state)
ui_links.share_and_deck(store, state, key="watch.share")

table = ui.cached_watch_table(store, store.data_version(), own.organisation_id, tuple(watched), platform, period)
ui.demo_notice(table.shows_demo)
platform_name = ui.platform_label(platform)
st.subheader(t("watch.subheader", platform=platform_name, period=period.label))
if table.rows_with_data == 0:
    st.info(t("watch.no_figures", period=period.label, platform=platform_name))

shown = table.frame.copy()
shown["organisation"] = [t("marker.you", name=n) if own_flag else n
                         for n, own_flag in zip(shown["organisation"], shown["is_own"], strict=True)]
shown["status"] = shown["status"].map(lambda s: "✓" if s == "" else t("word.no_data"))
metric_columns = ["followers", "followers_change_pct", "posts", "engagements", "engagements_per_post",
                  "engagement_rate_by_follower"]
# The sparkline draws itself; writing its 12 numbers out as text would only cost time.
formats = {**{m: ui.metric_format(m) for m in metric_columns}, "follower_trend": lambda _: ""}
# No `format` on the number columns: the Styler of ui.formatted writes them in the page's language.
column_config = {
    "organisation": st.column_config.TextColumn(t("column.page"), help=t("watch.page_help")),
    "followers": st.column_config.NumberColumn(ui.metric_label("followers")),
    "followers_change_pct": st.column_config.NumberColumn(t("watch.change_pct"), help=t("metric.followers_change_pct.explanation")),
    "posts": st.column_config.NumberColumn(ui.metric_label("posts")),
    "engagements": st.column_config.NumberColumn(ui.metric_label("engagements"), help=t("metric.engagements.explanation")),
    "engagements_per_post": st.column_config.NumberColumn(t("watch.engagements_per_post")),
    "engagement_rate_by_follower": st.column_config.NumberColumn(t("watch.engagement_rate"), help=t("metric.engagement_rate_by_follower.formula")),
    "follower_trend": st.column_config.LineChartColumn(t("column.follower_trend")),
    "status": st.column_config.TextColumn(t("column.status"), help=t("watch.status_help")),
}
st.dataframe(
    ui.formatted(shown[["organisation", *metric_columns, "follower_trend", "status"]], formats),
    column_config=column_config, hide_index=True, width="stretch", height=ui.table_height(len(shown)), key="watch.table",
)
st.caption(t("watch.table_caption", pages=i18n.format_number(len(shown), lang),
             with_data=i18n.format_number(table.rows_with_data, lang), period=period.label,
             explanation=ui.metric_explanation("engagement_rate_by_follower")))

own_pages = int(table.frame.loc[table.frame["is_own"], "pages"].iloc[0] or 0)
if own_pages > 1:
    with st.expander(t("watch.own_pages", organisation=own.name, count=i18n.format_number(own_pages, lang), platform=platform_name),
                     icon=":material/stacks:"):
        pages_frame = ui.cached_organisation_pages(store, store.data_version(), own.organisation_id, platform, period)
        st.dataframe(
            ui.formatted(pages_frame[["account", *[c for c in column_config if c in pages_frame.columns]]], formats),
            column_config={**column_config, "account": st.column_config.TextColumn(t("column.page"))},
            hide_index=True, width="stretch", height=ui.table_height(len(pages_frame)), key="watch.pages",
        )
        st.caption(t("watch.own_pages_caption"))
        exported = ["account", *[c for c in metric_columns if c in pages_frame.columns]]
        ui_links.table_downloads(
            pages_frame, {c: t("column.page") if c == "account" else column_config[c]["label"] for c in exported},
            own.name, key="watch.pages.download", file_stem=f"{own.reference}-{platform}-{period.label}-pages",
            metrics={c: c for c in exported if c != "account"})

ui_links.downloads(store, state, key="watch.download")
