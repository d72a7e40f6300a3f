"""The control channel in one process: a server thread on a store, commands sent to it.

The socket folder is moved to a short temporary folder of the test's own (socket paths are
limited to 108 bytes; pytest's tmp_path can be longer).
"""

from __future__ import annotations

import getpass
import hashlib
import io
import logging
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from benchmark import cli, control, imports
from benchmark.errors import BenchmarkError
from benchmark.store import open_store, served_store, serving
from tests.actors import ADMIN


@pytest.fixture()
def sockets(monkeypatch) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bm-", dir="/tmp"))
    os.rmdir(folder)  # the server makes it, 0700
    monkeypatch.setattr(control, "socket_folders", lambda: [folder])
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def server(small_store, sockets):
    running = control.serve_control(small_store)
    yield running
    running.close()


def _send(database: Path, argv: list[str], **options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    sock = control.connect(database)
    assert sock is not None, "nothing answered"
    with sock:
        code = control.forward(sock, database, argv, stdout=out, stderr=err, **options)
    return code, out.getvalue(), err.getvalue()


def test_the_socket_is_private_and_named_after_the_database(server, small_store, sockets):
    digest = hashlib.sha256(str(small_store.path.resolve()).encode()).hexdigest()[:16]
    assert server.path == sockets / f"{digest}.sock"
    assert stat.S_IMODE(os.lstat(sockets).st_mode) == 0o700
    info = os.lstat(server.path)
    assert stat.S_ISSOCK(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600
    assert info.st_uid == os.getuid()
    # However long the database's path, the socket's stays short.
    assert len(str(control.socket_paths("/" + "x" * 300 + "/db.duckdb")[0])) < 108
    server.close()
    assert not server.path.exists()
    assert control.connect(small_store.path) is None
    server.close()  # twice is harmless


def test_a_command_runs_in_the_serving_process_with_its_open_store(server, small_store, capsys, tmp_path):
    (tmp_path / "q1.csv").write_text(
        "organisation,platform,period,followers,posts\nÖrebro,facebook,2025-Q1,1000,30\n", encoding="utf-8")
    writes = small_store.writes
    assert cli.main(["--db", str(small_store.path), "import", str(tmp_path / "q1.csv")]) == 0
    out, err = capsys.readouterr()
    assert err == cli.FORWARDING_NOTE + "\n"
    assert out.splitlines()[-1] == "imported q1.csv as import 2: 2 rows"
    # Written through the served store itself: its writer, its count of writes.
    assert small_store.writes == writes + 1
    assert small_store.rows("SELECT measure, value FROM period_values ORDER BY measure") == [
        ("followers", 1000), ("posts", 30)]
    assert cli.main(["--db", str(small_store.path), "imports", "--format", "csv"]) == 0
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith("import_id,created_at,created_by,file_name,format,platform,row_count,status")
    assert lines[1].startswith("2,") and ",q1.csv,template,facebook,2,committed," in lines[1]
    assert server.requests == 2


def test_errors_and_exit_codes_come_back(server, small_store):
    code, out, err = _send(small_store.path, ["--db", str(small_store.path), "import", "/nonexistent/x.csv"])
    assert (code, out) == (2, "")
    assert err == "benchmark: error: /nonexistent/x.csv: no such file\n"
    code, _, err = _send(small_store.path, ["--db", str(small_store.path), "report", "watch", "--organisation",
                                            "Nowhere", "--platform", "facebook", "--period", "2025-Q1"])
    assert code == 2 and err.startswith("benchmark: error: unknown organisation 'Nowhere'")


def test_a_request_for_another_database_is_refused(server, small_store, tmp_path):
    other = tmp_path / "other.duckdb"
    sock = control.connect(small_store.path)
    err = io.StringIO()
    with sock:
        code = control.forward(sock, other, ["--db", str(other), "imports"], stdout=io.StringIO(), stderr=err)
    assert code == 1
    assert err.getvalue() == (f"benchmark: error: this process has the database {small_store.path.resolve()} open, "
                              f"not {other}; run the command for {other} where that database is open, or stop that "
                              "process\n")
    # Inside a served command, open_store hands out the served store and nothing else.
    with serving(small_store):
        borrowed = open_store(small_store.path)
        assert borrowed.path == small_store.path and served_store() is small_store
        borrowed.close()  # does nothing: the serving process goes on using it
        assert small_store.scalar("SELECT 1") == 1
        with pytest.raises(BenchmarkError) as caught:
            open_store(other, must_exist=False)
    assert caught.value.key == "control.other_database"
    assert served_store() is None


def test_output_of_other_threads_stays_in_the_serving_process(server, small_store, monkeypatch, capsys):
    def fake_main(argv):
        print("for the client")
        other = threading.Thread(target=lambda: print("for the server's own output"))
        other.start()
        other.join()
        print("a warning", file=sys.stderr)
        return 3

    monkeypatch.setattr(cli, "main", fake_main)
    code, out, err = _send(small_store.path, ["--db", str(small_store.path), "imports"])
    assert (code, out, err) == (3, "for the client\n", "a warning\n")
    assert "for the server's own output\n" in capsys.readouterr().out


def test_a_prompt_is_answered_by_the_client_and_only_when_interactive(server, small_store, monkeypatch):
    def asking_main(argv):
        try:
            secret = getpass.getpass("Password: ")
        except EOFError:
            print("no password given")
            return 1
        answer = input("Sure? ")
        print(f"got {secret!r} and {answer!r}; terminal: {sys.stdin.isatty()}")
        return 0

    monkeypatch.setattr(cli, "main", asking_main)
    code, out, err = _send(small_store.path, ["--db", str(small_store.path), "user", "add", "x"],
                           interactive=True, stdin=io.StringIO("s3cret\nyes\n"))
    assert (code, err) == (0, "Password: ")
    assert out == "Sure? got 's3cret' and 'yes'; terminal: False\n"
    code, out, _ = _send(small_store.path, ["--db", str(small_store.path), "imports"], stdin=io.StringIO("s3cret\n"))
    assert (code, out) == (1, "no password given\n")
    assert cli._interactive(["--db", "x", "user", "set-password", "anna"])
    assert cli._interactive(["restore", "b.duckdb"]) and not cli._interactive(["import", "user"])


def test_a_stale_socket_is_ignored_and_replaced(small_store, sockets, capsys):
    sockets.mkdir(mode=0o700)
    stale_path = control.socket_paths(small_store.path)[0]
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(stale_path))
    stale.close()  # the file stays, nobody listens: what a killed process leaves
    assert stale_path.exists() and control.connect(small_store.path) is None
    # The command runs here (this test's process has the file open already, so it may).
    assert cli.main(["--db", str(small_store.path), "imports", "--format", "csv"]) == 0
    assert cli.FORWARDING_NOTE not in capsys.readouterr().err
    replacing = control.serve_control(small_store)
    try:
        assert replacing.path == stale_path
        assert _send(small_store.path, ["--db", str(small_store.path), "imports", "--format", "csv"])[0] == 0
    finally:
        replacing.close()
    assert not stale_path.exists()


def test_a_second_server_of_the_process_replaces_the_first(small_store, sockets):
    first = control.serve_control(small_store)
    second = control.serve_control(small_store)
    try:
        assert not first.running and second.running and second.path == first.path
        assert _send(small_store.path, ["--db", str(small_store.path), "imports", "--format", "csv"])[0] == 0
        assert (first.requests, second.requests) == (0, 1)
    finally:
        second.close()


def test_an_unsafe_folder_is_refused_and_the_dashboard_goes_on(small_store, sockets, tmp_path, caplog):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    sockets.symlink_to(elsewhere)  # a link could point anywhere: never followed
    with caplog.at_level(logging.WARNING, logger="benchmark.control"):
        assert control.try_serve_control(small_store) is None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"cannot take commands for the database {small_store.path.resolve()} "
                                  f"(the folder {sockets} for the command socket is not private to you")
    assert list(elsewhere.iterdir()) == []


