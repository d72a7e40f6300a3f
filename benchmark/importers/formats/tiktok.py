"""TikTok exports: TikTok Studio / Business Suite → Analytics → Download data (research §6, §0.8).

UTF-8 with BOM, comma, LF as downloaded; Excel re-saves (semicolon, local code page, `1 234`
counts, `31.10.2025` dates, .xlsx) read the same. Headers follow the UI language: English
(verified) and Swedish (second-hand, from cgillinger/metaDB, research §6) are in the alias
tables; Danish, Norwegian and Finnish are not known yet. Some headers end in a space
(`Phone number clicks `), which header matching ignores. `NAN` and `--` mean unknown, never 0.
None of the files says whose account it is (the content file's video links carry `@handle`, but
the daily files do not), so everything goes to `AccountRef("tiktok")`, the account the analyst
picks in the upload form.

**Overview** (`tiktok-overview`, `Date,Video views,Reached audience,Profile views,Likes,Shares,
Comments,Phone number clicks ,Leads submission,Net growth,New followers,Lost followers`,
`Date` = `2025/10/31`): one-day values:

* `Video views` / `Videovisningar` → video_views
* `Reached audience` / `Målgrupp som nåtts` → reach (unique viewers of that one day)
* `Profile views` / `Profilvisningar` → profile_visits
* `Likes` / `Gilla-markeringar` → reactions; `Comments` / `Kommentarer` → comments;
  `Shares` / `Delningar` → shares
* `New followers` / `Nya följare` → new_followers
* `Net growth` / `Nettotillväxt` → net_followers (may be negative)

`Lost followers` is read only to check `Net growth = New followers − Lost followers` on days
with all three; a day that disagrees is kept as exported and listed in a note (the research
does not say which figure TikTok gets wrong). Phone number clicks, website clicks and leads
are ignored.

**Followers** (`tiktok-followers`, `Date,New followers,Total followers,Reached audience,Engaged
audience`): one-day values: new_followers; followers ← `Total followers` on days it is a number
(`--` in the sample, i.e. unknown); reach ← `Reached audience`. `Engaged audience` is ignored.
These days repeat the overview's new followers and reach with the same figures.

**Content** (`tiktok-content`, `Video title,Video link,Post time,Video views,Likes,Comments,
Shares,Add to Favorites`): one `Post` per video: post_id = the number after `/video/` (or
`/photo/`) in `Video link`, permalink = the link, title = the first line of `Video title`,
video_views, reactions ← Likes, comments, shares. `Post time` (`2025/10/31 18:19:10`) carries
no time zone and the research does not say which one TikTok uses: it is taken as UTC (a post
near midnight may count on the neighbouring day), and a note on every import says so. The
export covers the period the analyst gives; without one, the first to the last post day (with a
note). `Add to Favorites` is ignored.
"""

from __future__ import annotations

import re
from datetime import date

from ..base import Format, NotPageMetrics, Problems
from ..headers import Aliases, HeaderMatch, find_header, is_blank
from ..model import (
    AccountRef,
    Cell,
    CellError,
    ImportRejected,
    NeedsInputError,
    ParsedFile,
    ParseOptions,
    PeriodValue,
    Post,
    RowProblem,
    SourceFile,
)
from ..values import day_first_for, parse_count, parse_date, parse_datetime

PLATFORM = "tiktok"
ACCOUNT = AccountRef(PLATFORM)

OVERVIEW_LABEL = "TikTok overview export (one row per day)"
FOLLOWERS_LABEL = "TikTok followers export (one row per day)"
CONTENT_LABEL = "TikTok content export (one row per video)"

