"""YouTube Studio exports: advanced mode → Export → a ZIP with three CSVs (research §4, §0.8).

None of the three files names the channel: every value goes to `AccountRef("youtube")`, the
channel the analyst picks in the upload form. Files are UTF-8, comma, LF as exported; Excel
re-saves (semicolon, local code page, `13-06-2025` dates, `1 234` counts, .xlsx) read the same.
Columns are the metrics ticked on screen, so each is optional and found by name. Studio's
headers in other UI languages are not known yet (research §4 [UNVERIFIED]): the alias tables
below hold the English names only, with a slot for the Nordic ones.

**Totals.csv** (`youtube-totals`) — `Date,<metric>…`, one row per day for the whole channel
(ISO dates, or `dd-mm-yyyy` after an Excel re-save). Daily values:

* `Views` → video_views
* `Subscribers` → net_followers (subscribers gained − lost that day; may be negative)
* `Subscribers gained` → new_followers
* `Impressions` → views (thumbnail impressions)
* `Likes` → reactions, `Comments added` → comments, `Shares` → shares (Studio metric names
  that no sample shows yet; listed so that a Totals export with them is not half-read)

A blank cell is unknown, not 0. Watch time, click-through rate, revenue and the other
Studio metrics are listed as ignored columns. A Totals file holding none of the metrics above
(e.g. only `Stayed to watch (%)`) is rejected with a message saying which to tick.

**Table data.csv** (`youtube-table`) — `Content, Video title, Video publish time, Duration,
<metrics>`: one row per video *that had views in the date range selected in Studio*, plus a
first row `Total` = the channel's total for that range (more than the sum of the video rows:
Studio lists at most some hundreds of videos). The file does not say which range it covers, so
the analyst must give it (`options.period`); without it the import stops and asks
(`NeedsInputError`, field "period"). The `Total` row becomes period values over exactly that
range (video_views, net_followers, new_followers, views, reactions, comments, shares as in
Totals). Each video row becomes a `Post` (post_id = `Content`, the video id, trimmed: Studio
writes ` -i5vAKwX_bY` with a leading space for ids starting with `-`; published_at = the
`Video publish time` date, e.g. `Sep 27, 2024`, at 00:00 UTC because the file has no time of
day; title; permalink `https://www.youtube.com/watch?v=<id>`; same metric columns), as detail
only: the rows are videos watched in the range, not videos published in it, so the file sets
no post coverage and no post measures (they must not turn into posts per day). Videos with an
empty publish time (private/unlisted) are not stored as posts; a note says how many.

**Chart data.csv** (`youtube-chart`, recognised but not imported) — `Date, Content, Video
title, Video publish time, Duration, <one metric>`, one row per day × video. It holds only
the videos drawn in the Studio chart: in the sample (one channel, 365 days) there are 5 videos,
no `Total` or channel row, and their daily views add up to 48 473 while that channel's
Totals.csv from the same ZIP says 181 588 (352 of 365 days differ). A per-day sum over its rows
is therefore a partial sum, never the channel total, so the file is turned away with advice to
upload Totals.csv (daily channel figures) and Table data.csv (per video) instead.
"""

from __future__ import annotations

import re
from datetime import datetime, time

from ...errors import Message, Number, quoted
from ..base import Format, NotPageMetrics, Problems, rejected
from ..headers import Aliases, HeaderMatch, find_header, normalise_header
from ..model import (
    AccountRef,
    NeedsInputError,
    ParsedFile,
    ParseOptions,
    PeriodValue,
    Post,
    SourceFile,
)
from ..rows import data_rows, read_counts, read_series, store_days
from ..values import cell_text, is_missing, parse_date

PLATFORM = "youtube"
ACCOUNT = AccountRef(PLATFORM)

TOTALS_LABEL = Message("format.youtube_totals")
TABLE_LABEL = Message("format.youtube_table")
CHART_LABEL = Message("format.youtube_chart")

# Studio metric columns we store; measure id -> headers.
# Danish/Norwegian/Finnish/Swedish Studio names: not collected yet (research §4) — add here.
METRIC_ALIASES: Aliases = {
    "video_views": ("Views",),
    "net_followers": ("Subscribers",),
    "new_followers": ("Subscribers gained",),
    "views": ("Impressions",),
    "reactions": ("Likes",),
    "comments": ("Comments added",),
    "shares": ("Shares",),
}

# Other Studio metric names, recognised so that a `Date,<metrics>` file can be told to be a
# Totals.csv (and not some other two-column date series) without looking at its name.
OTHER_STUDIO_METRICS = frozenset(
    normalise_header(name)
    for name in (
        "Watch time (hours)", "Impressions click-through rate (%)", "Stayed to watch (%)",
        "Unique viewers", "Average views per viewer", "New viewers", "Returning viewers",
        "Casual viewers", "Engaged views", "Average view duration", "Average percentage viewed (%)",
        "Subscribers lost", "Dislikes", "Monthly audience", "28-day new viewers",
        "28-day casual viewers", "28-day regular viewers",
    )
)
_MONEY_METRIC = re.compile(r"^(estimated (ad )?revenue|rpm|cpm|playback-based cpm) \([a-z]{3}\)$")

DATE_ALIASES: Aliases = {"date": ("Date",)}  # Nordic: not collected yet
VIDEO_ALIASES: Aliases = {
    "content": ("Content",),
    "title": ("Video title",),
    "published": ("Video publish time",),
    "duration": ("Duration",),
}
TOTAL_LABELS = frozenset({"total"})  # the `Content` of the channel-total row

