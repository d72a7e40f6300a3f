"""How large an upload may be, and the words every reader uses to refuse one.

The limits bound the work a damaged or hostile file can cause; no real export
comes near them (research: ../shared/reference/export_formats.md §1d: the
widest real export, the legacy Facebook page export, has about 2,700 columns).
"""

from __future__ import annotations

from ..errors import Message, Number

DEFAULT_MAX_BYTES = 50 * 2**20
MAX_COLUMNS = 10_000
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_CELLS = 20_000_000  # bounds the work a small, hostile workbook can cause
ZIP_EXPANSION_LIMIT = 20  # unpacked size at most this many times the upload limit
ZIP_RATIO_LIMIT = 200  # per member larger than 1 MiB; real sheets compress about 5–30 to 1

AS_DOWNLOADED = Message("reading.as_downloaded")
NOT_A_TABLE = Message("reading.not_a_table", advice=AS_DOWNLOADED)


def megabytes(size: int) -> Number:
    value = size / 2**20
    return Number(value, ",.0f" if value >= 100 else ".3g")


def too_wide(columns: int, row: int) -> Message:
    return Message("reading.too_wide", row=row, columns=Number(columns))
