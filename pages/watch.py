"""Pages to watch: your organisation's pages next to the peers you watch."""

import streamlit as st

from benchmark import ui
from benchmark.errors import BenchmarkError
from benchmark.groups import default_group_spec, resolve_group
from benchmark.metrics import METRICS_BY_ID
from benchmark.vocabulary import PLATFORMS
from benchmark.watchlists import MAX_WATCHED, list_watch_lists, save_watch_list

st.title("Pages to watch")
st.caption("Followers, growth, posts and engagement of the pages you watch, next to your own, for one platform and period.")

store = ui.get_store()
top = st.columns([3, 2, 4])
own = ui.organisation_picker(store, top[0], key="watch.organisation")
platform = ui.platform_picker(store, top[1], key="watch.platform")
period = ui.period_picker(store, platform, top[2], key="watch.period")

default_spec = default_group_spec(own)
default_label = resolve_group(store, default_spec).label
sources = [default_spec, *list_watch_lists(store)]
with st.expander("Watch list", expanded=False):
    source = st.selectbox(
        "Start from", sources, key="watch.source",
        format_func=lambda s: f"{default_label} (default)" if s == default_spec else f"Saved list: {s}",
    )
    source_ids = [i for i in resolve_group(store, source).organisation_ids if i != own.organisation_id]
    options = ui.cached_organisation_options(store, store.data_version())
    labels = dict(zip(options["organisation_id"], options["label"], strict=True))
    watched = st.multiselect(
        f"Watched organisations (up to {MAX_WATCHED})", options["organisation_id"].tolist(), default=source_ids,
        format_func=lambda i: labels[i], max_selections=MAX_WATCHED, key=f"watch.members.{source}.{own.organisation_id}",
        help="Add or remove any organisation; type to search.",
    )
    name_col, button_col = st.columns([3, 1])
    list_name = name_col.text_input("Save as", placeholder="e.g. Regions in Mälardalen", key="watch.save_name")
    if button_col.button("Save watch list", key="watch.save", width="stretch"):
        try:
            saved = save_watch_list(store, list_name, watched, own.organisation_id)
            # Rerun so the new list is offered under "Start from" at once; say so after the rerun.
            st.session_state["watch.saved_message"] = (
                f"Saved watch list “{saved.name}” with {len(saved.organisation_ids)} organisations.")
            st.rerun()
        except BenchmarkError as exc:
            st.error(str(exc))
    if message := st.session_state.pop("watch.saved_message", None):
        st.success(message)

table = ui.cached_watch_table(store, store.data_version(), own.organisation_id, tuple(watched), platform, period)
ui.demo_notice(table.shows_demo)
st.subheader(f"{PLATFORMS[platform]}, {period.label}")
if table.rows_with_data == 0:
    st.info(
        f"No figures for {period.label} on {PLATFORMS[platform]} for these organisations. "
        "Figures exist only for periods the stored data covers in full (the demo data is monthly, "
        "so weeks and partial ranges have none)."
    )

shown = table.frame.copy()
shown["organisation"] = [("★ " + n + " (you)") if own_flag else n for n, own_flag in zip(shown["organisation"], shown["is_own"], strict=True)]
shown["status"] = shown["status"].replace("", "✓")
# A change that rounds to zero is shown as 0.0, not "-0.0".
change = shown["followers_change_pct"]
shown["followers_change_pct"] = change.mask(change.abs().lt(0.05).fillna(False), 0.0)
column_config = {
    "organisation": st.column_config.TextColumn("Page", help="★ marks your organisation, pinned first"),
    "followers": st.column_config.NumberColumn(METRICS_BY_ID["followers"].label, format="localized"),
    "followers_change_pct": st.column_config.NumberColumn("Change %", format="%.1f %%", help=METRICS_BY_ID["followers_change_pct"].explanation),
    "posts": st.column_config.NumberColumn("Posts", format="localized"),
    "engagements": st.column_config.NumberColumn("Engagements", format="localized", help=METRICS_BY_ID["engagements"].explanation),
    "engagements_per_post": st.column_config.NumberColumn("Eng. per post", format="%.1f"),
    "engagement_rate_by_follower": st.column_config.NumberColumn("Eng. rate by follower", format="%.2f %%", help=METRICS_BY_ID["engagement_rate_by_follower"].formula),
    "follower_trend": st.column_config.LineChartColumn("Followers, last 12 months"),
    "status": st.column_config.TextColumn("Data", help="“no data”: nothing stored for this page and period"),
}
st.dataframe(
    shown[["organisation", "followers", "followers_change_pct", "posts", "engagements", "engagements_per_post",
           "engagement_rate_by_follower", "follower_trend", "status"]],
    column_config=column_config, hide_index=True, width="stretch", height=ui.table_height(len(shown)), key="watch.table",
)
st.caption(
    f"{len(shown)} pages, {table.rows_with_data} with figures. Change % compares the end of {period.label} with the end "
    f"of the previous period of equal length. {ui.metric_explanation('engagement_rate_by_follower')}"
)

own_pages = int(table.frame.loc[table.frame["is_own"], "pages"].iloc[0] or 0)
if own_pages > 1:
    with st.expander(f"{own.name}: its {own_pages} {PLATFORMS[platform]} pages one by one", icon=":material/stacks:"):
        pages_frame = ui.cached_organisation_pages(store, store.data_version(), own.organisation_id, platform, period)
        st.dataframe(
            pages_frame[["account", *[c for c in column_config if c in pages_frame.columns]]],
            column_config={**column_config, "account": st.column_config.TextColumn("Page")},
            hide_index=True, width="stretch", height=ui.table_height(len(pages_frame)), key="watch.pages",
        )
        st.caption("The row above adds these up: followers, posts and engagements are sums over the pages.")