def test_an_open_folder_is_made_private_by_the_server_and_avoided_by_the_client(small_store, sockets):
    sockets.mkdir(mode=0o755)
    os.chmod(sockets, 0o755)
    server = control.serve_control(small_store)
    try:
        assert stat.S_IMODE(os.lstat(sockets).st_mode) == 0o700
        os.chmod(sockets, 0o777)  # opened up behind the server's back: the client does not trust it
        assert control.connect(small_store.path) is None
    finally:
        os.chmod(sockets, 0o700)
        server.close()


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to act as another user")
def test_another_user_cannot_send_commands(server, small_store, sockets):
    """The folder keeps other users out; where it does not (opened by hand), the server still
    checks the peer's user id and runs nothing."""
    request = ('{"protocol": 1, "db": "%s", "argv": ["imports"], "interactive": false}\n' % small_store.path.resolve())
    script = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_UNIX)\n"
        "try:\n"
        f"    s.connect({str(server.path)!r})\n"
        "except OSError as e:\n"
        "    print('refused', type(e).__name__); sys.exit(0)\n"
        "try:\n"
        f"    s.sendall({request.encode()!r})\n"
        "    answer = s.recv(4096)\n"
        "except OSError:\n"
        "    answer = b''\n"
        "print('closed' if answer == b'' else f'answer {answer!r}')\n"
    )

    python = "/usr/bin/python3"  # the project's virtualenv may lie where nobody can enter
    if not os.access(python, os.X_OK):
        pytest.skip("no system python3 to run as another user")

    def as_nobody() -> subprocess.CompletedProcess:
        return subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=30,
                              preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)), cwd="/")

    assert as_nobody().stdout == "refused PermissionError\n"
    os.chmod(sockets, 0o711)
    os.chmod(server.path, 0o666)
    try:
        # Connected, and closed without an answer (maybe before the request was sent, or with a reset).
        assert as_nobody().stdout == "closed\n"
    finally:
        os.chmod(sockets, 0o700)
        os.chmod(server.path, 0o600)
    assert server.requests == 0


