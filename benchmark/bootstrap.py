"""Create a ready-to-use database on first start, atomically.

The file is built under a temporary name next to the target and renamed into
place only when the registry (and, if asked, the demo data) are in, so an
interrupted first start never leaves a half-made database behind.

Every start checks the database before the dashboard uses it (`ensure_database`): it must open,
its schema must be this version's (an older one gets a backup, `backups/<name>-before-upgrade-…`,
and is then upgraded by `migrations.upgrade`), and it must pass the integrity checks (all but the
full scans of schema.FULL_SCAN_CHECKS, which `benchmark check` runs). A database
that fails is reported as a `backup.DatabaseUnusableError` naming what to do (restore the latest
backup, docs/backup.md), never a traceback, and the file is left as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from . import demo
from .auth import SYSTEM, authorise
from .errors import BenchmarkError, Joined, SchemaOutdatedError
from .registry import load_registry
from .store import Store, open_store, served_store


def build_database(path: Path, *, with_demo: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.building-{os.getpid()}")
    # A first start that was killed leaves its temporary file; it holds nothing worth keeping.
    for leftover in path.parent.glob(f".{path.name}.building-*"):
        leftover.unlink(missing_ok=True)
    try:
        with Store(temporary) as store:
            store.create_schema()
            load_registry(store, actor=SYSTEM)
            if with_demo:
                demo.load_demo(store, actor=SYSTEM)
            with store.writer(authorise(SYSTEM, "upgrade")) as cur:
                cur.execute("INSERT OR REPLACE INTO schema_info VALUES ('created_by', 'first start')")
            store.rows("CHECKPOINT")  # fold the WAL into the file before it is renamed
        os.replace(temporary, path)
    finally:
        for leftover in (temporary, Path(str(temporary) + ".wal")):
            leftover.unlink(missing_ok=True)


def ensure_database(path: Path, *, with_demo: bool) -> Store:
    """Open `path`, creating it first (registry, optionally demo data) if it does not exist, and
    check it (see the module's docstring): `DatabaseUnusableError` if it cannot be used."""
    from .backup import DatabaseUnusableError

    if not path.exists():
        build_database(path, with_demo=with_demo)
    try:
        store = _open_backed_up(path)
    except BenchmarkError as exc:
        if exc.key == "database.cannot_open":
            raise DatabaseUnusableError("startup_cannot_open", path, detail=exc.params.get("detail", "")) from exc
        raise
    except duckdb.Error as exc:  # an upgrade that failed: migrations.upgrade leaves the old file
        raise DatabaseUnusableError("upgrade_failed", path, detail=_first_line(exc)) from exc
    try:
        # The key checks read every value (seconds on a national data set, at every start); each
        # write checked its own keys, and `benchmark check` runs them all.
        problems = store.integrity_problems(full_scans=False)
    except duckdb.Error as exc:  # e.g. a block that fails its checksum
        store.close()
        raise DatabaseUnusableError("startup_cannot_open", path, detail=_first_line(exc)) from exc
    if problems:
        store.close()
        raise DatabaseUnusableError(
            "startup_damaged", path, problems=Joined([f"{name}: {count}" for name, count in problems.items()], "; "))
    return store


def _open_backed_up(path: Path) -> Store:
    """`open_store(path)`, with a backup of a database of an older schema version before it is
    upgraded (the upgrade itself is atomic; the backup is the way back to the old version of the tool).

    A database of this version is checked and kept on the one connection that read its version:
    the dashboard's start opens the file once, not once for the backup question and again for use.
    """
    if served_store() is not None:
        return open_store(path)  # a command run by the dashboard: its store, checked when it started
    store = Store(path)
    try:
        store.require_initialised()
    except SchemaOutdatedError as exc:
        try:
            if exc.version > 0:
                _backup_before_upgrade(store, path, exc.version)
        finally:
            store.close()
        return open_store(path)  # upgrades it
    except BaseException:
        store.close()
        raise
    return store


def _backup_before_upgrade(store: Store, path: Path, version: int) -> None:
    from .backup import _dated_name, backup, default_folder

    folder = default_folder(path)
    folder.mkdir(parents=True, exist_ok=True)
    stem = path.name.removesuffix(".duckdb")
    backup(store, _dated_name(folder, stem, f"before-upgrade-{version}"), actor=SYSTEM)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
