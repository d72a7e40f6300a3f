"""Uploads of export files: preview, commit, undo and history.

The flow is always the same, for the Upload page and `benchmark import`:

1. `plan_import` reads and parses the file (nothing is written), finds each
   account and its organisation, and compares every value with what is stored:
   new, the same, or a change (old → new). Files already imported (same
   SHA-256) are recognised and change nothing. A template CSV is read in bulk
   by DuckDB (`importers.template_fast`) whenever that gives exactly what the
   cell-by-cell reading gives; any problem sends it the general way, which reports it.
2. `commit_import` writes the plan in one transaction: the raw file, the
   import's log row, new accounts and links, and the values. A value that
   replaces a stored one moves the old row to `replaced_<table>`. The period
   summaries of the accounts are worked out again for the periods around the
   file's days (`summaries.refresh`).
3. `undo_import` takes an import's rows out and puts back the rows it
   replaced, also when later imports came on top, so the data is exactly what
   it would be had the import never happened.

Posts become per-day figures here (posts published that day, and the sums of
the post fields the format says are present) over the days the export covers,
so a day without posts counts as 0 posts.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from . import settings, summaries
from .auth import Actor, authorise
from .accounts import AccountIndex
from .errors import Message, NotFoundError, Number, Term, ValidationError
from .importers import open_export, template_fast
from .importers.model import (
    AccountRef,
    ImportRejected,
    NeedsInputError,
    ParsedFile,
    ParseOptions,
    RowProblem,
    UnreadableFileError,
)
from .importers.names import clean_name, is_latin, latin_look_alike
from .keys import check_unique
from .metrics import MEASURE_IDS
from .periods import Period
from .registry import Organisation, OrganisationIndex, get_organisation, suggest
from .schema import TABLES_BY_NAME, VERSIONED_TABLES
from .store import Store
from .vocabulary import PLATFORMS

# The local day a post counts for. Sweden, Denmark and Norway share this time
# zone; Finland is one hour ahead, so a Finnish post between 23:00 and 24:00
# local time counts for the next day. Documented in docs/importers.md.
POST_DAY_ZONE = ZoneInfo("Europe/Stockholm")

KEYS = {table: TABLES_BY_NAME[table].primary_key for table in VERSIONED_TABLES}
POST_VALUE_COLUMNS = ("reactions", "comments", "shares", "reach", "views", "video_views", "link_clicks")


@dataclass(frozen=True)
class ImportOptions:
    """What the analyst adds to a file: needed where the file does not say it."""

    platform: str | None = None
    organisation: str | None = None  # links every account of the file that is not linked yet
    organisation_id: int | None = None  # the same, chosen from a list (the Upload page)
    account: str | None = None  # the page, for files that do not name it
    period: Period | None = None  # the date range selected when exporting


@dataclass
class AccountPlan:
    ref: AccountRef
    platform: str
    name: str
    platform_account_id: str | None
    account_id: int | None  # None: created by this import
    organisation_id: int | None
    organisation_name: str | None
    how: str  # how the organisation was found, in words: a `Term`/`Message` (English as a `str`)
    suggestions: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        ident = f" ({self.platform_account_id})" if self.platform_account_id else ""
        return f"{self.name}{ident} on {PLATFORMS[self.platform]}"


@dataclass
class ImportPlan:
    file_name: str
    sha256: str
    size_bytes: int
    content: bytes
    parsed: ParsedFile
    platform: str | None  # None when the file holds several platforms (the template)
    accounts: list[AccountPlan]
    # account (index into accounts), measure, period_start, period_end, value, source_row; None when
    # `staged` holds them (see `period_rows`)
    read_period_rows: pd.DataFrame | None
    daily_rows: pd.DataFrame  # account, measure, day, value, source_row
    post_rows: pd.DataFrame  # account, post_id, published_at, …, source_row
    changes: pd.DataFrame  # account, measure, period, new, same, changed, stored, incoming
    duplicate_of: int | None = None  # an earlier committed import of the same file
    # A large template read in bulk (`importers.template_fast`): the figures of `period_rows` again,
    # one row per file row (account, period_start, period_end, source_row, one column per measure),
    # which DuckDB compares and writes without a Python step per value.
    staged: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def format_label(self) -> str:
        return self.parsed.format_label

    @functools.cached_property
    def period_rows(self) -> pd.DataFrame:
        """The period values, one row per value (account, measure, period_start, period_end as
        `date`s, value, source_row). A template read in bulk makes them from `staged` only when
        asked: the preview and the commit work from `staged`."""
        if self.read_period_rows is not None:
            return self.read_period_rows
        return template_fast.long_rows(self.staged, _staged_measures(self.staged))

    @property
    def period_value_count(self) -> int:
        if self.read_period_rows is not None:
            return len(self.read_period_rows)
        return int(sum(self.staged[m].notna().sum() for m in _staged_measures(self.staged)))

    @property
    def row_count(self) -> int:
        return self.period_value_count + len(self.daily_rows) + len(self.post_rows)

    @property
    def first_day(self) -> date | None:
        days = self._days("period_start")
        return min(days) if days else None

    @property
    def last_day(self) -> date | None:
        days = self._days("period_end")
        return max(days) if days else None

    def _days(self, column: str) -> list[date]:
        """The earliest and latest day of the daily values and of the period values' `column`."""
        columns = [self.daily_rows["day"]] if len(self.daily_rows) else []
        if self.read_period_rows is not None:
            if len(self.read_period_rows):
                columns.append(self.read_period_rows[column])
        else:  # the rows of a template read in bulk that hold a figure
            with_figure = self.staged[list(_staged_measures(self.staged))].notna().any(axis=1)
            columns.append(self.staged.loc[with_figure, column])
        return [_day(day) for c in columns if len(c) for day in (c.min(), c.max())]

    def summary(self) -> str:
        span = f"{self.first_day} to {self.last_day}" if self.first_day else "no dates"
        if self.duplicate_of is not None:
            return f"{self.file_name}: already imported as import {self.duplicate_of}; nothing to do"
        changed = int(self.changes["changed"].sum()) if len(self.changes) else 0
        new = int(self.changes["new"].sum()) if len(self.changes) else 0
        return (f"{self.file_name}: {self.format_label}, {len(self.accounts)} account(s), {span}; "
                f"{new} new value(s), {changed} change(s) to stored values")