# English (verified) and Swedish (research §6); Danish/Norwegian/Finnish: not collected yet.
DATE: Aliases = {"date": ("Date", "Datum")}
OVERVIEW_ALIASES: Aliases = {
    **DATE,
    "video_views": ("Video views", "Videovisningar"),
    "reach": ("Reached audience", "Målgrupp som nåtts"),
    "profile_visits": ("Profile views", "Profilvisningar"),
    "reactions": ("Likes", "Gilla-markeringar"),
    "shares": ("Shares", "Delningar"),
    "comments": ("Comments", "Kommentarer"),
    "new_followers": ("New followers", "Nya följare"),
    "lost_followers": ("Lost followers", "Tappade följare"),
    "net_followers": ("Net growth", "Nettotillväxt"),
}
FOLLOWERS_ALIASES: Aliases = {
    **DATE,
    "new_followers": ("New followers", "Nya följare"),
    "followers": ("Total followers",),  # Swedish: not known yet
    "reach": ("Reached audience", "Målgrupp som nåtts"),
}
CONTENT_ALIASES: Aliases = {
    "title": ("Video title", "Videotitel"),
    "link": ("Video link", "Videolänk"),
    "post_time": ("Post time", "Publiceringstid"),
    "video_views": ("Video views", "Videovisningar"),
    "reactions": ("Likes", "Gilla-markeringar"),
    "comments": ("Comments", "Kommentarer"),
    "shares": ("Shares", "Delningar"),
}
CONTENT_MEASURES = ("video_views", "reactions", "comments", "shares")
SIGNED = frozenset({"net_followers"})

_LINK = re.compile(r"^https?://(?:www\.|m\.)?tiktok\.com/@[^/\s]+/(?P<kind>video|photo)/(?P<id>\d+)")


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell).strip()


def _rejected(source: SourceFile, label: str, message: str) -> ImportRejected:
    return ImportRejected(source.name, label, [RowProblem(None, None, None, message)])


def _detector(aliases: Aliases, required: set[str]):
    def detect(source: SourceFile) -> HeaderMatch | None:
        for sheet in source.sheets:
            match = find_header(sheet, aliases, required)
            if match is not None:
                return match
        return None

    return detect


def _day_first(match: HeaderMatch, field: str, problems: Problems) -> bool | None:
    """Whether the column's slash dates are day first; a column mixing both orders is a problem."""
    cells = [match.get(row, field) for row in match.sheet.rows[match.data_start:]]
    try:
        return day_first_for(cells)
    except CellError as exc:
        problems.add(match.sheet, match.data_start + cells.index(exc.value), match.header_of(field),
                     exc.value, exc.expected)
        return None


# -- daily files -------------------------------------------------------------------------------
def _parse_daily(source: SourceFile, match: HeaderMatch, parsed: ParsedFile, label: str,
                 measures: list[str]) -> dict[date, tuple[int, dict[str, int | None]]]:
    """Every dated row once: day -> (file row, measure -> count or None); values appended."""
    sheet = match.sheet
    problems = Problems()
    day_first = _day_first(match, "date", problems)
    date_header = match.header_of("date")
    days: dict[date, tuple[int, dict[str, int | None]]] = {}
    blanks = 0
    for i in range(match.data_start, len(sheet.rows)):
        row = sheet.rows[i]
        if is_blank(row):
            blanks += 1
            continue
        parsed.rows_read += 1
        day = problems.read(parse_date, match.get(row, "date"), sheet, i, date_header, day_first=day_first)
        figures = {
            m: problems.read(parse_count, match.get(row, m), sheet, i, match.header_of(m), allow_negative=m in SIGNED)
            for m in measures
        }
        if day is None:
            continue
        if day in days:
            first_row, first_figures = days[day]
            if first_figures == figures:
                parsed.notes.append(f"row {sheet.row_numbers[i]} repeats {day} with the same figures; read once")
            else:
                problems.add(sheet, i, date_header, match.get(row, "date"),
                             f"one row per day: {day} is also on row {first_row} with other figures")
            continue
        days[day] = (sheet.row_numbers[i], figures)
    problems.raise_if_any(source.name, label)
    if not days:
        raise _rejected(source, label, "the file has a header but no dated rows")
    if blanks:
        parsed.notes.append(f"skipped {blanks} blank row(s)")
    return days


def _store(parsed: ParsedFile, day: date, row: int, figures: dict[str, int | None]) -> None:
    for measure, value in figures.items():
        if value is not None:
            parsed.values.append(PeriodValue(ACCOUNT, measure, day, day, value, row))


