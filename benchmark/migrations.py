"""Upgrading a database made by an older version of the tool.

An upgrade that only adds tables (schema.ADDED_TABLES) creates them in place, in one
transaction. Every other upgrade works the same way, whatever changed: build a new file with the
current schema beside the old one, copy every table's rows (columns the old
schema lacks become NULL or their default), rebuild the derived tables
(`period_summaries`) from them, check the row counts, keep the old
file as `<name>.schema-<old>.bak` and rename the new one into place. DuckDB
cannot change CHECK constraints in place, and a copy leaves nothing
half-upgraded: until the rename, the old file is untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import summaries
from .auth import SYSTEM, authorise
from .errors import BenchmarkError
from .schema import ADDED_TABLES, SCHEMA_VERSION, TABLES
from .store import Store


def schema_version(store: Store) -> int:
    return int(store.scalar("SELECT value FROM schema_info WHERE key = 'schema_version'") or 0)


def upgrade(path: Path) -> int | None:
    """Upgrade the database at `path` if it is older than this version; returns the old version.

    The caller must make sure no other process has the file open.
    """
    with Store(path) as old:
        version = schema_version(old)
        if version >= SCHEMA_VERSION:
            return None
        if version and all(v in ADDED_TABLES for v in range(version + 1, SCHEMA_VERSION + 1)):
            # Only new tables since then: create them in place, in one transaction, rather than
            # copying millions of rows; an interruption leaves the old version, which retries.
            old.create_schema()
            return version
        old.rows("CHECKPOINT")  # no WAL may stay behind next to the renamed file
        counts = {t.name: _count(old, t.name) for t in TABLES}
        starts = {
            t.sequence: int(old.scalar(f"SELECT coalesce(max({t.primary_key[0]}), 0) + 1 FROM {t.name}"))
            for t in TABLES if t.sequence and counts[t.name] is not None
        }
        old_columns = {
            t.name: {r[0] for r in old.rows(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [t.name])}
            for t in TABLES if counts[t.name] is not None
        }
    new_path = path.with_name(f".{path.name}.upgrading-{os.getpid()}")
    try:
        with Store(new_path) as new, new.bulk_memory():
            new.create_schema(sequence_starts=starts)
            with new.writer(authorise(SYSTEM, "upgrade")) as cur:
                cur.execute(f"ATTACH '{_quoted(path)}' AS upgrade_source (READ_ONLY)")
                for table in TABLES:
                    if counts[table.name] is None or table.name == "schema_info" or table.derived:
                        continue
                    columns = [c.name for c in table.columns if c.name in old_columns[table.name]]
                    names = ", ".join(columns)
                    cur.execute(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM upgrade_source.{table.name}")
                summaries.refresh(cur)
            for table in TABLES:
                if counts[table.name] is not None and table.name != "schema_info" and not table.derived:
                    copied = _count(new, table.name)
                    if copied != counts[table.name]:
                        raise BenchmarkError("database.upgrade_incomplete", path=path, table=table.name,
                                             expected=counts[table.name], copied=copied)
            new.rows("DETACH upgrade_source")
            new.rows("CHECKPOINT")
        backup = path.with_name(f"{path.name}.schema-{version}.bak")
        os.replace(path, backup)
        os.replace(new_path, path)
    finally:
        for leftover in (new_path, Path(str(new_path) + ".wal")):
            leftover.unlink(missing_ok=True)
    return version


def _count(store: Store, table: str) -> int | None:
    exists = store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table])
    return int(store.scalar(f"SELECT count(*) FROM {table}")) if exists else None


def _quoted(path: Path) -> str:
    # ATTACH takes no parameters; the path is ours (the configured database), quotes doubled.
    return str(path.resolve()).replace("'", "''")
