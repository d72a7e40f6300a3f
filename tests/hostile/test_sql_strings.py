"""No SQL is built from a user's text: every value reaches DuckDB as a parameter.

1. A scan of `benchmark/` with the ast module finds every piece of SQL text that is put together
   in code: f-strings, `+` and `%` on SQL text, `.format()` on SQL text, and any non-constant SQL
   handed to `.execute(`, `.executemany(`, `.sql(`, `.query(`, `store.frame(`, `store.rows(`,
   `store.scalar(` or `store.table(`. Every expression interpolated into such SQL must be on the
   allow-list below, each with the reason it is no value from a user (a table or column name from
   the schema, a fragment built from code constants, a number). A new one fails this test until it
   is reviewed and added here; a value from a file, a form or an address never belongs here: pass
   it as a `?`/`$name` parameter instead.
2. End to end: a template whose page names are an SQL injection and a spreadsheet formula is
   imported; the names are stored exactly as written, every table is still there with its rows, and
   the CSV and XLSX exports of the pages show the formula as inert text.
"""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import openpyxl

from benchmark import imports
from benchmark.periods import parse_period
from benchmark.registry import OrganisationIndex
from benchmark.reports import tables
from benchmark.schema import TABLES
from benchmark.views import organisation_pages
from tests.actors import ADMIN

ROOT = Path(__file__).resolve().parents[2]
SQL_METHODS = {"execute", "executemany", "sql", "query", "frame", "rows", "scalar", "table"}
SQL_TEXT = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|ATTACH|DETACH|COPY|PRAGMA|EXPORT|"
                      r"IMPORT|INSTALL|LOAD|CHECKPOINT|VACUUM|SET|FROM|WHERE|JOIN|VALUES|ORDER BY|GROUP BY|"
                      r"FILTER|LIMIT|OFFSET|UNION|EXCEPT)\b")
# Numbers are never text from a user: `int(x)`, `len(x)`, `float(x)` may be interpolated anywhere.
NUMBER_CALLS = {"int", "len", "float"}

# -- the allow-list: (file, interpolated expression as `ast.unparse` writes it) → why it is safe ------------
SCHEMA_NAME = "a table or column name from benchmark.schema or the module's own tuple of names (code)"
COLUMN_LIST = "the module's constant column list"
FIXED = "a SQL fragment made of fixed text in this function (any value in it is a ? parameter)"
CONSTANT_SQL = "SQL text of a module constant or built from code constants (metric and measure definitions)"
IDENT = "a name quoted as an SQL identifier (double quotes doubled) by backup._ident"
OWN_PATH = "a path this module chose (the configured database, a temporary or backup file), quotes doubled"
SCALE = ("benchmark/scale.py generates synthetic data: numbers, hash expressions and VALUES lists of its own "
         "constants (strings quoted, quotes doubled); no file or form reaches it")
PERF = "benchmark/perf.py measures queries: SQL built from metric definitions and its own constants"