@dataclass(frozen=True)
class ImportResult:
    import_id: int | None  # None when nothing was written (the same file again)
    file_name: str
    rows_written: int
    replaced: int
    message: str


# -- planning ---------------------------------------------------------------------------------
def plan_import(store: Store, file_name: str, content: bytes, options: ImportOptions = ImportOptions(),
                *, progress: Callable[[str], None] | None = None) -> ImportPlan:
    """Read, parse and compare one file with the database; writes nothing.

    `progress` is called with each step as it starts: a `Message` (English as a `str`), shown in
    another language with `i18n.localise(step, lang)`.
    """
    say = progress or (lambda _text: None)
    limit = refuse_oversize(file_name, len(content))
    sha256 = hashlib.sha256(content).hexdigest()
    platform = _check_platform(options.platform)
    span = (options.period.start, options.period.end) if options.period else None
    say(Message("note.progress.reading"))
    # A template CSV is read in bulk when that gives exactly what the general reading gives;
    # otherwise (any problem in it, too) the general reading decides and reports.
    fast = template_fast.read(file_name, content, max_bytes=limit)
    parsed = fast.parsed if fast is not None else open_export(file_name, content, ParseOptions(period=span),
                                                              max_bytes=limit)
    if parsed.platform and platform and parsed.platform != platform:
        raise ValidationError("upload.other_platform", file_name=file_name, format_label=parsed.format_label,
                              found=Term(f"platform.{parsed.platform}"), given=Term(f"platform.{platform}"))
    if fast is None and not parsed.value_count and not parsed.posts:  # a bulk-read file has figures
        raise ImportRejected(file_name, parsed.format_label,
                             [RowProblem(None, None, None, Message("expected.some_figure"))])
    platform = parsed.platform or platform
    refs = parsed.accounts
    if platform is None and any(ref.platform is None for ref in refs):
        raise NeedsInputError(file_name, "platform", "needs.platform", format_label=parsed.format_label)
    say(Message("note.progress.matching"))
    known = _Known(OrganisationIndex(store), AccountIndex(store))
    if options.organisation_id is not None:
        organisation = known.organisations.by_id(options.organisation_id)
    else:
        organisation = known.organisations.resolve(options.organisation) if options.organisation else None
    plans = [_plan_account(store, known, file_name, parsed, ref, ref.platform or platform, options, organisation)
             for ref in refs]
    platforms = {p.platform for p in plans}
    platform = platforms.pop() if len(platforms) == 1 else None
    by_ref = {ref: i for i, ref in enumerate(refs)}
    if fast is None:
        period_rows, daily_rows = _value_frames(parsed, by_ref, file_name)
    else:  # one value per account, measure and period, none of one day: `template_fast` checked
        period_rows = None
        daily_rows = _daily_columns(template_fast.long_rows(fast.rows.iloc[0:0], fast.measures))
    post_rows, post_daily = _post_frames(parsed, by_ref)
    daily_rows = _merge_daily(daily_rows, post_daily)
    duplicate_of = store.scalar(
        "SELECT min(import_id) FROM imports WHERE file_sha256 = ? AND status = 'committed' AND source_kind = 'upload'",
        [sha256],
    )
    say(Message("note.progress.comparing"))
    staged = None
    if fast is not None:
        positions = np.array([by_ref[ref] for ref in parsed.table_accounts], dtype="int64")
        staged = fast.rows.assign(account=positions[fast.rows["account"].to_numpy()])
    plan = ImportPlan(file_name, sha256, len(content), content, parsed, platform, plans,
                      period_rows, daily_rows, post_rows, pd.DataFrame(), duplicate_of, staged)
    plan.changes = _changes(store, plan)
    return plan


def refuse_oversize(file_name: str, size: int) -> int:
    """The upload limit in bytes (setting `max_upload_mb`); `UnreadableFileError` when `size` is over it.

    `plan_import` checks the bytes it is given; a caller holding only a path (the command line)
    calls this with the file's size first, so that a 1 GB file is never read into memory.
    """
    limit = settings.max_upload_bytes()
    if size > limit:
        raise UnreadableFileError(file_name, "upload.too_large", size=Number(size / 2**20, ".1f"),
                                  limit=Number(limit / 2**20, ".0f"))
    return limit


