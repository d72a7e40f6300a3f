"""Backups, restores and the database check: the durability of the one DuckDB file.

- `backup(store, output, actor=…)` writes a consistent snapshot of the open database while the
  process goes on reading and writing: the file is attached under a temporary name beside the
  target and filled by `COPY FROM DATABASE` inside one read transaction, which also counts and
  hashes every table; the copy is then opened on its own (read-only, a separate DuckDB instance)
  and must hold exactly those rows, pass `schema.INTEGRITY_CHECKS` and have every sequence ahead of
  its table; only then is it fsynced and renamed into place. A backup killed half-way leaves a
  hidden `.….backup-partial` file that is never taken for a backup and that the next backup removes.
- `verify_backup(path)` checks a file before anything trusts it: a file, DuckDB's magic bytes, no
  write-ahead log beside it, opens, has a schema version this tool knows (older is fine: a restore
  upgrades it), readable rows in every table, integrity. Each refusal is a named error.
- `restore(store, file, actor=…)` verifies the file, copies it beside the database (and upgrades
  the copy if it is from an older version), writes a safety backup of the current database, and
  swaps the file under the store's exclusive hold (`Store.swap_file`), so the dashboard keeps
  serving and its caches see a new `data_version()`. Anything wrong before the swap leaves the
  current database untouched.
- `restore_offline(path, file, actor=…)` is the same for a database that cannot be opened at all
  (damaged, missing): the unusable file and its WAL are kept under a new name, never deleted.
- `check_store(store)` reports the schema version, the rows per table and the integrity problems
  (`benchmark check`; `bootstrap.ensure_database` runs the integrity part at start-up).

What is guaranteed and how to schedule backups: docs/backup.md.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from . import settings
from .auth import Actor, authorise
from .errors import BenchmarkError, Joined, Message, ValidationError
from .schema import INTEGRITY_CHECKS, SCHEMA_VERSION, TABLES
from .store import Store, StoreBusyError, _fsync_folder

__all__ = [
    "BackupInfo", "DatabaseReport", "RestoreInfo", "StoreBusyError", "backup", "check_store",
    "default_folder", "restore", "restore_offline", "verify_backup",
]

MAGIC = b"DUCK"
MAGIC_OFFSET = 8  # DuckDB's file header: an 8-byte checksum, then the magic bytes
FOLDER_NAME = "backups"
# Hidden files of a backup or restore being written, and the old file a swap keeps linked until the
# new one opened (Store.swap_file): `.NAME.PID.N.backup-partial`, `.NAME.PID.replaced`.
PARTIAL = re.compile(r"^\..+\.(?P<pid>\d+)\.(?:\d+\.(?:backup|restore)-partial(?:\.wal)?|(?P<replaced>replaced))$")
_aliases = itertools.count(1)
_active: set[str] = set()  # names of this process's partial files being written right now
_active_lock = threading.Lock()


# -- results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds (`verify_backup`), and for a new one how long it took and which
    older dated backups `keep` pruned."""

    path: Path
    created_at: datetime  # the file's modification time (when the backup was written), UTC
    schema_version: int
    tables: dict[str, int]  # rows per table
    size_bytes: int
    sha256: str
    content: dict[str, int] = field(default_factory=dict, repr=False)  # per table: sum of row hashes
    seconds: float | None = None
    pruned: tuple[Path, ...] = ()

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass(frozen=True)
class RestoreInfo:
    restored_from: Path
    backup: BackupInfo  # what the restored file held
    safety_backup: BackupInfo | None  # the database as it was just before (None: there was none)
    upgraded_from: int | None  # the backup's older schema version, upgraded on the way in
    generation: int  # the store's generation after the swap (0 for an offline restore)
    seconds: float
    set_aside: tuple[Path, ...] = ()  # an unusable database (and its WAL) kept under a new name


@dataclass(frozen=True)
class DatabaseReport:
    path: Path
    schema_version: int
    tables: dict[str, int]
    problems: dict[str, int]  # integrity problems: rows per broken rule
    size_bytes: int

    @property
    def ok(self) -> bool:
        return not self.problems and self.schema_version == SCHEMA_VERSION


