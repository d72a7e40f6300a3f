"""The small set of Streamlit helpers the pages share (the only Streamlit import in the package).

- one `Store` per server process (`st.cache_resource`); every query takes its
  own cursor inside the store, so sessions never share a connection;
- view results cached per data version, so an import invalidates them;
- pickers that keep "your organisation", platform and period across pages.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from . import settings, views
from .bootstrap import ensure_database
from .demo import DEMO_NOTICE
from .errors import BenchmarkError
from .groups import PeerGroup, default_group_spec, group_choices, resolve_group
from .metrics import METRICS, METRICS_BY_ID
from .periods import (
    CUSTOM,
    MONTH,
    QUARTER,
    WEEK,
    WEEKS,
    YEAR,
    Period,
    calendar_of,
    custom_period,
    periods_between,
)
from .registry import Organisation, get_organisation, resolve_organisation
from .store import Store
from .vocabulary import PLATFORMS

SHARED_ORGANISATION = "shared.organisation_id"
SHARED_PLATFORM = "shared.platform"
SHARED_PERIOD = "shared.period"
PERIOD_KIND_LABELS = {WEEK: "Week", MONTH: "Month", QUARTER: "Quarter", YEAR: "Year", CUSTOM: "Custom range"}


@st.cache_resource(show_spinner="Preparing the database (first start: registry and demo data)…")
def _store(path: str) -> Store:
    return ensure_database(settings.database_path(path), with_demo=settings.get("demo_on_empty") != "0")


def _route_through_app() -> None:
    """Run app.py's navigation even when the first request of a fresh server is a page's own URL.

    Streamlit treats a `pages/` folder beside app.py as a legacy multipage app until
    `st.navigation` has run once; a first request for /upload would then run the page
    alone, with file names in the sidebar. Clearing the flag and rerunning lets
    app.py route it (the flag is Streamlit's own; pinned version, tested in the browser).
    """
    from streamlit import config
    from streamlit.runtime.pages_manager import PagesManager

    # AppTest sets the flag again before each of its runs, and a rerun there would drop the
    # widget interaction under test; its pages run alone as before.
    if PagesManager.uses_pages_directory and not config.get_option("global.appTest"):
        PagesManager.uses_pages_directory = False
        st.rerun()


def get_store() -> Store:
    """The process's store; shows a plain error and stops the page if the database cannot be opened."""
    _route_through_app()
    try:
        return _store(str(settings.database_path()))
    except BenchmarkError as exc:
        st.error(f"The database cannot be opened: {exc}")
        st.stop()
        raise  # unreachable: st.stop() raises


def _ttl() -> int:
    return int(settings.get("query_cache_seconds"))


@st.cache_data(ttl=_ttl(), max_entries=64, show_spinner=False)
def cached_watch_table(_store: Store, version: tuple, own_id: int, watched: tuple[int, ...], platform: str, period: Period):
    return views.watch_table(_store, get_organisation(_store, own_id), watched, platform, period)


@st.cache_data(ttl=_ttl(), max_entries=64, show_spinner=False)
def cached_ranking(_store: Store, version: tuple, group_spec: str, platform: str, period: Period, metric_id: str, own_id: int | None):
    return views.ranking(_store, resolve_group(_store, group_spec), platform, period, metric_id, own_id)


@st.cache_data(ttl=_ttl(), max_entries=64, show_spinner=False)
def cached_profile(_store: Store, version: tuple, own_id: int, group_spec: str, platform: str, metric_id: str, periods: tuple[Period, ...]):
    return views.profile(_store, get_organisation(_store, own_id), resolve_group(_store, group_spec), platform, metric_id, list(periods))


@st.cache_data(ttl=_ttl(), max_entries=64, show_spinner=False)
def cached_organisation_pages(_store: Store, version: tuple, own_id: int, platform: str, period: Period):
    return views.organisation_pages(_store, get_organisation(_store, own_id), platform, period)


@st.cache_data(ttl=_ttl(), max_entries=4, show_spinner=False)
def cached_organisation_options(_store: Store, version: tuple):
    return views.organisation_options(_store)


@st.cache_data(ttl=_ttl(), max_entries=16, show_spinner=False)
def cached_data_range(_store: Store, version: tuple, platform: str):
    """The stored data's first and last day on a platform: a scan of every value, so kept per data version."""
    return views.data_range(_store, platform)


@st.cache_data(ttl=_ttl(), max_entries=16, show_spinner=False)
def cached_weekly_only(_store: Store, version: tuple, platform: str) -> bool:
    return views.weekly_only(_store, platform)


def weeks_caption(period: Period) -> str:
    """What a whole-weeks period stands for, for a caption under the picker or a chart."""
    calendar = calendar_of(period)
    shown = f"{period.start.day} {period.start:%b %Y} – {period.end.day} {period.end:%b %Y}"
    if calendar is None:
        return f"Weeks {period.label}: {shown}."
    return (f"The figures on this platform are weekly, so {calendar.label} is shown as the whole ISO weeks "
            f"whose Thursday falls in it: {period.label}, {shown}.")


def demo_notice(shows_demo: bool) -> None:
    if shows_demo:
        st.warning(f"**{DEMO_NOTICE}.** Remove them with `benchmark demo --remove`.", icon=":material/science:")


def organisation_picker(store: Store, container=st, key: str = "organisation") -> Organisation:
    options = cached_organisation_options(store, store.data_version())
    ids = options["organisation_id"].tolist()
    labels = dict(zip(ids, options["label"], strict=True))
    if SHARED_ORGANISATION not in st.session_state:
        try:
            st.session_state[SHARED_ORGANISATION] = resolve_organisation(store, settings.get("default_organisation")).organisation_id
        except BenchmarkError:
            st.session_state[SHARED_ORGANISATION] = ids[0]
    current = st.session_state[SHARED_ORGANISATION]
    chosen = container.selectbox(
        "Your organisation", ids, index=ids.index(current) if current in ids else 0,
        format_func=lambda i: labels[i], key=key,
        help="The body whose pages you compare; type to search.",
    )
    st.session_state[SHARED_ORGANISATION] = chosen
    return get_organisation(store, chosen)


def platform_picker(store: Store, container=st, key: str = "platform") -> str:
    options = views.platforms_with_data(store)
    current = st.session_state.get(SHARED_PLATFORM, options[0])
    chosen = container.selectbox(
        "Platform", options, index=options.index(current) if current in options else 0,
        format_func=lambda p: PLATFORMS[p], key=key,
    )
    st.session_state[SHARED_PLATFORM] = chosen
    return chosen


def period_picker(store: Store, platform: str, container=st, key: str = "period") -> Period:
    """Kind of period, then one period of that kind (latest first), or a custom date range."""
    data_range = cached_data_range(store, store.data_version(), platform)
    weekly = cached_weekly_only(store, store.data_version(), platform)
    default = views.default_period(data_range, weekly)
    current: Period = st.session_state.get(SHARED_PERIOD, default)
    # A whole-weeks period is shown as the month, quarter or year it stands for (or as a range).
    current = calendar_of(current) or (custom_period(current.start, current.end) if current.kind == WEEKS else current)
    kinds = list(PERIOD_KIND_LABELS)
    left, right = container.columns([2, 3])
    kind = left.selectbox(
        "Period", kinds, index=kinds.index(current.kind), format_func=PERIOD_KIND_LABELS.get, key=f"{key}.kind",
    )
    found = data_range or (default.start, default.end)
    if kind == CUSTOM:
        picked = right.date_input(
            "From – to", value=(current.start, current.end), min_value=date(2000, 1, 1), max_value=date(2100, 12, 31),
            format="YYYY-MM-DD", key=f"{key}.range",
        )
        if isinstance(picked, tuple) and len(picked) == 2:
            period = custom_period(picked[0], picked[1])
        else:
            right.caption("Pick an end date.")
            period = current
    else:
        choices = list(reversed(periods_between(kind, found[0], found[1])))
        labels = [p.label for p in choices]
        # Switching kind lands on the latest period that lies wholly inside the data.
        wanted = current.label if current.kind == kind else next(
            (p.label for p in choices if views.fit_period(p, weekly).end <= found[1]), labels[0])
        label = right.selectbox(
            PERIOD_KIND_LABELS[kind], labels, index=labels.index(wanted) if wanted in labels else 0, key=f"{key}.{kind}",
        )
        period = views.fit_period(choices[labels.index(label)], weekly)
        if period.kind == WEEKS:
            container.caption(weeks_caption(period))
    st.session_state[SHARED_PERIOD] = period
    return period


def metric_picker(container=st, key: str = "metric", default: str = "engagement_rate_by_follower") -> str:
    ids = [m.id for m in METRICS]
    return container.selectbox(
        "Metric", ids, index=ids.index(default), format_func=lambda i: METRICS_BY_ID[i].label, key=key,
        help="See the explanation under the chart; every formula is in docs/metrics.md.",
    )


def group_picker(store: Store, own: Organisation, container=st, key: str = "group") -> PeerGroup:
    choices = group_choices(store)
    default_spec = default_group_spec(own)
    chosen = container.selectbox(
        "Peer group", choices, index=choices.index(default_spec) if default_spec in choices else 0, key=key,
        help="KIND:COUNTRY, the municipalities in a county (in:…), or a saved watch list.",
    )
    return resolve_group(store, chosen)


def peer_controls(store: Store, page: str, default_metric: str) -> tuple[Organisation, PeerGroup, str]:
    """The first row of the ranking and profile pages: your organisation, its peer group, a metric."""
    left, middle, right = st.columns(3)
    own = organisation_picker(store, left, key=f"{page}.organisation")
    group = group_picker(store, own, middle, key=f"{page}.group")
    metric_id = metric_picker(right, key=f"{page}.metric", default=default_metric)
    return own, group, metric_id


def table_height(rows: int, limit: int = 36) -> int:
    """Tall enough to show every row up to `limit`, so short tables need no inner scrolling."""
    return 38 + 35 * min(max(rows, 1), limit)


def metric_explanation(metric_id: str) -> str:
    metric = METRICS_BY_ID[metric_id]
    return f"**{metric.label}**: {metric.explanation} Formula: {metric.formula}."