def _check_platform(platform: str | None) -> str | None:
    if platform is None or platform == "":
        return None
    key = platform.strip().lower()
    if key == "twitter":
        key = "x"
    if key not in PLATFORMS:
        raise NotFoundError("platform", platform, [p for p in PLATFORMS if p.startswith(key[:1])])
    return key


@dataclass(frozen=True)
class _Known:
    """What is stored already, loaded once per file: a file may name thousands of pages."""

    organisations: OrganisationIndex
    accounts: AccountIndex


def _plan_account(store: Store, known: _Known, file_name: str, parsed: ParsedFile, ref: AccountRef, platform: str,
                  options: ImportOptions, organisation: Organisation | None) -> AccountPlan:
    name, ident = ref.name, ref.platform_account_id
    given_org = organisation
    if ref.organisation:  # the project's template names the organisation on every row
        given_org = known.organisations.resolve(ref.organisation)
    if not ref.is_named:
        if clean_name(options.account):
            name = clean_name(options.account)
        elif given_org is not None:
            existing = known.accounts.of_organisation(given_org.organisation_id, platform)
            if len(existing) > 1:
                raise NeedsInputError(file_name, "account", "needs.which_account", organisation=given_org.name,
                                      count=len(existing), platform=Term(f"platform.{platform}"),
                                      accounts=", ".join(a.name for a in existing))
            name = existing[0].name if existing else given_org.name
        else:
            raise NeedsInputError(file_name, "account", "needs.account", format_label=parsed.format_label)
    if not name and clean_name(options.account):  # the file gives only the platform's id for the page
        name = clean_name(options.account)
    account = known.accounts.find(platform, name, ident)
    if not name:
        name = account.name if account else (given_org.name if given_org else f"{PLATFORMS[platform]} page {ident}")
    suggestions: list[str] = []
    # A name with letters of another alphabet is never linked by the folded registry name (which would keep
    # only its Latin letters); one that imitates a stored page or an organisation says so in the preview.
    same_name = known.organisations.find_by_name(name) if name and is_latin(name) else []
    look_alike_org = None
    if account is None and (latin := latin_look_alike(name)):
        if (twin := known.accounts.look_alike(platform, name)) is not None:
            parsed.notes.append(Message("note.look_alike_page", name=name, like=twin.name))
        look_alike_org = next(iter(known.organisations.find_by_name(latin)), None)
        if look_alike_org is not None:
            parsed.notes.append(Message("note.look_alike_organisation", name=name, like=look_alike_org.name))
    if account is not None and account.organisation_id is not None:
        org = known.organisations.by_id(account.organisation_id)
        how = Term("upload.how.linked_earlier")
    elif given_org is not None:
        org, how = given_org, Term("upload.how.named_in_file" if ref.organisation else "upload.how.given")
    elif len(same_name) == 1:
        org, how = same_name[0], Term("upload.how.name_matches")
    else:
        org, how = None, Message("note.how.not_linked")
        if look_alike_org is not None:
            how = Message("note.how.look_alike", like=look_alike_org.name)
        suggestions = suggest(store, name or "", limit=5)
    return AccountPlan(
        ref, platform, account.name if account else name, ident or (account.platform_account_id if account else None),
        account.account_id if account else None,
        org.organisation_id if org else None, org.name if org else None, how, suggestions,
    )