# -- named refusals ------------------------------------------------------------------------------
class BackupRefusedError(BenchmarkError):
    """A file that is no usable backup; nothing was changed."""

    def __init__(self, key: str, path: object, **params: object) -> None:
        super().__init__(f"backup.{key}", path=path, **params)
        self.path = path


class NotABackupFileError(BackupRefusedError):
    def __init__(self, path: object) -> None:
        super().__init__("not_a_file", path)


class NotADuckDBFileError(BackupRefusedError):
    def __init__(self, path: object) -> None:
        super().__init__("not_duckdb", path)


class LiveDatabaseFileError(BackupRefusedError):
    """A file with a WAL beside it: a database in use (or a copy of one), whose WAL a copy would lose."""

    def __init__(self, path: object, wal: object) -> None:
        super().__init__("wal_beside", path, wal=wal)


class UnreadableBackupError(BackupRefusedError):
    def __init__(self, path: object, detail: str) -> None:
        super().__init__("cannot_open", path, detail=detail)


class NotABenchmarkDatabaseError(BackupRefusedError):
    def __init__(self, path: object) -> None:
        super().__init__("no_schema_info", path)


class BackupTooNewError(BackupRefusedError):
    def __init__(self, path: object, version: int) -> None:
        super().__init__("newer_schema", path, version=version, current=SCHEMA_VERSION)
        self.version = version


class BackupIntegrityError(BackupRefusedError):
    def __init__(self, path: object, problems: dict[str, int]) -> None:
        super().__init__("integrity", path, problems=_problem_list(problems))
        self.problems = problems


class BackupCopyError(BackupRefusedError):
    """The written copy does not hold what was read from the database (never kept)."""

    def __init__(self, path: object, table: str, expected: object, copied: object) -> None:
        super().__init__("copy_differs", path, table=table, expected=expected, copied=copied)


class SameFileError(BackupRefusedError):
    def __init__(self, path: object) -> None:
        super().__init__("same_file", path)


class BackupChangedError(BackupRefusedError):
    def __init__(self, path: object) -> None:
        super().__init__("changed", path)


class BackupWriteError(BenchmarkError):
    """The file system refused (disk full, no permission); nothing was written."""

    def __init__(self, path: object, detail: str) -> None:
        super().__init__("backup.write_failed", path=path, detail=detail)
        self.path = path


class DatabaseUnusableError(BenchmarkError):
    """The start-up check: the database cannot be opened, or fails its integrity checks."""

    def __init__(self, key: str, path: object, **params: object) -> None:
        super().__init__(f"backup.{key}", path=path, **params)
        self.path = path


def _problem_list(problems: dict[str, int]) -> Joined:
    return Joined([f"{name}: {count}" for name, count in problems.items()], "; ")


# -- where backups go ----------------------------------------------------------------------------
def default_folder(database: Path) -> Path:
    """`backups/` beside the database: data/benchmark.duckdb → data/backups/."""
    return Path(database).parent / FOLDER_NAME


def _stem(database: Path) -> str:
    return Path(database).name.removesuffix(".duckdb") or Path(database).name