ALLOWED: dict[str, dict[str, str]] = {
    "benchmark/accounts.py": {
        "_COLUMNS": COLUMN_LIST,
        "where": FIXED,
        "' AND a.organisation_id IS NULL' if unlinked_only else ''": FIXED,
    },
    "benchmark/backup.py": {
        "_ident(main)": IDENT,
        "_ident(table.name)": IDENT,
        "table.primary_key[0]": SCHEMA_NAME,
        "_sql_text(partial)": OWN_PATH,
        "alias": "benchmark_backup_<pid>_<counter>: made of digits by the module",
        "table": "f'{_ident(database)}.main.{_ident(name)}', identifiers quoted by _ident",
        "where": FIXED,
        "sql": "a query of schema.INTEGRITY_CHECKS (code)",
    },
    "benchmark/demo.py": {
        "table_name": SCHEMA_NAME,
        "columns": SCHEMA_NAME,
        "demo_imports": FIXED,
        "demo_rows": FIXED,
    },
    "benchmark/imports.py": {
        "table": "one of schema.VERSIONED_TABLES (period_values, account_daily, posts)",
        "t": "one of schema.VERSIONED_TABLES or replaced_<it>",
        "', '.join(columns)": SCHEMA_NAME,
        "columns": SCHEMA_NAME,
        "', '.join(HISTORY_COLUMNS)": COLUMN_LIST,
        "c": "one of POST_VALUE_COLUMNS (code)",
        "join": "t.<key> = i.<key> over KEYS[table] (code) with fixed casts",
        "select": "i.<column> over the schema's columns with fixed casts",
        "same": "t.<c> IS NOT DISTINCT FROM i.<c> over POST_VALUE_COLUMNS (code)",
        "same_key": "the KEYS[table] columns (code)",
        "orphan": "account_id NOT IN (SELECT account_id FROM <table>) over schema.VERSIONED_TABLES",
        "where": FIXED,
        "measures": "measure ids of benchmark.metrics (code) that are columns of the bulk-read template",
        "incoming": "one of two fixed SELECTs of this module (the bulk-read rows or the plan's frame)",
        "key": "the period_values key columns (code)",
    },
    "benchmark/importers/template_fast.py": {
        "cells": "c[<int position of a header column>] AS \"<template field or measure id>\" (code names)",
        "f": "a field name of the project template (code)",
        "m": "a measure id of benchmark.metrics (code)",
        "measure": "a measure id of benchmark.metrics (code)",
        "account_key": "equality of the template's identity fields (code names)",
        "span_key": "equality of the template's period fields (code names)",
        "figures": "a CASE per measure id of benchmark.metrics (code)",
        "quoted": "the template's identity field names (code), quoted",
        "columns": "columns of a frame made by this module (code names), quoted",
        "name": "account_map, span_map or readings: a table named by the module",
        "', '.join(measures)": "measure ids of benchmark.metrics (code)",
    },
    "benchmark/keys.py": {
        "table": "period_values or account_daily: a table of benchmark.schema named by the calling writer",
        "same": "t.<key> = w.<key> over the table's primary key in benchmark.schema",
        "columns": "the table's primary-key columns in benchmark.schema",
        "written": "a SELECT written by the calling writer (fixed text and schema names; values as ? parameters)",
    },
    "benchmark/loadtest.py": {
        "sql": "a query of schema.INTEGRITY_CHECKS (code)",
    },
    "benchmark/migrations.py": {
        "name": SCHEMA_NAME,
        "old": "<table name>_before_rebuild, a schema name with a fixed suffix",
        "columns": SCHEMA_NAME,
        "where": FIXED,
        "keep": "a fixed condition of the calling code (demo rows), no user input",
        "t.name": SCHEMA_NAME,
        "t.primary_key[0]": SCHEMA_NAME,
        "table": SCHEMA_NAME,
        "table.name": SCHEMA_NAME,
        "names": SCHEMA_NAME,
        "_quoted(path)": OWN_PATH,
    },
    "benchmark/perf.py": {
        "_aggregate_sql(scale)": PERF, "_aggregate_sql(scale, trend)": PERF, "bucket": PERF, "e": PERF,
        "extra": PERF, "inside": PERF, "m": PERF, "metric.sql": PERF, "order": PERF, "s": PERF, "sums": PERF,
        "table": PERF, "output": "a file in a temporary directory this function made",
    },
    "benchmark/query.py": {
        "_UNITS[unit]": "the SQL of one of two fixed units (organisation, account)",
        "_LOOKUP_UNITS[unit]": "the SQL of one of two fixed units (organisation, account) for the summary lookup",
        "GRAIN_SQL": CONSTANT_SQL, "GRAIN_RANK_SQL": CONSTANT_SQL,
        "sql_list(_ADDITIVE)": CONSTANT_SQL, "sql_list(_STOCK)": CONSTANT_SQL, "sql_list(_NON_ADDITIVE)": CONSTANT_SQL,
        "', '.join(per_account)": CONSTANT_SQL, "', '.join(rolled)": CONSTANT_SQL,
        "', '.join(_EXTRA_MEASURE_COLUMNS)": CONSTANT_SQL, "', '.join(metric_columns)": CONSTANT_SQL,
        "''.join((', ' + c for c in extra))": CONSTANT_SQL, "metric_columns": CONSTANT_SQL, "rolled": CONSTANT_SQL,
        "m": "a measure id of benchmark.metrics (code)",
    },
    "benchmark/registry.py": {
        "_ORG_COLUMNS": COLUMN_LIST,
        "ids": FIXED,
    },
    "benchmark/scale.py": dict.fromkeys([
        "', '.join(columns)", "AGENCY_MEDIAN_FOLLOWERS", "ANCHOR_DAY", "FOLLOWER_SCALE['municipality']",
        "FOLLOWER_SCALE['region']", "POSTS_PER_MONTH['agency']", "POSTS_PER_MONTH['municipality']",
        "POSTS_PER_MONTH['region']", "_normal(h1)", "_normal(h2)", "_normal(h3)", "_plan_sql()", "_posts_sql(scale)",
        "_u('h1', 0)", "_u('h1', 1)", "_u('h1', 2)", "_u('h1', 3)", "_u('h2', 1)", "_u('h2', 2)", "_u('h2', 3)",
        "_u('hp', 0)", "_u('hp', 1)", "_u(h1, 3)", "_u(h2, 0)", "_u(h2, 1)", "_u(h2, 2)", "_u(h2, 3)", "_u(h3, 3)",
        "_wide_sql(scale, 0)", "_wide_sql(scale, scale.periods - scale.post_periods)", "anchors", "body",
        "first_period", "measures", "name", "platforms", "reach", "scale.periods", "scale.periods - 1",
        "scale.step", "scale.step * 86400", "scale.step - 1", "scale.table", "suffixes['agency']",
        "suffixes['municipality']", "suffixes['region']", "topics", "types",
    ], SCALE),
    "benchmark/schema.py": {
        "table.name": SCHEMA_NAME,
        "table.sequence": SCHEMA_NAME,
        "body": "column definitions of benchmark.schema (code)",
        "start": "int() of a sequence start",
        "_table.name": SCHEMA_NAME,
        "_key": "the table's primary-key columns (code)",
        "_column": "a foreign-key column of the schema (code)",
        "_parent": "the table a foreign key of the schema points at (code)",
        "_parent_column": "the column a foreign key of the schema points at (code)",
    },
    "benchmark/store.py": {
        "sql": "a query of schema.INTEGRITY_CHECKS (code)",
        "bulk_memory_limit_mb()": "a number computed from the machine's memory",
        "settings.get('duckdb_memory_limit')": "the deployment's own setting (server environment), not a user's",
    },
    "benchmark/summaries.py": {
        "TABLE": SCHEMA_NAME, "_INSERT_COLUMNS": COLUMN_LIST, "_ALL": CONSTANT_SQL,
        "GRAIN_SQL": CONSTANT_SQL, "GRAIN_RANK_SQL": CONSTANT_SQL,
        "_monday_of_thursday_week('p_start')": CONSTANT_SQL, "_monday_of_thursday_week('(p_end + 1)')": CONSTANT_SQL,
        "name": "fresh_summaries_<n>: a scratch table named by the module", "union": CONSTANT_SQL,
        "stored": CONSTANT_SQL, "fresh": CONSTANT_SQL,
        # the summary query's parts, each built from measure ids, column names and SQL of the module
        **dict.fromkeys(["s", "sums", "first", "key", "last", "rows", "summed", "as_level", "rank", "any_complete",
                         "complete", "at_end", "at_start", "d_filter", "v_filter", "grains", "has_stock", "itself",
                         "keep", "level_candidates", "level_sql", "packed", "picked", "pivot", "kept", "query"],
                        CONSTANT_SQL),
    },
    "benchmark/users.py": {
        "_USER_COLUMNS": COLUMN_LIST,
    },
}