def _value_frames(parsed: ParsedFile, by_ref: dict[AccountRef, int], file_name: str
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(period rows, daily rows) of the file's values."""
    columns = ["account", "measure", "period_start", "period_end", "value", "source_row"]
    values = pd.DataFrame(
        [(by_ref[v.account], v.measure, v.start, v.end, v.value, v.source_row) for v in parsed.values], columns=columns)
    if parsed.value_table is not None:
        table = parsed.value_table.rename(columns={"start": "period_start", "end": "period_end"})
        positions = np.array([by_ref[ref] for ref in parsed.table_accounts], dtype="int64")
        table = table.assign(account=positions[table["account"].to_numpy()])[columns]
        values = table if values.empty else pd.concat([values, table], ignore_index=True)
    one_day = values["period_start"] == values["period_end"]
    period_rows = values[~one_day].reset_index(drop=True)
    daily_rows = _daily_columns(values[one_day])
    _refuse_conflicts(period_rows, ["account", "measure", "period_start", "period_end"], file_name)
    _refuse_conflicts(daily_rows, ["account", "measure", "day"], file_name)
    return period_rows.drop_duplicates(["account", "measure", "period_start", "period_end"]), \
        daily_rows.drop_duplicates(["account", "measure", "day"])


def _daily_columns(values: pd.DataFrame) -> pd.DataFrame:
    """One-day values as daily rows: account, measure, day, value, source_row."""
    return values.rename(columns={"period_start": "day"}).drop(columns=["period_end"]).reset_index(drop=True)


def _staged_measures(staged: pd.DataFrame) -> tuple[str, ...]:
    return tuple(m for m in MEASURE_IDS if m in staged.columns)


def _refuse_conflicts(frame: pd.DataFrame, key: list[str], file_name: str) -> None:
    """The same account, measure and period twice in one file with different values: which is right?"""
    if frame.empty:
        return
    distinct = frame.drop_duplicates([*key, "value"])
    clashes = distinct[distinct.duplicated(key, keep=False)]
    if clashes.empty:
        return
    problems = []
    for _, group in list(clashes.groupby(key, sort=False))[:20]:
        rows = ", ".join(str(r) for r in group["source_row"].tolist())
        values = " vs ".join(str(v) for v in group["value"].tolist())
        first = group.iloc[0]
        when = first.get("day", first.get("period_start"))
        problems.append(RowProblem(Message("importer.where.rows", rows=rows), first["measure"], values,
                                   Message("expected.one_value", measure=first["measure"], when=when)))
    raise ImportRejected(file_name, Message("format.file"), problems)


def _post_frames(parsed: ParsedFile, by_ref: dict[AccountRef, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    columns = ["account", "post_id", "published_at", "post_type", "title", "permalink", *POST_VALUE_COLUMNS, "source_row"]
    if not parsed.posts:
        return pd.DataFrame(columns=columns), pd.DataFrame(columns=["account", "measure", "day", "value", "source_row"])
    posts = pd.DataFrame(
        [(by_ref[p.account], p.post_id, p.published_at, p.post_type, p.title, p.permalink,
          *(getattr(p, c) for c in POST_VALUE_COLUMNS), p.source_row) for p in parsed.posts],
        columns=columns,
    )
    # Exports list a post once; a repeated id keeps the first row (the same post, re-listed).
    posts = posts.drop_duplicates(["account", "post_id"])
    posts[list(POST_VALUE_COLUMNS)] = posts[list(POST_VALUE_COLUMNS)].astype("Int64")
    posts["day"] = [
        ts.replace(tzinfo=ZoneInfo("UTC")).astimezone(POST_DAY_ZONE).date() for ts in posts["published_at"]
    ]
    daily = []
    for ref, (first, last) in parsed.post_coverage.items():
        account = by_ref[ref]
        mine = posts[(posts["account"] == account) & (posts["day"] >= first) & (posts["day"] <= last)]
        days = pd.DataFrame({"day": pd.date_range(first, last, freq="D").date})
        counts = mine.groupby("day").size().rename("posts")
        frame = days.join(counts, on="day")
        frame["posts"] = frame["posts"].fillna(0).astype("int64")
        measures = ["posts", *parsed.post_measures]
        for measure in parsed.post_measures:
            # A day's sum is known only when every post of that day has the figure.
            sums = mine.groupby("day")[measure].agg(lambda s: s.sum() if s.notna().all() else pd.NA)
            frame = frame.join(sums.rename(measure), on="day")
            frame.loc[frame["posts"] == 0, measure] = 0
        long = frame.melt(id_vars="day", value_vars=measures, var_name="measure", value_name="value").dropna()
        long["account"] = account
        daily.append(long)
    daily_frame = pd.concat(daily, ignore_index=True) if daily else pd.DataFrame(columns=["account", "measure", "day", "value"])
    daily_frame["value"] = daily_frame["value"].astype("int64")
    daily_frame["source_row"] = pd.NA
    return posts.drop(columns=["day"]), daily_frame[["account", "measure", "day", "value", "source_row"]]


def _merge_daily(direct: pd.DataFrame, from_posts: pd.DataFrame) -> pd.DataFrame:
    """Daily series given directly win over the same figure derived from posts."""
    if from_posts.empty:
        return direct
    if direct.empty:
        return from_posts
    key = ["account", "measure", "day"]
    merged = pd.concat([direct, from_posts], ignore_index=True)
    return merged.drop_duplicates(key, keep="first").reset_index(drop=True)


# -- comparing --------------------------------------------------------------------------------
def _with_account_ids(frame: pd.DataFrame, plan: ImportPlan, ids: list[int | None]) -> pd.DataFrame:
    out = frame.copy()
    out["account_id"] = [ids[a] for a in out["account"]] if len(out) else []
    out["account_name"] = [plan.accounts[a].name for a in out["account"]] if len(out) else []
    return out


def _changes(store: Store, plan: ImportPlan) -> pd.DataFrame:
    """Per account, measure and period (month for daily figures): new, same and changed values, old and new totals."""
    ids = [a.account_id for a in plan.accounts]
    columns = ["account", "measure", "period", "new", "same", "changed", "stored", "incoming"]
    parts = []
    if plan.period_value_count:
        parts.append(_period_changes(store, plan))
    if len(plan.daily_rows):
        incoming = _with_account_ids(plan.daily_rows, plan, ids)
        parts.append(store.frame(
            """
            SELECT i.account_name AS account, i.measure,
                   strftime(i.day::DATE, '%Y-%m') || ' (daily)' AS period,
                   count(*) FILTER (WHERE t.value IS NULL) AS new,
                   count(*) FILTER (WHERE t.value = i.value) AS same,
                   count(*) FILTER (WHERE t.value <> i.value) AS changed,
                   sum(t.value) AS stored, sum(i.value) AS incoming
            FROM incoming i LEFT JOIN account_daily t
              ON t.account_id = i.account_id AND t.measure = i.measure AND t.day = i.day::DATE
            GROUP BY ALL
            """, tables={"incoming": incoming[["account_name", "account_id", "measure", "day", "value"]]}))
    if len(plan.post_rows):
        incoming = _with_account_ids(plan.post_rows, plan, ids)
        same = " AND ".join(f"t.{c} IS NOT DISTINCT FROM i.{c}" for c in POST_VALUE_COLUMNS)
        parts.append(store.frame(
            f"""
            SELECT i.account_name AS account, 'posts (detail)' AS measure,
                   strftime(i.published_at, '%Y-%m') AS period,
                   count(*) FILTER (WHERE t.post_id IS NULL) AS new,
                   count(*) FILTER (WHERE t.post_id IS NOT NULL AND {same}) AS same,
                   count(*) FILTER (WHERE t.post_id IS NOT NULL AND NOT ({same})) AS changed,
                   NULL::BIGINT AS stored, NULL::BIGINT AS incoming
            FROM incoming i LEFT JOIN posts t ON t.account_id = i.account_id AND t.post_id = i.post_id
            GROUP BY ALL
            """, tables={"incoming": incoming[["account_name", "account_id", "post_id", "published_at", *POST_VALUE_COLUMNS]]}))
    if not parts:
        return pd.DataFrame(columns=columns)
    if len(parts) == 1 and plan.period_value_count:
        return parts[0]  # sorted already
    frame = pd.concat(parts, ignore_index=True)
    return frame[columns].sort_values(["account", "measure", "period"], ignore_index=True)


_PERIOD_CHANGES = """
WITH i AS ({incoming})
SELECT a.name, list_position($measures, i.measure) - 1 AS measure,
       (i.period_start - DATE '1900-01-01') * 100000 + (i.period_end - DATE '1900-01-01') AS span,
       count(*) FILTER (WHERE t.value IS NULL) AS new,
       count(*) FILTER (WHERE t.value = i.value) AS same,
       count(*) FILTER (WHERE t.value <> i.value) AS changed,
       sum(t.value)::DOUBLE AS stored, sum(i.value)::DOUBLE AS incoming
FROM i JOIN planned a USING (account)
LEFT JOIN period_values t ON t.account_id = a.account_id AND t.measure = i.measure
 AND t.period_start = i.period_start AND t.period_end = i.period_end
GROUP BY ALL
"""


def _period_changes(store: Store, plan: ImportPlan) -> pd.DataFrame:
    """The preview's rows of the period values: per account name (pages of the same name on several
    platforms count together), measure and period, in order of the three; grouped by DuckDB over
    codes, the texts put in afterwards (a million-row template gives a million rows here)."""
    names = sorted({a.name for a in plan.accounts})
    code = {name: i for i, name in enumerate(names)}
    planned = pd.DataFrame({
        "account": np.arange(len(plan.accounts), dtype="int64"),
        "name": np.array([code[a.name] for a in plan.accounts], dtype="int64"),
        "account_id": pd.array([a.account_id for a in plan.accounts], dtype="Int64"),
    })
    if plan.staged is not None:
        measures = ", ".join(_staged_measures(plan.staged))
        incoming = (f"SELECT account, measure, period_start::DATE AS period_start, period_end::DATE AS period_end, "
                    f"value FROM (UNPIVOT staged ON {measures} INTO NAME measure VALUE value)")
        tables = {"staged": plan.staged}
    else:
        rows = plan.period_rows
        incoming = ("SELECT account, measure, period_start::DATE AS period_start, period_end::DATE AS period_end, "
                    "value FROM given")
        tables = {"given": pd.DataFrame({"account": rows["account"].to_numpy(dtype="int64"),
                                         "measure": rows["measure"].to_numpy(dtype=object),
                                         "period_start": _as_datetime64(rows["period_start"]),
                                         "period_end": _as_datetime64(rows["period_end"]),
                                         "value": rows["value"].to_numpy(dtype="int64")})}
    measures = sorted(MEASURE_IDS)  # a measure's code is its place in the sorted names
    with store.reader() as cur:
        for name, table in {"planned": planned, **tables}.items():
            cur.register(name, table)
        found = cur.execute(_PERIOD_CHANGES.format(incoming=incoming), {"measures": measures}).fetchnumpy()
    name = np.asarray(found["name"], dtype="int64")
    measure = np.asarray(found["measure"], dtype="int64")
    spans, span = np.unique(np.asarray(found["span"], dtype="int64"), return_inverse=True)
    epoch = date(1900, 1, 1).toordinal()  # the span codes count days from here (no figure is older)
    labels = np.array([f"{date.fromordinal(epoch + int(k) // 100000):%Y-%m-%d} to "
                       f"{date.fromordinal(epoch + int(k) % 100000):%Y-%m-%d}" for k in spans], dtype=object)
    label_rank = np.argsort(np.argsort(labels, kind="stable"), kind="stable")  # labels sort as their text
    span = span.ravel()
    order = np.lexsort((label_rank[span], measure, name))
    stored, incoming_sum = (np.ma.filled(np.ma.asarray(found[c], dtype="float64"), np.nan)
                            for c in ("stored", "incoming"))
    return pd.DataFrame({
        "account": template_fast.texts_at(names, name[order]),
        "measure": template_fast.texts_at(measures, measure[order]),
        "period": template_fast.texts_at(labels, span[order]),
        **{c: np.asarray(found[c], dtype="int64")[order] for c in ("new", "same", "changed")},
        "stored": stored[order],
        "incoming": incoming_sum[order],
    }, copy=False)


def _as_datetime64(column: pd.Series) -> np.ndarray:
    """A column of `date` objects as datetime64 (DuckDB reads those without a Python step per value)."""
    codes, days = pd.factorize(column)
    return np.array(list(days), dtype="datetime64[D]")[codes].astype("datetime64[s]")


# -- committing -------------------------------------------------------------------------------
def commit_import(store: Store, plan: ImportPlan, *, actor: Actor,
                  links: dict[int, int | None] | None = None) -> ImportResult:
    """Write the plan in one transaction. `links` maps an account's position in `plan.accounts`
    to the organisation chosen for it on the Upload page (None leaves it unlinked)."""
    permit = authorise(actor, "import")
    if plan.duplicate_of is not None:
        return ImportResult(None, plan.file_name, 0, 0,
                            f"{plan.file_name} was already imported (import {plan.duplicate_of}); nothing changed")
    accounts = [replace(a) for a in plan.accounts]
    for index, organisation_id in (links or {}).items():
        if organisation_id is not None:
            get_organisation(store, organisation_id)
        accounts[index].organisation_id = organisation_id
    with store.writer(permit) as cur:
        # Checked again inside the transaction: another session may have imported it meanwhile.
        again = cur.execute(
            "SELECT min(import_id) FROM imports WHERE file_sha256 = ? AND status = 'committed' AND source_kind = 'upload'",
            [plan.sha256],
        ).fetchone()[0]
        if again is not None:
            return ImportResult(None, plan.file_name, 0, 0,
                                f"{plan.file_name} was already imported (import {again}); nothing changed")
        # Looked up first, not `ON CONFLICT DO NOTHING`: DuckDB 2.0 takes ≈ 0.9 s over a 46 MB file
        # that way against 0.1 s for a plain insert (the file may be kept from an undone import).
        if not cur.execute("SELECT count(*) FROM import_files WHERE file_sha256 = ?", [plan.sha256]).fetchall()[0][0]:
            cur.execute("INSERT INTO import_files (file_sha256, size_bytes, content) VALUES (?, ?, ?)",
                        [plan.sha256, plan.size_bytes, plan.content])
        import_id = cur.execute(
            "INSERT INTO imports (source_kind, file_name, file_sha256, format, created_by, row_count, platform, note) "
            "VALUES ('upload', ?, ?, ?, ?, ?, ?, ?) RETURNING import_id",
            [plan.file_name, plan.sha256, plan.parsed.format_id, actor.name, plan.row_count, plan.platform,
             "; ".join(plan.parsed.notes)[:2000] or None],
        ).fetchone()[0]
        ids = _write_accounts(cur, accounts, import_id)
        replaced = 0
        frames = {"period_values": plan.read_period_rows, "account_daily": plan.daily_rows, "posts": plan.post_rows}
        changed: set[int] = set()
        days: list[date] = []  # the first and last day of each table's values
        for table in VERSIONED_TABLES:
            frame = frames[table]
            if table == "period_values" and plan.staged is not None:
                replaced += _replace_rows(cur, table, _Staged(plan.staged, ids), import_id)
                positions = np.unique(plan.staged["account"].to_numpy())
                changed.update(int(ids[p]) for p in positions)
                days += [_day(plan.staged["period_start"].min()), _day(plan.staged["period_end"].max())]
                continue
            if frame.empty:
                continue
            incoming = frame.copy()
            positions = incoming["account"].to_numpy(dtype="int64")
            incoming["account_id"] = np.array(ids, dtype="int64")[positions]
            incoming["import_id"] = import_id
            replaced += _replace_rows(cur, table, incoming.drop(columns=["account"]), import_id)
            if table != "posts":
                changed.update(int(ids[p]) for p in np.unique(positions))
                first, last = ("day", "day") if table == "account_daily" else ("period_start", "period_end")
                days += [_day(min(incoming[first].unique())), _day(max(incoming[last].unique()))]
        # Only the periods the new values touch are worked out again (their accounts' other periods stay).
        summaries.refresh(cur, changed, (min(days), max(days)) if days else None)
    return ImportResult(import_id, plan.file_name, plan.row_count, replaced,
                        f"imported {plan.file_name} as import {import_id}: {plan.row_count} rows"
                        + (f", replacing {replaced} stored" if replaced else ""))


def _write_accounts(cur, accounts: list[AccountPlan], import_id: int) -> list[int]:
    """Create the new accounts and record links and platform ids of known ones, in bulk; returns
    the account id of each entry of `accounts`."""
    frame = pd.DataFrame(
        [(i, a.account_id, a.organisation_id, a.platform, a.name, a.platform_account_id) for i, a in enumerate(accounts)],
        columns=["position", "account_id", "organisation_id", "platform", "name", "platform_account_id"],
    ).astype({"account_id": "Int64", "organisation_id": "Int64"})
    frame = _take_accounts_made_meanwhile(cur, frame)
    cur.register("planned_accounts", frame)
    try:
        cur.execute(
            "INSERT INTO accounts (organisation_id, platform, name, platform_account_id, import_id) "
            "SELECT DISTINCT ON (platform, name, organisation_id) organisation_id, platform, name, platform_account_id, ? "
            "FROM planned_accounts WHERE account_id IS NULL ORDER BY platform, name, organisation_id, position",
            [import_id],
        )
        # Known accounts keep an earlier link; an unlinked one takes the link chosen now.
        cur.execute(
            "UPDATE accounts a SET organisation_id = coalesce(a.organisation_id, p.organisation_id), "
            "platform_account_id = coalesce(a.platform_account_id, p.platform_account_id) "
            "FROM planned_accounts p WHERE p.account_id = a.account_id "
            "AND (a.organisation_id IS NULL AND p.organisation_id IS NOT NULL "
            "     OR a.platform_account_id IS NULL AND p.platform_account_id IS NOT NULL)"
        )
        ids = cur.execute(
            "SELECT p.position, coalesce(p.account_id, a.account_id) FROM planned_accounts p "
            "LEFT JOIN accounts a ON p.account_id IS NULL AND a.import_id = ? AND a.platform = p.platform "
            "AND a.name = p.name AND a.organisation_id IS NOT DISTINCT FROM p.organisation_id AND NOT a.is_demo "
            "ORDER BY p.position",
            [import_id],
        ).fetchall()
    finally:
        cur.unregister("planned_accounts")
    return [int(account_id) for _, account_id in ids]


def _take_accounts_made_meanwhile(cur, frame: pd.DataFrame) -> pd.DataFrame:
    """The plan's new accounts that another import created after the plan was made, taken as known.

    Plans are made outside the write lock (two analysts preview at once); commits run one at a
    time. Without this look inside the transaction the second commit would break the accounts'
    unique key, or, for an unlinked page (organisation NULL, which the key does not compare), make
    a second account of the same name."""
    new = frame[frame["account_id"].isna()]
    if new.empty:
        return frame
    cur.register("new_accounts", new)
    try:
        found = cur.execute(
            "SELECT n.position, min(a.account_id) FROM new_accounts n JOIN accounts a ON a.platform = n.platform "
            "AND a.name = n.name AND a.organisation_id IS NOT DISTINCT FROM n.organisation_id AND NOT a.is_demo "
            "GROUP BY n.position"
        ).fetchall()
    finally:
        cur.unregister("new_accounts")
    if not found:
        return frame
    frame = frame.copy()
    for position, account_id in found:
        frame.loc[frame["position"] == position, "account_id"] = account_id
    return frame


def _day(value: object) -> date:
    """A day from a frame's column (a `date`, or a pandas/numpy timestamp)."""
    return value if type(value) is date else pd.Timestamp(value).date()


@dataclass(frozen=True)
class _Staged:
    """The period values of a template read in bulk (`ImportPlan.staged`) and the account id of
    each position in the plan's accounts."""

    rows: pd.DataFrame
    ids: list[int]


def _replace_staged(cur, staged: _Staged, import_id: int) -> int:
    """`_replace_rows` of a `_Staged` table: the rows become one value per measure in DuckDB (UNPIVOT
    leaves the unknown ones out), keyed by account id."""
    measures = ", ".join(_staged_measures(staged.rows))
    cur.register("staged", staged.rows)
    cur.register("staged_ids", pd.DataFrame({"account": np.arange(len(staged.ids), dtype="int64"),
                                             "account_id": np.array(staged.ids, dtype="int64")}))
    try:
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE incoming_values AS "
            "SELECT a.account_id, i.measure, i.period_start::DATE AS period_start, i.period_end::DATE AS period_end, "
            "i.value, i.source_row::INTEGER AS source_row "
            f"FROM (UNPIVOT staged ON {measures} INTO NAME measure VALUE value) i JOIN staged_ids a USING (account)")
    finally:
        cur.unregister("staged")
        cur.unregister("staged_ids")
    key = "t.account_id = i.account_id AND t.measure = i.measure AND t.period_start = i.period_start " \
          "AND t.period_end = i.period_end"
    moved = cur.execute(
        f"INSERT INTO replaced_period_values SELECT t.*, ? FROM period_values t JOIN incoming_values i ON {key}",
        [import_id]).fetchone()[0]
    cur.execute(f"DELETE FROM period_values t USING incoming_values i WHERE {key}")
    cur.execute("INSERT INTO period_values (account_id, measure, period_start, period_end, value, import_id, "
                "source_row) SELECT account_id, measure, period_start, period_end, value, ?, source_row "
                "FROM incoming_values", [import_id])
    check_unique(cur, "period_values", "SELECT * FROM incoming_values")
    cur.execute("DROP TABLE incoming_values")
    return int(moved)


def _replace_rows(cur, table: str, incoming: pd.DataFrame | _Staged, import_id: int) -> int:
    """Move the stored rows that `incoming` replaces to replaced_<table>, then insert `incoming`."""
    if isinstance(incoming, _Staged):
        return _replace_staged(cur, incoming, import_id)
    columns = [c.name for c in TABLES_BY_NAME[table].columns]
    key = KEYS[table]
    casts = {"period_start": "::DATE", "period_end": "::DATE", "day": "::DATE", "published_at": "::TIMESTAMP"}
    select = ", ".join(f"i.{c}{casts.get(c, '')} AS {c}" if c in incoming.columns else f"NULL AS {c}" for c in columns)
    join = " AND ".join(f"t.{k} = i.{k}{casts.get(k, '')}" for k in key)
    cur.register("incoming", incoming)
    try:
        moved = cur.execute(
            f"INSERT INTO replaced_{table} SELECT t.*, ? FROM {table} t JOIN incoming i ON {join}", [import_id]
        ).fetchone()[0]
        cur.execute(f"DELETE FROM {table} t USING incoming i WHERE {join}")
        cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM incoming i")
        if not TABLES_BY_NAME[table].keys_in_database:
            check_unique(cur, table, f"SELECT {select} FROM incoming i")
    finally:
        cur.unregister("incoming")
    return int(moved)


# -- undo -------------------------------------------------------------------------------------
def undo_import(store: Store, import_id: int, *, actor: Actor) -> str:
    """Take an upload's rows out and restore what it replaced; the import stays in the log as undone."""
    permit = authorise(actor, "undo_import")
    rows = store.rows("SELECT source_kind, status, file_name FROM imports WHERE import_id = ?", [import_id])
    if not rows:
        raise NotFoundError("import", str(import_id))
    source_kind, status, file_name = rows[0]
    if status == "undone":
        raise ValidationError("upload.already_undone", import_id=import_id, file_name=file_name)
    if source_kind != "upload":
        raise ValidationError("upload.not_an_upload", import_id=import_id, source_kind=source_kind)
    restored = removed = 0
    with store.writer(permit) as cur:
        changed = [r[0] for r in cur.execute(
            "SELECT account_id FROM period_values WHERE import_id = $id UNION SELECT account_id FROM account_daily "
            "WHERE import_id = $id", {"id": import_id}).fetchall()]
        # The values that change are this import's (the ones put back have the same keys): only the
        # periods around their days are worked out again.
        first, last = cur.execute(
            "SELECT min(s), max(e) FROM (SELECT period_start AS s, period_end AS e FROM period_values "
            "WHERE import_id = $id UNION ALL SELECT day, day FROM account_daily WHERE import_id = $id)",
            {"id": import_id}).fetchone()
        for table in VERSIONED_TABLES:
            key = KEYS[table]
            same_key = " AND ".join(f"p.{k} = x.{k}" for k in key)
            columns = ", ".join(c.name for c in TABLES_BY_NAME[table].columns)
            # Rows this import replaced, where a later import replaced this import's row in turn:
            # they now count as replaced by that later import.
            cur.execute(
                f"UPDATE replaced_{table} p SET replaced_by = x.replaced_by FROM replaced_{table} x "
                f"WHERE p.replaced_by = ? AND x.import_id = ? AND {same_key}", [import_id, import_id],
            )
            removed += cur.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id]).fetchone()[0]
            restored += cur.execute(
                f"INSERT INTO {table} SELECT {columns} FROM replaced_{table} WHERE replaced_by = ?", [import_id]
            ).fetchone()[0]
            if not TABLES_BY_NAME[table].keys_in_database:
                check_unique(cur, table, f"SELECT {columns} FROM replaced_{table} WHERE replaced_by = ?", [import_id])
            cur.execute(f"DELETE FROM replaced_{table} WHERE replaced_by = ?", [import_id])
            cur.execute(f"DELETE FROM replaced_{table} WHERE import_id = ?", [import_id])
        # Accounts this import created and that hold nothing now go too; links stay (they are knowledge).
        orphan = " AND ".join(
            f"account_id NOT IN (SELECT account_id FROM {t})"
            for t in (*VERSIONED_TABLES, *(f"replaced_{t}" for t in VERSIONED_TABLES))
        )
        cur.execute(f"DELETE FROM accounts WHERE import_id = ? AND {orphan}", [import_id])
        summaries.refresh(cur, changed, (first, last) if first is not None else None)
        cur.execute(
            "UPDATE imports SET status = 'undone', undone_at = current_timestamp, undone_by = ? WHERE import_id = ?",
            [actor.name, import_id],
        )
    return (f"undid import {import_id} ({file_name}): removed {removed} rows"
            + (f", restored {restored} earlier values" if restored else ""))