TOTALS_FIELDS: Aliases = {**DATE_ALIASES, **METRIC_ALIASES}
TABLE_FIELDS: Aliases = {**DATE_ALIASES, **VIDEO_ALIASES, **METRIC_ALIASES}


def _is_studio_metric(header: str) -> bool:
    key = normalise_header(header)
    return key in OTHER_STUDIO_METRICS or bool(_MONEY_METRIC.match(key))


# -- Totals.csv ------------------------------------------------------------------------
def detect_totals(source: SourceFile) -> HeaderMatch | None:
    for sheet in source.sheets:
        match = find_header(sheet, TOTALS_FIELDS, {"date"}, scan_rows=1)
        if match is None or len(match.columns["date"]) != 1 or sum(1 for h in match.headers if h) < 2:
            continue
        # Every column besides the date must be a Studio metric: `Date,Primary` (Meta),
        # `Date,Tweets published,…` (X) and `Date,Video views,…` (TikTok) all fail here.
        if all(_is_studio_metric(h) for h in match.unmapped):
            return match
    return None


def parse_totals(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    measures = [m for m in METRIC_ALIASES if match.has(m)]
    if not measures:
        wanted = quoted(names[0] for names in METRIC_ALIASES.values())
        has = quoted(match.unmapped) or Message("expected.youtube_no_metric_column")
        raise rejected(source.name, TOTALS_LABEL, "expected.youtube_metrics", wanted=wanted, has=has)
    parsed = ParsedFile("youtube-totals", TOTALS_LABEL, PLATFORM, ignored_columns=list(match.unmapped))
    store_days(parsed, ACCOUNT, read_series(source.name, [match], measures, parsed, repeats=True))
    return parsed


# -- Table data.csv --------------------------------------------------------------------
def detect_table(source: SourceFile) -> HeaderMatch | None:
    for sheet in source.sheets:
        match = find_header(sheet, TABLE_FIELDS, {"content", "title", "published"})
        if match is not None and not match.has("date"):
            return match
    return None


def parse_table(source: SourceFile, match: HeaderMatch, options: ParseOptions) -> ParsedFile:
    sheet = match.sheet
    measures = [m for m in METRIC_ALIASES if match.has(m)]
    problems = Problems()
    ignored = [match.header_of("duration")] if match.has("duration") else []
    parsed = ParsedFile("youtube-table", TABLE_LABEL, PLATFORM, ignored_columns=ignored + list(match.unmapped))
    total: tuple[int, dict[str, int]] | None = None
    unpublished = 0
    for i, row in data_rows(match, parsed):
        figures = read_counts(match, row, i, measures, problems)
        content = cell_text(match.get(row, "content"))
        if normalise_header(content) in TOTAL_LABELS:
            if total is not None:
                problems.add(sheet, i, match.header_of("content"), content, "expected.youtube_one_total",
                             where=sheet.where(total[0]))
            total = (i, {m: v for m, v in figures.items() if v is not None})
            parsed.notes.append(Message("note.youtube_total_row", where=sheet.where(i)))
            continue
        if not content:
            problems.add(sheet, i, match.header_of("content"), None, "expected.video_id")
            continue
        published_cell = match.get(row, "published")
        if is_missing(published_cell):
            unpublished += 1
            continue
        day = problems.read(parse_date, published_cell, sheet, i, match.header_of("published"))
        if day is None:
            continue
        parsed.posts.append(Post(
            ACCOUNT, content, datetime.combine(day, time()), post_type="video",
            title=cell_text(match.get(row, "title")) or None,
            permalink=f"https://www.youtube.com/watch?v={content}",
            reactions=figures.get("reactions"), comments=figures.get("comments"), shares=figures.get("shares"),
            views=figures.get("views"), video_views=figures.get("video_views"), source_row=sheet.row_numbers[i],
        ))
    problems.raise_if_any(source.name, TABLE_LABEL)
    if not parsed.rows_read:
        raise rejected(source.name, TABLE_LABEL, "expected.youtube_rows")
    if total is not None:
        if options.period is None:
            raise NeedsInputError(source.name, "period", "needs.period_youtube_table")
        start, end = options.period
        index, values = total
        parsed.values = [
            PeriodValue(ACCOUNT, m, start, end, v, sheet.row_numbers[index]) for m, v in values.items()
        ]
    else:
        parsed.notes.append(Message("note.youtube_no_total"))
    if unpublished:
        parsed.notes.append(Message("note.youtube_unpublished", count=Number(unpublished)))
    parsed.notes.append(Message("note.youtube_videos_detail"))
    return parsed


# -- Chart data.csv --------------------------------------------------------------------
def detect_chart(source: SourceFile) -> bool:
    return any(
        find_header(sheet, TABLE_FIELDS, {"date", "content", "title", "published"}) is not None
        for sheet in source.sheets
    )


FORMATS: tuple[Format, ...] = (
    Format("youtube-totals", TOTALS_LABEL, detect_totals, parse_totals),
    Format("youtube-table", TABLE_LABEL, detect_table, parse_table),
)
NOT_PAGE_METRICS: tuple[NotPageMetrics, ...] = (
    NotPageMetrics(
        "youtube-chart", CHART_LABEL, detect_chart, Message("advice.youtube_chart"),
    ),
)
