"""Shareable links and "add to deck": a page's state in its URL, for ui.py's pickers.

With ui.py, the only Streamlit modules of the package. A page calls `apply_link(store, page)` before
its widgets and `publish(state)` after them:

- `apply_link` reads the URL's query parameters when they are not the ones this session last wrote
  (a link just opened, or one pasted into the address bar), resolves them against the store and puts
  them into the pickers' session state; what cannot be used is listed in one warning and left at the
  page's default. Nothing in a link is evaluated: `viewstate.parse_query` checks each value against
  its pattern or closed list first.
- `publish` writes the page's current state back into the URL, so the address bar always holds a link
  that opens exactly this view.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
import streamlit as st

from . import decks, i18n, views
from .errors import BenchmarkError, Message
from .ui_auth import current_actor
from .groups import default_group_spec, group_choices
from .periods import Period, calendar_of, parse_period
from .registry import get_organisation, resolve_organisation
from .store import Store
from .ui import (
    SHARED_LANGUAGE,
    SHARED_ORGANISATION,
    SHARED_PERIOD,
    SHARED_PLATFORM,
    current_language,
    formatted,
    t,
    table_height,
)
from .viewstate import ViewState, parse_query

PUBLISHED = "links.published"
PROBLEMS = "links.problems"


def _query_now() -> dict[str, str]:
    return {key: st.query_params.get(key) for key in st.query_params}


def apply_link(store: Store, page: str) -> ViewState | None:
    """Take over a newly opened link's parameters into the pickers of `page`; None if there is none."""
    query = _query_now()
    if not query or query == st.session_state.get(PUBLISHED):
        return None
    parsed = parse_query(query, page=page)
    problems = list(parsed.problems)
    state = parsed.state
    language_changed = bool(state.lang) and state.lang != current_language()
    if state.lang:
        st.session_state[SHARED_LANGUAGE] = state.lang
    organisation = None
    if state.org:
        try:
            organisation = resolve_organisation(store, state.org)
            st.session_state[SHARED_ORGANISATION] = organisation.organisation_id
            st.session_state.pop(f"{page}.organisation", None)
        except BenchmarkError as exc:
            problems.append(_ignored("org", state.org, exc))
    if state.platform:
        if state.platform in views.platforms_with_data(store):
            st.session_state[SHARED_PLATFORM] = state.platform
            st.session_state.pop(f"{page}.platform", None)
        else:
            problems.append(_ignored("platform", state.platform, Message("link.no_data_on_platform")))
    if state.period:
        st.session_state[SHARED_PERIOD] = parse_period(state.period)
        for key in [k for k in st.session_state if str(k).startswith(f"{page}.period.")]:
            del st.session_state[key]
    if state.metric and page in ("ranking", "profile"):
        st.session_state[f"{page}.metric"] = state.metric
    group_taken = bool(state.group) and _apply_group(store, page, state, problems)
    if state.watch is not None and page == "watch":
        _apply_watched(store, state, organisation, state.group if group_taken else None, problems)
    if page == "profile":
        _apply_profile_range(state)
    # A link can be opened once: what it set now belongs to the widgets, until another link comes.
    st.session_state[PUBLISHED] = query
    st.session_state[PROBLEMS] = problems
    if language_changed:
        st.rerun()  # the page has already written its title in the old language
    return state


def _ignored(param: str, value: str, why: object) -> Message:
    """A problem of the link, shown in the reader's language (`why`: a Message or an error)."""
    return Message("link.ignored", param=param, value=value, why=why)


def _apply_group(store: Store, page: str, state: ViewState, problems: list[Message]) -> bool:
    """The link's peer group (on Pages to watch: the list the peers start from); False if it names none."""
    if state.group not in group_choices(store):
        problems.append(_ignored("group", state.group, Message("link.unknown_group")))
        return False
    st.session_state["watch.source" if page == "watch" else f"{page}.group"] = state.group
    return True


