"""Meta Business Suite post export (Insights → Content → Export), Facebook and Instagram.

Research: `export_formats.md` §0, §1a (Facebook), §2a (Instagram).

The file: CSV, UTF-8 with BOM, comma, one row per post, captions with line
breaks inside quotes. Rows leave out their trailing empty cells (a row shorter
than the header is read as "missing" for the absent columns). The columns are
the metrics the person ticked, so they are found by name only.

Headers follow the exporting person's UI language, values do not: a Swedish
file has `Publicerings-id`, `Räckvidd` … but US dates, `.` decimals, and some
columns only in English or twice (`Publicerings-id` *and* `Post ID`, `Visningar`
*and* `Views`; an English file can have `Views` twice). Duplicate columns are
coalesced: the first non-empty cell wins (a few Swedish rows carry their id and
views only in the English column). `Post type` values mix languages (`Foton`
and `Photos` in one file): the Swedish ones seen are stored in English
(`Foton`→`Photos`, `Länkar`→`Links`, `Videor`→`Videos`, `IG-bild`→`IG image`,
`IG-reel`→`IG reel`, `IG-carousel`→`IG carousel`), others as written.

Platform, from the columns: Facebook files have `Page ID`/`Sid-id` (account =
Page name + Page ID); Instagram files have `Account ID`/`Konto-id` or `Account
username` (account = Account name, else username, + Account ID). One file may
hold several pages (a Business Suite export of a whole portfolio): posts are
grouped by that ID (by username in an Instagram file without the ID column).

Columns → Post fields (English / Swedish header):
  post id        `Post ID` / `Publicerings-id`
  published_at   `Publish time` / `Publiceringstid`: `MM/DD/YYYY HH:MM`, US Pacific time
                 (§0.7), converted to UTC
  reactions      Facebook `Reactions` / `Reaktioner`; Instagram `Likes` / `Gilla-markeringar`
  comments       `Comments` / `Kommentarer`
  shares         `Shares` / `Delningar`
  views          `Views` / `Visningar` (older English exports: `Impressions`)
  reach          `Reach` / `Räckvidd` (per post, kept as detail: reach never adds up)
  video_views    `3-second video views` / `3-sekunders videovisningar` (only when ticked)
  link_clicks    `Link Clicks` / `Länkklick` (Facebook only)
  title          first line of `Title`/`Titel`, else of `Description`/`Beskrivning`, ≤ 200 characters
Every other column (Saves, Follows, clicks by type, seconds viewed, earnings,
and the ~190 per-country / per-age video-view columns) is listed as ignored.
An empty cell is unknown, never 0.

`Date`/`Datum` is `Lifetime`/`Livstid` in the normal export: lifetime totals per
post. With a *daily breakdown* the same layout has one row per post per day,
real dates there and no Views column (§0.9). Nothing in the file says whether
those daily rows are increments or running totals, so such a file is rejected
with instructions to re-export the lifetime totals; it is never summed.

A post ID repeated for the same account is skipped (with a note) when the
row is identical, and refused when its figures differ. An ID that a spreadsheet
program turned into a rounded number (16+ digits stored as a float, e.g. Instagram's
17-digit IDs in an .xlsx) is refused: it no longer names its post.

Coverage (the days the export covers, so that days without posts count as 0
posts): the `Mon-DD-YYYY_Mon-DD-YYYY` range Meta puts in the file name when it
parses and holds every post's publication day (UTC, one day of slack for the
Pacific-to-UTC shift), else the period given in the upload form, else each
account's first to last post day (with a note).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ...errors import Message, Number
from ..base import Format, Problems, rejected
from ..file_names import name_range
from ..headers import Aliases, HeaderMatch, find_header, normalise_header
from ..model import (
    POST_MEASURES,
    AccountRef,
    Cell,
    CellError,
    ImportRejected,
    ParsedFile,
    ParseOptions,
    Post,
    RowProblem,
    SourceFile,
)
from ..posts import cover_posts
from ..rows import NO_POSTS, column_day_first, data_rows, read_counts
from ..values import (
    as_utc,
    first_line,
    is_missing,
    pacific_to_utc,
    parse_date,
    parse_datetime,
)

FORMAT_ID = "meta-posts"
FORMAT_LABEL = Message("format.meta_posts")

# Headers per UI language. English and Swedish come from real exports (§1a, §2a).
# Danish, Norwegian and Finnish exports have not been seen yet: add their headers
# here when a pilot user sends one; never guess a translation.
ENGLISH: Aliases = {
    "post_id": ("Post ID",),
    "page_id": ("Page ID",),
    "page_name": ("Page name",),
    "account_id": ("Account ID",),
    "account_username": ("Account username",),
    "account_name": ("Account name",),
    "title": ("Title",),
    "description": ("Description",),
    "publish_time": ("Publish time",),
    "permalink": ("Permalink",),
    "post_type": ("Post type",),
    "date": ("Date",),
    "views": ("Views", "Impressions"),  # Meta renamed Impressions to Views in 2024-25
    "reach": ("Reach",),
    "reactions": ("Reactions", "Likes"),  # Facebook reactions; Instagram likes
    "comments": ("Comments",),
    "shares": ("Shares",),
    "video_views": ("3-second video views",),
    "link_clicks": ("Link Clicks",),
}
SWEDISH: Aliases = {
    "post_id": ("Publicerings-id",),
    "page_id": ("Sid-id",),
    "page_name": ("Sidnamn",),
    "account_id": ("Konto-id",),
    "account_username": ("Kontots användarnamn",),
    "account_name": ("Kontonamn",),
    "title": ("Titel",),
    "description": ("Beskrivning",),
    "publish_time": ("Publiceringstid",),
    "permalink": ("Permalänk",),
    "post_type": ("Inläggstyp",),
    "date": ("Datum",),
    "views": ("Visningar",),
    "reach": ("Räckvidd",),
    "reactions": ("Reaktioner", "Gilla-markeringar"),
    "comments": ("Kommentarer",),
    "shares": ("Delningar",),
    "video_views": ("3-sekunders videovisningar",),
    "link_clicks": ("Länkklick",),
}
DANISH: Aliases = {}  # not seen yet
NORWEGIAN: Aliases = {}  # not seen yet
FINNISH: Aliases = {}  # not seen yet
LANGUAGES: dict[str, Aliases] = {
    "English": ENGLISH, "Swedish": SWEDISH, "Danish": DANISH, "Norwegian": NORWEGIAN, "Finnish": FINNISH,
}


def _merge(*tables: Aliases) -> Aliases:
    merged: dict[str, tuple[str, ...]] = {}
    for table in tables:
        for field, names in table.items():
            merged[field] = merged.get(field, ()) + names
    return merged


ALIASES = _merge(*LANGUAGES.values())
REQUIRED = frozenset({"post_id", "publish_time"})

# Values of Date/Datum that mean "lifetime totals of the post".
LIFETIME = frozenset(normalise_header(v) for v in ("Lifetime", "Livstid"))

COUNT_FIELDS = ("reactions", "comments", "shares", "reach", "views", "video_views", "link_clicks")
# Meta puts the exported range in the file name, e.g. `Jan-14-2025_Apr-14-2025_1396269028466733.csv`;
# users add their own prefix (`FB Riks Jan-01-2026_Jan-31-2026_….csv`). Month names are English in every UI.
_NAME_RANGE = re.compile(r"([A-Z][a-z]{2}-\d{1,2}-\d{4})_([A-Z][a-z]{2}-\d{1,2}-\d{4})")
# Per-country / per-audience breakdown columns, e.g. `3-second video views by country (Norway (NO))`,
# `3-sekunders videovisningar efter främsta målgrupp (M, 25-34)`: summarised as one ignored entry.
_BREAKDOWN = re.compile(r"\b(?:by|efter)\b[^()]*\(", re.IGNORECASE)
# `Post type` values of Swedish exports, given in English (the other half of a Swedish file already is, §1a, §2a).
POST_TYPES = {normalise_header(sv): en for sv, en in (
    ("Foton", "Photos"), ("Länkar", "Links"), ("Videor", "Videos"),
    ("IG-bild", "IG image"), ("IG-reel", "IG reel"), ("IG-carousel", "IG carousel"),
)}
TITLE_MAX = 200
# Excel keeps 15 significant digits: a numeric ID above 2**53 has been rounded and no longer names its post.
_EXACT_FLOAT = 2**53


@dataclass(frozen=True)
class PostsMatch:
    match: HeaderMatch
    platform: str  # "facebook" or "instagram"


def detect(source: SourceFile) -> PostsMatch | None:
    for sheet in source.sheets:
        match = find_header(sheet, ALIASES, REQUIRED)
        if match is None:
            continue
        facebook = match.has("page_id")
        instagram = match.has("account_id") or match.has("account_username")
        if facebook != instagram:
            return PostsMatch(match, "facebook" if facebook else "instagram")
    return None


def _language(match: HeaderMatch) -> str:
    present = {normalise_header(h) for h in match.headers}
    scores = {
        language: sum(normalise_header(name) in present for names in table.values() for name in names)
        for language, table in LANGUAGES.items()
    }
    return max(scores, key=lambda language: scores[language])


def _label(match: HeaderMatch, platform: str) -> Message:
    language = Message(f"format.headers_language.{_language(match).lower()}")
    return Message("format.meta_posts_detected", platform=platform.capitalize(), language=language)


def _text(cell: Cell) -> str | None:
    if cell is None or is_missing(cell):
        return None
    text = str(cell).strip()
    return text or None


ID_EXPECTED = Message("expected.id_in_full")


def _identifier(cell: Cell) -> str:
    """An ID as text; numbers from a workbook are accepted only while they are exact."""
    if isinstance(cell, bool) or (isinstance(cell, float) and not (cell.is_integer() and abs(cell) < _EXACT_FLOAT)):
        raise CellError(cell, ID_EXPECTED)
    if isinstance(cell, int | float):
        return str(int(cell))
    return str(cell).strip()


def _post_type(cell: Cell) -> str | None:
    text = _text(cell)
    return POST_TYPES.get(normalise_header(text), text) if text else None


def _title(match: HeaderMatch, row: list[Cell]) -> str | None:
    for field in ("title", "description"):
        first = first_line(_text(match.get(row, field)))
        if first:
            return first if len(first) <= TITLE_MAX else first[: TITLE_MAX - 1] + "…"
    return None


def _reject_daily_breakdown(source: SourceFile, match: HeaderMatch, label: str) -> None:
    """A daily-breakdown export (one row per post per day) must not pass as lifetime totals."""
    if not match.has("date"):
        return
    sheet = match.sheet
    header = match.header_of("date")
    problems = Problems()
    daily: list[tuple[int, Cell]] = []
    for index in range(match.data_start, len(sheet.rows)):
        cell = match.get(sheet.rows[index], "date")
        if cell is None or normalise_header(cell) in LIFETIME:
            continue
        try:
            parse_date(cell)
        except ValueError:
            problems.add(sheet, index, header, cell, "expected.lifetime")
            continue
        daily.append((index, cell))
    if daily:
        index, cell = daily[0]
        raise ImportRejected(source.name, label, [RowProblem(None, header, None, Message(
            "expected.lifetime_not_daily", count=len(daily), where=sheet.where(index), value=str(cell)))])
    problems.raise_if_any(source.name, label)


@dataclass
class _Row:
    index: int
    account_key: str  # the page/account ID, or the username when the file has no ID column
    account_name: str | None
    post: dict[str, object]


def parse(source: SourceFile, detected: PostsMatch, options: ParseOptions) -> ParsedFile:
    match, platform = detected.match, detected.platform
    label = _label(match, platform)
    _reject_daily_breakdown(source, match, label)

    parsed = ParsedFile(FORMAT_ID, label, platform)
    problems = Problems()
    # Posts are grouped by the page/account ID; an Instagram file without the ID column by username.
    id_field = "page_id" if platform == "facebook" else ("account_id" if match.has("account_id") else None)
    name_fields = ("page_name",) if platform == "facebook" else ("account_name", "account_username")
    key_field = id_field or "account_username"
    counts = [f for f in COUNT_FIELDS if match.has(f)]
    day_first = column_day_first(match, "publish_time", problems)

    rows: list[_Row] = []
    for index, row in data_rows(match, parsed):
        post_id = _read_id(problems, match, row, index, "post_id", Message("expected.post_id"))
        account_key = _read_id(problems, match, row, index, key_field, Message("expected.account_id"))
        name = next((t for t in (_text(match.get(row, f)) for f in name_fields) if t), None)
        published = _published_at(problems, match, row, index, day_first)
        values: dict[str, object] = dict(read_counts(match, row, index, counts, problems))
        if post_id is None or account_key is None or published is None:
            continue
        values.update(
            post_id=post_id, published_at=published, title=_title(match, row),
            post_type=_post_type(match.get(row, "post_type")), permalink=_text(match.get(row, "permalink")),
        )
        rows.append(_Row(index, account_key, name, values))
    problems.raise_if_any(source.name, label)
    if not rows:
        raise rejected(source.name, label, NO_POSTS)

    names: dict[str, str | None] = {}
    for item in rows:
        if not names.get(item.account_key):
            names[item.account_key] = item.account_name
    refs = {key: AccountRef(platform, name or key, key if id_field else None) for key, name in names.items()}
    _build_posts(source, parsed, rows, refs, match, label)
    found = _NAME_RANGE.search(source.name)
    named = name_range(found[1], found[2], parse_date) if found else None
    # One day of slack: a post late on the last (Pacific) day is published the next day in UTC.
    cover_posts(parsed, source.name, options, named=named, slack=1, each_account=True)

    parsed.post_measures = tuple(f for f in POST_MEASURES if match.has(f))
    _ignored(parsed, match)
    parsed.notes.append(Message("note.meta_pacific_times"))
    return parsed


def _read_id(problems: Problems, match: HeaderMatch, row: list[Cell], index: int, field: str,
             what: str) -> str | None:
    return problems.read_required(_identifier, match.get(row, field), match.sheet, index, match.header_of(field),
                                  what)


def _published_at(problems: Problems, match: HeaderMatch, row: list[Cell], index: int,
                  day_first: bool | None) -> datetime | None:
    read = problems.read_required(parse_datetime, match.get(row, "publish_time"), match.sheet, index,
                                  match.header_of("publish_time"), Message("expected.publish_time"),
                                  day_first=day_first)
    return None if read is None else as_utc(*read, pacific_to_utc)


def _build_posts(source: SourceFile, parsed: ParsedFile, rows: list[_Row], refs: dict[str, AccountRef],
                 match: HeaderMatch, label: str) -> None:
    sheet = match.sheet
    problems = Problems()
    seen: dict[tuple[str, str], _Row] = {}
    repeated = 0
    for item in rows:
        key = (item.account_key, str(item.post["post_id"]))
        first = seen.get(key)
        if first is not None:
            if first.post == item.post:
                repeated += 1
                continue
            problems.add(sheet, item.index, match.header_of("post_id"), key[1], "expected.post_id_once_figures",
                         where=sheet.where(first.index))
            continue
        seen[key] = item
        parsed.posts.append(Post(account=refs[item.account_key], source_row=sheet.row_numbers[item.index],
                                 **item.post))  # type: ignore[arg-type]
    problems.raise_if_any(source.name, label)
    if repeated:
        parsed.notes.append(Message("note.repeated_posts", count=Number(repeated)))


def _ignored(parsed: ParsedFile, match: HeaderMatch) -> None:
    breakdown = [h for h in match.unmapped if _BREAKDOWN.search(h)]
    parsed.ignored_columns.extend(h for h in match.unmapped if not _BREAKDOWN.search(h))
    if breakdown:
        parsed.ignored_columns.append(
            f"{len(breakdown)} per-country/age columns (e.g. {breakdown[0]!r})"
        )


POSTS_FORMAT = Format(FORMAT_ID, FORMAT_LABEL, detect, parse)
