"""The small set of Streamlit helpers the pages share (the only Streamlit import in the package).

- one `Store` per server process (`st.cache_resource`); every query takes its
  own cursor inside the store, so sessions never share a connection;
- view results cached per data version, so an import invalidates them;
- pickers that keep "your organisation", platform and period across pages;
- the session's language (`current_language`, `t`) and the language picker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from . import control, groups, i18n, settings, views
from .bootstrap import ensure_database
from .errors import BenchmarkError
from .groups import (
    PeerGroup,
    default_group_spec,
    group_choices,
    resolve_group,
    spec_label,
)
from .metrics import METRICS
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

SHARED_ORGANISATION = "shared.organisation_id"
SHARED_PLATFORM = "shared.platform"
SHARED_PERIOD = "shared.period"
SHARED_LANGUAGE = "shared.lang"
LANGUAGE_PARAM = "lang"
PERIOD_KINDS = (WEEK, MONTH, QUARTER, YEAR, CUSTOM)


# -- language ----------------------------------------------------------------------------------
def current_language() -> str:
    """The session's language: the user's choice; on first use a shared link's `lang`, else the
    browser's language if it is one of ours, else the `default_language` setting."""
    if SHARED_LANGUAGE not in st.session_state:
        st.session_state[SHARED_LANGUAGE] = _first_language()
    return st.session_state[SHARED_LANGUAGE]


def _first_language() -> str:
    asked = st.query_params.get(LANGUAGE_PARAM)
    if asked in i18n.LANGUAGES:
        return asked
    browser = i18n.language_from_locale(st.context.locale)
    if browser:
        return browser
    configured = settings.get("default_language")
    return configured if configured in i18n.LANGUAGES else i18n.ENGLISH


def t(key: str, /, **params: object) -> str:
    """The message `key` in the session's language."""
    return i18n.text(key, current_language(), **params)


# AppTest calls a widget's format_func again after the run, outside the session (where the language
# would read as the default), so the functions below bind the language when they are made.
def translator() -> Callable[..., str]:
    """`t` bound to the session's language now: what a page uses, in its format functions too."""
    lang = current_language()
    return lambda key, /, **params: i18n.text(key, lang, **params)


def labeller(prefix: str, suffix: str = "") -> Callable[[object], str]:
    """A format_func naming each option by its catalogue entry: `labeller("platform")("x")` is `platform.x`."""
    lang = current_language()
    return lambda value: i18n.text(f"{prefix}.{value}{suffix}", lang)


def _remember_language() -> None:
    # A callback, so the whole run that follows (the picker's own label too) is in the new language.
    chosen = st.session_state["language"]
    st.session_state[SHARED_LANGUAGE] = chosen
    st.query_params[LANGUAGE_PARAM] = chosen


def language_picker() -> str:
    """The language choice in the sidebar, each language in its own name; app.py shows it once."""
    languages = list(i18n.LANGUAGES)
    current = current_language()
    st.sidebar.selectbox(
        ":material/language: " + t("language.label"), languages, index=languages.index(current),
        format_func=i18n.LANGUAGES.get, key="language", on_change=_remember_language,
    )
    return current_language()


# -- numbers in tables -------------------------------------------------------------------------
def formatted(frame: pd.DataFrame, formats: Mapping[str, Callable[[object], str]]) -> Styler:
    """`frame` for st.dataframe with its numbers written the language's way (`17 000`, `7,5 %`).

    Streamlit 1.67 shows a Styler's display text in a NumberColumn without `format` and keeps the
    numbers underneath for sorting and for `.value`; a column_config `format` would override it.
    """
    return frame.style.format({column: _none_for_missing(f) for column, f in formats.items() if column in frame.columns})


def _none_for_missing(formatter: Callable[[object], str]) -> Callable[[object], str]:
    # Nullable columns hold pd.NA, which neither float() nor `or` accepts; the formatters take None.
    return lambda value: formatter(None if pd.api.types.is_scalar(value) and pd.isna(value) else value)


def number_format(decimals: int = 0, *, signed: bool = False) -> Callable[[object], str]:
    lang = current_language()
    return lambda value: i18n.format_number(value, lang, decimals, signed=signed)


def metric_format(metric_id: str, *, signed: bool = False) -> Callable[[object], str]:
    lang = current_language()
    return lambda value: i18n.format_metric(metric_id, value, lang, signed=signed)


def metric_label(metric_id: str) -> str:
    return t(f"metric.{metric_id}.label")


def platform_label(platform: str) -> str:
    return t(f"platform.{platform}")


def group_label(group: PeerGroup) -> str:
    return groups.group_label(group, current_language())


# -- the store and cached views ----------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    store = ensure_database(settings.database_path(path), with_demo=settings.get("demo_on_empty") != "0")
    # This process now has the file: `benchmark` commands run from a shell come here to use it
    # (benchmark/control.py). Without the socket the dashboard works on, after one logged warning.
    control.try_serve_control(store)
    return store


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
        # st.spinner waits half a second before it shows, so a warm cache shows nothing.
        with st.spinner(t("store.preparing")):
            return _store(str(settings.database_path()))
    except BenchmarkError as exc:
        st.error(t("store.cannot_open", error=i18n.error_text(exc, current_language())))
        st.stop()
        raise  # unreachable: st.stop() raises


