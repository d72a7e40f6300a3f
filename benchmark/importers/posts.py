"""The days a post export covers, so that days without posts count as 0 posts.

A post-level file lists posts, not days: which days it covers decides where
"no posts" means 0 and where it means unknown. In this order:

1. the range the file name gives (`file_names`), used only when every post's
   publication day falls inside it, otherwise a note says why it was not used;
2. the period the analyst gives in the upload form (`ParseOptions.period`);
3. the first to the last post day, with a note (the days before the first and
   after the last post stay unknown); a file without posts then asks the
   analyst for the period (`NeedsInputError`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from ..errors import Message, Number
from .model import AccountRef, NeedsInputError, ParsedFile, ParseOptions


def cover_posts(parsed: ParsedFile, file_name: str, options: ParseOptions, *,
                named: tuple[date, date] | None = None, days: Iterable[date] | None = None, slack: int = 0,
                each_account: bool = False, accounts: Iterable[AccountRef] = (), what: str = "post") -> None:
    """Set `parsed.post_coverage` for every account of the posts (or `accounts` when there are none).

    `days` are the publication days checked against the `named` range (default:
    the UTC day of each post), with `slack` days either side. With
    `each_account`, the fallback runs from each account's own first to last
    post; otherwise every account gets the file's first to last post day.
    `what` names the posts in notes ("tweet", "video").
    """
    by_account: dict[AccountRef, list[date]] = {}
    for post in parsed.posts:
        by_account.setdefault(post.account, []).append(post.published_at.date())
    covered = list(by_account) or list(accounts)
    if named is not None:
        checked = [d for ds in by_account.values() for d in ds] if days is None else list(days)
        margin = timedelta(days=slack)
        outside = [d for d in checked if not named[0] - margin <= d <= named[1] + margin]
        if not outside:
            parsed.post_coverage.update(dict.fromkeys(covered, named))
            parsed.notes.append(Message("note.name_range_used", start=named[0], end=named[1]))
            return
        parsed.notes.append(Message(f"note.name_range_outside.{what}", start=named[0], end=named[1],
                                    count=Number(len(outside)), example=min(outside)))
    if options.period is not None:
        parsed.post_coverage.update(dict.fromkeys(covered, options.period))
        return
    if not by_account:
        raise NeedsInputError(file_name, "period", f"needs.period_no_{what}s", format_label=parsed.format_label)
    if each_account:
        for account, account_days in by_account.items():
            parsed.post_coverage[account] = (min(account_days), max(account_days))
        parsed.notes.append(Message(f"note.each_account_range.{what}"))
        return
    every = [d for ds in by_account.values() for d in ds]
    parsed.post_coverage.update(dict.fromkeys(by_account, (min(every), max(every))))
    parsed.notes.append(Message(f"note.first_last_range.{what}", start=min(every), end=max(every)))