def _is_sql(text: str) -> bool:
    return bool(SQL_TEXT.search(text))


def _constant(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _pieces(node: ast.AST) -> list[ast.AST] | None:
    """The expressions put into SQL text by `node`, or None when `node` builds no text."""
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return [side for side in (node.left, node.right) if _constant(side) is None]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return [*node.args, *(k.value for k in node.keywords)]
    return None


def _text_of(node: ast.AST) -> str:
    """The constant text a text-building node holds (to tell SQL from other text)."""
    return "".join(v.value for v in ast.walk(node) if isinstance(v, ast.Constant) and isinstance(v.value, str))


def built_sql(root: Path = ROOT) -> dict[tuple[str, str], list[int]]:
    """(file, expression) → lines, for every expression interpolated into SQL text in benchmark/."""
    found: dict[tuple[str, str], list[int]] = {}
    for path in sorted((root / "benchmark").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        seen: set[int] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            pieces = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in SQL_METHODS and node.args:
                pieces = _pieces(node.args[0])  # at a call site, any built text counts
                if pieces is None and not isinstance(node.args[0], ast.Constant | ast.Name | ast.Attribute
                                                     | ast.Call | ast.IfExp | ast.Subscript):
                    pieces = [node.args[0]]
            elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add) \
                    and isinstance(node.target, ast.Name) and "sql" in node.target.id.lower() \
                    and _pieces(node.value) is None and _constant(node.value) is None:
                pieces = [node.value]  # `sql += where`
            elif isinstance(node, ast.JoinedStr | ast.BinOp) and _is_sql(_text_of(node)):
                pieces = _pieces(node)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
                    and _is_sql(_constant(node.func.value) or ""):
                pieces = _pieces(node)
            for piece in pieces or ():
                if id(piece) in seen or isinstance(piece, ast.Constant):
                    continue
                seen.add(id(piece))
                if isinstance(piece, ast.Call) and isinstance(piece.func, ast.Name) and piece.func.id in NUMBER_CALLS:
                    continue
                found.setdefault((relative, ast.unparse(piece)), []).append(node.lineno)
    return found


def test_no_sql_is_built_from_anything_but_reviewed_code_values():
    found = built_sql()
    assert len(found) > 50  # the scan sees the package's SQL (it would otherwise pass vacuously)
    unknown = sorted(f"{file}:{lines[0]}: {expr}" for (file, expr), lines in found.items()
                     if expr not in ALLOWED.get(file, {}))
    assert unknown == [], (
        "SQL text built with these expressions; pass values as ? parameters, or (names from code only) "
        "add them to ALLOWED with the reason:\n" + "\n".join(unknown))


def test_the_scan_catches_a_value_put_into_sql(tmp_path):
    """The scan itself: a form value in an f-string, a concatenation and a .format() are all found."""
    bad = tmp_path / "benchmark" / "bad.py"
    bad.parent.mkdir()
    bad.write_text(
        "def f(store, name, org, where):\n"
        "    store.rows(f\"SELECT * FROM accounts WHERE name = '{name}'\")\n"
        "    sql = 'DELETE FROM accounts WHERE name = ' + name\n"
        "    q = \"SELECT * FROM organisations WHERE name = '{}'\".format(org)\n"
        "    sql += where\n"
        "    store.scalar(\"SELECT count(*) FROM accounts WHERE name = ?\", [name])\n"
        "    store.rows(sql, [len(name)])\n", encoding="utf-8")
    assert built_sql(tmp_path) == {("benchmark/bad.py", "name"): [2, 3], ("benchmark/bad.py", "org"): [4],
                                   ("benchmark/bad.py", "where"): [5]}


# -- end to end ---------------------------------------------------------------------------------------------
INJECTION = "x'); DROP TABLE accounts; --"
FORMULA = '=HYPERLINK("http://x","y")'


def test_hostile_page_names_are_stored_verbatim_and_exported_inert(small_store):
    content = ("organisation,platform,period,account,posts\n"
               f"Laxå,facebook,2025-Q1,\"{INJECTION}\",3\n"
               f"Laxå,facebook,2025-Q1,\"{FORMULA.replace(chr(34), chr(34) * 2)}\",4\n").encode("utf-8")
    tables_before = {r[0] for r in small_store.rows("SELECT table_name FROM duckdb_tables()")}
    plan = imports.plan_import(small_store, "hostile.csv", content)
    result = imports.commit_import(small_store, plan, actor=ADMIN)
    assert result.rows_written == 2

    assert {r[0] for r in small_store.rows("SELECT table_name FROM duckdb_tables()")} == tables_before
    assert {t.name for t in TABLES} <= tables_before
    names = [r[0] for r in small_store.rows("SELECT name FROM accounts WHERE NOT is_demo ORDER BY account_id")]
    assert sorted(names) == sorted([INJECTION, FORMULA])  # stored exactly as written
    assert small_store.scalar("SELECT count(*) FROM organisations") == 6
    assert small_store.scalar("SELECT sum(value) FROM period_values WHERE measure = 'posts'") == 7
    assert small_store.integrity_problems() == {}

    laxa = OrganisationIndex(small_store).resolve("Laxå")
    pages = organisation_pages(small_store, laxa, "facebook", parse_period("2025-Q1"))
    assert sorted(pages["account"]) == sorted([INJECTION, FORMULA])
    text = tables.frame_to_csv(pages[["account", "posts"]])
    assert "'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" in text and '\n"=HYPERLINK' not in text
    assert f"{INJECTION}," in text
    table = tables.simple_table(pages, {"account": "Page", "posts": "Posts"}, "Pages", {"posts": tables.INT})
    sheet = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx([table]))).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert cells["'" + FORMULA].data_type == "s" and cells["'" + FORMULA].quotePrefix
    assert FORMULA not in cells and INJECTION in cells  # no cell holds the formula itself
