"""X / Twitter exports (research §5, §0.3, §0.8): two legacy analytics.twitter.com files and the
current X Premium account overview.

Headers are English; the legacy `_ja` file-name suffix shows other languages existed, but their
headers are unknown [UNVERIFIED] — add them to the alias tables when a file shows them (no Nordic
versions are known either). Excel re-saves (semicolon, local code page, `1 234` counts, .xlsx)
read the same.

**Tweet activity** (`x-tweets`, `tweet_activity_metrics_<handle>_<YYYYMMDD>_<YYYYMMDD>_<lang>.csv`,
every field quoted, multi-line tweet texts, counts sometimes as `2633.0`, promoted columns `-`):
one `Post` per row, for the account `@<handle>` taken from `Tweet permalink`
(`https://twitter.com/<handle>/status/<id>`):

* `Tweet id` → post_id (taken from the permalink when a spreadsheet has rounded the 19-digit id
  into a number such as `1.09112E+18`; a permalink naming another id is an error)
* `time` (`2019-01-31 23:32 +0000`) → published_at, converted to UTC with the offset it carries
  (a time without an offset is taken as UTC, and a note says so)
* `Tweet permalink` → permalink; first non-empty line of `Tweet text` → title
* `likes` → reactions, `replies` → comments, `retweets` → shares, `impressions` → views,
  `url clicks` → link_clicks, `media views` → video_views (X counts views of all media here:
  videos, GIFs and images)

Organic figures only: the `promoted …` columns are ignored (listed as ignored columns), as are
engagements, engagement rate and the other click counts. The posts count per publication day
over the days the export covers: the range in the file name when it parses — its end date is
the first day *after* the range (the sample `…_20190101_20190201_en.csv` holds January tweets,
and the daily file `…_20210801_20210901_en.csv` has exactly the 31 days of August) and the name
is used only if every tweet falls inside it — else the period the analyst gives, else the first
to the last tweet day (with a note).

**Daily tweet activity** (`x-daily`, `daily_tweet_activity_metrics_<handle>_…_<lang>.csv`,
`Date` = `2021-08-01`): one-day values for the account named in the upload form (the file does
not say whose it is): `Tweets published` → posts, `impressions` → views, `likes` → reactions,
`replies` → comments, `retweets` → shares, `url clicks` → link_clicks, `user profile clicks` →
profile_visits, `media views` → video_views. Also read from a workbook into which these rows
were pasted, one sheet per month (dates then are Excel serial numbers): every sheet with this
header is read; a day found twice with the same figures is read once (with a note), a day found
twice with different figures rejects the file, naming both places.

**Account overview** (`x-overview`, X Premium `account_overview_analytics.csv`, `Date` =
`Sat, Sep 6, 2025`, newest first): one-day values for the account named in the upload form:
`Impressions` → views, `Likes` → reactions, `Replies` → comments, `Reposts` → shares,
`New follows` → new_followers, `New follows` − `Unfollows` → net_followers (only when both are
given), `Profile visits` → profile_visits, `Create Post` → posts, `Video views` → video_views.
X's `Shares` column (a post sent by DM, copied link or another app) is ignored, not added to
shares: the legacy exports have no such count, and `benchmark.metrics` defines X engagements as
likes + replies + reposts, so adding it would break comparisons over time and across platforms.
`Engagements`, `Bookmarks` and `Media views` are ignored too.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from ...errors import Message, Number
from ..base import Format, NotPageMetrics, Problems
from ..file_names import file_name, name_range
from ..headers import Aliases, HeaderMatch, find_header, first_table, is_blank
from ..model import AccountRef, ParsedFile, ParseOptions, Post, SourceFile
from ..posts import cover_posts
from ..rows import data_rows, read_counts, read_series, store_days
from ..values import as_utc, cell_text, first_line, parse_datetime

PLATFORM = "x"
ACCOUNT = AccountRef(PLATFORM)

TWEETS_LABEL = Message("format.x_tweets")
DAILY_LABEL = Message("format.x_daily")
OVERVIEW_LABEL = Message("format.x_overview")

# Other languages of the legacy exports (`_ja`, …) and any Nordic ones: not collected yet.
TWEET_ALIASES: Aliases = {
    "tweet_id": ("Tweet id",),
    "permalink": ("Tweet permalink",),
    "text": ("Tweet text",),
    "time": ("time",),
    "reactions": ("likes",),
    "comments": ("replies",),
    "shares": ("retweets",),
    "views": ("impressions",),
    "link_clicks": ("url clicks",),
    "video_views": ("media views",),
}
TWEET_MEASURES = ("reactions", "comments", "shares", "views", "link_clicks", "video_views")

DAILY_ALIASES: Aliases = {
    "date": ("Date",),
    "posts": ("Tweets published",),
    "views": ("impressions",),
    "reactions": ("likes",),
    "comments": ("replies",),
    "shares": ("retweets",),
    "link_clicks": ("url clicks",),
    "profile_visits": ("user profile clicks",),
    "video_views": ("media views",),
}

OVERVIEW_ALIASES: Aliases = {
    "date": ("Date",),
    "views": ("Impressions",),
    "reactions": ("Likes",),
    "comments": ("Replies",),
    "shares": ("Reposts",),
    "new_followers": ("New follows",),
    "unfollows": ("Unfollows",),
    "profile_visits": ("Profile visits",),
    "posts": ("Create Post",),
    "video_views": ("Video views",),
}

_PERMALINK = re.compile(r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?P<handle>\w+)/status(?:es)?/(?P<id>\d+)")
_DIGITS = re.compile(r"^\d+$")
_FILE_RANGE = re.compile(
    r"^tweet_activity_metrics_(?P<handle>\w+?)_(?P<start>\d{8})_(?P<end>\d{8})_[a-z]{2}\w*"
    r"(?: ?\(\d+\))?\.(?:csv|xlsx|xls)$",
    re.IGNORECASE,
)


# -- tweet activity --------------------------------------------------------------------
def detect_tweets(source: SourceFile) -> HeaderMatch | None:
    return first_table(source, TWEET_ALIASES, {"tweet_id", "permalink", "time"})


def parse_tweets(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    sheet = match.sheet
    measures = [m for m in TWEET_MEASURES if match.has(m)]
    parsed = ParsedFile("x-tweets", TWEETS_LABEL, PLATFORM, post_measures=tuple(measures),
                        ignored_columns=list(match.unmapped))
    problems = Problems()
    ids_from_links = no_offset = 0
    for i, row in data_rows(match, parsed):
        permalink = cell_text(match.get(row, "permalink"))
        link = _PERMALINK.match(permalink)
        if link is None:
            problems.add(sheet, i, match.header_of("permalink"), permalink or None, "expected.tweet_link")
        id_cell = match.get(row, "tweet_id")
        tweet_id = cell_text(id_cell)
        if not isinstance(id_cell, str) or not _DIGITS.match(tweet_id):
            # A spreadsheet turns the 19-digit id into a rounded number; the link keeps it exact.
            if link is not None:
                tweet_id = link["id"]
                ids_from_links += 1
            else:
                problems.add(sheet, i, match.header_of("tweet_id"), id_cell, "expected.tweet_id")
        elif link is not None and link["id"] != tweet_id:
            problems.add(sheet, i, match.header_of("tweet_id"), tweet_id, "expected.tweet_id_as_link", id=link["id"])
        stamp = problems.read(parse_datetime, match.get(row, "time"), sheet, i, match.header_of("time"))
        figures = read_counts(match, row, i, measures, problems)
        if stamp is None or link is None:
            continue
        if stamp[1] is None:
            no_offset += 1
        parsed.posts.append(Post(
            AccountRef(PLATFORM, link["handle"]), tweet_id, as_utc(*stamp), title=first_line(match.get(row, "text")),
            permalink=permalink, source_row=sheet.row_numbers[i], **figures,
        ))
    problems.raise_if_any(source.name, TWEETS_LABEL)
    if ids_from_links:
        parsed.notes.append(Message("note.x_ids_from_links", count=Number(ids_from_links)))
    if no_offset:
        parsed.notes.append(Message("note.x_no_offset", count=Number(no_offset)))
    named = range_from_name(source.name)
    cover_posts(parsed, source.name, options, named=named[1:] if named else None, what="tweet",
                accounts=[AccountRef(PLATFORM, named[0]) if named else ACCOUNT])
    return parsed


def range_from_name(name: str) -> tuple[str, date, date] | None:
    """(handle, first day, last day) from a legacy export's name, whose end date is exclusive."""
    found = _FILE_RANGE.match(file_name(name))
    if found is None:
        return None
    span = name_range(found["start"], found["end"], _yyyymmdd, end_exclusive=True)
    return (found["handle"], *span) if span else None


