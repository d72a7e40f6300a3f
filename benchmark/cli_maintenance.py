"""The maintenance commands of `benchmark`: backup, restore and check (docs/backup.md).

`register(commands, db_parent)` adds them to the command line's subparsers and returns their
handlers by name; benchmark/cli.py merges them into its COMMANDS. The handlers follow cli.py's
rules: printing only, one-line `benchmark: error: …` messages (raised as `BenchmarkError`s and
printed by cli.main), exit 1 when `check` finds problems.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from . import backup as backups
from . import settings
from .auth import cli_actor
from .errors import BenchmarkError, DatabaseInUseError, ValidationError
from .schema import SCHEMA_VERSION
from .store import open_store

Handler = Callable[[argparse.Namespace], int]


def register(commands: argparse._SubParsersAction, db_parent: argparse.ArgumentParser) -> dict[str, Handler]:
    backup_cmd = commands.add_parser(
        "backup", parents=[db_parent], help="write a consistent backup of the database (also while the dashboard runs)",
        description="Write a consistent snapshot of the whole database to a new file, checked before it is "
                    "renamed into place. By default backups/NAME-YYYYmmdd-HHMMSS.duckdb beside the database. "
                    "Schedule it daily and run it before every upgrade (docs/backup.md).")
    backup_cmd.add_argument("--output", metavar="FILE",
                            help="a new file to write, or a folder to write a dated backup into")
    backup_cmd.add_argument("--keep", type=int, metavar="N",
                            help="afterwards keep only the newest N dated backups of this database in that folder")

    restore_cmd = commands.add_parser(
        "restore", parents=[db_parent], help="replace the database with a backup (checked first)",
        description="Check the backup FILE, write a safety backup of the current database "
                    "(backups/NAME-before-restore-….duckdb), then replace the database with FILE. A backup "
                    "made by an older version is upgraded. A database that cannot be opened at all is kept "
                    "as NAME-unusable-….duckdb beside it, never deleted.")
    restore_cmd.add_argument("file", metavar="FILE", help="the backup to restore")
    restore_cmd.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    commands.add_parser(
        "check", parents=[db_parent], help="check that the database opens, its schema version and its integrity",
        description="Open the database (upgrading an older schema, as every command does), print its schema "
                    "version, the rows per table and the result of the integrity checks; exit 1 on a problem.")
    return {"backup": _cmd_backup, "restore": _cmd_restore, "check": _cmd_check}


def _cmd_backup(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        info = backups.backup(store, args.output, actor=cli_actor(), keep=args.keep)
    print(f"wrote {info.path} ({_megabytes(info.size_bytes)}, {info.rows} rows in {len(info.tables)} tables, "
          f"schema {info.schema_version}) in {info.seconds:.1f} s; sha256 {info.sha256}")
    for path in info.pruned:
        print(f"removed the older backup {path}")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    path = settings.database_path(args.db)
    file = Path(args.file)
    info = backups.verify_backup(file)
    print(f"{file}: a backup of {_created(info)}, schema {info.schema_version}, {info.rows} rows in "
          f"{len(info.tables)} tables, {_megabytes(info.size_bytes)}; checked")
    if not args.yes:
        if not sys.stdin.isatty():
            raise ValidationError("backup.confirm_needed", path=path, file=file)
        answer = input(f"replace the database {path} with it? (a safety backup is written first) [y/N] ")
        if answer.strip().lower() not in ("y", "yes", "j", "ja"):
            raise BenchmarkError("backup.cancelled")
    actor = cli_actor()
    try:
        store = open_store(args.db)
    except DatabaseInUseError:
        raise
    except BenchmarkError as exc:
        # Missing, damaged or made by a newer version: nothing can be opened to back up first;
        # the unusable file is kept under a new name.
        print(f"note: the current database cannot be used ({exc}); restoring without a safety backup",
              file=sys.stderr)
        result = backups.restore_offline(path, file, actor=actor)
    else:
        with store:
            result = backups.restore(store, file, actor=actor)
    if result.safety_backup is not None:
        print(f"safety backup of the replaced database: {result.safety_backup.path}")
    for kept in result.set_aside:
        print(f"the unusable database was kept as {kept}")
    if result.upgraded_from is not None:
        print(f"upgraded the backup from schema {result.upgraded_from} to {SCHEMA_VERSION}")
    print(f"restored {file} to {path} in {result.seconds:.1f} s")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        report = backups.check_store(store)
    print(f"database {report.path} ({_megabytes(report.size_bytes)}): schema {report.schema_version} "
          f"(this version uses {SCHEMA_VERSION})")
    width = max((len(name) for name in report.tables), default=0)
    for name, count in report.tables.items():
        print(f"  {name:<{width}}  {count:>12,}")
    if report.problems:
        for name, count in report.problems.items():
            print(f"integrity problem: {name} ({count})")
        return 1
    print("integrity: ok")
    return 0 if report.ok else 1


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def _created(info: backups.BackupInfo) -> str:
    return info.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
