"""A view state (`viewstate.ViewState`) made into a report: the same view functions as the pages,
with every text in one language, ready to be written as CSV, XLSX, PNG, SVG or PowerPoint.

`build_report` fills what the state leaves out the way the pages do (your organisation from the
`default_organisation` setting, the same kind of body in the same country as peers, the latest
quarter wholly inside the data, the pages' default metrics) and reads a month, quarter or year as
whole ISO weeks where the platform's figures are weekly (`views.fit_period`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import altair as alt
import pandas as pd

from .. import charts, i18n, settings, views
from ..errors import BenchmarkError, Term, ValidationError
from ..groups import PeerGroup, default_group_spec, group_label, resolve_group
from ..metrics import WATCH_METRICS, get_metric
from ..periods import QUARTER, Period, parse_period, periods_between
from ..registry import Organisation, OrganisationIndex, resolve_organisation
from ..store import Store
from ..viewstate import EVERY, PAGES, ViewState
from .sources import SourceNote, source_note
from .tables import FLOAT, INT, TEXT, Column, ExportTable, metric_column

# The metric each page opens with (pages/ranking.py, pages/profile.py).
DEFAULT_METRICS = {"ranking": "engagement_rate_by_follower", "profile": "followers"}
PROFILE_PERIODS = 12  # the profile page's default range: the last 12 periods with data

WATCH_CSV = ["organisation", "platform", "period", "code", "country", "kind", "is_own", "pages",
             *WATCH_METRICS, "followers_change", "status", "is_demo"]


@dataclass(frozen=True)
class Section:
    """One table, and the chart drawn from the same frame (ranking, profile), of a report."""

    heading: str  # the slide title of this part
    table: ExportTable
    chart: alt.LayerChart | None = None  # as on the page: container width, Vega's text sizes
    # The same chart at another size: draw(width=…, height=…, font_size=…, max_bars=…), for slides.
    draw: Callable[..., alt.LayerChart] | None = None
    slide_columns: tuple[str, ...] = ()  # the columns a slide has room for
    chart_rows: int = 0  # rows the chart could show (ranked pages, periods)


@dataclass(frozen=True)
class Report:
    kind: str  # watch, ranking, profile
    lang: str
    state: ViewState  # every field filled in: what was shown
    title: str
    subtitle: str
    context: str  # group or peers, platform and period in one line, for a title slide
    sections: tuple[Section, ...]
    source: SourceNote
    shows_demo: bool
    # Calendar periods read as whole ISO weeks (asked, read), for a note beside the output.
    refitted: tuple[tuple[Period, Period], ...] = field(default=())

    @property
    def table(self) -> ExportTable:
        return self.sections[0].table

    @property
    def charts(self) -> tuple[alt.LayerChart, ...]:
        return tuple(s.chart for s in self.sections if s.chart is not None)

    @property
    def demo_label(self) -> str | None:
        return i18n.text("report.demo_label", self.lang) if self.shows_demo else None

    def source_text(self, *, with_files: bool = True) -> str:
        return self.source.text(self.lang, with_files=with_files)


# -- labels ----------------------------------------------------------------------
def period_text(period: Period, lang: str) -> str:
    """`2024-Q3 (1 Jul 2024 – 30 Sep 2024)`."""
    return i18n.text("report.period_dates", lang, period=period.label,
                     dates=i18n.format_date_range(period.start, period.end, lang))


def own_label(name: str, lang: str) -> str:
    """Your organisation in a table: a star and "(you)", not bold alone (the pages' marker)."""
    return i18n.text("marker.you", lang, name=name)


# -- resolving a state -----------------------------------------------------------
def _own(store: Store, state: ViewState, required: bool) -> Organisation | None:
    if state.org:
        return resolve_organisation(store, state.org)
    try:
        return resolve_organisation(store, settings.get("default_organisation"))
    except BenchmarkError:
        if required:
            raise ValidationError("report.needs_organisation") from None
        return None


def _platform(store: Store, state: ViewState) -> str:
    return views.check_platform(state.platform or views.platforms_with_data(store)[0])


def _fit(store: Store, platform: str, periods: Sequence[Period]) -> tuple[list[Period], tuple[tuple[Period, Period], ...]]:
    weekly = views.weekly_only(store, platform)
    fitted = [views.fit_period(p, weekly) for p in periods]
    return fitted, tuple((p, f) for p, f in zip(periods, fitted, strict=True) if f != p)


def _period(store: Store, state: ViewState, platform: str) -> tuple[Period, tuple[tuple[Period, Period], ...]]:
    if state.period:
        fitted, refitted = _fit(store, platform, [parse_period(state.period)])
        return fitted[0], refitted
    return views.default_period(views.data_range(store, platform), views.weekly_only(store, platform)), ()


def _metrics(state: ViewState, metrics: Sequence[str] | None) -> list[str]:
    wanted = list(metrics or [state.metric or DEFAULT_METRICS[state.page]])
    return list(dict.fromkeys(get_metric(m).id for m in wanted))


def build_report(store: Store, state: ViewState, lang: str, metrics: Sequence[str] | None = None, *,
                 default_own: bool = True) -> Report:
    """The report of one view. `metrics` (ranking, profile) gives one section per metric, in order;
    without it the state's metric or the page's default. `default_own=False` leaves a ranking
    without your organisation when the state names none (the command line's `--organisation`)."""
    lang = i18n.check_language(lang)
    if state.page not in PAGES:
        raise ValidationError("report.unknown_page", value=repr(state.page), pages=", ".join(PAGES))
    if state.page == "watch":
        return _watch(store, state, lang)
    if state.page == "ranking":
        return _ranking(store, state, lang, _metrics(state, metrics), default_own)
    return _profile(store, state, lang, _metrics(state, metrics))


def _finish_table(frame: pd.DataFrame, csv_columns: Sequence[str], columns: Sequence[Column], *, title: str,
                  subtitle: str, note: SourceNote, shows_demo: bool, sheet: str, lang: str,
                  own_column: str | None = "is_own") -> ExportTable:
    return ExportTable(
        title=title, subtitle=subtitle, source_note=note.text(lang), columns=tuple(columns),
        frame=frame.reset_index(drop=True), csv_columns=tuple(csv_columns), sheet_name=sheet,
        demo_label=i18n.text("report.demo_label", lang) if shows_demo else None, own_column=own_column,
        data_as_of=note.data_as_of,
    )


# -- Pages to watch ------------------------------------------------------------
def _watch(store: Store, state: ViewState, lang: str) -> Report:
    own = _own(store, state, required=True)
    assert own is not None
    platform = _platform(store, state)
    period, refitted = _period(store, state, platform)
    if state.watch is None:
        watched = [i for i in resolve_group(store, default_group_spec(own)).organisation_ids if i != own.organisation_id]
    else:
        index = OrganisationIndex(store)
        watched = [index.resolve(code).organisation_id for code in state.watch]
    table = views.watch_table(store, own, watched, platform, period)
    note = source_note(store, [own.organisation_id, *watched], platform, [period], table.shows_demo)
    frame = table.frame.copy()
    frame["page_label"] = [own_label(n, lang) if o else n for n, o in zip(frame["organisation"], frame["is_own"], strict=True)]
    frame["data_label"] = [i18n.text("word.no_data", lang) if s else "" for s in frame["status"]]
    columns = [Column("page_label", i18n.text("column.page", lang), TEXT),
               *[metric_column(m, m, i18n.text(f"metric.{m}.label", lang), lang) for m in WATCH_METRICS],
               Column("data_label", i18n.text("column.status", lang), TEXT)]
    platform_name = i18n.text(f"platform.{platform}", lang)
    title = i18n.text("report.title.watch", lang, organisation=own.name)
    subtitle = i18n.text("report.subtitle.watch", lang, platform=platform_name, period=period_text(period, lang))
    export = _finish_table(frame, WATCH_CSV, columns, title=title, subtitle=subtitle, note=note,
                           shows_demo=table.shows_demo, sheet=i18n.text("report.sheet.watch", lang), lang=lang)
    reference = {int(i): f"{c}:{k}" for i, c, k in zip(frame["organisation_id"], frame["country"], frame["code"], strict=True)}
    codes = tuple(reference[i] for i in dict.fromkeys(int(w) for w in watched) if i != own.organisation_id)
    resolved = ViewState(page="watch", org=own.reference, watch=codes, platform=platform, period=period.label, lang=lang)
    section = Section(title, export, slide_columns=("page_label", *WATCH_METRICS))
    return Report("watch", lang, resolved, title, subtitle, subtitle, (section,), note, table.shows_demo, refitted)


# -- Peer ranking ----------------------------------------------------------------
def _group(store: Store, state: ViewState, own: Organisation | None) -> PeerGroup:
    if state.group:
        return resolve_group(store, state.group)
    if own is None:
        raise ValidationError("report.needs_group")
    return resolve_group(store, default_group_spec(own))


def _ranking(store: Store, state: ViewState, lang: str, metric_ids: list[str], default_own: bool) -> Report:
    own = _own(store, state, required=False) if (state.org or default_own) else None
    group = _group(store, state, own)
    platform = _platform(store, state)
    period, refitted = _period(store, state, platform)
    own_id = own.organisation_id if own else None
    results = [views.ranking(store, group, platform, period, m, own_id) for m in metric_ids]
    shows_demo = any(r.shows_demo for r in results)
    note = source_note(store, [*group.organisation_ids, *([own_id] if own_id else [])], platform, [period], shows_demo)
    label = group_label(group, lang)
    platform_name = i18n.text(f"platform.{platform}", lang)
    subtitle = i18n.text("report.subtitle.ranking", lang, platform=platform_name, period=period_text(period, lang))
    sections = []
    for metric_id, result in zip(metric_ids, results, strict=True):
        metric_label = i18n.text(f"metric.{metric_id}.label", lang)
        title = i18n.text("report.title.ranking", lang, group=label, metric=metric_label)
        frame = result.frame.rename(columns={"value": metric_id})
        frame["page_label"] = [own_label(n, lang) if bool(o) else n
                               for n, o in zip(frame["organisation"], frame["is_own"].fillna(False), strict=True)]
        csv_columns = ["organisation", "platform", "period", "rank", metric_id, "percentile", "peer_median",
                       "difference_from_median", "code", "country", "kind", "is_own", "pages", "is_demo"]
        columns = [Column("rank", i18n.text("column.rank", lang), INT),
                   Column("page_label", i18n.text("column.page", lang), TEXT),
                   metric_column(metric_id, metric_id, metric_label, lang),
                   Column("percentile", i18n.text("column.percentile", lang), FLOAT, decimals=0),
                   metric_column("peer_median", metric_id, i18n.text("column.peer_median", lang), lang),
                   metric_column("difference_from_median", metric_id,
                                 i18n.text("column.difference_from_median", lang), lang, signed=True)]
        export = _finish_table(frame, csv_columns, columns, title=title, subtitle=subtitle, note=note,
                               shows_demo=result.shows_demo, sheet=metric_label, lang=lang)
        ranked = int(result.frame["value"].notna().sum())
        draw = partial(_draw_ranking, result.frame, metric_id, result.peer_median, lang) if ranked else None
        sections.append(Section(title, export, draw() if draw else None, draw,
                                ("rank", "page_label", metric_id, "percentile", "difference_from_median"), ranked))
    first = sections[0]
    resolved = ViewState(page="ranking", org=own.reference if own else None, group=group.spec, platform=platform,
                         period=period.label, metric=metric_ids[0], lang=lang)
    context = f"{label} · {subtitle}"
    return Report("ranking", lang, resolved, first.heading, subtitle, context, tuple(sections), note, shows_demo,
                  refitted)


def _draw_ranking(frame: pd.DataFrame, metric_id: str, peer_median: float | None, lang: str, *,
                  width: int | None = None, font_size: int | None = None, max_bars: int = charts.MAX_BARS,
                  height: int | None = None):
    # The bars set the height (one per page); `height` is there for a common signature.
    return charts.ranking_bars(frame, metric_id, peer_median, max_bars=max_bars, lang=lang, width=width,
                               font_size=font_size)


# -- Organisation profile --------------------------------------------------------
def _profile_periods(store: Store, state: ViewState, platform: str) -> tuple[str, list[Period]]:
    every = state.every or QUARTER
    if every not in EVERY:
        raise ValidationError("report.bad_every", value=repr(every))
    if state.first and state.last:
        first, last = parse_period(state.first), parse_period(state.last)
    else:
        found = views.data_range(store, platform)
        if found is None:
            raise ValidationError("report.no_figures", platform=Term(f"platform.{platform}"))
        everything = periods_between(every, found[0], found[1])
        first = parse_period(state.first) if state.first else everything[max(0, len(everything) - PROFILE_PERIODS)]
        last = parse_period(state.last) if state.last else everything[-1]
    if last.end < first.start:
        raise ValidationError("report.last_before_first")
    return every, periods_between(every, first.start, last.end)


def _profile(store: Store, state: ViewState, lang: str, metric_ids: list[str]) -> Report:
    own = _own(store, state, required=True)
    assert own is not None
    group = _group(store, state, own)
    platform = _platform(store, state)
    every, calendar = _profile_periods(store, state, platform)
    periods, refitted = _fit(store, platform, calendar)
    results = [views.profile(store, own, group, platform, m, periods) for m in metric_ids]
    shows_demo = any(r.shows_demo for r in results)
    note = source_note(store, [own.organisation_id, *group.organisation_ids], platform, periods, shows_demo)
    label = group_label(group, lang)
    platform_name = i18n.text(f"platform.{platform}", lang)
    subtitle = i18n.text("report.subtitle.profile", lang, platform=platform_name, first=periods[0].label,
                         last=periods[-1].label, group=label)
    sections = []
    for metric_id, result in zip(metric_ids, results, strict=True):
        metric_label = i18n.text(f"metric.{metric_id}.label", lang)
        title = i18n.text("report.title.profile", lang, organisation=own.name, metric=metric_label)
        frame = result.frame.rename(columns={"value": metric_id})
        frame.insert(0, "organisation", own.name)
        frame.insert(1, "platform", platform)
        csv_columns = ["organisation", "platform", "period", metric_id, "peer_median", "peer_q1", "peer_q3",
                       "peers_with_data", "is_demo"]
        columns = [Column("period", i18n.text("column.period", lang), TEXT),
                   metric_column(metric_id, metric_id, own.name, lang),
                   metric_column("peer_median", metric_id, i18n.text("column.peer_median", lang), lang),
                   metric_column("peer_q1", metric_id, i18n.text("column.peer_q1", lang), lang),
                   metric_column("peer_q3", metric_id, i18n.text("column.peer_q3", lang), lang),
                   Column("peers_with_data", i18n.text("column.peers_with_data", lang), INT)]
        export = _finish_table(frame, csv_columns, columns, title=title, subtitle=subtitle, note=note,
                               shows_demo=result.shows_demo, sheet=metric_label, lang=lang, own_column=None)
        known = bool(len(result.frame)) and bool(result.frame["value"].notna().any() or result.frame["peer_median"].notna().any())
        draw = partial(_draw_profile, result.frame, metric_id, own.name, lang) if known else None
        sections.append(Section(title, export, draw() if draw else None, draw,
                                ("period", metric_id, "peer_median"), len(result.frame)))
    resolved = ViewState(page="profile", org=own.reference, group=group.spec, platform=platform, metric=metric_ids[0],
                         every=every, first=calendar[0].label, last=calendar[-1].label, lang=lang)
    context = f"{own.name} · {subtitle}"
    return Report("profile", lang, resolved, sections[0].heading, subtitle, context, tuple(sections), note,
                  shows_demo, refitted)


def _draw_profile(frame: pd.DataFrame, metric_id: str, organisation: str, lang: str, *,
                  width: int | None = None, font_size: int | None = None, max_bars: int | None = None,
                  height: int | None = None):
    return charts.profile_lines(frame, metric_id, organisation, lang=lang, width=width, font_size=font_size,
                                height=height)
