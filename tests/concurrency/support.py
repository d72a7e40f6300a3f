"""Helpers of the concurrency tests: template files with figures known by hand, a dashboard
started with `benchmark serve`, and a protocol-level visit that makes it open its database."""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from benchmark import control
from benchmark.perf import stop_process

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCHMARK = [sys.executable, "-m", "benchmark"]
HEADER = ["organisation", "platform", "period", "followers", "posts", "reactions", "comments", "shares"]
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def template(rows: list[tuple[str, str, str, int, int, int, int, int]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def two_day_periods(organisation: str, count: int, first: date = date(1950, 1, 1)) -> tuple[bytes, int]:
    """`count` two-day periods of one organisation's Facebook page from `first` on, five measures
    each: followers 1000+i, posts i mod 7, reactions 3, comments 2, shares 1. Returns the file
    and the sum of all its values (worked out from those rules, not from the file)."""
    rows = []
    day = first
    for i in range(count):
        rows.append((organisation, "facebook", f"{day}..{day + timedelta(days=1)}", 1000 + i, i % 7, 3, 2, 1))
        day += timedelta(days=2)
    total = sum(1000 + i for i in range(count)) + sum(i % 7 for i in range(count)) + 6 * count
    return template(rows), total


def run_cli(*args: str, cwd: Path, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*BENCHMARK, *args], cwd=cwd, input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))


def wait_for_control(database: Path, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    """Until a process answers on the database's command socket."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock = control.connect(database)
        if sock is not None:
            sock.close()
            return
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the serving process ended with code {process.returncode}")
        time.sleep(0.1)
    raise AssertionError(f"nothing answered on the command socket of {database} within {timeout:.0f} s")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def dashboard(database: Path, work: Path, timeout: float = 60.0) -> Iterator[tuple[int, subprocess.Popen]]:
    """`benchmark serve` on `database` (a subprocess, output to files in `work`); yields its port
    once /_stcore/health answers (with the process); stopped afterwards."""
    port = free_port()
    out = (work / "server.stdout").open("w", encoding="utf-8")
    err = (work / "server.stderr").open("w", encoding="utf-8")
    process = subprocess.Popen([*BENCHMARK, "--db", str(database), "serve", "--port", str(port),
                                "--address", "127.0.0.1"], cwd=REPO_ROOT, stdout=out, stderr=err,
                               env=dict(os.environ, PYTHONPATH=str(REPO_ROOT), PYTHONUNBUFFERED="1"))
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the dashboard ended with code {process.returncode}: {server_log(work)}")
            try:
                with _NO_PROXY.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the dashboard did not start within {timeout:.0f} s: {server_log(work)}")
            time.sleep(0.3)
        yield port, process
    finally:
        stop_process(process)
        out.close()
        err.close()


def server_log(work: Path) -> str:
    return "\n".join(f"--- {name} ---\n" + ((work / name).read_text(encoding="utf-8", errors="replace")
                                            if (work / name).exists() else "")
                     for name in ("server.stdout", "server.stderr"))


def visit(port: int, timeout: float = 60.0) -> list[str]:
    """One browser-less visit of the home page over Streamlit's WebSocket protocol: what a
    browser sends first (a rerun), then the messages until the script has finished. Returns the
    kinds of message received. The first visit is what makes the dashboard open its database."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    kinds = []
    with connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                 open_timeout=timeout, max_size=None) as ws:
        message = BackMsg()
        message.rerun_script.query_string = ""
        message.rerun_script.page_script_hash = ""
        ws.send(message.SerializeToString())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            forward = ForwardMsg()
            forward.ParseFromString(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            kinds.append(forward.WhichOneof("type"))
            # A first run may stop early and rerun itself (ui._route_through_app): wait for the end.
            if kinds[-1] == "script_finished" and forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return kinds
    raise AssertionError(f"the script did not finish within {timeout:.0f} s; received {kinds}")
