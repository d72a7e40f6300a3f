"""The one module that opens DuckDB.

A `Store` holds one DuckDB database instance for its file. Reads get a fresh
cursor (DuckDB's thread-local connection) per call, so no two threads ever
share a connection's result state. Writes go through `Store.writer()`, which
serialises writers inside the process with a lock and runs the whole block in
one transaction: it commits at the end or rolls back on any error, so nothing
is ever half-written.

DuckDB allows one read-write process per file; a second process gets a lock
error, which is turned into `DatabaseInUseError` with a plain message.

Every read and write holds the store's gate (a readers-writer lock) in shared mode, and a restore
(`benchmark.backup.restore`) swaps the file under an exclusive hold: it waits for the running
queries, lets new ones wait a moment, closes the DuckDB instance, puts the new file in place and
reopens it, so the process keeps serving. `generation` counts those swaps and is part of
`data_version()`, the dashboard's cache key, so no cached result of the old file survives one.
A thread that already holds the gate (a read inside a write) passes straight through. A writer's
COMMIT also runs alone (`_Gate.alone`): no read may begin while DuckDB commits (see `writer`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from . import settings
from .auth import SYSTEM, Permit, authorise
from .errors import (
    BenchmarkError,
    DatabaseInUseError,
    DatabaseMissingError,
    DatabaseNotInitialisedError,
    Number,
    SchemaOutdatedError,
)
from .schema import FULL_SCAN_CHECKS, INTEGRITY_CHECKS, SCHEMA_VERSION, ddl


class _Gate:
    """Shared holds for reads and writes, an exclusive hold for swapping the file.

    A waiting exclusive hold goes first: new shared holds wait behind it, so a swap is not starved
    by a stream of readers. A thread that holds the gate already (a read inside a write, the backup
    a restore takes under its exclusive hold) passes straight through: it would otherwise wait for
    itself. Acquiring and releasing take one short lock each: about 2 µs per read, against about
    120 µs for the cheapest query through `Store.scalar` (measured on the development machine)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._shared = 0
        self._exclusive = False
        self._waiting = 0
        self._local = threading.local()

    def held(self) -> bool:
        """Whether the calling thread holds the gate (shared or exclusive)."""
        return getattr(self._local, "depth", 0) > 0

    def acquire_shared(self) -> None:
        local = self._local
        depth = getattr(local, "depth", 0)
        if depth:
            local.depth = depth + 1
            return
        with self._cond:
            while self._exclusive or self._waiting:
                self._cond.wait()
            self._shared += 1
        local.depth = 1

    def release_shared(self) -> None:
        local = self._local
        local.depth -= 1
        if local.depth:
            return
        with self._cond:
            self._shared -= 1
            # A swap waits for no holder, a commit (`alone`) for none but its own writer.
            if self._shared <= 1 and self._waiting:
                self._cond.notify_all()

    @contextmanager
    def alone(self, timeout: float) -> Iterator[None]:
        """For a thread that holds the gate shared (a writer about to commit): wait until no other
        thread holds it, and keep new holders waiting until the block ends; `StoreBusyError` (and no
        wait left behind) when the others take longer than `timeout` seconds."""
        if not self.held():
            raise RuntimeError("Store._Gate.alone needs a shared hold of the calling thread")
        deadline = time.monotonic() + timeout
        with self._cond:
            self._waiting += 1
            try:
                while self._shared > 1:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise StoreBusyError(timeout, "database.commit_busy")
                    self._cond.wait(remaining)
            except BaseException:
                self._waiting -= 1
                self._cond.notify_all()
                raise
        try:
            yield
        finally:
            with self._cond:
                self._waiting -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self, timeout: float) -> Iterator[None]:
        if self.held():
            raise RuntimeError("an exclusive hold inside a read or write of the same thread would wait for itself")
        deadline = time.monotonic() + timeout
        with self._cond:
            self._waiting += 1
            try:
                while self._exclusive or self._shared:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise StoreBusyError(timeout)
                    self._cond.wait(remaining)
                self._exclusive = True
            finally:
                self._waiting -= 1
                self._cond.notify_all()  # on giving up, the readers waiting behind us go on
        self._local.depth = 1
        try:
            yield
        finally:
            self._local.depth = 0
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()


