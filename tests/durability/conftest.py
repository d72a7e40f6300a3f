"""Helpers for the durability tests: a small database with hand-made rows, its state per table,
files that are not backups, and the command line's maintenance commands."""

from __future__ import annotations

import argparse
import sys
import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import duckdb
import pytest

from benchmark import imports
from benchmark.store import Store
from tests.actors import ADMIN

FIRST_UPLOAD = "organisation,platform,period,posts,reactions\nÖrebro,facebook,2024-07,5,10\nLaxå,facebook,2024-07,3,4\n"
SECOND_UPLOAD = "organisation,platform,period,posts,reactions\nÖrebro,facebook,2024-08,7,70\nRegion Skåne,facebook,2024-08,1,2\n"


def upload(store: Store, text: str, name: str = "upload.csv") -> int:
    """Import a template file as a user would; the new import's id."""
    plan = imports.plan_import(store, name, text.encode("utf-8"))
    return imports.commit_import(store, plan, actor=ADMIN).import_id


def state(store_or_path: Store | Path) -> dict[str, tuple[int, int]]:
    """Per table: rows, and the sum of the hashes of its rows (every column)."""
    def read(cur) -> dict[str, tuple[int, int]]:
        tables = [r[0] for r in cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1").fetchall()]
        return {t: tuple(int(v) for v in cur.execute(
            f'SELECT count(*), coalesce(sum(hash(x)::HUGEINT), 0) FROM "{t}" AS x').fetchone()) for t in tables}

    if isinstance(store_or_path, Store):
        with store_or_path.reader() as cur:
            return read(cur)
    con = duckdb.connect(str(store_or_path), read_only=True)
    try:
        return read(con)
    finally:
        con.close()


@pytest.fixture()
def uploaded(small_store: Store) -> Store:
    """The small registry (import 1) and one upload (import 2): Örebro and Laxå, July 2024."""
    assert upload(small_store, FIRST_UPLOAD, "july.csv") == 2
    return small_store


def add_filler_posts(store: Store, rows: int) -> None:
    """Many posts of one page, so that copying the database takes a moment."""
    from tests.actors import permit

    account = store.scalar("SELECT min(account_id) FROM accounts")
    with store.writer(permit()) as cur:
        cur.execute(
            "INSERT INTO posts (account_id, post_id, published_at, import_id) "
            "SELECT ?, 'filler-' || range, TIMESTAMP '2020-01-01' + to_seconds(range), 2 FROM range(?)",
            [account, rows])


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Run `benchmark ARGV` with the maintenance commands: through benchmark.cli.main once it is
    wired there, else through a parser built like cli.py's (same error handling)."""
    from benchmark import cli, cli_maintenance

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        cli.build_parser()  # where cli.py registers the maintenance commands once wired
        if "backup" in cli.COMMANDS:
            code = cli.main(argv)
        else:
            parser = cli._Parser(prog="benchmark")
            parser.add_argument("--db", metavar="PATH")
            db_parent = cli._Parser(add_help=False)
            db_parent.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS)
            commands = parser.add_subparsers(dest="command", parser_class=cli._Parser)
            handlers = cli_maintenance.register(commands, db_parent)
            try:
                args = parser.parse_args(argv)
                code = handlers[args.command](args)
            except cli.UsageError as exc:
                print(f"benchmark: error: {exc}", file=sys.stderr)
                code = 2
            except cli.ARGUMENT_ERRORS as exc:
                print(f"benchmark: error: {exc}", file=sys.stderr)
                code = 2
            except cli.BenchmarkError as exc:
                print(f"benchmark: error: {exc}", file=sys.stderr)
                code = 1
    return code, out.getvalue(), err.getvalue()