# -- history ----------------------------------------------------------------------------------
HISTORY_COLUMNS = ["import_id", "created_at", "created_by", "file_name", "format", "platform", "row_count",
                   "status", "undone_at", "undone_by", "is_demo", "source_kind", "file_sha256", "note"]


def import_history(store: Store, *, uploads_only: bool = False, limit: int | None = None) -> pd.DataFrame:
    """The import log, newest first."""
    where = "WHERE source_kind = 'upload'" if uploads_only else ""
    sql = f"SELECT {', '.join(HISTORY_COLUMNS)} FROM imports {where} ORDER BY import_id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return store.frame(sql)


def stored_file(store: Store, import_id: int) -> tuple[str, bytes]:
    """The raw file of an upload, as it was uploaded."""
    rows = store.rows(
        "SELECT i.file_name, f.content FROM imports i JOIN import_files f USING (file_sha256) WHERE i.import_id = ?",
        [import_id],
    )
    if not rows:
        raise NotFoundError("uploaded file of import", str(import_id))
    return rows[0][0], bytes(rows[0][1])


def trace_values(store: Store, account_id: int, measure: str, first: date, last: date) -> pd.DataFrame:
    """Where each stored value of one account and measure between two dates came from."""
    return store.frame(
        """
        SELECT v.period_start, v.period_end, v.value, v.import_id, i.file_name, v.source_row, i.created_at, i.created_by
        FROM (SELECT account_id, measure, period_start, period_end, value, import_id, source_row FROM period_values
              UNION ALL
              SELECT account_id, measure, day, day, value, import_id, source_row FROM account_daily) v
        JOIN imports i USING (import_id)
        WHERE v.account_id = ? AND v.measure = ? AND v.period_end >= ? AND v.period_start <= ?
        ORDER BY v.period_start, v.period_end
        """,
        [account_id, measure, first, last],
    )
