"""The keys of the tables DuckDB keeps no index for (`schema.Table.keys_in_database = False`).

`period_values` and `account_daily` hold millions of rows. DuckDB's primary-key index and
foreign-key checks on them cost more than half of a bulk import's commit and most of the file
(docs/performance.md, "What got there", 8). Every writer of those tables already moves the
stored rows a new row replaces before inserting it; `check_unique` then proves, in the same
transaction, that no key of the rows just written is held twice. A failure is a defect in the
writer, not a user's mistake: the transaction rolls back and the error stays as it is.
"""

from __future__ import annotations

from .schema import TABLES_BY_NAME


class DuplicateKeyError(RuntimeError):
    """A writer was about to commit a key that the table already holds (or that it wrote twice)."""

    def __init__(self, table: str, key: tuple[str, ...], example: tuple, copies: int) -> None:
        self.table, self.key, self.example, self.copies = table, key, example, copies
        shown = ", ".join(f"{k}={v}" for k, v in zip(key, example, strict=True))
        super().__init__(f"{table} would hold ({shown}) {copies} times: each key may be held once; "
                         "the change was rolled back")


def key_columns(table: str) -> tuple[str, ...]:
    return TABLES_BY_NAME[table].primary_key


def check_unique(cur, table: str, written: str, params: list | dict | None = None) -> None:
    """Raise DuplicateKeyError if a key of the rows that `written` selects (a SELECT of at least
    the key columns: the rows just inserted) is held more than once in `table`.

    Each written row finds itself in the table; a key written twice, or written beside a stored
    row, finds more. So one count of the join of the written keys with the table must equal the
    number of rows written. It costs about a tenth of what the index did: 0.35–0.5 s for 5 million
    rows written (docs/performance.md)."""
    key = key_columns(table)
    same = " AND ".join(f"t.{k} = w.{k}" for k in key)
    written_rows = cur.execute(f"SELECT count(*) FROM ({written})", params or []).fetchall()[0][0]
    matched = cur.execute(f"SELECT count(*) FROM ({written}) w JOIN {table} t ON {same}", params or []).fetchall()[0][0]
    if matched == written_rows:
        return
    columns = ", ".join(key)
    found = cur.execute(
        f"SELECT {columns}, count(*) FROM {table} WHERE ({columns}) IN (SELECT ({columns}) FROM ({written})) "
        f"GROUP BY ALL HAVING count(*) > 1 LIMIT 1", params or []).fetchall()[0]
    *example, copies = found
    raise DuplicateKeyError(table, key, tuple(example), int(copies))
