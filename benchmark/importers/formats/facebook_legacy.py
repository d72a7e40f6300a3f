"""Legacy Facebook Page Insights exports (the pre-2021 "Export Data" dialog).

Research: `export_formats.md` §0 and §1d. Two formats:

**Page level** (`facebook-insights-page`), a CSV named
`Facebook Insights Data Export - <Page> - <start> - <end>.csv`: a header row,
then a *description row* (empty `Date`, prose such as `Lifetime: The total
number of people who have liked your Page. (Unique Users)`), skipped with a
note, then one row per day, `Date` = `M/D/YYYY` (a Pacific calendar day, taken
as it is). Up to ~2 700 columns; copies re-saved by Excel are cp1252 and may use
`;` and `dd.mm.yyyy` dates (handled by the reader and the date parser). Columns
used (header case changed between years; headers are compared case-folded):

| measure | column | note |
|---|---|---|
| followers | `Lifetime Total Likes` | stock: the page's likes at the end of that day |
| new_followers | `Daily New Likes` | |
| reach | `Daily Total Reach` | one-day period (unique people that day) |
| views | `Daily Total Impressions` | |
| profile_visits | `Daily Logged-in Page Views` | appears twice: the description row tells which copy is the `(Total Count)`; that one is used, the `(Unique Users)` copy is not |
| video_views | `Daily Total Video Views` | when present |
| link_clicks | `Daily Page consumptions by type - link clicks` | clicks (Total Count), when present |

`Weekly …` and `28 Days …` columns are rolling 7/28-day windows ending on the
row's day, not calendar periods, so they are ignored, as are all other columns
(listed in `ignored_columns`). The page name and id are not in the columns: the
file name `Facebook Insights Data Export - <Page> - …` gives the account name
when it has that form (a hint, never used for detection); otherwise the account
is left for the analyst to name in the upload form.

**Post level** (`facebook-insights-posts`): `Facebook Insights Data Export
(Post Level) - <Page> - <start> - <end>.csv` (UTF-8 BOM), the `(Video Posts)`
variant, and the "Excel" download, which is SpreadsheetML 2003 XML saved as
`.xls`, sheet `Key Metrics` (header in row 1, descriptions in row 2) plus one
sheet per breakdown (`Lifetime Talking About This(...`, `Lifetime Post Stories
by act...`, `Lifetime Post Consumptions b...` …) with a `Description` column and
one row per post. One row per post:

| Post field | column |
|---|---|
| post_id, account | `Post ID` = `<page id>_<post id>`; the page id is the account's platform id, the page name comes from the file name when it has the form above |
| published_at | `Posted` (`02/14/2016 12:40:16 AM` or a DateTime cell): US Pacific time, converted to UTC |
| post_type, permalink, title | `Type`, `Permalink`, `Post Message` |
| reach | `Lifetime Post Total Reach` |
| views | `Lifetime Post Total Impressions` |
| reactions, comments, shares | `Lifetime Post Stories by action type - like / comment / share` (Total Count: stories, i.e. actions); only when a file lacks those, `Lifetime Talking About This (Post) by action type - …` (Unique Users: people, which undercounts people acting twice). In the SpreadsheetML file they come from the `Lifetime Post Stories by act…` sheet (else `Lifetime Talking About This(…`), joined on `Post ID` |
| link_clicks | `Lifetime Post Consumptions by type - link clicks` (Total Count: clicks), or the `link clicks` column of the `Lifetime Post Consumptions b…` sheet. In 2020 files Facebook describes that breakdown as clicks "from users that matched the audience targeting on the post" — for posts without targeting, every user. `Lifetime Post consumers by type - …` counts people, not clicks, and is ignored |
| video_views | `Lifetime Total Video Views` (video-post export), else `Lifetime Organic Video Views` + `Lifetime Paid Video Views`. Those two appear twice each, `(Total Count)` and `(Unique Users)`, in an order that changed between years: the description row decides, and the count is used |

Facebook leaves an action-type breakdown cell (likes, comments, shares, link
clicks) empty when the post had none of that action, so there an empty cell of
a listed post is 0; a post missing from a breakdown sheet stays unknown, and
every other empty cell is unknown as usual. A column named twice whose
description row does not say which copy is the `(Total Count)` (for example
when the description row was deleted) is not used, with a note.

Posts cover (for days without posts counting as 0): the range in the file name
when it parses and contains every post's (Pacific) publication day; else the
period given in the upload form; else the first to the last post day, with a note.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

from ...errors import Message, Number
from ..base import Format, NotPageMetrics, Problems, rejected
from ..file_names import file_name, name_range
from ..headers import (
    Aliases,
    HeaderMatch,
    find_header,
    first_table,
    is_blank,
    normalise_header,
)
from ..model import AccountRef, Cell, ImportRejected, ParsedFile, ParseOptions, Post, RowProblem, Sheet, SourceFile
from ..posts import cover_posts
from ..rows import NO_POSTS, column_day_first, data_rows, read_series, store_days
from ..values import as_utc, cell_text, pacific_to_utc, parse_count, parse_datetime

PLATFORM = "facebook"
PAGE_LABEL = Message("format.facebook_insights_page")
POSTS_LABEL = Message("format.facebook_insights_posts")

# Only English exports have been seen; Swedish/Danish/Norwegian/Finnish headers are unknown
# (research §1d) — add them to these tuples when a real file shows them.
PAGE_ALIASES: Aliases = {
    "date": ("Date",),
    "followers": ("Lifetime Total Likes",),
    "new_followers": ("Daily New Likes",),
    "reach": ("Daily Total Reach",),
    "views": ("Daily Total Impressions",),
    "profile_visits": ("Daily Logged-in Page Views",),
    "video_views": ("Daily Total Video Views",),
    "link_clicks": ("Daily Page consumptions by type - link clicks",),
}
PAGE_REQUIRED = frozenset({"date", "followers", "new_followers"})
PAGE_MEASURES = ("followers", "new_followers", "reach", "views", "profile_visits", "video_views", "link_clicks")

POST_ALIASES: Aliases = {
    "post_id": ("Post ID",),
    "permalink": ("Permalink",),
    "title": ("Post Message",),
    "post_type": ("Type",),
    "posted": ("Posted",),
    "reach": ("Lifetime Post Total Reach",),
    "views": ("Lifetime Post Total Impressions",),
    "stories_like": ("Lifetime Post Stories by action type - like",),
    "stories_comment": ("Lifetime Post Stories by action type - comment",),
    "stories_share": ("Lifetime Post Stories by action type - share",),
    "talking_like": ("Lifetime Talking About This (Post) by action type - like",),
    "talking_comment": ("Lifetime Talking About This (Post) by action type - comment",),
    "talking_share": ("Lifetime Talking About This (Post) by action type - share",),
    "clicks_link": ("Lifetime Post Consumptions by type - link clicks",),
    "total_video_views": ("Lifetime Total Video Views", "Lifetime Post Total Video Views"),
    "organic_video_views": ("Lifetime Organic Video Views",),
    "paid_video_views": ("Lifetime Paid Video Views",),
}
POST_REQUIRED = frozenset({"post_id", "posted", "views"})

# SpreadsheetML breakdown sheets: (sheet-name prefix, column, internal field). Facebook cuts
# sheet names to 28 characters + "..." and names the breakdown columns by action type only.
BREAKDOWN_SHEETS = (
    ("lifetime post stories by act", {"like": "stories_like", "comment": "stories_comment", "share": "stories_share"}),
    ("lifetime talking about this", {"like": "talking_like", "comment": "talking_comment", "share": "talking_share"}),
    ("lifetime post consumptions b", {"link clicks": "clicks_link"}),
)
# Count (stories) before people (talking about this): see the module docstring.
ACTION_SOURCES = {
    "reactions": ("stories_like", "talking_like"),
    "comments": ("stories_comment", "talking_comment"),
    "shares": ("stories_share", "talking_share"),
    "link_clicks": ("clicks_link",),
}

_DESCRIPTION = re.compile(r"^\s*(lifetime|daily|weekly|28 days)\s*:", re.IGNORECASE)
_ROLLING = re.compile(r"^\s*(weekly|28 days)\b", re.IGNORECASE)
_FILE_NAME = re.compile(
    r"^Facebook Insights Data Export(?: \((?P<kind>Post Level|Video Posts)\))? - (?P<page>.+?)"
    r" - (?P<start>\d{4}-\d{2}-\d{2}) - (?P<end>\d{4}-\d{2}-\d{2})(?: ?\(\d+\))?\.(?:csv|xls|xlsx)$",
    re.IGNORECASE,
)


# -- shared helpers -------------------------------------------------------------------
def _file_name_hint(name: str, *, post_level: bool) -> tuple[str | None, tuple[date, date] | None]:
    """Page name and exported range from Facebook's own file name, when it has that form."""
    found = _FILE_NAME.match(file_name(name))
    if found is None or bool(found["kind"]) != post_level:
        return None, None
    return found["page"].strip() or None, name_range(found["start"], found["end"], date.fromisoformat)