def _apply_watched(store: Store, state: ViewState, organisation, source: str | None, problems: list[Message]) -> None:
    """The watched organisations, as the members of the list they start from (the link's, else the default)."""
    ids = []
    for code in state.watch or ():
        try:
            ids.append(resolve_organisation(store, code).organisation_id)
        except BenchmarkError as exc:
            problems.append(_ignored("watch", code, exc))
    if organisation is None and st.session_state.get(SHARED_ORGANISATION) is not None:
        organisation = get_organisation(store, st.session_state[SHARED_ORGANISATION])
    if organisation is None:
        return
    source = source or default_group_spec(organisation)
    st.session_state["watch.source"] = source
    st.session_state[f"watch.members.{source}.{organisation.organisation_id}"] = [
        i for i in ids if i != organisation.organisation_id]


def _apply_profile_range(state: ViewState) -> None:
    if state.every:
        st.session_state["profile.grain"] = state.every
    grain = state.every or st.session_state.get("profile.grain", "quarter")
    if state.first and state.last:
        st.session_state[f"profile.range.{grain}"] = (state.first, state.last)


def show_problems() -> None:
    """What a link asked for but could not be used, under the page's title."""
    problems = st.session_state.get(PROBLEMS) or []
    if problems:
        lang = current_language()
        st.warning(t("link.problems_intro") + "\n\n" + "\n".join(f"- {i18n.localise(p, lang)}" for p in problems),
                   icon=":material/link_off:")


def link_period(period: Period) -> str:
    """A period as a link names it: the calendar quarter a whole-weeks quarter stands for (2025-Q3)."""
    return (calendar_of(period) or period).label


def codes(store: Store, organisation_ids: list[int]) -> tuple[str, ...]:
    """COUNTRY:CODE of each organisation, in the given order."""
    rows = dict(store.rows("SELECT organisation_id, country || ':' || code FROM organisations "
                           "WHERE organisation_id IN (SELECT unnest(?::INTEGER[]))", [list(organisation_ids)]))
    return tuple(rows[i] for i in organisation_ids if i in rows)


def check_range(key: str, labels: list[str]) -> None:
    """Drop a range a link put into a slider when the stored data do not have those periods."""
    chosen = st.session_state.get(key)
    if chosen is not None and not (len(chosen) == 2 and all(label in labels for label in chosen)):
        del st.session_state[key]
        st.session_state.setdefault(PROBLEMS, []).append(_ignored("from/to", " – ".join(map(str, chosen)), Message("link.bad_range")))
        show_problems()


def publish(state: ViewState) -> None:
    """Write the view's state into the URL (only what changed, so nothing reruns)."""
    query = {**state.to_query(), "lang": current_language()}
    if _query_now() != query:
        st.query_params.from_dict(query)
    if st.session_state.get(PUBLISHED) != query:
        # The user moved on from the link: its problems no longer describe the view.
        st.session_state[PROBLEMS] = []
    st.session_state[PUBLISHED] = query


PAGE_PATHS = {"watch": "", "ranking": "ranking", "profile": "profile", "present": "present", "upload": "upload"}


def link_to(state: ViewState) -> str:
    """The full address of a view: the app's address this session was opened at, the page's path, the query."""
    query = urlencode({**state.to_query(), "lang": current_language()})
    base = urlsplit(st.context.url or "")  # None without a browser (AppTest): a relative link then
    segments = [s for s in base.path.split("/") if s]
    if segments and segments[-1] in PAGE_PATHS.values():
        segments.pop()  # st.context.url ends with the current page's path
    path = "/".join(["", *segments, PAGE_PATHS[state.page]])
    return urlunsplit((base.scheme, base.netloc, path, query, ""))


