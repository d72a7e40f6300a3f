"""Where the figures of a view came from: the imports that supplied them, and whether they are real.

Every stored value names its import (docs/data-model.md); demo data is an import with
`is_demo = true`. A view reads an organisation's real pages where it has any and its demo pages
otherwise (`query.py`, rule 4), so the same rule picks the accounts here. The note lists the
imports whose values lie in the view's window (the periods shown, plus the period before the
first, which follower change reads), and "data as of": the last day of those values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .. import i18n
from ..periods import Period
from ..store import Store

# How many imports a note names before it says "and N more": a footnote must stay one line or two.
NAMED_IMPORTS = 4

_SOURCES_SQL = """
WITH shown AS (
    SELECT a.account_id FROM accounts a
    WHERE a.platform = $platform AND list_contains($ids, a.organisation_id)
      AND (NOT a.is_demo OR NOT EXISTS (
          SELECT 1 FROM accounts r WHERE r.organisation_id = a.organisation_id
          AND r.platform = a.platform AND NOT r.is_demo))
), used AS (
    SELECT v.import_id, max(v.period_end) AS last_day
    FROM period_values v JOIN shown USING (account_id)
    WHERE v.period_start >= $start AND v.period_end <= $end
    GROUP BY v.import_id
    UNION ALL
    SELECT d.import_id, max(d.day) AS last_day
    FROM account_daily d JOIN shown USING (account_id)
    WHERE d.day BETWEEN $start AND $end
    GROUP BY d.import_id
)
SELECT i.import_id, i.source_kind, i.file_name, i.is_demo, i.created_at, max(u.last_day)
FROM used u JOIN imports i USING (import_id)
GROUP BY i.import_id, i.source_kind, i.file_name, i.is_demo, i.created_at
ORDER BY i.import_id
"""


@dataclass(frozen=True)
class ImportRef:
    import_id: int
    source_kind: str  # upload, manual, demo
    file_name: str | None
    is_demo: bool
    created: date
    last_day: date


@dataclass(frozen=True)
class SourceNote:
    imports: tuple[ImportRef, ...] = ()
    shows_demo: bool = False  # the view shows demo rows (also said when no import row was found)
    data_as_of: date | None = None

    @property
    def has_demo(self) -> bool:
        return self.shows_demo or any(i.is_demo for i in self.imports)

    @property
    def has_real(self) -> bool:
        return any(not i.is_demo for i in self.imports)

    def text(self, lang: str, *, named: int = NAMED_IMPORTS, with_files: bool = True) -> str:
        """`Source: real data: import 12, posts.csv, 4 Oct 2025; synthetic demo data: import 2, 1 Jan 2026.
        Data as of 30 Sep 2024.` `with_files=False` leaves file names out (slide footnotes)."""
        parts = []
        for demo in (False, True):
            refs = [i for i in self.imports if i.is_demo == demo]
            if not refs and not (demo and self.shows_demo):
                continue
            kind = i18n.text("word.synthetic" if demo else "report.source.real", lang)
            items = [_describe(ref, lang, with_files) for ref in refs[:named]]
            if len(refs) > named:
                items.append(i18n.text("report.source.more", lang, count=len(refs) - named))
            parts.append(f"{kind}: {', '.join(items)}" if items else kind)
        body = "; ".join(parts) if parts else i18n.text("report.source.none", lang)
        note = f"{i18n.text('report.source.label', lang)}: {body}."
        if self.data_as_of is not None:
            note += " " + i18n.text("report.data_as_of", lang, date=i18n.format_date(self.data_as_of, lang)) + "."
        return note


def _describe(ref: ImportRef, lang: str, with_files: bool) -> str:
    when = i18n.format_date(ref.created, lang)
    if with_files and ref.file_name:
        return i18n.text("report.source.import_file", lang, id=ref.import_id, file=ref.file_name, date=when)
    return i18n.text("report.source.import", lang, id=ref.import_id, date=when)


def source_note(store: Store, organisation_ids: Iterable[int], platform: str, periods: Sequence[Period],
                shows_demo: bool) -> SourceNote:
    """The imports behind a view of these organisations on one platform over these periods."""
    ids = sorted({int(i) for i in organisation_ids})
    if not ids or not periods:
        return SourceNote(shows_demo=shows_demo)
    start = min(p.previous().start for p in periods)
    end = max(p.end for p in periods)
    rows = store.rows(_SOURCES_SQL, {"platform": platform, "ids": ids, "start": start, "end": end})
    refs = tuple(
        ImportRef(int(import_id), kind, file_name, bool(is_demo), _day(created), _day(last_day))
        for import_id, kind, file_name, is_demo, created, last_day in rows
    )
    as_of = max((r.last_day for r in refs), default=None)
    return SourceNote(refs, shows_demo, as_of)


def merge(notes: Iterable[SourceNote]) -> SourceNote:
    """One note for several views (a deck's title slide)."""
    notes = list(notes)
    refs = {r.import_id: r for note in notes for r in note.imports}
    days = [n.data_as_of for n in notes if n.data_as_of is not None]
    return SourceNote(tuple(refs[i] for i in sorted(refs)), any(n.shows_demo for n in notes),
                      max(days) if days else None)


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value