def test_a_served_import_and_a_local_one_at_the_same_moment(server, small_store):
    """A forwarded command and the serving process's own import, at once: both complete."""
    barrier = threading.Barrier(2)
    results = {}

    def own_import() -> None:
        plan = imports.plan_import(small_store, "laxa.csv", b"organisation,platform,period,posts\nLax\xc3\xa5,facebook,2025-Q1,5\n")
        barrier.wait(timeout=30)
        results["own"] = imports.commit_import(small_store, plan, actor=ADMIN).import_id

    thread = threading.Thread(target=own_import)
    thread.start()
    folder = Path(tempfile.mkdtemp(prefix="bm-files-"))
    try:
        (folder / "orebro.csv").write_text("organisation,platform,period,posts\nÖrebro,facebook,2025-Q1,30\n",
                                           encoding="utf-8")
        barrier.wait(timeout=30)
        code, out, _ = _send(small_store.path, ["--db", str(small_store.path), "import", str(folder / "orebro.csv")])
    finally:
        thread.join(timeout=60)
        shutil.rmtree(folder)
    assert code == 0 and out.splitlines()[-1].startswith("imported orebro.csv as import ")
    assert sorted([results["own"], int(out.split("as import ")[1].split(":")[0])]) == [2, 3]
    assert small_store.rows(
        "SELECT o.name, v.value FROM period_values v JOIN accounts a USING (account_id) "
        "JOIN organisations o USING (organisation_id) ORDER BY ALL") == [("Laxå", 5), ("Örebro", 30)]