def _description_row(match: HeaderMatch, key: str) -> list[Cell] | None:
    """The description row directly under the header: `key` cell empty, prose like 'Daily: …'."""
    sheet = match.sheet
    if match.data_start >= len(sheet.rows):
        return None
    row = sheet.rows[match.data_start]
    if match.get(row, key) is not None:
        return None
    return row if any(_DESCRIPTION.match(c) for c in row if isinstance(c, str)) else None


def _counts_only(match: HeaderMatch, descriptions: list[Cell] | None, notes: list[str], required: frozenset[str],
                 file_name: str, label: str) -> HeaderMatch:
    """Keep, of a column named twice, the copy the description row calls a '(Total Count)'.

    Facebook writes some metrics twice, as a count and as unique users, and the
    order of the two changed between years, so only the description can tell them apart.
    A required column (the date, the post id …) named twice without that mark rejects the file:
    which copy is right cannot be told.
    """
    columns = dict(match.columns)
    for field_name, positions in match.columns.items():
        if len(positions) < 2:
            continue
        header = match.headers[positions[0]]
        counted = tuple(
            p for p in positions
            if descriptions is not None and p < len(descriptions)
            and "(total count)" in cell_text(descriptions[p]).casefold()
        )
        if counted:
            columns[field_name] = counted
        elif field_name in required:
            raise ImportRejected(file_name, label, [RowProblem(None, header, None, Message("expected.column_once"))])
        else:
            del columns[field_name]
            notes.append(Message("note.facebook_column_twice", column=header, count=Number(len(positions))))
    return replace(match, columns=columns)


