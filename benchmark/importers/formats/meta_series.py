"""Meta Business Suite chart export (Insights → Results/Overview → a chart's Export): one metric per file.

Research: `export_formats.md` §0.1, §0.7, §0.8, §0.10, §1c, §2b.

Layouts seen:
  * as downloaded: UTF-16LE with BOM, a `sep=,` line (dropped when reading), the
    metric title as a single quoted cell (`"Facebook reach"`), then
    `"Date","Primary"` and one row per day (`"2025-01-01T01:00:00","5"`);
  * re-saved by Excel: `;`, no BOM, title row `Viewers;`, header `Date;Primary`;
  * 2022-era: no title row, the metric is the second header (`Date,New Facebook Page likes`).

A file in the 2022 form is claimed only when its metric header names the
platform (`New Facebook Page likes`): a bare `Date,Views` is also YouTube's.

The title says the metric, and only sometimes the platform (Instagram reach is
titled just `Reach`; `Views` and `Content interactions` exist for both):

  title                                          measure          platform
  `Facebook reach`                               reach            facebook
  `Reach`                                        reach            (asked)
  `Viewers`                                      reach            (asked)   Meta renamed reach to
                                                                            "viewers" in 2025
  `Follows`                                      new_followers    (asked)
  `Facebook follows` / `Instagram follows`       new_followers    facebook / instagram
  `New Facebook Page likes` (2022)               new_followers    facebook
  `Views`                                        views            (asked)
  `Facebook visits`                              profile_visits   facebook
  `Instagram profile visits`                     profile_visits   instagram
  `Facebook link clicks` / `Instagram link clicks`  link_clicks   facebook / instagram
  `Content interactions`                         interactions     (asked)
  `Couverture de la Page Facebook` (2022, French UI)  reach       facebook

Swedish (or other Nordic) titles have not been seen: a file with an unknown
title is refused, naming the title, until it is added to the table above.
The file never names the page: its account is the one chosen in the upload
form (`AccountRef()`), and so is the platform when the title does not say it.

Each row is one Pacific calendar day (the `T00:00:00`/`T01:00:00` time only
follows US daylight saving, §0.7): the date part is taken as is, never
converted. `Primary` is the value of that day; extra comparison columns after
it are ignored. Daily reach is a one-day reach (never summed by us). Some
series leave zero days out (`Instagram follows`, §1c): for additive measures the
days missing between the first and the last row are filled with 0; reach is
never filled. An empty cell is unknown, not 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ...errors import Message, Number, Term, quoted
from ...metrics import ADDITIVE, MEASURES_BY_ID
from ..base import Format
from ..headers import HeaderMatch, is_blank, normalise_header
from ..model import (
    AccountRef,
    Cell,
    ParsedFile,
    ParseOptions,
    PeriodValue,
    Sheet,
    SourceFile,
    UnrecognisedFileError,
)
from ..rows import read_series, store_days
from ..values import cell_text

FORMAT_ID = "meta-series"
FORMAT_LABEL = Message("format.meta_series")

# Chart title → (platform or None when the title does not say it, measure).
TITLES: dict[str, tuple[str | None, str]] = {
    "Facebook reach": ("facebook", "reach"),
    "Reach": (None, "reach"),
    "Viewers": (None, "reach"),
    "Follows": (None, "new_followers"),
    "Facebook follows": ("facebook", "new_followers"),
    "Instagram follows": ("instagram", "new_followers"),
    "New Facebook Page likes": ("facebook", "new_followers"),
    "Views": (None, "views"),
    "Facebook visits": ("facebook", "profile_visits"),
    "Instagram profile visits": ("instagram", "profile_visits"),
    "Facebook link clicks": ("facebook", "link_clicks"),
    "Instagram link clicks": ("instagram", "link_clicks"),
    "Content interactions": (None, "interactions"),
    "Couverture de la Page Facebook": ("facebook", "reach"),
    # Swedish / Danish / Norwegian / Finnish titles: not seen yet (research §1c); add them here.
}
_TITLES = {normalise_header(t): v for t, v in TITLES.items()}
_NAMED_TITLES = frozenset(t for t, (platform, _) in _TITLES.items() if platform)
# The table's headers. Swedish `Datum` is Meta's own word in the Swedish post export (§1a);
# the Nordic word for "Primary" has not been seen.
DATE_HEADERS = frozenset(normalise_header(h) for h in ("Date", "Datum"))
PRIMARY_HEADERS = frozenset(normalise_header(h) for h in ("Primary",))
_SCAN_ROWS = 4


@dataclass(frozen=True)
class SeriesMatch:
    sheet: Sheet
    header_index: int
    date_column: int
    value_column: int  # `Primary`, or the metric header of the 2022 form
    title: str | None  # None: a `Date,Primary` table without a title row


def _cells(row: list[Cell]) -> list[str]:
    return [text for text in map(cell_text, row) if text]


def _is_sep_line(row: list[Cell]) -> bool:
    cells = _cells(row)
    return len(cells) == 1 and normalise_header(cells[0]).startswith("sep=")


def _title_above(sheet: Sheet, header_index: int) -> str | None:
    for row in reversed(sheet.rows[:header_index]):
        if is_blank(row) or _is_sep_line(row):
            continue
        cells = _cells(row)
        return cells[0] if len(cells) == 1 else None
    return None


def _find(row: list[Cell], names: frozenset[str]) -> int | None:
    return next((i for i, c in enumerate(row) if normalise_header(c) in names), None)


def detect(source: SourceFile) -> SeriesMatch | None:
    for sheet in source.sheets:
        for index, row in enumerate(sheet.rows[:_SCAN_ROWS]):
            date_column = _find(row, DATE_HEADERS)
            if date_column is None:
                continue
            primary = _find(row, PRIMARY_HEADERS)
            if primary is not None:
                return SeriesMatch(sheet, index, date_column, primary, _title_above(sheet, index))
            # 2022 form: the metric is the other header. `Date,Views` is also YouTube's Totals
            # export, so only titles that name a Meta platform count here, with nothing around them.
            metric = _find(row, _NAMED_TITLES)
            if metric is not None and len(_cells(row)) == 2 and _title_above(sheet, index) is None:
                return SeriesMatch(sheet, index, date_column, metric, cell_text(row[metric]))
    return None


def parse(source: SourceFile, detected: SeriesMatch, options: ParseOptions) -> ParsedFile:
    sheet, header_index, title = detected.sheet, detected.header_index, detected.title
    date_column, value_column = detected.date_column, detected.value_column
    known = quoted(TITLES)  # Meta's own titles, as the files write them
    if title is None:
        raise UnrecognisedFileError(source.name, "detect.meta_series_no_title", known=known)
    if normalise_header(title) not in _TITLES:
        raise UnrecognisedFileError(source.name, "detect.meta_series_unknown_title", title=title, known=known)
    platform, measure = _TITLES[normalise_header(title)]
    label = Message("format.meta_series_titled", title=title)
    parsed = ParsedFile(FORMAT_ID, label, platform)
    # The file never names the page: the account is the one chosen in the upload form (the
    # platform, when the title says it, is on ParsedFile.platform for the form to check).
    account = AccountRef()
    headers = tuple(map(cell_text, sheet.rows[header_index]))
    value_header = headers[value_column]
    extra = tuple(h for i, h in enumerate(headers) if h and i not in (date_column, value_column))
    if extra:
        parsed.ignored_columns.extend(extra)
        parsed.notes.append(Message("note.meta_series_comparison", column=value_header, columns=", ".join(extra)))
    table = HeaderMatch(sheet, header_index, {"date": (date_column,), measure: (value_column,)}, headers, extra)

    days = sorted(read_series(source.name, [table], [measure], parsed), key=lambda row: row.day)
    store_days(parsed, account, days)
    _fill_gaps(parsed, account, measure, [row.day for row in days])
    missing = sum(1 for row in days if row.figures[measure] is None)
    if missing:
        parsed.notes.append(Message("note.meta_series_missing", count=Number(missing)))
    parsed.notes.append(Message("note.meta_series_pacific_days"))
    return parsed


def _fill_gaps(parsed: ParsedFile, account: AccountRef, measure: str, days: list[date]) -> None:
    """Meta leaves zero days out of some series (Instagram follows): a day without a row had none."""
    present = set(days)
    gaps = [days[0] + timedelta(n) for n in range((days[-1] - days[0]).days + 1)
            if days[0] + timedelta(n) not in present]
    if not gaps:
        return
    if MEASURES_BY_ID[measure].aggregation != ADDITIVE:
        parsed.notes.append(Message("note.meta_series_gaps_unknown", count=Number(len(gaps)),
                                    measure=Term(f"measure.{measure}.label")))
        return
    parsed.values.extend(PeriodValue(account, measure, d, d, 0, None) for d in gaps)
    parsed.values.sort(key=lambda v: v.start)
    parsed.notes.append(Message("note.meta_series_gaps_filled", count=Number(len(gaps))))


SERIES_FORMAT = Format(FORMAT_ID, FORMAT_LABEL, detect, parse)