def _dated_name(folder: Path, stem: str, infix: str = "") -> Path:
    """`<stem>[-<infix>]-YYYYmmdd-HHMMSS.duckdb` in `folder`, with `-2`, `-3` … if taken."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"{stem}-{infix}-{stamp}" if infix else f"{stem}-{stamp}"
    candidate = folder / f"{base}.duckdb"
    number = 2
    while candidate.exists():
        candidate = folder / f"{base}-{number}.duckdb"
        number += 1
    return candidate


def _dated_pattern(stem: str) -> re.Pattern[str]:
    """The names `backup` gives on its own (never the safety backups, never a name the user chose)."""
    return re.compile(rf"^{re.escape(stem)}-(?P<stamp>\d{{8}}-\d{{6}})(?:-(?P<n>\d+))?\.duckdb$")


def _prune(folder: Path, stem: str, keep: int) -> tuple[Path, ...]:
    pattern = _dated_pattern(stem)
    dated = []
    for path in folder.iterdir():
        match = pattern.match(path.name)
        if match and path.is_file():
            dated.append(((match["stamp"], int(match["n"] or 1)), path))
    dated.sort()
    pruned = tuple(path for _, path in dated[:-keep]) if len(dated) > keep else ()
    for path in pruned:
        path.unlink(missing_ok=True)
    return pruned


def _sweep(folder: Path) -> None:
    """Remove what killed backups and restores left in `folder` (hidden `…-partial` files of
    processes that no longer run). They were never renamed into place, so they hold nothing."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for path in entries:
        match = PARTIAL.match(path.name)
        if not match:
            continue
        pid = int(match["pid"])
        if pid == os.getpid():
            with _active_lock:
                in_use = match["replaced"] is not None or path.name.removesuffix(".wal") in _active
        else:
            in_use = _running(pid)
        if not in_use:
            path.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _partial(target: Path, kind: str) -> Iterator[Path]:
    """A hidden name beside `target` for a file being written, removed (with any WAL) at the end."""
    path = target.with_name(f".{target.name}.{os.getpid()}.{next(_aliases)}.{kind}-partial")
    with _active_lock:
        _active.add(path.name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
        _wal(path).unlink(missing_ok=True)
        with _active_lock:
            _active.discard(path.name)


def _wal(path: Path) -> Path:
    return Path(f"{path}.wal")


# -- backup --------------------------------------------------------------------------------------
def backup(store: Store, output: str | Path | None = None, *, actor: Actor, keep: int | None = None) -> BackupInfo:
    """Write a consistent snapshot of the open database; returns what the backup holds.

    `output`: None for `backups/<name>-YYYYmmdd-HHMMSS.duckdb` beside the database, a folder for
    such a dated name there, or a file name (which must not exist). `keep`: after writing, delete
    all but the newest `keep` dated backups of this database in that folder (never a file the user
    named, never a safety backup)."""
    authorise(actor, "backup")
    if keep is not None and keep < 1:
        raise ValidationError("backup.keep_invalid", value=keep)
    live = store.path.resolve()
    if output is None or Path(output).is_dir():
        folder = default_folder(store.path) if output is None else Path(output)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackupWriteError(folder, exc.strerror or str(exc)) from None
        target, dated = _dated_name(folder, _stem(store.path)), True
    else:
        target, dated = Path(output), False
        if keep is not None:
            raise ValidationError("backup.keep_with_file", path=target)
        if target.resolve() in (live, _wal(live)):
            raise SameFileError(target)
        if target.exists():
            raise ValidationError("backup.output_exists", path=target)
        if not target.parent.is_dir():
            raise ValidationError("backup.folder_missing", folder=target.parent)
    info = _backup_to(store, target)
    if dated and keep is not None:
        info = replace(info, pruned=_prune(target.parent, _stem(store.path), keep))
    return info


def _backup_to(store: Store, target: Path) -> BackupInfo:
    """The snapshot into a hidden file beside `target`, verified, fsynced and renamed into place."""
    started = time.perf_counter()
    for folder in {target.parent, default_folder(store.path), store.path.parent}:
        _sweep(folder)
    with _partial(target, "backup") as partial:
        return _write_snapshot(store, target, partial, started)


def _write_snapshot(store: Store, target: Path, partial: Path, started: float) -> BackupInfo:
    try:
        expected = _copy_snapshot(store, partial)
        if _wal(partial).exists():  # DETACH checkpoints; a WAL here would be lost by the rename
            raise BackupWriteError(target, Message("backup.wal_remained", file=_wal(partial).name))
        _fsync_file(partial)
        info = verify_backup(partial)
        for table, (count, content) in expected.items():
            if info.tables.get(table) != count:
                raise BackupCopyError(target, table, count, info.tables.get(table))
            if info.content.get(table) != content:
                raise BackupCopyError(target, table, f"{count} (content {content})",
                                      f"{info.tables.get(table)} (content {info.content.get(table)})")
        os.replace(partial, target)
        _fsync_folder(target.parent)
    except OSError as exc:
        raise BackupWriteError(target, exc.strerror or str(exc)) from None
    except duckdb.Error as exc:
        raise BackupWriteError(target, _first_line(exc)) from None
    return replace(info, path=target, seconds=time.perf_counter() - started)


def _copy_snapshot(store: Store, partial: Path) -> dict[str, tuple[int, int]]:
    """COPY FROM DATABASE into `partial` inside one transaction that also counts and hashes every
    table, so the numbers describe exactly the snapshot that was copied."""
    alias = f"benchmark_backup_{os.getpid()}_{next(_aliases)}"
    partial.unlink(missing_ok=True)
    _wal(partial).unlink(missing_ok=True)
    with store.reader() as cur:
        cur.execute(f"ATTACH '{_sql_text(partial)}' AS {alias}")
        try:
            cur.execute("BEGIN TRANSACTION")
            try:
                main = cur.execute("SELECT current_database()").fetchone()[0]
                tables = _table_names(cur, main)
                expected = {t: _count_and_hash(cur, f"{_ident(main)}.main.{_ident(t)}") for t in tables}
                cur.execute(f"COPY FROM DATABASE {_ident(main)} TO {alias}")
                cur.execute("COMMIT")
            except BaseException:
                _quietly(cur, "ROLLBACK")
                raise
        finally:
            _quietly(cur, f"DETACH {alias}")
    return expected


def _table_names(cur: duckdb.DuckDBPyConnection, database: str | None = None) -> list[str]:
    where = "database_name = ?" if database else "database_name = current_database()"
    return [r[0] for r in cur.execute(
        f"SELECT table_name FROM duckdb_tables() WHERE {where} AND schema_name = 'main' AND NOT temporary "
        "ORDER BY table_name", [database] if database else []).fetchall()]


def _count_and_hash(cur: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int]:
    """Rows, and the sum of every row's hash (all columns): reading every value also proves that
    every block of the table reads back (DuckDB checks each block's checksum)."""
    count, content = cur.execute(f"SELECT count(*), coalesce(sum(hash(benchmark_row)::HUGEINT), 0) FROM {table} AS benchmark_row").fetchone()
    return int(count), int(content)


# -- verify --------------------------------------------------------------------------------------
def verify_backup(path: str | Path) -> BackupInfo:
    """Check that `path` is a backup this tool can restore, without changing it; what it holds.

    Refuses (each a `BackupRefusedError`): not a file; not a DuckDB file (magic bytes); a WAL beside
    it; cannot be read completely; no schema version; a newer schema than this tool's; integrity
    problems (schema.INTEGRITY_CHECKS, a table of the current schema missing, a sequence behind
    its table). An older schema version is accepted: a restore upgrades it."""
    path = Path(path)
    if not path.is_file():
        raise NotABackupFileError(path)
    try:
        with path.open("rb") as handle:
            header = handle.read(MAGIC_OFFSET + len(MAGIC))
    except OSError as exc:
        raise UnreadableBackupError(path, exc.strerror or str(exc)) from None
    if header[MAGIC_OFFSET:] != MAGIC:
        raise NotADuckDBFileError(path)
    if _wal(path).exists():
        raise LiveDatabaseFileError(path, _wal(path))
    stat = path.stat()
    try:
        con = duckdb.connect(str(path), read_only=True, config={
            "memory_limit": settings.get("duckdb_memory_limit"), "threads": int(settings.get("duckdb_threads"))})
    except duckdb.Error as exc:
        raise UnreadableBackupError(path, _first_line(exc)) from None
    try:
        tables = _table_names(con)
        if "schema_info" not in tables:
            raise NotABenchmarkDatabaseError(path)
        try:
            version = int(con.execute("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone()[0])
        except (TypeError, ValueError, duckdb.Error):
            raise NotABenchmarkDatabaseError(path) from None
        if version > SCHEMA_VERSION:
            raise BackupTooNewError(path, version)
        counted = {t: _count_and_hash(con, _ident(t)) for t in tables}
        problems = _integrity(con, version, set(tables))
    except duckdb.Error as exc:
        raise UnreadableBackupError(path, _first_line(exc)) from None
    finally:
        con.close()
    if problems:
        raise BackupIntegrityError(path, problems)
    return BackupInfo(
        path=path, created_at=datetime.fromtimestamp(stat.st_mtime, UTC), schema_version=version,
        tables={t: c for t, (c, _) in counted.items()}, size_bytes=stat.st_size, sha256=_sha256(path),
        content={t: h for t, (_, h) in counted.items()},
    )


def _integrity(con: duckdb.DuckDBPyConnection, version: int, tables: set[str]) -> dict[str, int]:
    problems: dict[str, int] = {}
    if version == SCHEMA_VERSION:
        for table in TABLES:
            if table.name not in tables:
                problems[f"table {table.name} missing"] = 1
    for name, sql in INTEGRITY_CHECKS.items():
        try:
            count = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
        except duckdb.CatalogException:
            if version == SCHEMA_VERSION:
                problems[name] = 1
            continue  # an older schema without that table: nothing to check
        if count:
            problems[name] = int(count)
    sequences = {r[0]: (r[1], r[2], r[3]) for r in con.execute(
        "SELECT sequence_name, start_value, increment_by, last_value FROM duckdb_sequences() "
        "WHERE database_name = current_database()").fetchall()}
    for table in TABLES:
        if table.sequence and table.name in tables and table.sequence in sequences:
            start, step, last = sequences[table.sequence]
            following = start if last is None else last + step
            highest = con.execute(f"SELECT max({table.primary_key[0]}) FROM {_ident(table.name)}").fetchone()[0]
            if highest is not None and following <= highest:
                problems[f"sequence {table.sequence} behind {table.name}"] = int(highest - following + 1)
    return problems


# -- restore -------------------------------------------------------------------------------------
def restore(store: Store, file: str | Path, *, actor: Actor) -> RestoreInfo:
    """Replace the open database with the backup `file`, while the process keeps serving.

    The file is verified and copied beside the database first (and upgraded there if its schema
    is older); then a safety backup of the current database is written to
    `backups/<name>-before-restore-….duckdb`; then, under the store's exclusive hold, the copy
    is swapped in. Until the swap the current database is untouched; a refusal changes nothing."""
    authorise(actor, "restore")
    started = time.perf_counter()
    file = Path(file)
    if file.exists() and file.resolve() in (store.path.resolve(), _wal(store.path.resolve())):
        raise SameFileError(file)
    info = verify_backup(file)
    _sweep(store.path.parent)
    try:
        with _partial(store.path, "restore") as staged:
            upgraded_from = _stage(file, info, staged)
            folder = default_folder(store.path)
            folder.mkdir(parents=True, exist_ok=True)
            writes = store.writes
            safety_path = _dated_name(folder, _stem(store.path), "before-restore")
            safety = _backup_to(store, safety_path)
            with store.exclusive():
                if store.writes != writes:  # a write came in during the safety backup: take it again
                    safety_path.unlink(missing_ok=True)
                    safety = _backup_to(store, safety_path)
                store.swap_file(staged)
                generation = store.generation
    except OSError as exc:
        raise BackupWriteError(store.path, exc.strerror or str(exc)) from None
    except duckdb.Error as exc:  # e.g. a database invalidated by an earlier fatal error
        raise BackupWriteError(store.path, _first_line(exc)) from None
    return RestoreInfo(restored_from=file, backup=info, safety_backup=safety, upgraded_from=upgraded_from,
                       generation=generation, seconds=time.perf_counter() - started)


def restore_offline(path: str | Path, file: str | Path, *, actor: Actor) -> RestoreInfo:
    """Restore `file` to `path` when no store can be opened there: the database is missing or
    unusable (damaged, made by a newer version). An existing file and its WAL are kept as
    `<name>.unusable-YYYYmmdd-HHMMSS.duckdb` (+ `.wal`), never deleted. Nothing may have `path`
    open (the caller could not open it)."""
    authorise(actor, "restore")
    started = time.perf_counter()
    path, file = Path(path), Path(file)
    if file.exists() and path.exists() and file.resolve() in (path.resolve(), _wal(path.resolve())):
        raise SameFileError(file)
    info = verify_backup(file)
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path.parent)
    set_aside: list[Path] = []
    try:
        with _partial(path, "restore") as staged:
            upgraded_from = _stage(file, info, staged)
            if path.exists() or _wal(path).exists():
                aside = _dated_name(path.parent, _stem(path), "unusable")
                if path.exists():
                    os.replace(path, aside)
                    set_aside.append(aside)
                if _wal(path).exists():
                    os.replace(_wal(path), _wal(aside))
                    set_aside.append(_wal(aside))
            os.replace(staged, path)
            _fsync_folder(path.parent)
    except OSError as exc:
        raise BackupWriteError(path, exc.strerror or str(exc)) from None
    except duckdb.Error as exc:
        raise BackupWriteError(path, _first_line(exc)) from None
    return RestoreInfo(restored_from=file, backup=info, safety_backup=None, upgraded_from=upgraded_from,
                       generation=0, seconds=time.perf_counter() - started, set_aside=tuple(set_aside))


def _stage(file: Path, info: BackupInfo, staged: Path) -> int | None:
    """Copy the verified `file` to `staged` (beside the database, so the swap is a rename), check it
    is the file that was verified, and upgrade it if its schema is older; the old version or None."""
    digest = _copy_file(file, staged)
    if digest != info.sha256:
        raise BackupChangedError(file)
    if info.schema_version >= SCHEMA_VERSION:
        return None
    from .migrations import upgrade  # imports summaries and the importers' helpers: only when needed

    try:
        upgraded_from = upgrade(staged)
    except duckdb.Error as exc:
        raise UnreadableBackupError(file, _first_line(exc)) from None
    finally:
        for leftover in staged.parent.glob(f"{staged.name}.schema-*.bak"):
            leftover.unlink(missing_ok=True)  # the upgrade's copy of the old file: the user's file is that
    if _wal(staged).exists():
        raise BackupWriteError(staged, Message("backup.wal_remained", file=_wal(staged).name))
    verify_backup(staged)
    return upgraded_from


# -- check ---------------------------------------------------------------------------------------
def check_store(store: Store) -> DatabaseReport:
    """Schema version, rows per table and integrity problems of the open database; a database
    whose rows cannot be read (a block failing its checksum) is a `DatabaseUnusableError`."""
    try:
        with store.reader() as cur:
            tables = _table_names(cur)
            counts = {t: _count_and_hash(cur, _ident(t))[0] for t in tables}
            version = 0
            if "schema_info" in tables:
                row = cur.execute("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone()
                version = int(row[0]) if row else 0
            problems = _integrity(cur, version, set(tables))
    except duckdb.Error as exc:
        raise DatabaseUnusableError("startup_cannot_open", store.path, detail=_first_line(exc)) from None
    size = store.path.stat().st_size if store.path.exists() else 0
    return DatabaseReport(path=store.path, schema_version=version, tables=counts, problems=problems, size_bytes=size)


# -- small helpers -------------------------------------------------------------------------------
def _copy_file(source: Path, target: Path) -> str:
    """Copy `source` to `target`, fsynced; the sha256 of what was copied."""
    digest = hashlib.sha256()
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(1 << 20):
            digest.update(chunk)
            writer.write(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    shutil.copystat(source, target)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sql_text(path: Path) -> str:
    """A path inside a SQL string literal (ATTACH takes no parameters): only paths this module
    chose are attached; quotes doubled."""
    return str(path.resolve()).replace("'", "''")


def _ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _quietly(cur: duckdb.DuckDBPyConnection, sql: str) -> None:
    try:
        cur.execute(sql)
    except duckdb.Error:
        pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
