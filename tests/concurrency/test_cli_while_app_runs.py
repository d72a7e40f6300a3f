"""The command line while another process has the database open.

A child process stands in for the dashboard: it opens the store and serves commands (as
benchmark.ui._store does), and imports a file of its own on request. `benchmark …` runs as a
subprocess from another working folder, with relative file names.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmark import control
from benchmark.bootstrap import build_database
from benchmark.store import Store
from tests.concurrency.support import REPO_ROOT, run_cli, wait_for_control

NOTE = "the dashboard has the database open; running the command in its process"

CHILD = """
import sys
from benchmark import control, imports
from benchmark.auth import cli_actor
from benchmark.store import open_store

store = open_store(sys.argv[1])
server = control.serve_control(store) if sys.argv[2] == "serve" else None
print("ready", flush=True)
for line in sys.stdin:
    command = line.strip()
    if command.startswith("import "):
        path = command.removeprefix("import ")
        with open(path, "rb") as handle:
            plan = imports.plan_import(store, path.rsplit("/", 1)[-1], handle.read())
        print(imports.commit_import(store, plan, actor=cli_actor("child")).message, flush=True)
    elif command == "quit":
        break
if server is not None:
    server.close()
store.close()
print("closed", flush=True)
"""


@pytest.fixture(scope="module")
def registry_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("registry") / "registry.duckdb"
    build_database(path, with_demo=False)
    return path


@pytest.fixture()
def work(tmp_path, registry_db) -> Path:
    (tmp_path / "db.duckdb").write_bytes(registry_db.read_bytes())
    (tmp_path / "orebro.csv").write_text(
        "organisation,platform,period,followers,posts\nSE:1880,facebook,2025-Q1,1000,30\n", encoding="utf-8")
    (tmp_path / "laxa.csv").write_text(
        "organisation,platform,period,followers,posts\nSE:1860,facebook,2025-Q1,200,5\n", encoding="utf-8")
    return tmp_path


def _start_child(database: Path, mode: str = "serve") -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(database), mode], cwd=REPO_ROOT, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
    line = child.stdout.readline()
    assert line == "ready\n", child.stderr.read()
    if mode == "serve":
        wait_for_control(database, 30, child)
    return child


def _stop_child(child: subprocess.Popen) -> str:
    if child.poll() is None:
        out, err = child.communicate("quit\n", timeout=60)
        assert child.returncode == 0, err
        return out
    return ""


def _stored(database: Path) -> list[tuple]:
    with Store(database) as store:
        return store.rows(
            "SELECT o.name, v.measure, v.value, i.file_name, i.created_by FROM period_values v "
            "JOIN accounts a USING (account_id) JOIN organisations o USING (organisation_id) "
            "JOIN imports i ON i.import_id = v.import_id ORDER BY ALL")


def test_an_import_from_the_command_line_runs_in_the_serving_process(work):
    database = work / "db.duckdb"
    child = _start_child(database)
    try:
        # The command line's import and the child's own, at the same moment.
        cli = subprocess.Popen([sys.executable, "-m", "benchmark", "--db", "db.duckdb", "import", "orebro.csv",
                                "--user", "anna"], cwd=work, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
        child.stdin.write(f"import {work / 'laxa.csv'}\n")
        child.stdin.flush()
        out, err = cli.communicate(timeout=120)
        own = child.stdout.readline()
        assert cli.returncode == 0, err
        assert err == NOTE + "\n"
        # Imports 2 and 3 (1 is the registry), in whichever order they committed.
        assert {out.splitlines()[-1], own.strip()} in (
            {"imported orebro.csv as import 2: 2 rows", "imported laxa.csv as import 3: 2 rows"},
            {"imported orebro.csv as import 3: 2 rows", "imported laxa.csv as import 2: 2 rows"})
    finally:
        closed = _stop_child(child)
    assert closed == "closed\n"
    assert not control.socket_paths(database)[0].exists()  # closing removes the socket
    assert _stored(database) == [
        ("Laxå", "followers", 200, "laxa.csv", "child"), ("Laxå", "posts", 5, "laxa.csv", "child"),
        ("Örebro", "followers", 1000, "orebro.csv", "anna"), ("Örebro", "posts", 30, "orebro.csv", "anna"),
    ]


def test_backup_and_check_from_the_command_line_while_the_app_runs(work):
    database = work / "db.duckdb"
    (work / "backups").mkdir()
    child = _start_child(database)
    try:
        child.stdin.write(f"import {work / 'laxa.csv'}\n")
        child.stdin.flush()
        assert child.stdout.readline().startswith("imported laxa.csv as import 2")
        backup = run_cli("--db", "db.duckdb", "backup", "--output", "backups/copy.duckdb", cwd=work)
        assert backup.returncode == 0, backup.stderr
        assert backup.stderr == NOTE + "\n"
        assert backup.stdout.startswith(f"wrote {work / 'backups' / 'copy.duckdb'} (")
        check = run_cli("--db", "db.duckdb", "check", cwd=work)
        assert check.returncode == 0, check.stderr
        assert check.stdout.splitlines()[-1] == "integrity: ok"
    finally:
        _stop_child(child)
    # The backup holds the child's import, made in the child's process before the backup.
    assert [row[:3] for row in _stored(work / "backups" / "copy.duckdb")] == [
        ("Laxå", "followers", 200), ("Laxå", "posts", 5)]


def test_without_a_serving_process_the_command_says_the_database_is_in_use(work):
    database = work / "db.duckdb"
    child = _start_child(database, mode="hold")  # has the file open, takes no commands
    try:
        result = run_cli("--db", "db.duckdb", "import", "orebro.csv", cwd=work)
    finally:
        _stop_child(child)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "benchmark: error: the database db.duckdb is open in another process that does not take commands (a running "
        "`benchmark` command, or a dashboard of another user; a dashboard of yours runs the command itself); wait for "
        "that process to finish or stop it, or pass another file with --db\n")
    assert _stored(database) == []


def test_a_killed_server_leaves_a_socket_that_is_ignored_then_replaced(work):
    database = work / "db.duckdb"
    child = _start_child(database)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdin.close()
    child.stdout.close()
    child.stderr.close()
    socket_path = control.socket_paths(database)[0]
    assert socket_path.exists() and control.connect(database) is None
    local = run_cli("--db", "db.duckdb", "import", "orebro.csv", cwd=work)
    assert local.returncode == 0, local.stderr
    assert NOTE not in local.stderr  # nobody answered: it ran here, on the file the killed process let go
    started = time.perf_counter()
    history_here = run_cli("--db", "db.duckdb", "imports", "--format", "csv", cwd=work)
    here = time.perf_counter() - started
    again = _start_child(database)
    try:
        started = time.perf_counter()
        forwarded = run_cli("--db", "db.duckdb", "imports", "--format", "csv", cwd=work)
        there = time.perf_counter() - started
    finally:
        _stop_child(again)
    assert forwarded.returncode == 0 and forwarded.stderr == NOTE + "\n"
    assert forwarded.stdout == history_here.stdout  # the same answer, from the other process
    assert forwarded.stdout.splitlines()[1].startswith("2,") and ",orebro.csv," in forwarded.stdout.splitlines()[1]
    # Both are mostly Python's start-up; printed for the record (the first command a serving
    # process runs also loads the command line's modules there).
    print(f"\n`benchmark imports`: {here * 1000:.0f} ms in its own process, {there * 1000:.0f} ms forwarded")


def test_a_user_added_from_the_command_line_while_the_app_runs(work):
    from benchmark import cli

    cli.build_parser()  # registers the commands of their own modules
    if "user" not in cli.COMMANDS:
        pytest.skip("benchmark/cli.py does not register the user commands yet")
    database = work / "db.duckdb"
    child = _start_child(database)
    try:
        # The password comes from this command's standard input, through the socket.
        added = run_cli("--db", "db.duckdb", "user", "add", "anna", "--role", "analyst", cwd=work,
                        stdin="correct horse battery\n")
        listed = run_cli("--db", "db.duckdb", "user", "list", "--format", "csv", cwd=work)
        missing = run_cli("--db", "db.duckdb", "user", "set-password", "anna", cwd=work, stdin="")
    finally:
        _stop_child(child)
    assert added.returncode == 0, added.stderr
    assert (added.stdout, added.stderr) == ("added anna (analyst)\n", NOTE + "\n")
    assert listed.returncode == 0 and listed.stderr == NOTE + "\n"
    assert listed.stdout.splitlines()[1].startswith("anna,analyst,")
    assert missing.returncode != 0 and missing.stderr.startswith(NOTE + "\nbenchmark: error: ")
    from benchmark import users
    from benchmark.auth import Role

    with Store(database) as store:
        assert users.find_user(store, "anna").role == Role.ANALYST