def _ignored(match: HeaderMatch, notes: list[str]) -> list[str]:
    used = {p for positions in match.columns.values() for p in positions}
    ignored = list(dict.fromkeys(h for p, h in enumerate(match.headers) if h and p not in used))
    rolling = sum(1 for h in ignored if _ROLLING.match(h))
    if rolling:
        notes.append(Message("note.facebook_rolling", count=Number(rolling)))
    return ignored


# -- page level -------------------------------------------------------------------------
def detect_page(source: SourceFile) -> HeaderMatch | None:
    return first_table(source, PAGE_ALIASES, PAGE_REQUIRED)


def parse_page(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    sheet = match.sheet
    parsed = ParsedFile("facebook-insights-page", PAGE_LABEL, PLATFORM)
    page_name, _ = _file_name_hint(source.name, post_level=False)
    account = AccountRef(PLATFORM, page_name)
    if page_name is None:
        parsed.notes.append(Message("note.facebook_unnamed"))
    descriptions = _description_row(match, "date")
    match = _counts_only(match, descriptions, parsed.notes, PAGE_REQUIRED, source.name, PAGE_LABEL)
    parsed.ignored_columns = _ignored(match, parsed.notes)
    if descriptions is not None:
        parsed.notes.append(Message("note.facebook_description_row", where=sheet.where(match.data_start)))

    days = read_series(source.name, [match], PAGE_MEASURES, parsed, skip=1 if descriptions is not None else 0)
    store_days(parsed, account, days)
    return parsed


# -- post level -------------------------------------------------------------------------
def detect_posts(source: SourceFile) -> HeaderMatch | None:
    return first_table(source, POST_ALIASES, POST_REQUIRED)


class _Cells:
    """Where each raw cell of a post came from, for reading and for pointing at problems."""

    def __init__(self) -> None:
        self.by_post: dict[str, dict[str, tuple[Cell, Sheet, int, str]]] = {}

    def put(self, post_id: str, field_name: str, cell: Cell, sheet: Sheet, i: int, header: str) -> None:
        self.by_post.setdefault(post_id, {})[field_name] = (cell, sheet, i, header)


def _superseded(field_name: str, available: set[str]) -> bool:
    """Whether a preferred source of the same measure is already there (stories before people)."""
    for fields in ACTION_SOURCES.values():
        if field_name in fields:
            return any(f in available for f in fields[: fields.index(field_name)])
    return False


def _breakdowns(source: SourceFile, main: Sheet, cells: _Cells, available: set[str], notes: list[str],
                problems: Problems) -> None:
    """Per-action-type sheets of the SpreadsheetML download, joined on `Post ID`, in order of preference."""
    for prefix, columns in BREAKDOWN_SHEETS:
        for sheet in source.sheets:
            if sheet is main or not sheet.name or not normalise_header(sheet.name).startswith(prefix):
                continue
            wanted = [f for f in columns.values() if f not in available and not _superseded(f, available)]
            aliases: Aliases = {"post_id": ("Post ID",), **{f: (c,) for c, f in columns.items()}}
            match = find_header(sheet, aliases, {"post_id"})
            found = [f for f in wanted if match is not None and match.has(f)]
            if match is None or not found:
                continue
            for i in range(match.data_start, len(sheet.rows)):
                row = sheet.rows[i]
                post_id = cell_text(match.get(row, "post_id"))
                if not post_id:
                    if not is_blank(row):
                        problems.add(sheet, i, match.header_of("post_id"), None, "expected.post_id_per_row")
                    continue
                for f in found:
                    cells.put(post_id, f, match.get(row, f), sheet, i, f"{sheet.name}: {match.header_of(f)}")
            available.update(found)
            notes.append(Message("note.facebook_breakdown_sheet", columns=", ".join(match.header_of(f) for f in found),
                                 sheet=sheet.name))


def parse_posts(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    sheet = match.sheet
    parsed = ParsedFile("facebook-insights-posts", POSTS_LABEL, PLATFORM)
    page_name, span = _file_name_hint(source.name, post_level=True)
    descriptions = _description_row(match, "post_id")
    match = _counts_only(match, descriptions, parsed.notes, POST_REQUIRED, source.name, POSTS_LABEL)
    parsed.ignored_columns = _ignored(match, parsed.notes)
    if descriptions is not None:
        parsed.notes.append(Message("note.facebook_description_row", where=sheet.where(match.data_start)))

    problems = Problems()
    cells = _Cells()
    order: list[tuple[str, int]] = []
    first_row: dict[str, int] = {}
    for i, row in data_rows(match, parsed, skip=1 if descriptions is not None else 0):
        post_id = cell_text(match.get(row, "post_id"))
        if not post_id:
            problems.add(sheet, i, match.header_of("post_id"), None, "expected.post_id_per_row")
            continue
        if post_id in first_row:
            problems.add(sheet, i, match.header_of("post_id"), post_id, "expected.post_id_once",
                         where=sheet.where(first_row[post_id]))
            continue
        first_row[post_id] = i
        order.append((post_id, i))
        for field_name, positions in match.columns.items():
            if field_name != "post_id":
                cells.put(post_id, field_name, match.get(row, field_name), sheet, i,
                          match.headers[positions[0]])
    available = set(match.columns)
    _breakdowns(source, sheet, cells, available, parsed.notes, problems)
    orphans = len(cells.by_post.keys() - first_row.keys())
    if orphans:
        parsed.notes.append(Message("note.facebook_orphans", count=Number(orphans)))

    day_first = column_day_first(match, "posted", problems, [i for _, i in order])
    sources = {m: next((f for f in fields if f in available), None) for m, fields in ACTION_SOURCES.items()}
    unused = [f for fields in ACTION_SOURCES.values() for f in fields if match.has(f) and f not in sources.values()]
    parsed.ignored_columns += [match.header_of(f) for f in unused]
    has_video = "total_video_views" in available or {"organic_video_views", "paid_video_views"} <= available
    pacific_days: list[date] = []
    for post_id, i in order:
        raw = cells.by_post[post_id]
        counts = {m: _count(raw, f, problems, empty_is_zero=True) if f else None for m, f in sources.items()}
        if "total_video_views" in available:
            counts["video_views"] = _count(raw, "total_video_views", problems)
        elif has_video:
            organic, paid = (_count(raw, f, problems) for f in ("organic_video_views", "paid_video_views"))
            counts["video_views"] = organic + paid if organic is not None and paid is not None else None
        counts |= {f: _count(raw, f, problems) for f in ("reach", "views")}
        published = _published(raw["posted"], problems, day_first)
        if published is None:
            continue
        pacific_days.append(published[0].date())
        page_id, underscore, _ = post_id.partition("_")
        parsed.posts.append(Post(
            account=AccountRef(PLATFORM, page_name, page_id if underscore else None),
            post_id=post_id,
            published_at=published[1],
            post_type=cell_text(raw.get("post_type", (None,))[0]) or None,
            title=cell_text(raw.get("title", (None,))[0]) or None,
            permalink=cell_text(raw.get("permalink", (None,))[0]) or None,
            source_row=sheet.row_numbers[i],
            **counts,
        ))
    problems.raise_if_any(source.name, POSTS_LABEL)
    if not parsed.posts:
        raise rejected(source.name, POSTS_LABEL, NO_POSTS)

    measures = [m for m, f in sources.items() if f]
    measures += ["views"] + (["video_views"] if has_video else [])
    parsed.post_measures = tuple(m for m in ("reactions", "comments", "shares", "views", "video_views",
                                             "link_clicks") if m in measures)
    cover_posts(parsed, source.name, options, named=span, days=pacific_days)
    return parsed


def _count(raw: dict[str, tuple[Cell, Sheet, int, str]], field_name: str, problems: Problems,
           *, empty_is_zero: bool = False) -> int | None:
    if field_name not in raw:  # e.g. a post missing from a breakdown sheet: unknown
        return None
    cell, sheet, i, header = raw[field_name]
    value = problems.read(parse_count, cell, sheet, i, header)
    if value is None and empty_is_zero and not cell_text(cell):
        return 0
    return value


def _published(posted: tuple[Cell, Sheet, int, str], problems: Problems,
               day_first: bool | None) -> tuple[datetime, datetime] | None:
    """(Pacific local time, UTC) of a post's `Posted` cell, or None after recording a problem."""
    cell, sheet, i, header = posted
    read = problems.read_required(parse_datetime, cell, sheet, i, header, Message("expected.publication_time"),
                                  day_first=day_first)
    if read is None:
        return None
    local, offset = read
    return local, as_utc(local, offset, pacific_to_utc)


FORMATS: tuple[Format, ...] = (
    Format("facebook-insights-page", PAGE_LABEL, detect_page, parse_page),
    Format("facebook-insights-posts", POSTS_LABEL, detect_posts, parse_posts),
)
NOT_PAGE_METRICS: tuple[NotPageMetrics, ...] = ()
