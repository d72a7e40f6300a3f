"""The one module that opens DuckDB.

A `Store` holds one DuckDB database instance for its file. Reads get a fresh
cursor (DuckDB's thread-local connection) per call, so no two threads ever
share a connection's result state. Writes go through `Store.writer()`, which
serialises writers inside the process with a lock and runs the whole block in
one transaction: it commits at the end or rolls back on any error, so nothing
is ever half-written.

DuckDB allows one read-write process per file; a second process gets a lock
error, which is turned into `DatabaseInUseError` with a plain message.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from . import settings
from .errors import (
    BenchmarkError,
    DatabaseInUseError,
    DatabaseMissingError,
    DatabaseNotInitialisedError,
    SchemaOutdatedError,
)
from .schema import INTEGRITY_CHECKS, SCHEMA_VERSION, ddl


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._write_lock = threading.Lock()
        self._closed = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = duckdb.connect(
                str(self.path),
                config={
                    "memory_limit": settings.get("duckdb_memory_limit"),
                    "threads": int(settings.get("duckdb_threads")),
                },
            )
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise DatabaseInUseError(self.path) from exc
            raise BenchmarkError("database.cannot_open", path=self.path, detail=str(exc)) from exc
        except duckdb.Error as exc:
            raise BenchmarkError("database.cannot_open", path=self.path, detail=str(exc)) from exc

    # -- lifecycle ---------------------------------------------------------
    def close(self) -> None:
        """Close the instance and release the file lock; safe to call twice."""
        if not self._closed:
            self._closed = True
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- read path ---------------------------------------------------------
    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one read; closed afterwards."""
        cursor = self._db.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def frame(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None,
        tables: dict[str, pd.DataFrame] | None = None,
    ) -> pd.DataFrame:
        """Run a read query; `tables` names small frames the query may select from."""
        with self.reader() as cur:
            for name, table in (tables or {}).items():
                cur.register(name, table)
            return cur.execute(sql, params or []).df()

    def table(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """Run a read query into a DataFrame of pandas' nullable types (Int64, Float64, boolean,
        string): NULL is <NA>, never a NaN that turns a count into a float. For the small results
        the views show, building it from DuckDB's numpy arrays takes a third of `frame(...)`
        followed by `convert_dtypes()`."""
        with self.reader() as cur:
            arrays = cur.execute(sql, params or []).fetchnumpy()
        return pd.DataFrame({name: _nullable(values) for name, values in arrays.items()})

    def rows(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None,
        tables: dict[str, pd.DataFrame] | None = None,
    ) -> list[tuple[Any, ...]]:
        with self.reader() as cur:
            for name, table in (tables or {}).items():
                cur.register(name, table)
            return cur.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        with self.reader() as cur:
            row = cur.execute(sql, params or []).fetchone()
            return None if row is None else row[0]

    # -- write path --------------------------------------------------------
    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction on a cursor of its own: commit on success, roll back on any error."""
        with self._write_lock:
            cursor = self._db.cursor()
            cursor.execute("BEGIN TRANSACTION")
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK")
                cursor.close()
                raise
            cursor.execute("COMMIT")
            cursor.close()

    @contextmanager
    def bulk_memory(self) -> Iterator[None]:
        """Let one bulk write (a scale build, an upgrade) use ¾ of the machine's memory. Its commit
        builds the primary-key index of every inserted row in memory (≈ 2.5 GB for the national data
        set), more than the configured limit, which is put back afterwards."""
        self.rows(f"SET memory_limit = '{bulk_memory_limit_mb()}MB'")
        try:
            yield
        finally:
            self.rows(f"SET memory_limit = '{settings.get('duckdb_memory_limit')}'")

    # -- schema ------------------------------------------------------------
    def is_initialised(self) -> bool:
        return bool(
            self.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_info'"
            )
        )

    def require_initialised(self) -> None:
        if not self.is_initialised():
            raise DatabaseNotInitialisedError(self.path)
        version = int(self.scalar("SELECT value FROM schema_info WHERE key = 'schema_version'") or 0)
        if version < SCHEMA_VERSION:
            raise SchemaOutdatedError(self.path, version, SCHEMA_VERSION)
        if version > SCHEMA_VERSION:
            raise BenchmarkError("database.newer_schema", path=self.path, version=version, current=SCHEMA_VERSION)

    def create_schema(self, sequence_starts: dict[str, int] | None = None) -> None:
        """Create every table (idempotent) and record the schema version."""
        with self.writer() as cur:
            for statement in ddl(sequence_starts):
                cur.execute(statement)
            cur.execute(
                "INSERT OR REPLACE INTO schema_info VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
            )

    def integrity_problems(self) -> dict[str, int]:
        """Rows that break a rule the database cannot enforce itself (see schema.INTEGRITY_CHECKS)."""
        problems = {}
        for name, sql in INTEGRITY_CHECKS.items():
            count = self.scalar(f"SELECT count(*) FROM ({sql})")
            if count:
                problems[name] = int(count)
        return problems

    def data_version(self) -> tuple[str, int, int, int, str, str]:
        """Which file, and a stamp that changes whenever an import is written or undone, a page
        linked to an organisation or a watch list saved: the key of the dashboard's caches."""
        row = self.rows(
            """
            SELECT (SELECT coalesce(max(import_id), 0) FROM imports),
                   (SELECT count(*) FROM imports WHERE status = 'committed'),
                   (SELECT count(*) FROM watch_lists),
                   (SELECT coalesce(max(updated_at)::VARCHAR, '') FROM watch_lists),
                   (SELECT coalesce(bit_xor(hash(account_id, organisation_id)), 0)::VARCHAR FROM accounts)
            """
        )[0]
        return str(self.path.resolve()), int(row[0]), int(row[1]), int(row[2]), str(row[3]), str(row[4])


def _nullable(values: np.ndarray) -> Any:
    """One column of `fetchnumpy()` (a masked array where it holds NULLs) as a nullable pandas array."""
    data = np.ma.getdata(values)
    mask = np.ma.getmaskarray(values)
    kind = data.dtype.kind
    if kind in "iu":
        return pd.arrays.IntegerArray(data, mask)
    if kind == "f":
        missing = mask | np.isnan(data)
        return pd.arrays.FloatingArray(np.where(missing, 0.0, data), missing)
    if kind == "b":
        return pd.arrays.BooleanArray(data, mask)
    if kind in "OU":
        return pd.array(np.where(mask, None, data), dtype="string")
    return data


def bulk_memory_limit_mb() -> int:
    """Three quarters of the machine's memory: what a bulk write may use (see `Store.bulk_memory`)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 * 2**30
    return int(total * 0.75 / 2**20)


def open_store(path: str | Path | None = None, *, must_exist: bool = True) -> Store:
    """Open the database at `path` (or the configured one)."""
    resolved = settings.database_path(path)
    if must_exist and not resolved.exists():
        raise DatabaseMissingError(resolved)
    store = Store(resolved)
    if must_exist:
        try:
            store.require_initialised()
        except SchemaOutdatedError:
            store.close()
            from .migrations import upgrade  # imports Store: load it only when needed

            upgrade(resolved)
            store = Store(resolved)
            store.require_initialised()
        except BaseException:
            store.close()
            raise
    return store