class StoreBusyError(BenchmarkError):
    """The exclusive hold for a swap, or a commit's turn alone, was not granted in time: a query ran
    too long. Nothing changed."""

    def __init__(self, seconds: float, key: str = "backup.busy") -> None:
        super().__init__(key, seconds=Number(seconds, ",g"))
        self.seconds = seconds


# How long a swap waits for the running queries before it gives up (and changes nothing).
SWAP_WAIT_SECONDS = 60.0

# Write transactions committed to each database file by this process, through any Store of it. No
# other process can write a file this one has open (DuckDB's lock) and `Store.writer` is the only way
# to write, so an unchanged count means unchanged data: `data_version` reads the database again only
# after a write (a page asks for it once per cached view, seven times per run of Pages to watch).
_WRITES_BY_FILE: dict[Path, int] = {}
_WRITES_LOCK = threading.Lock()


def _writes_to(path: Path) -> int:
    return _WRITES_BY_FILE.get(path, 0)


def _count_write(path: Path) -> None:
    with _WRITES_LOCK:
        _WRITES_BY_FILE[path] = _WRITES_BY_FILE.get(path, 0) + 1


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._write_lock = threading.Lock()
        self._gate = _Gate()
        self._closed = False
        self.generation = 0  # files swapped in by a restore: part of data_version()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.resolve()
        self._version: tuple[int, tuple] | None = None  # (writes when it was read, the version)
        self._db = self._connect()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(
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

    @property
    def writes(self) -> int:
        """How many write transactions this process has committed to the file, through any Store of
        it, and files swapped in (a restore compares it; `data_version` is read again when it moves)."""
        return _writes_to(self._file)

    def exclusive(self, timeout: float = SWAP_WAIT_SECONDS) -> Any:
        """Hold the store alone: waits up to `timeout` seconds for the running reads and writes
        (else `StoreBusyError`, nothing changed) while new ones wait. Reads and writes of the
        holding thread itself pass through. Used by a restore around `swap_file`."""
        return self._gate.exclusive(timeout)

    def swap_file(self, source: Path) -> None:
        """Put the database file `source` (a verified copy beside the database, same file system)
        in place of the open one, inside `exclusive()`.

        The instance is checkpointed and closed, so no WAL of the old file can be replayed onto the
        new one (if one remains, nothing is replaced and `backup.wal_remains` is raised); the new file
        is renamed into place and opened; `generation` goes up. The old file stays linked beside the
        database until the new one has opened, and is put back if it does not open."""
        if not self._gate.held() or getattr(self._gate, "_exclusive", False) is not True:
            raise RuntimeError("Store.swap_file needs the exclusive hold (Store.exclusive())")
        wal = Path(str(self.path) + ".wal")
        self._db.execute("CHECKPOINT")
        self._db.close()
        if wal.exists() or _instance_still_open(self.path):
            self._db = self._connect()
            raise BenchmarkError("backup.wal_remains" if wal.exists() else "backup.still_open", path=self.path)
        aside = self.path.with_name(f".{self.path.name}.{os.getpid()}.replaced")
        aside.unlink(missing_ok=True)
        try:
            os.link(self.path, aside)
        except OSError:
            aside = None  # no hard links here: the restore's safety backup is the way back
        try:
            os.replace(source, self.path)
            _fsync_folder(self.path.parent)
            try:
                self._db = self._connect()
            except BenchmarkError:
                if aside is None:
                    raise
                os.replace(aside, self.path)
                _fsync_folder(self.path.parent)
                aside = None
                self._db = self._connect()
                raise
        finally:
            if aside is not None:
                aside.unlink(missing_ok=True)
        self.generation += 1
        _count_write(self._file)  # for any other Store of this file in the process too

    # -- read path ---------------------------------------------------------
    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one read, under a shared hold of the gate; closed afterwards."""
        gate = self._gate
        gate.acquire_shared()
        try:
            cursor = self._db.cursor()
            try:
                yield cursor
            finally:
                cursor.close()
        finally:
            gate.release_shared()

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
    def writer(self, permit: Permit) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction on a cursor of its own: commit on success, roll back on any error.
        A conflicting or failed write comes out named (`named_write_errors`), never as DuckDB's own.

        `permit` (from `auth.authorise`) is the proof that whoever asked may make this change;
        there is no other way to write."""
        if not isinstance(permit, Permit):
            raise TypeError("Store.writer needs a Permit from auth.authorise(actor, action)")
        gate = self._gate
        # The write lock first, then the gate: a writer waiting for its turn holds nothing that the
        # writer before it waits for at its commit (see _Gate.alone).
        with self._write_lock:
            gate.acquire_shared()
            try:
                with named_write_errors():
                    cursor = self._db.cursor()
                    cursor.execute("BEGIN TRANSACTION")
                    try:
                        yield cursor
                        # No read may start while DuckDB commits: with DuckDB 2.0.0 a read that began
                        # during the COMMIT of a large write saw part of its rows (161,797 of 200,005
                        # inserted values; tests/concurrency/test_readers_during_import.py failed in 4
                        # of 48 runs). The commit waits for the running reads and new ones wait for it.
                        with gate.alone(SWAP_WAIT_SECONDS):
                            cursor.execute("COMMIT")
                    except BaseException:
                        try:
                            cursor.execute("ROLLBACK")
                        except duckdb.Error:
                            pass  # a COMMIT that failed has ended the transaction already
                        finally:
                            cursor.close()
                        raise
                    _count_write(self._file)
                    cursor.close()
            finally:
                gate.release_shared()

    @contextmanager
    def bulk_memory(self) -> Iterator[None]:
        """Let one bulk write (a scale build, an upgrade) use ¾ of the machine's memory: the period
        summaries' groupings of a batch reach ≈ 1.4 GB (`summaries.BATCH_VALUES`), near the configured
        limit, which is put back afterwards."""
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
        with self.writer(authorise(SYSTEM, "upgrade")) as cur:
            for statement in ddl(sequence_starts):
                cur.execute(statement)
            cur.execute(
                "INSERT OR REPLACE INTO schema_info VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
            )

    def integrity_problems(self, *, full_scans: bool = True) -> dict[str, int]:
        """Rows that break a rule the database cannot enforce itself (see schema.INTEGRITY_CHECKS);
        `full_scans=False` leaves out the checks that read every value (schema.FULL_SCAN_CHECKS)."""
        problems = {}
        for name, sql in INTEGRITY_CHECKS.items():
            if not full_scans and name in FULL_SCAN_CHECKS:
                continue
            count = self.scalar(f"SELECT count(*) FROM ({sql})")
            if count:
                problems[name] = int(count)
        return problems

    def data_version(self) -> tuple[str, int, int, int, str, str, int]:
        """Which file, and a stamp that changes whenever an import is written or undone, a page
        linked to an organisation, a watch list saved or the file replaced by a restore
        (`generation`): the key of the dashboard's caches. Read from the database again only after
        this process has written to the file (see _WRITES_BY_FILE)."""
        # The count is taken before the read: a write that commits during it makes the next call read again.
        # A restore's swap counts as a write.
        writes, generation = self.writes, self.generation
        cached = self._version
        if cached is not None and cached[0] == writes:
            return cached[1]
        row = self.rows(
            """
            SELECT (SELECT coalesce(max(import_id), 0) FROM imports),
                   (SELECT count(*) FROM imports WHERE status = 'committed'),
                   (SELECT count(*) FROM watch_lists),
                   (SELECT coalesce(max(updated_at)::VARCHAR, '') FROM watch_lists),
                   (SELECT coalesce(bit_xor(hash(account_id, organisation_id)), 0)::VARCHAR FROM accounts)
            """
        )[0]
        version = (str(self._file), int(row[0]), int(row[1]), int(row[2]), str(row[3]), str(row[4]), generation)
        self._version = (writes, version)
        return version


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


def _instance_still_open(path: Path) -> bool:
    """Whether another connection of this process still holds the file's DuckDB instance (so
    closing ours did not release it): opening it read-only is refused while a read-write instance
    exists in the process (or another process took the file meanwhile), and costs a moment otherwise."""
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error:  # held by this process (or, in the moment since closing, by another)
        return True
    return False


def _fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (where the system allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def bulk_memory_limit_mb() -> int:
    """Three quarters of the machine's memory: what a bulk write may use (see `Store.bulk_memory`)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 * 2**30
    return int(total * 0.75 / 2**20)


# -- the store a process serves commands with (benchmark/control.py) ---------------------------
# A command forwarded to the process that holds the database runs there with `serving(store)` in
# force: `open_store` then hands out that store instead of opening the file a second time (which in
# the same process would give a second `Store` on the same DuckDB instance, with a write lock and a
# gate of its own: two writers again). Scoped to the request's context (a ContextVar), so the
# dashboard's own threads never see it.
_SERVED: ContextVar[Store | None] = ContextVar("benchmark_served_store", default=None)


@contextmanager
def serving(store: Store) -> Iterator[None]:
    """Within the block, `open_store` of `store`'s file returns `store` itself (closing it does
    nothing), and of any other file refuses with `control.other_database`."""
    token = _SERVED.set(store)
    try:
        yield
    finally:
        _SERVED.reset(token)


def served_store() -> Store | None:
    """The store `serving()` put in force here, if any (a forwarded command is running)."""
    return _SERVED.get()


class _Borrowed:
    """The served store for one command: every attribute is the store's own; closing does nothing,
    because the process that serves it (the dashboard) goes on using it."""

    def __init__(self, store: Store) -> None:
        object.__setattr__(self, "_store", store)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._store, name, value)

    def close(self) -> None:
        pass

    def __enter__(self) -> _Borrowed:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _borrow(served: Store, asked: Path) -> Store:
    if asked.resolve() != served.path.resolve():
        raise BenchmarkError("control.other_database", served=served.path.resolve(), asked=asked.resolve())
    return _Borrowed(served)  # type: ignore[return-value]  # a Store in all but its type


# -- a write that fails for a reason the user can act on --------------------------------------
class WriteConflictError(BenchmarkError):
    """Another transaction changed the same rows between this change's plan and its commit
    (DuckDB's TransactionException, or a key the plan did not expect); nothing of it was kept."""

    def __init__(self, detail: object) -> None:
        super().__init__("write.conflict", detail=detail)
        self.detail = detail


class WriteFailedError(BenchmarkError):
    """The commit itself failed (e.g. a full disk while writing the WAL); nothing of it was kept."""

    def __init__(self, detail: object) -> None:
        super().__init__("write.commit_failed", detail=detail)
        self.detail = detail


def named_write_error(exc: BaseException) -> BenchmarkError | None:
    """The named error for a DuckDB exception raised on the write path, or None for any other.

    Matched on the class first (the texts differ between DuckDB versions): a TransactionException
    whose text says the commit failed without a conflict is a failed write (disk full); any other
    TransactionException (a write-write conflict, a transaction aborted by a duplicate key) and a
    duplicate key are a conflict with a change made meanwhile: planning again sees it. A CHECK or
    foreign-key refusal is no conflict (None): the code let a bad row through, and it stays visible."""
    if not isinstance(exc, (duckdb.TransactionException, duckdb.ConstraintException)):
        return None
    if isinstance(exc, duckdb.ConstraintException) and "duplicate key" not in str(exc).lower():
        return None  # a CHECK or foreign key refused a row: a defect to see as it is, not a conflict
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    cause = exc.__context__
    if isinstance(exc, duckdb.TransactionException) and isinstance(cause, duckdb.Error):
        detail = str(cause).splitlines()[0] or detail  # "transaction is aborted" hides the reason
    text = str(exc).lower()
    if isinstance(exc, duckdb.TransactionException) and "failed to commit" in text and "conflict" not in text:
        return WriteFailedError(detail)
    return WriteConflictError(detail)


@contextmanager
def named_write_errors() -> Iterator[None]:
    """Turn a conflicting or failed write inside the block into `WriteConflictError` /
    `WriteFailedError` (`named_write_error`). Meant to wrap the body and the COMMIT of
    `Store.writer`; the command line also applies it to whole commands."""
    try:
        yield
    except (duckdb.TransactionException, duckdb.ConstraintException) as exc:
        named = named_write_error(exc)
        if named is None:
            raise
        raise named from exc


def open_store(path: str | Path | None = None, *, must_exist: bool = True) -> Store:
    """Open the database at `path` (or the configured one); inside `serving(store)`, that store."""
    resolved = settings.database_path(path)
    served = _SERVED.get()
    if served is not None:
        return _borrow(served, resolved)
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