def store_or_none() -> Store | None:
    """The process's store, or None when the database cannot be opened: for app.py, which routes
    before any page has a title; the page then calls `get_store` and says why under its title."""
    _route_through_app()
    try:
        with st.spinner(t("store.preparing")):
            return _store(str(settings.database_path()))
    except BenchmarkError:
        return None


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


@st.cache_data(ttl=_ttl(), max_entries=8, show_spinner=False)
def cached_organisation_labels(_store: Store, version: tuple, lang: str) -> dict[int, str]:
    return views.organisation_labels(cached_organisation_options(_store, version), lang)


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
    dates = i18n.format_date_range(period.start, period.end, current_language())
    if calendar is None:
        return t("weeks.caption", period=period.label, dates=dates)
    return t("weeks.calendar_caption", calendar=calendar.label, period=period.label, dates=dates)


def demo_notice(shows_demo: bool) -> None:
    if shows_demo:
        st.warning(t("demo.notice"), icon=":material/science:")


def organisation_picker(store: Store, container=st, key: str = "organisation") -> Organisation:
    options = cached_organisation_options(store, store.data_version())
    ids = options["organisation_id"].tolist()
    labels = organisation_labels(store)
    if SHARED_ORGANISATION not in st.session_state:
        try:
            st.session_state[SHARED_ORGANISATION] = resolve_organisation(store, settings.get("default_organisation")).organisation_id
        except BenchmarkError:
            st.session_state[SHARED_ORGANISATION] = ids[0]
    current = st.session_state[SHARED_ORGANISATION]
    chosen = container.selectbox(
        t("picker.organisation"), ids, index=ids.index(current) if current in ids else 0,
        format_func=lambda i: labels[i], key=key, help=t("picker.organisation_help"),
    )
    st.session_state[SHARED_ORGANISATION] = chosen
    return get_organisation(store, chosen)


def platform_picker(store: Store, container=st, key: str = "platform") -> str:
    options = views.platforms_with_data(store)
    current = st.session_state.get(SHARED_PLATFORM, options[0])
    chosen = container.selectbox(
        t("picker.platform"), options, index=options.index(current) if current in options else 0,
        format_func=labeller("platform"), key=key,
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
    kinds = list(PERIOD_KINDS)
    left, right = container.columns([2, 3])
    kind = left.selectbox(
        t("picker.period"), kinds, index=kinds.index(current.kind), format_func=labeller("period_kind"), key=f"{key}.kind",
    )
    found = data_range or (default.start, default.end)
    if kind == CUSTOM:
        picked = right.date_input(
            t("picker.date_range"), value=(current.start, current.end), min_value=date(2000, 1, 1), max_value=date(2100, 12, 31),
            format="YYYY-MM-DD", key=f"{key}.range",
        )
        if isinstance(picked, tuple) and len(picked) == 2:
            period = custom_period(picked[0], picked[1])
        else:
            right.caption(t("picker.pick_end_date"))
            period = current
    else:
        choices = list(reversed(periods_between(kind, found[0], found[1])))
        labels = [p.label for p in choices]
        # Switching kind lands on the latest period that lies wholly inside the data.
        wanted = current.label if current.kind == kind else next(
            (p.label for p in choices if views.fit_period(p, weekly).end <= found[1]), labels[0])
        label = right.selectbox(
            t(f"period_kind.{kind}"), labels, index=labels.index(wanted) if wanted in labels else 0, key=f"{key}.{kind}",
        )
        period = views.fit_period(choices[labels.index(label)], weekly)
        if period.kind == WEEKS:
            container.caption(weeks_caption(period))
    st.session_state[SHARED_PERIOD] = period
    return period


def metric_picker(container=st, key: str = "metric", default: str = "engagement_rate_by_follower") -> str:
    ids = [m.id for m in METRICS]
    return container.selectbox(
        t("picker.metric"), ids, index=ids.index(default), format_func=labeller("metric", ".label"), key=key,
        help=t("picker.metric_help"),
    )


def group_picker(store: Store, own: Organisation, container=st, key: str = "group") -> PeerGroup:
    choices = group_choices(store)
    default_spec = default_group_spec(own)
    lang = current_language()
    chosen = container.selectbox(
        t("picker.group"), choices, index=choices.index(default_spec) if default_spec in choices else 0, key=key,
        format_func=lambda spec: spec_label(spec, lang), help=t("picker.group_help"),
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
    return t("explain.metric", label=metric_label(metric_id), explanation=t(f"metric.{metric_id}.explanation"),
             formula=t(f"metric.{metric_id}.formula"))


def organisation_labels(store: Store) -> dict[int, str]:
    """Every organisation's picker label in the session's language, by id."""
    return cached_organisation_labels(store, store.data_version(), current_language())
