"""Upgrading a database made by an older version of the tool.

An upgrade that only adds tables (schema.ADDED_TABLES) or rebuilds some with new constraints
(schema.REBUILT_TABLES) does so in place, in one transaction each. Every other upgrade works the
same way, whatever changed: build a new file with the
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
from .schema import ADDED_TABLES, REBUILT_TABLES, SCHEMA_VERSION, TABLES, TABLES_BY_NAME, ddl
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
        steps = range(version + 1, SCHEMA_VERSION + 1)
        if version and all(v in ADDED_TABLES or v in REBUILT_TABLES for v in steps):
            # Only new tables, or tables rebuilt, since then: in place rather than a copy of the
            # whole file. The rebuilds come first and the version is written last (create_schema),
            # so an interruption leaves the old version, which retries; a rebuild done twice is the same.
            rebuilt = [name for v in steps for name in REBUILT_TABLES.get(v, ())]
            if rebuilt:
                with old.bulk_memory(), old.writer(authorise(SYSTEM, "upgrade")) as cur:
                    for name in rebuilt:
                        expected = cur.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
                        kept = rebuild_table(cur, name)
                        if kept != expected:
                            raise BenchmarkError("database.upgrade_incomplete", path=path, table=name,
                                                 expected=expected, copied=kept)
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


def rebuild_table(cur, name: str, keep: str | None = None) -> int:
    """Make table `name` anew with its current definition (constraints, keys) and the rows it holds,
    or only those matching `keep` (fixed SQL, no user input); returns how many rows it holds now.
    Inside the caller's transaction, which compares that count with what it expected."""
    table = TABLES_BY_NAME[name]
    create = next(s for s in ddl() if s.startswith(f"CREATE TABLE IF NOT EXISTS {name} ("))
    columns = ", ".join(c.name for c in table.columns)
    old = f"{name}_before_rebuild"
    where = f" WHERE {keep}" if keep else ""
    cur.execute(f"ALTER TABLE {name} RENAME TO {old}")
    cur.execute(create)
    cur.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {old}{where}")
    cur.execute(f"DROP TABLE {old}")
    return int(cur.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])


def _count(store: Store, table: str) -> int | None:
    exists = store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table])
    return int(store.scalar(f"SELECT count(*) FROM {table}")) if exists else None


def _quoted(path: Path) -> str:
    # ATTACH takes no parameters; the path is ours (the configured database), quotes doubled.
    return str(path.resolve()).replace("'", "''")
