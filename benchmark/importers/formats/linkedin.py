"""LinkedIn Page analytics exports (admin view → Analytics → Export).

Research: `export_formats.md` §0 and §3. LinkedIn exports one workbook per
analytics tab, named `<page>_<type>_<epoch-ms>.xls(x)` with type `content`
(older: `updates`), `visitors` or `followers`: legacy BIFF `.xls` up to 2022,
`.xlsx` since. Analysts also merge workbooks or save single sheets as CSV (on a
Nordic PC: `;`, `dd.mm.yyyy`); every sheet is recognised by its header row,
never by its name or position, and the header is searched in the first rows
because some sheets start with a one-cell notice row ("Aggregated engagement
metrics … All dates and times are in UTC."). Dates are UTC calendar days,
`MM/DD/YYYY` text in LinkedIn's own files. One import reads every sheet it
knows in a workbook, so the merged visitors + updates sample gives both.

**Content** (`linkedin-content`) — daily sheet `Update metrics (aggregated)`,
since 2023 `Metrics` (a row per day on which members *saw* the updates):

| measure | column |
|---|---|
| views | `Impressions (total)` |
| link_clicks | `Clicks (total)` — LinkedIn counts every click on the content (links, "see more", the page name …), not only link clicks |
| reactions | `Reactions (total)` |
| comments | `Comments (total)` |
| shares | `Shares (total)`, since 2023 `Reposts (total)` |

`Engagement rate (total)` is a fraction derived from the others: it is only
checked to be a number. The `(organic)` / `(sponsored)` parts and
`Unique impressions (organic)` are ignored (the totals include them; unique
impressions are not additive).

Posts sheet `Update engagement` (also spelt `Update Engagement`), since 2023
`All posts`: a row per post with `Created date` (a date, no time: the post is
dated 00:00 UTC), `Update title`/`Post title` → title, `Update link`/`Post link`
→ permalink, `Update type`/`Post type` → post type, `Impressions` → views,
`Video views` → video views, `Clicks` → link clicks, `Likes`/`Reactions` →
reactions, `Comments`, `Shares`/`Reposts` → shares. The post id is the
`urn:li:activity:…` (or `share`/`ugcPost`) in the link, else a hash of the link.
When the workbook also has the daily sheet, the per-post figures are kept as
detail only (`post_measures` is empty: the daily sheet gives the sums, dated by
the day of viewing) and posts only count as posts per publication day, over the
days of the daily sheet. A posts sheet alone contributes its figures by
publication day and covers the period given in the upload form, else its first
to last post day (with a note).

**Visitors** (`linkedin-visitors`) — sheet `Visitor metrics`: profile_visits ←
`Total page views (total)` per day. The per-section page views (overview,
life, jobs) are parts of that total; `… unique visitors …` count distinct
members per day and cannot be added up over days, so they are ignored.

**Followers** (`linkedin-followers`) — sheet `New followers`: new_followers ←
`Total followers`. Despite its name that column is the number of members who
started following *that day* (sponsored + organic [+ auto-invited]), NOT the
page's audience (research §3); no follower total is read from LinkedIn exports.
The sponsored/organic/auto-invited parts are ignored.

Demographic sheets (`Location`, `Job function`, `Seniority`, `Industry`,
`Company size`: a dimension and `Total views`/`Total followers`) are ignored
in a workbook with a metrics sheet; a file holding only them is recognised and
refused as not page metrics. One format claims a workbook: content if it has a
content sheet, else visitors, else followers.

The page is not named in the file: the account name comes from a file name of
LinkedIn's form `<page>_<type>_<epoch-ms>` (a hint), otherwise the analyst
names it in the upload form. Only English headers are known; Swedish, Danish,
Norwegian and Finnish LinkedIn exports have not been seen (research §3) —
add their headers to the alias tables when a real file shows them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from ...errors import Joined, Message
from ..base import Format, NotPageMetrics, Problems, rejected
from ..file_names import file_name
from ..headers import Aliases, HeaderMatch, find_header, is_blank
from ..model import (
    POST_MEASURES,
    AccountRef,
    ParsedFile,
    ParseOptions,
    Post,
    Sheet,
    SourceFile,
)
from ..posts import cover_posts
from ..rows import column_day_first, data_rows, read_counts, read_days, store_days
from ..values import cell_text, parse_date, parse_decimal

PLATFORM = "linkedin"

# Alias tables. English only so far: slots for other UI languages go into these tuples.
DAILY_CONTENT: Aliases = {
    "date": ("Date",),
    "views": ("Impressions (total)",),
    "link_clicks": ("Clicks (total)",),
    "reactions": ("Reactions (total)",),
    "comments": ("Comments (total)",),
    "shares": ("Shares (total)", "Reposts (total)"),
    "engagement_rate": ("Engagement rate (total)",),
}
POSTS: Aliases = {
    "title": ("Update title", "Post title"),
    "link": ("Update link", "Post link"),
    "post_type": ("Update type", "Post type"),
    "created": ("Created date",),
    "views": ("Impressions",),
    "video_views": ("Video views",),
    "link_clicks": ("Clicks",),
    "reactions": ("Likes", "Reactions"),
    "comments": ("Comments",),
    "shares": ("Shares", "Reposts"),
}
VISITORS: Aliases = {"date": ("Date",), "profile_visits": ("Total page views (total)",)}
FOLLOWERS: Aliases = {
    "date": ("Date",),
    "new_followers": ("Total followers",),
    "organic_followers": ("Organic followers",),  # only to recognise the sheet
}
DEMOGRAPHICS: Aliases = {
    "dimension": ("Location", "Job function", "Seniority", "Industry", "Company size"),
    "total": ("Total views", "Total followers"),
}

# kind -> (aliases, required fields, measures read per day). First match wins per sheet.
TABLES: dict[str, tuple[Aliases, frozenset[str], tuple[str, ...]]] = {
    "content": (DAILY_CONTENT, frozenset({"date", "views", "link_clicks"}),
                ("views", "link_clicks", "reactions", "comments", "shares")),
    "posts": (POSTS, frozenset({"link", "created", "views"}), ()),
    "visitors": (VISITORS, frozenset({"date", "profile_visits"}), ("profile_visits",)),
    "followers": (FOLLOWERS, frozenset({"date", "new_followers", "organic_followers"}), ("new_followers",)),
    "demographics": (DEMOGRAPHICS, frozenset({"dimension", "total"}), ()),
}
SHEET_TITLES = {"content": "content", "posts": "content", "visitors": "visitors", "followers": "followers"}

_POST_URN = re.compile(r"urn:li:(?:activity|share|ugcPost):\d+", re.IGNORECASE)
_FILE_NAME = re.compile(
    r"^(?P<page>.+)_(?:content|updates|visitors|followers)_\d{10,14}(?: ?\(\d+\))?\.(?:xls|xlsx|csv)$",
    re.IGNORECASE,
)


@dataclass
class Workbook:
    """The sheets of a file that LinkedIn tables were recognised in, by kind."""

    tables: dict[str, list[HeaderMatch]] = field(default_factory=dict)
    other: list[Sheet] = field(default_factory=list)

    def has(self, *kinds: str) -> bool:
        return any(self.tables.get(k) for k in kinds)


def _classify(source: SourceFile) -> Workbook:
    book = Workbook()
    for sheet in source.sheets:
        for kind, (aliases, required, _) in TABLES.items():
            match = find_header(sheet, aliases, required)
            if match is None:
                continue
            if kind == "demographics" and sum(1 for h in match.headers if h) != 2:
                continue  # a breakdown sheet is exactly <dimension>, <total>
            book.tables.setdefault(kind, []).append(match)
            break
        else:
            book.other.append(sheet)
    return book


def detect_content(source: SourceFile) -> Workbook | None:
    book = _classify(source)
    return book if book.has("content", "posts") else None


def detect_visitors(source: SourceFile) -> Workbook | None:
    book = _classify(source)
    return book if book.has("visitors") and not book.has("content", "posts") else None


def detect_followers(source: SourceFile) -> Workbook | None:
    book = _classify(source)
    return book if book.has("followers") and not book.has("content", "posts", "visitors") else None


def detect_demographics_only(source: SourceFile) -> bool:
    book = _classify(source)
    return book.has("demographics") and not book.has("content", "posts", "visitors", "followers")


def _account(name: str) -> AccountRef:
    found = _FILE_NAME.match(file_name(name))
    page = found["page"].strip() if found else None
    return AccountRef(PLATFORM, page or None)


def _where_sheet(match: HeaderMatch) -> Message:
    return Message("note.where.sheet", sheet=match.sheet.name) if match.sheet.name else Message("note.where.file")


def _ignored(match: HeaderMatch, parsed: ParsedFile, skip: tuple[str, ...] = ()) -> None:
    used = {p for f, positions in match.columns.items() if f not in skip for p in positions}
    prefix = f"{match.sheet.name}: " if match.sheet.name else ""
    parsed.ignored_columns += [prefix + h for p, h in enumerate(match.headers) if h and p not in used]


def _read_days(match: HeaderMatch, measures: tuple[str, ...], account: AccountRef, parsed: ParsedFile,
               problems: Problems) -> list[date]:
    """PeriodValues of one daily sheet; returns the days read."""
    days = read_days([match], measures, parsed, problems)
    if match.has("engagement_rate"):  # derived from the others: only checked to be a number
        sheet = match.sheet
        for i in range(match.data_start, len(sheet.rows)):
            if not is_blank(sheet.rows[i]):
                problems.read(parse_decimal, match.get(sheet.rows[i], "engagement_rate"), sheet, i,
                              match.header_of("engagement_rate"))
    store_days(parsed, account, days)
    return [d.day for d in days]


def _post_id(link: str) -> str:
    urn = _POST_URN.search(link)
    if urn:
        return urn.group(0)
    return "link:" + hashlib.sha256(link.encode("utf-8")).hexdigest()[:20]


def _read_posts(match: HeaderMatch, account: AccountRef, parsed: ParsedFile, problems: Problems) -> None:
    sheet = match.sheet
    rows = data_rows(match, parsed)
    day_first = column_day_first(match, "created", problems, [i for i, _ in rows])
    seen: dict[str, int] = {}
    for i, row in rows:
        link = cell_text(match.get(row, "link"))
        if not link:
            problems.add(sheet, i, match.header_of("link"), None, "expected.post_link")
            continue
        post_id = _post_id(link)
        if post_id in seen:
            problems.add(sheet, i, match.header_of("link"), link, "expected.post_once", where=sheet.where(seen[post_id]))
            continue
        seen[post_id] = i
        day = problems.read_required(parse_date, match.get(row, "created"), sheet, i, match.header_of("created"),
                                     Message("expected.created_date"), day_first=day_first)
        counts = read_counts(match, row, i, [f for f in POST_MEASURES if match.has(f)], problems)
        if day is None:
            continue
        parsed.posts.append(Post(
            account=account, post_id=post_id, published_at=datetime.combine(day, time(0)),
            post_type=cell_text(match.get(row, "post_type")) or None,
            title=cell_text(match.get(row, "title")) or None, permalink=link,
            source_row=sheet.row_numbers[i], **counts,
        ))


def parse(source: SourceFile, book: Workbook, options: ParseOptions) -> ParsedFile:
    kinds = [k for k in ("content", "posts", "visitors", "followers") if book.has(k)]
    main = "content" if book.has("content", "posts") else kinds[0]
    sheets = [Message(f"format.linkedin_sheet.{title}") for title in dict.fromkeys(SHEET_TITLES[k] for k in kinds)]
    label = Message("format.linkedin", sheets=Joined(sheets, " + "))
    parsed = ParsedFile(f"linkedin-{main}", label, PLATFORM)
    account = _account(source.name)
    if not account.is_named:
        parsed.notes.append(Message("note.linkedin_unnamed"))
    problems = Problems()
    daily_days: list[date] = []
    for kind in ("content", "visitors", "followers"):
        measures = TABLES[kind][2]
        for match in book.tables.get(kind, ()):
            days = _read_days(match, measures, account, parsed, problems)
            if kind == "content":
                daily_days += days
            _ignored(match, parsed, skip=("organic_followers",))
            parsed.notes.append(Message(f"note.linkedin_read.{kind}", where=_where_sheet(match)))
    for match in book.tables.get("posts", ()):
        _read_posts(match, account, parsed, problems)
        _ignored(match, parsed)
        parsed.notes.append(Message("note.linkedin_read.posts", where=_where_sheet(match)))
    for match in book.tables.get("demographics", ()):
        parsed.notes.append(Message("note.linkedin_demographics", where=_where_sheet(match)))
    for sheet in book.other:
        if not all(is_blank(row) for row in sheet.rows):
            parsed.notes.append(Message("note.linkedin_other_sheet", sheet=sheet.name))
    problems.raise_if_any(source.name, label)
    if not parsed.values and not parsed.posts:
        raise rejected(source.name, label, "expected.data_rows")
    if book.has("posts"):
        _post_coverage(parsed, source.name, book, account, daily_days, options)
    return parsed


def _post_coverage(parsed: ParsedFile, name: str, book: Workbook, account: AccountRef, daily_days: list[date],
                   options: ParseOptions) -> None:
    if daily_days:
        parsed.post_measures = ()
        parsed.post_coverage[account] = (min(daily_days), max(daily_days))
        parsed.notes.append(Message("note.linkedin_posts_detail"))
        return
    parsed.post_measures = tuple(m for m in POST_MEASURES if any(t.has(m) for t in book.tables["posts"]))
    if parsed.posts or options.period is not None:  # an empty posts sheet beside other tables says nothing
        cover_posts(parsed, name, options, accounts=[account])


FORMATS: tuple[Format, ...] = (
    Format("linkedin-content", Message("format.linkedin_content"), detect_content, parse),
    Format("linkedin-visitors", Message("format.linkedin_visitors"), detect_visitors, parse),
    Format("linkedin-followers", Message("format.linkedin_followers"), detect_followers, parse),
)
NOT_PAGE_METRICS: tuple[NotPageMetrics, ...] = (
    NotPageMetrics(
        "linkedin-demographics",
        Message("format.linkedin_demographics"),
        detect_demographics_only,
        Message("advice.linkedin_demographics"),
    ),
)
