"""`benchmark user …`: local accounts from the command line (benchmark/cli_users.py).

The commands run through a parser built here the way benchmark/cli.py builds its own (cli.py's
`_Parser`, a `--db` parent, `cli_users.register`) and dispatched with cli.main's error rules, so
the tests do not depend on other commands; the last test checks the real `benchmark.cli.main` once
the command is wired in. Passwords come from a fake standard input or a fake terminal; the real
argon2 defaults are used, so each hash costs about a tenth of a second.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys

import pytest

from benchmark import cli, cli_users, users
from benchmark.auth import Role
from benchmark.errors import BenchmarkError
from benchmark.store import Store

PASSWORD = "correct horse battery"


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "users.duckdb"
    with Store(path) as store:
        store.create_schema()
    return path


def parser() -> tuple[argparse.ArgumentParser, dict]:
    top = cli._Parser(prog="benchmark")
    top.add_argument("--db")
    db_parent = cli._Parser(add_help=False)
    db_parent.add_argument("--db", default=argparse.SUPPRESS)
    commands = top.add_subparsers(dest="command", parser_class=cli._Parser)
    commands.required = True
    return top, cli_users.register(commands, db_parent)


def run(db, *argv: str, stdin: str | None = "") -> int:
    """Run `benchmark --db DB user ARGV…` with `stdin` as piped standard input (cli.main's rules)."""
    top, handlers = parser()
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        args = top.parse_args(["--db", str(db), "user", *argv])
        return handlers[args.command](args)
    except (cli.UsageError, *cli.ARGUMENT_ERRORS) as exc:
        print(f"benchmark: error: {exc}", file=sys.stderr)
        return 2
    except BenchmarkError as exc:
        print(f"benchmark: error: {exc}", file=sys.stderr)
        return 1


@pytest.fixture(autouse=True)
def keep_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", sys.stdin)  # put back whatever run() replaced


def stored(db) -> list[tuple]:
    with Store(db) as store:
        return store.rows("SELECT name, role FROM users ORDER BY name_key")


def signs_in(db, name: str, password: str) -> bool:
    with Store(db) as store:
        try:
            users.sign_in(store, name, password)
        except users.SignInError:
            return False
    return True


def test_add_reads_the_password_from_standard_input(db, capsys):
    assert run(db, "add", "adam", "--role", "admin", stdin=PASSWORD + "\nsecond line\n") == 0
    assert capsys.readouterr().out == "added adam (admin)\n"
    assert stored(db) == [("adam", "admin")]
    assert signs_in(db, "adam", PASSWORD)  # the first line, without its line ending
    assert not signs_in(db, "adam", PASSWORD + "\n")


def test_only_the_line_ending_is_taken_off(db):
    assert run(db, "add", "anna", "--role", "analyst", stdin="  spaced password  \r\n") == 0
    assert signs_in(db, "anna", "  spaced password  ")
    assert not signs_in(db, "anna", "spaced password")


def test_a_password_is_never_an_argument(db, capsys):
    assert run(db, "add", "adam", "--role", "admin", "--password", PASSWORD, stdin=PASSWORD + "\n") == 2
    assert "unrecognized arguments: --password" in capsys.readouterr().err
    assert stored(db) == []


def test_no_password_on_standard_input(db, capsys):
    assert run(db, "add", "adam", "--role", "admin", stdin="") == 2
    assert capsys.readouterr().err == (
        "benchmark: error: no password on standard input; send it as the first line, or run the command in a "
        "terminal to be asked for it\n")
    assert stored(db) == []


def test_a_short_password_or_an_unknown_role_is_one_line(db, capsys):
    assert run(db, "add", "adam", "--role", "admin", stdin="too short\n") == 2
    err = capsys.readouterr().err
    assert err.startswith("benchmark: error: the password is too short: use at least 12 characters")
    assert err.count("\n") == 1
    assert run(db, "add", "adam", "--role", "emperor", stdin=PASSWORD + "\n") == 1
    assert capsys.readouterr().err == (
        "benchmark: error: unknown role 'emperor'; the roles are viewer, analyst, admin\n")
    assert stored(db) == []


def test_on_a_terminal_the_password_is_typed_twice(db, monkeypatch, capsys):
    typed = iter([PASSWORD, PASSWORD, PASSWORD, PASSWORD + "x"])
    prompts = []

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return next(typed)

    monkeypatch.setattr(cli_users.getpass, "getpass", getpass)
    terminal = io.StringIO()
    terminal.isatty = lambda: True
    sys.stdin = terminal
    assert run(db, "add", "adam", "--role", "admin", stdin=None) == 0
    assert prompts == ["new password for adam: ", "the same password again: "]
    assert signs_in(db, "adam", PASSWORD)
    assert run(db, "add", "bo", "--role", "viewer", stdin=None) == 2
    assert capsys.readouterr().err.endswith("the two passwords differ; type the same password twice\n")
    assert stored(db) == [("adam", "admin")]


def test_list_never_shows_a_hash(db, capsys):
    run(db, "add", "Bo", "--role", "viewer", stdin=PASSWORD + "\n")
    run(db, "add", "adam", "--role", "admin", stdin=PASSWORD + "\n")
    capsys.readouterr()
    assert run(db, "list", "--format", "csv") == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["name", "role", "created_at", "created_by", "password_changed_at", "last_sign_in_at",
                             "failed_attempts", "locked_until"]
    assert [(r["name"], r["role"], r["failed_attempts"], r["locked_until"]) for r in rows] == [
        ("adam", "admin", "0", ""), ("Bo", "viewer", "0", "")]
    assert "argon2" not in out and PASSWORD not in out
    assert run(db, "list", "--format", "table") == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == list(rows[0])
    assert "argon2" not in table and "adam" in table


def test_set_role_remove_and_the_last_admin(db, capsys):
    run(db, "add", "adam", "--role", "admin", stdin=PASSWORD + "\n")
    run(db, "add", "anna", "--role", "viewer", stdin=PASSWORD + "\n")
    capsys.readouterr()
    assert run(db, "set-role", "ANNA", "analyst") == 0
    assert capsys.readouterr().out == "ANNA is now analyst\n"
    assert run(db, "remove", "adam") == 2
    assert capsys.readouterr().err.startswith("benchmark: error: 'adam' is the only administrator;")
    assert run(db, "set-role", "adam", "viewer") == 2
    capsys.readouterr()
    assert run(db, "remove", "anna") == 0
    assert capsys.readouterr().out == "removed anna\n"
    assert stored(db) == [("adam", "admin")]
    assert run(db, "remove", "anna") == 2
    assert capsys.readouterr().err == (
        "benchmark: error: there is no account named 'anna'; `benchmark user list` shows the accounts\n")


def test_set_password_and_unlock(db, capsys, monkeypatch):
    monkeypatch.setenv("BENCHMARK_SIGN_IN_ATTEMPTS", "2")
    run(db, "add", "anna", "--role", "analyst", stdin=PASSWORD + "\n")
    with Store(db) as store:
        for _ in range(2):
            with pytest.raises(users.SignInError):
                users.sign_in(store, "anna", "wrong password")
        assert users.find_user(store, "anna").locked()
    assert run(db, "unlock", "anna") == 0
    assert capsys.readouterr().out.endswith("unlocked anna\n")
    assert signs_in(db, "anna", PASSWORD)
    assert run(db, "set-password", "anna", stdin="a brand new password\n") == 0
    assert capsys.readouterr().out == "set a new password for anna\n"
    assert signs_in(db, "anna", "a brand new password") and not signs_in(db, "anna", PASSWORD)
    # An unknown name is refused before a password is read.
    sys.stdin = io.StringIO("never read\n")
    assert run(db, "set-password", "eve", stdin=None) == 2
    assert sys.stdin.read() == "never read\n"


def test_the_real_command_line_has_the_user_command(db, capsys):
    if "cli_users" not in open(cli.__file__, encoding="utf-8").read():
        pytest.skip("benchmark/cli.py does not register cli_users yet")
    sys.stdin = io.StringIO(PASSWORD + "\n")
    assert cli.main(["--db", str(db), "user", "add", "adam", "--role", "admin"]) == 0
    assert cli.main(["--db", str(db), "user", "list", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "adam,admin," in out and "argon2" not in out
    with Store(db) as store:
        assert users.current_role(store, "adam") == Role.ADMIN
