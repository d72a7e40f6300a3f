"""What a file name may tell: whose export it is and the date range it covers, as hints only.

Platforms name their downloads after the page and the exported range
(`Facebook Insights Data Export - <Page> - <start> - <end>.csv`,
`<page>_content_<epoch-ms>.xlsx`, `tweet_activity_metrics_<handle>_<start>_<end>_en.csv`,
`Jan-14-2025_Apr-14-2025_<id>.csv`). A name is never used to detect a format,
and a range from a name is used only when the file's own rows fit in it
(`posts.cover_posts`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import PurePath


def file_name(name: str) -> str:
    """The file's own name, without the folders an upload may carry (with `/` or `\\`)."""
    return PurePath(name.replace("\\", "/")).name


def name_range(start: str, end: str, read: Callable[[str], date], *,
               end_exclusive: bool = False) -> tuple[date, date] | None:
    """(first day, last day) from the two dates of a name, or None when they are no range.

    `read` turns each part into a date (raising ValueError when it cannot);
    `end_exclusive` for names whose end is the first day after the range.
    """
    try:
        first, last = read(start), read(end)
    except ValueError:
        return None
    if end_exclusive:
        last -= timedelta(days=1)
    return (first, last) if first <= last else None