def parse_overview(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    parsed = ParsedFile("tiktok-overview", OVERVIEW_LABEL, PLATFORM, ignored_columns=list(match.unmapped))
    measures = [f for f in OVERVIEW_ALIASES if f != "date" and match.has(f)]
    mismatches: list[str] = []
    for day, (row, figures) in _parse_daily(source, match, parsed, OVERVIEW_LABEL, measures).items():
        lost = figures.pop("lost_followers", None)
        gained, net = figures.get("new_followers"), figures.get("net_followers")
        if None not in (lost, gained, net) and net != gained - lost:
            mismatches.append(f"{day} (row {row}: {gained} − {lost} ≠ {net})")
        _store(parsed, day, row, figures)
    if mismatches:
        parsed.notes.append(
            f"'Net growth' differs from 'New followers' − 'Lost followers' on {len(mismatches)} day(s), "
            f"stored as exported: {', '.join(mismatches[:10])}{' …' if len(mismatches) > 10 else ''}"
        )
    return parsed


def parse_followers(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    parsed = ParsedFile("tiktok-followers", FOLLOWERS_LABEL, PLATFORM, ignored_columns=list(match.unmapped))
    measures = [f for f in FOLLOWERS_ALIASES if f != "date" and match.has(f)]
    days = _parse_daily(source, match, parsed, FOLLOWERS_LABEL, measures)
    for day, (row, figures) in days.items():
        _store(parsed, day, row, figures)
    if all(figures.get("followers") is None for _, figures in days.values()):
        parsed.notes.append("'Total followers' is empty or '--' on every day: no follower totals stored")
    return parsed


# -- content -----------------------------------------------------------------------------------
def parse_content(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    sheet = match.sheet
    measures = [m for m in CONTENT_MEASURES if match.has(m)]
    parsed = ParsedFile("tiktok-content", CONTENT_LABEL, PLATFORM, post_measures=tuple(measures),
                        ignored_columns=list(match.unmapped))
    problems = Problems()
    day_first = _day_first(match, "post_time", problems)
    blanks = 0
    for i in range(match.data_start, len(sheet.rows)):
        row = sheet.rows[i]
        if is_blank(row):
            blanks += 1
            continue
        parsed.rows_read += 1
        link = _text(match.get(row, "link"))
        found = _LINK.match(link)
        if found is None:
            problems.add(sheet, i, match.header_of("link"), link or None,
                         "the video's link https://www.tiktok.com/@<account>/video/<id>")
        stamp = problems.read(parse_datetime, match.get(row, "post_time"), sheet, i, match.header_of("post_time"),
                              day_first=day_first)
        figures = {m: problems.read(parse_count, match.get(row, m), sheet, i, match.header_of(m)) for m in measures}
        if found is None or stamp is None:
            continue
        naive, offset = stamp
        title = next((line.strip() for line in _text(match.get(row, "title")).splitlines() if line.strip()), None)
        parsed.posts.append(Post(
            ACCOUNT, found["id"], naive - offset if offset is not None else naive, post_type=found["kind"],
            title=title, permalink=link, source_row=sheet.row_numbers[i], **figures,
        ))
    problems.raise_if_any(source.name, CONTENT_LABEL)
    parsed.notes.append("TikTok's 'Post time' has no time zone; taken as UTC")
    if blanks:
        parsed.notes.append(f"skipped {blanks} blank row(s)")
    days = [p.published_at.date() for p in parsed.posts]
    if options.period is not None:
        parsed.post_coverage[ACCOUNT] = options.period
    elif days:
        parsed.post_coverage[ACCOUNT] = (min(days), max(days))
        parsed.notes.append(
            f"the file does not say which dates it covers: taken as the first to the last post day, "
            f"{min(days)} to {max(days)}; give the exported range to count days without posts at the ends"
        )
    else:
        raise NeedsInputError(source.name, "period", "this TikTok content export has no videos and does not say "
                              "which dates it covers; give the date range you exported")
    return parsed


detect_overview = _detector(OVERVIEW_ALIASES, {"date", "video_views", "profile_visits", "net_followers"})
detect_followers = _detector(FOLLOWERS_ALIASES, {"date", "new_followers", "followers"})
detect_content = _detector(CONTENT_ALIASES, {"link", "post_time", "video_views"})

FORMATS: tuple[Format, ...] = (
    Format("tiktok-overview", OVERVIEW_LABEL, detect_overview, parse_overview),
    Format("tiktok-followers", FOLLOWERS_LABEL, detect_followers, parse_followers),
    Format("tiktok-content", CONTENT_LABEL, detect_content, parse_content),
)
NOT_PAGE_METRICS: tuple[NotPageMetrics, ...] = ()