def share_and_deck(store: Store, state: ViewState, key: str) -> None:
    """A "Share or present" popover: the view's link, and a button adding it to a deck."""
    with st.popover(t("link.share_button"), icon=":material/share:"):
        st.caption(t("link.share_caption"))
        st.code(link_to(state), language=None, wrap_lines=True)
        existing = [name for name, _ in decks.list_decks(store)]
        actor = current_actor(store)
        if not actor.may("save_deck"):
            st.caption(t("auth.read_only"))
            if existing:
                st.link_button(t("link.open_presentation"), link_to(ViewState(page="present")), icon=":material/slideshow:")
            return
        new_deck = t("link.new_deck")
        deck_choice = st.selectbox(t("link.deck"), [*existing, new_deck], key=f"{key}.deck")
        name = st.text_input(t("link.deck_name"), key=f"{key}.deck_name") if deck_choice == new_deck else deck_choice
        note = st.text_input(t("link.slide_note"), key=f"{key}.note", max_chars=decks.MAX_NOTE_LENGTH)
        if st.button(t("link.add_to_deck"), key=f"{key}.add", icon=":material/add_to_queue:"):
            try:
                deck = decks.add_slide(store, name, state, note, actor=actor)
                st.success(t("link.added", deck=deck.name, count=len(deck.slides)))
            except BenchmarkError as exc:
                st.error(i18n.error_text(exc, current_language()))
        deck_name = name if name and name in existing else None
        st.link_button(t("link.open_presentation"), link_to(ViewState(page="present", deck=deck_name)),
                       icon=":material/slideshow:")


# -- presentation mode -------------------------------------------------------------------------
# Large type for the back of the room, and no sidebar, header or toolbar: the slide fills the screen.
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; max-width: 100%; }
[data-testid="stMain"] h1 { font-size: 3rem; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 2.1rem; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] button { font-size: 1.45rem; }
[data-testid="stCaptionContainer"] p { font-size: 1.1rem; }
</style>
"""


def presentation_style() -> None:
    st.html(PRESENTATION_CSS)


def describe(store: Store, state: ViewState, lang: str) -> str:
    """A slide in one line: page · organisation or group · metric · platform · period."""
    from .groups import spec_label

    parts = [i18n.text(f"nav.{state.page}", lang)]
    if state.org:
        try:
            parts.append(resolve_organisation(store, state.org).name)
        except BenchmarkError:
            parts.append(state.org)
    if state.group:
        parts.append(spec_label(state.group, lang))
    if state.metric:
        parts.append(i18n.text(f"metric.{state.metric}.label", lang))
    if state.platform:
        parts.append(i18n.text(f"platform.{state.platform}", lang))
    if state.period:
        parts.append(state.period)
    if state.first and state.last:
        parts.append(f"{state.first} – {state.last}")
    return " · ".join(parts)


# -- downloads and slides ----------------------------------------------------------------------
# Formats each page offers: the Pages-to-watch view is a table only.
PAGE_FORMATS = {"watch": ("xlsx", "csv", "pptx"), "ranking": ("pptx", "png", "svg", "xlsx", "csv"),
                "profile": ("pptx", "png", "svg", "xlsx", "csv")}
FORMAT_ICONS = {"pptx": ":material/slideshow:", "png": ":material/image:", "svg": ":material/image:",
                "xlsx": ":material/table:", "csv": ":material/csv:"}


def _deferred(store: Store, states: tuple[ViewState, ...], lang: str, fmt: str):
    """The file's bytes, made only when the button is clicked (rendering a deck takes a second or two)."""
    def make() -> bytes:
        from .reports import build_deck, build_report, render

        reports = [build_report(store, state, lang) for state in states]
        if fmt == "pptx" and len(reports) > 1:
            return build_deck(reports, lang, settings_template())
        return render(reports[0], fmt, template=settings_template() if fmt == "pptx" else None)
    return make


def settings_template():
    from .settings import get

    return get("pptx_template") or None