def _yyyymmdd(text: str) -> date:
    return datetime.strptime(text, "%Y%m%d").date()


# -- daily series (legacy daily file, account overview) ------------------------------------
def detect_daily(source: SourceFile) -> tuple[HeaderMatch, ...] | None:
    matches = tuple(
        match for sheet in source.sheets
        if (match := find_header(sheet, DAILY_ALIASES, {"date", "posts", "views"})) is not None
    )
    return matches or None


def parse_daily(source: SourceFile, matches: tuple[HeaderMatch, ...], options: ParseOptions) -> ParsedFile:
    parsed = ParsedFile("x-daily", DAILY_LABEL, PLATFORM,
                        ignored_columns=list(dict.fromkeys(h for m in matches for h in m.unmapped)))
    read = {m.sheet.name for m in matches}
    for sheet in source.sheets:
        if sheet.name not in read and any(not is_blank(r) for r in sheet.rows):
            parsed.notes.append(Message("note.x_sheet_not_read", sheet=sheet.name))
    store_days(parsed, ACCOUNT, read_series(source.name, matches, DAILY_ALIASES, parsed, repeats=True))
    return parsed


def detect_overview(source: SourceFile) -> HeaderMatch | None:
    return first_table(source, OVERVIEW_ALIASES, {"date", "new_followers", "shares", "posts"})


def parse_overview(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    parsed = ParsedFile("x-overview", OVERVIEW_LABEL, PLATFORM, ignored_columns=list(match.unmapped))
    days = read_series(source.name, [match], OVERVIEW_ALIASES, parsed, repeats=True)
    for day in days:
        unfollows = day.figures.pop("unfollows", None)
        follows = day.figures.get("new_followers")
        if follows is not None and unfollows is not None:
            day.figures["net_followers"] = follows - unfollows
    store_days(parsed, ACCOUNT, days)
    return parsed


FORMATS: tuple[Format, ...] = (
    Format("x-tweets", TWEETS_LABEL, detect_tweets, parse_tweets),
    Format("x-daily", DAILY_LABEL, detect_daily, parse_daily),
    Format("x-overview", OVERVIEW_LABEL, detect_overview, parse_overview),
)
NOT_PAGE_METRICS: tuple[NotPageMetrics, ...] = ()
