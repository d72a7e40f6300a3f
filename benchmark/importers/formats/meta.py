"""Meta Business Suite (Facebook and Instagram) exports.

Research: `export_formats.md` §0, §1a–§1c, §2.

Page metrics come from two exports, each in its own module:

* `meta-posts` (`meta_posts.py`): Insights → Content → Export, one row per
  post with its lifetime reactions, comments, shares, views, reach … (§1a, §2a).
* `meta-series` (`meta_series.py`): a chart's Export under Insights →
  Results/Overview, one metric per file and one row per day: reach (or
  "viewers"), follows, views, visits, link clicks, content interactions (§1c).

Recognised but refused, with advice on what to export instead
(`NOT_PAGE_METRICS`):

* the Audience export (`Age & gender`, `Top countries`, `Top cities` blocks of
  percentages), as downloaded (UTF-16) and as re-saved by Excel (§1c);
* `Top content formats` (totals per content format for the whole period, no days);
* the Video content export (§1b): one row per video *asset* with its own IDs
  (`Video asset ID`), not the post IDs of the post export, so importing it
  beside the post export would count the same videos twice; video posts and
  their 3-second views are in the post export already.

A video export whose lines were wrapped into single quoted cells by some tool
is refused earlier, when the file is read.
"""

from __future__ import annotations

from ...errors import Message
from ..base import Format, NotPageMetrics
from ..headers import find_header, is_blank, normalise_header
from ..model import Cell, SourceFile
from . import meta_posts, meta_series
from .meta_posts import POSTS_FORMAT
from .meta_series import SERIES_FORMAT

# The modules whose docstrings docs/importers.md shows under this family.
PARTS = (meta_posts, meta_series)

FORMATS: tuple[Format, ...] = (POSTS_FORMAT, SERIES_FORMAT)

_WHERE_PAGE_METRICS = Message("advice.meta_page_metrics")

# Block titles of the Audience export. Nordic titles not seen yet (research §1c).
AUDIENCE_BLOCKS = frozenset(normalise_header(t) for t in (
    "Age & gender", "Top countries", "Top cities", "Top towns/cities",
))
# Top content formats: block titles, then a row of content-format names (as seen in §1c's sample).
CONTENT_FORMAT_BLOCKS = frozenset(normalise_header(t) for t in (
    "Views", "Content interactions", "Published content",
))
CONTENT_FORMAT_NAMES = frozenset(normalise_header(t) for t in (
    "Reels", "Multi-photo", "Links", "Photos", "Others", "Text", "Stories",
))
_SCAN_ROWS = 12


def _cells(row: list[Cell]) -> list[str]:
    return [normalise_header(c) for c in row if normalise_header(c)]


def _single_cells(source: SourceFile) -> list[tuple[list[list[Cell]], int]]:
    """(rows, index) of the rows among the first few that hold exactly one non-empty cell."""
    found = []
    for sheet in source.sheets:
        for index, row in enumerate(sheet.rows[:_SCAN_ROWS]):
            if len(_cells(row)) == 1:
                found.append((sheet.rows, index))
    return found


def _is_audience(source: SourceFile) -> bool:
    for rows, index in _single_cells(source):
        title = _cells(rows[index])[0]
        if title in AUDIENCE_BLOCKS:
            return True
    return False


def _is_top_content_formats(source: SourceFile) -> bool:
    for rows, index in _single_cells(source):
        if _cells(rows[index])[0] not in CONTENT_FORMAT_BLOCKS or index + 1 >= len(rows):
            continue
        below = rows[index + 1]
        names = _cells(below)
        if not is_blank(below) and len(names) >= 2 and set(names) <= CONTENT_FORMAT_NAMES:
            return True
    return False


_VIDEO_ALIASES = {
    "video_asset_id": ("Video asset ID",),
    "universal_video_id": ("Universal video ID",),
    "publish_time": ("Publish time", "Publiceringstid"),
}


def _is_video_export(source: SourceFile) -> bool:
    return any(
        find_header(sheet, _VIDEO_ALIASES, frozenset({"video_asset_id", "publish_time"})) is not None
        for sheet in source.sheets
    )


NOT_PAGE_METRICS: tuple[NotPageMetrics, ...] = (
    NotPageMetrics(
        "meta-audience",
        Message("format.meta_audience"),
        _is_audience,
        Message("advice.meta_audience", where=_WHERE_PAGE_METRICS),
    ),
    NotPageMetrics(
        "meta-top-content-formats",
        Message("format.meta_top_content_formats"),
        _is_top_content_formats,
        Message("advice.meta_top_content_formats", where=_WHERE_PAGE_METRICS),
    ),
    NotPageMetrics(
        "meta-video-export",
        Message("format.meta_video_export"),
        _is_video_export,
        Message("advice.meta_video_export", where=_WHERE_PAGE_METRICS),
    ),
)