def downloads(store: Store, state: ViewState, key: str) -> None:
    """One button per export format of the view; the file is made on click, in the page's language."""
    from .reports import MEDIA_TYPES, file_name_for

    lang = current_language()
    formats = PAGE_FORMATS[state.page]
    columns = st.columns(len(formats) + 2)
    columns[0].markdown(f"**{t('link.downloads')}**")
    for column, fmt in zip(columns[1:], formats, strict=False):
        column.download_button(
            fmt.upper(), _deferred(store, (state,), lang, fmt), file_name=file_name_for(state, fmt),
            mime=MEDIA_TYPES[fmt], key=f"{key}.{fmt}", icon=FORMAT_ICONS[fmt], on_click="ignore", width="stretch",
        )


def deck_download(store: Store, deck: decks.Deck, lang: str, container) -> None:
    from .reports.formats import MEDIA_TYPES, safe_file_name

    container.download_button(
        t("present.download_pptx"), _deferred(store, tuple(s.state for s in deck.slides), lang, "pptx"),
        file_name=safe_file_name(deck.name, "pptx"), mime=MEDIA_TYPES["pptx"], key="present.download", icon=":material/download:",
        on_click="ignore", width="stretch", disabled=not deck.slides,
    )


@st.cache_resource(max_entries=32, show_spinner=False)
def _slide_report(_store: Store, version: tuple, view: str, lang: str):
    from .reports import build_report

    return build_report(_store, parse_query(view).state, lang)


def show_slide(store: Store, slide: decks.Slide, lang: str) -> None:
    """One chart (ranking, profile) or one table (Pages to watch), large, with the slide's caption."""
    try:
        report = _slide_report(store, store.data_version(), slide.state.to_query_string(), lang)
    except BenchmarkError as exc:
        st.error(i18n.error_text(exc, lang))
        return
    section = report.sections[0]
    st.title(section.heading)
    st.caption(report.subtitle)
    if report.shows_demo:
        st.warning(t("demo.notice"), icon=":material/science:")
    if slide.note:
        st.markdown(f"### {slide.note}")
    table = section.table
    shown = table.frame[[c.id for c in table.columns]]
    formats = {c.id: (lambda v, c=c: _cell(c, v, lang)) for c in table.columns}
    if section.chart is not None and table.frame.shape[0]:
        st.altair_chart(section.draw(font_size=18) if section.draw else section.chart, width="stretch", theme=None)
        # The chart's figures as a table too, for those who cannot read the chart.
        with st.expander(t("present.data_table")):
            st.dataframe(formatted(shown, formats), hide_index=True, width="stretch",
                         column_config={c.id: c.heading for c in table.columns})
    else:
        st.dataframe(formatted(shown, formats), hide_index=True, width="stretch", height=table_height(len(shown), 16),
                     column_config={c.id: c.heading for c in table.columns})
    st.caption(report.source_text(with_files=False))


def _cell(column, value, lang: str) -> str:
    from .reports.tables import format_value

    return format_value(column, value, lang)


def table_downloads(frame: pd.DataFrame, headers: dict[str, str], title: str, key: str, file_stem: str,
                    kinds: dict[str, str] | None = None, metrics: dict[str, str] | None = None) -> None:
    """CSV and XLSX buttons for a table that is not a view of its own (the import history, a refused
    file's problems): the same writers as the views' exports, so names that look like formulas are
    neutralised here too. `headers`: column id → translated header, in order."""
    from .reports.formats import MEDIA_TYPES, safe_file_name
    from .reports.tables import simple_table, to_csv, to_xlsx

    table = simple_table(frame, headers, title, kinds, metrics=metrics, lang=current_language())
    left, right, _ = st.columns([1, 1, 6])
    left.download_button("CSV", lambda: to_csv(table), file_name=safe_file_name(file_stem, "csv"), mime=MEDIA_TYPES["csv"],
                         key=f"{key}.csv", icon=FORMAT_ICONS["csv"], on_click="ignore", width="stretch")
    right.download_button("XLSX", lambda: to_xlsx([table]), file_name=safe_file_name(file_stem, "xlsx"), mime=MEDIA_TYPES["xlsx"],
                          key=f"{key}.xlsx", icon=FORMAT_ICONS["xlsx"], on_click="ignore", width="stretch")
