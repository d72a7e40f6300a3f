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

from ...errors import Joined, Message, Number
from ..base import Format, NotPageMetrics, Problems
from ..headers import Aliases, HeaderMatch, first_table
from ..model import AccountRef, ParsedFile, ParseOptions, Post, SourceFile
from ..posts import cover_posts
from ..rows import column_day_first, data_rows, read_counts, read_series, store_days
from ..values import as_utc, cell_text, first_line, parse_datetime

PLATFORM = "tiktok"
ACCOUNT = AccountRef(PLATFORM)

OVERVIEW_LABEL = Message("format.tiktok_overview")
FOLLOWERS_LABEL = Message("format.tiktok_followers")
CONTENT_LABEL = Message("format.tiktok_content")

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

_LINK = re.compile(r"^https?://(?:www\.|m\.)?tiktok\.com/@[^/\s]+/(?P<kind>video|photo)/(?P<id>\d+)")


# -- daily files -------------------------------------------------------------------------------
def detect_overview(source: SourceFile) -> HeaderMatch | None:
    return first_table(source, OVERVIEW_ALIASES, {"date", "video_views", "profile_visits", "net_followers"})


def detect_followers(source: SourceFile) -> HeaderMatch | None:
    return first_table(source, FOLLOWERS_ALIASES, {"date", "new_followers", "followers"})


def parse_overview(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    parsed = ParsedFile("tiktok-overview", OVERVIEW_LABEL, PLATFORM, ignored_columns=list(match.unmapped))
    days = read_series(source.name, [match], OVERVIEW_ALIASES, parsed, repeats=True)
    mismatches: list[Message] = []
    for day in days:
        lost = day.figures.pop("lost_followers", None)
        gained, net = day.figures.get("new_followers"), day.figures.get("net_followers")
        if None not in (lost, gained, net) and net != gained - lost:
            mismatches.append(Message("note.tiktok_net_growth_day", day=day.day, row=day.row, gained=gained,
                                      lost=lost, net=net))
    store_days(parsed, ACCOUNT, days)
    if mismatches:
        parsed.notes.append(Message("note.tiktok_net_growth", count=Number(len(mismatches)),
                                    days=Joined(mismatches[:10]), more=" …" if len(mismatches) > 10 else ""))
    return parsed


def parse_followers(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    parsed = ParsedFile("tiktok-followers", FOLLOWERS_LABEL, PLATFORM, ignored_columns=list(match.unmapped))
    days = read_series(source.name, [match], FOLLOWERS_ALIASES, parsed, repeats=True)
    store_days(parsed, ACCOUNT, days)
    if all(day.figures.get("followers") is None for day in days):
        parsed.notes.append(Message("note.tiktok_no_followers"))
    return parsed


# -- content -----------------------------------------------------------------------------------
def detect_content(source: SourceFile) -> HeaderMatch | None:
    return first_table(source, CONTENT_ALIASES, {"link", "post_time", "video_views"})


def parse_content(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    sheet = match.sheet
    measures = [m for m in CONTENT_MEASURES if match.has(m)]
    parsed = ParsedFile("tiktok-content", CONTENT_LABEL, PLATFORM, post_measures=tuple(measures),
                        ignored_columns=list(match.unmapped))
    problems = Problems()
    day_first = column_day_first(match, "post_time", problems)
    for i, row in data_rows(match, parsed):
        link = cell_text(match.get(row, "link"))
        found = _LINK.match(link)
        if found is None:
            problems.add(sheet, i, match.header_of("link"), link or None, "expected.tiktok_link")
        stamp = problems.read(parse_datetime, match.get(row, "post_time"), sheet, i, match.header_of("post_time"),
                              day_first=day_first)
        figures = read_counts(match, row, i, measures, problems)
        if found is None or stamp is None:
            continue
        parsed.posts.append(Post(
            ACCOUNT, found["id"], as_utc(*stamp), post_type=found["kind"],
            title=first_line(match.get(row, "title")), permalink=link, source_row=sheet.row_numbers[i], **figures,
        ))
    problems.raise_if_any(source.name, CONTENT_LABEL)
    parsed.notes.append(Message("note.tiktok_utc"))
    cover_posts(parsed, source.name, options, accounts=[ACCOUNT])
    return parsed


FORMATS: tuple[Format, ...] = (
    Format("tiktok-overview", OVERVIEW_LABEL, detect_overview, parse_overview),
    Format("tiktok-followers", FOLLOWERS_LABEL, detect_followers, parse_followers),
    Format("tiktok-content", CONTENT_LABEL, detect_content, parse_content),
)
NOT_PAGE_METRICS: tuple[NotPageMetrics, ...] = ()
