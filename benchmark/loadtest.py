"""Load test: many dashboard sessions at once, at the protocol level, while an import runs.

    python -m benchmark.loadtest --db data/perf-national.duckdb --sessions 50 --duration 120 \
        [--import-file FILE | --import-rows N | --no-import] [--json FILE]

It starts the dashboard (`benchmark --db DB serve` on a free port), waits for `/_stcore/health`,
warms it up with one session, then runs `--sessions` concurrent sessions in one asyncio event loop
for `--duration` seconds. Each session is one WebSocket that speaks Streamlit's own protocol (the
`BackMsg`/`ForwardMsg` protobufs the browser sends and receives on `/_stcore/stream`) and browses
like a person, with a random think time (`--think`, default 2-6 s, seeded) between clicks:

1. opens Pages to watch from a shared link (an organisation, one of its platforms, a quarter);
2. picks another quarter in the period picker (a widget change, as the browser sends it);
3. opens Peer ranking from a link (the organisation, a peer group, a metric);
4. picks another metric; 5. picks another quarter; then again from 1 with another organisation.

Organisations, their platforms, peer groups and quarters come from the database (read before the
server starts), so the sessions ask for varied views. Browsers are not used on purpose: on a small
machine they eat the CPU and measure the client (see docs/reliability.md, "Load").

A few seconds into the run (`--import-delay`) an import starts as `benchmark --db DB import FILE`
in a subprocess, as an analyst would run it; with the dashboard holding the database the command
line hands the import to the dashboard's process. Without `--import-file` a template CSV is
generated: a few organisations' full weekly history on one platform (`--import-rows`, default 3,600
rows), different in every run.

It samples the server's memory (VmRSS, VmHWM in /proc/PID/status) and CPU time every 0.5 s.
An error is an exception shown on a page (a ForwardMsg delta holding an exception element), a
missing page, a script that does not compile, a closed WebSocket, a rerun that takes longer than
`--timeout` (60 s), or a page drawn without the picker the next click needs. What a page reports
about its input (a link parameter it cannot use, "no data") is a page message, not an error.

After the run it checks that the server still answers `/_stcore/health` and draws a page for a new
session, stops the server, and verifies that the import is in the import log exactly once with as
many rows as the file holds, that the stored rows agree, and that the schema's integrity checks pass.
Then the import is undone (`--keep-import` keeps it), so the database holds what it held before.

It prints a short table and, with `--json FILE`, writes the whole report (every rerun's time, the
memory samples). The exit code is 0 when there was no error and the import and the checks passed.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from . import launch, settings

# Actions a session performs, in the order it performs them.
WATCH_OPEN = "watch: open link"
WATCH_PERIOD = "watch: change period"
RANKING_OPEN = "ranking: open link"
RANKING_METRIC = "ranking: change metric"
RANKING_PERIOD = "ranking: change period"
ACTIONS = (WATCH_OPEN, WATCH_PERIOD, RANKING_OPEN, RANKING_METRIC, RANKING_PERIOD)
PAGES = ("watch", "ranking")
# The URL path of each page (app.py: Pages to watch is the default page, at "/").
PAGE_PATH = {"watch": "", "ranking": "ranking"}
QUARTERS_OFFERED = 8  # sessions ask for the latest 8 quarters wholly inside the data
SAMPLE_EVERY_S = 0.5
DEFAULT_IMPORT_ROWS = 3_600
TEMPLATE_HEADER = ["organisation", "platform", "period", "followers", "posts", "reactions", "comments", "shares"]
# The protobuf enum values of ForwardMsg.script_finished (streamlit/proto/ForwardMsg.proto).
FINISHED_SUCCESSFULLY, FINISHED_WITH_COMPILE_ERROR, FINISHED_EARLY_FOR_RERUN, FINISHED_FRAGMENT = 0, 1, 2, 3
ALERT_ERROR, ALERT_WARNING = 1, 2


# -- what the database offers the sessions ----------------------------------------------------
@dataclass(frozen=True)
class Organisation:
    reference: str  # COUNTRY:CODE, as a link names it
    kind: str
    country: str
    area: str | None  # the county/region a municipality lies in
    platforms: tuple[str, ...]  # platforms it has pages on


@dataclass(frozen=True)
class Catalogue:
    organisations: tuple[Organisation, ...]
    quarters: tuple[str, ...]  # labels, latest last
    groups: frozenset[str]  # every group spec the ranking page offers
    kind_groups: tuple[str, ...]  # the KIND:COUNTRY groups with members
    metrics: tuple[str, ...]


def read_catalogue(store: Any) -> Catalogue:
    """Organisations with pages, peer groups and recent quarters, from an open `Store`."""
    from .groups import group_choices
    from .metrics import METRIC_IDS
    from .periods import QUARTER, periods_between
    from .views import data_range, fit_period, platforms_with_data, weekly_only

    rows = store.rows(
        "SELECT o.country, o.code, o.kind, o.parent_name, list(DISTINCT a.platform ORDER BY a.platform) "
        "FROM organisations o JOIN accounts a USING (organisation_id) GROUP BY ALL ORDER BY o.country, o.code")
    organisations = tuple(Organisation(f"{country}:{code}", kind, country, area, tuple(platforms))
                          for country, code, kind, area, platforms in rows)
    if not organisations:
        raise SystemExit("the database holds no pages: build it first (benchmark init, then benchmark demo)")
    found = data_range(store)
    if found is None:
        raise SystemExit("the database holds no figures: build it first (benchmark demo --scale national)")
    weekly = weekly_only(store, platforms_with_data(store)[0])
    quarters = [q.label for q in periods_between(QUARTER, found[0], found[1])
                if fit_period(q, weekly).start >= found[0] and fit_period(q, weekly).end <= found[1]]
    if not quarters:
        raise SystemExit("the database's figures do not cover a whole quarter")
    choices = group_choices(store)
    return Catalogue(organisations, tuple(quarters[-QUARTERS_OFFERED:]), frozenset(choices),
                     tuple(c for c in choices if not c.startswith("in:") and ":" in c), tuple(METRIC_IDS))


def pick_group(rng: random.Random, organisation: Organisation, catalogue: Catalogue) -> str:
    """Mostly the organisation's own kind in its country, sometimes its county, sometimes another group."""
    own = f"{organisation.kind}:{organisation.country}"
    within = f"in:{organisation.area}" if organisation.area else None
    roll = rng.random()
    if within and within in catalogue.groups and roll < 0.3:
        return within
    if own in catalogue.groups and roll < 0.8:
        return own
    return rng.choice(catalogue.kind_groups)


# -- the protocol -----------------------------------------------------------------------------
def _protos():
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    return BackMsg, ForwardMsg


def page_errors(msg: Any) -> list[str]:
    """The errors one ForwardMsg reports: an exception element (not a deprecation warning, which uses
    the same element), a missing page, a script that did not compile. Empty for everything else."""
    kind = msg.WhichOneof("type")
    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        if element.WhichOneof("type") == "exception" and not element.exception.is_warning:
            exc = element.exception
            text = f"exception {exc.type}" if exc.type else "exception (type hidden by client.showErrorDetails)"
            # Streamlit's generic "This app has encountered an error … redacted" adds nothing to the kind.
            shown = exc.message if exc.message and "redacted" not in exc.message else ""
            return [text + (f": {shown[:160]}" if shown else "")]
    elif kind == "page_not_found":
        return [f"page not found: {msg.page_not_found.page_name!r}"]
    elif kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
        return ["script compilation error: " + msg.session_event.script_compilation_exception.type]
    elif kind == "script_finished" and msg.script_finished == FINISHED_WITH_COMPILE_ERROR:
        return ["script finished with a compile error"]
    return []


def widget_key(widget_id: str) -> str:
    """The key a page gave a widget: Streamlit's ids read `$$ID-<hash>-<key>`."""
    return widget_id.split("-", 2)[2] if widget_id.startswith("$$ID-") and widget_id.count("-") >= 2 else widget_id


@dataclass
class Rerun:
    """What one rerun drew: its time, errors, page messages, the selectboxes and the URL it published."""

    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # st.warning texts (link problems, demo notice)
    error_messages: list[str] = field(default_factory=list)  # st.error texts: the page's own messages
    selectboxes: dict[str, tuple[str, list[str], str | None]] = field(default_factory=dict)  # key -> id, options, value
    elements: int = 0
    bytes: int = 0


class SessionError(Exception):
    """The session cannot go on: the socket closed or a rerun timed out. `kind` names it for the report."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class _Closed:
    def __init__(self, reason: str) -> None:
        self.reason = reason


class Session:
    """One browser tab, as far as the server can tell: a WebSocket speaking Streamlit's protocol."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self.url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self.timeout = timeout
        self.query = ""  # the query string the page last published (the address bar)
        self.page_hashes: dict[str, str] = {}  # URL path -> page script hash, from the navigation message
        self.page = "watch"
        self._ws: Any = None
        self._queue: asyncio.Queue = asyncio.Queue()
        self._reader: asyncio.Task | None = None

    async def open(self) -> None:
        from websockets.asyncio.client import connect

        try:
            # Browsers send no WebSocket pings (the server pings them), so neither does this client;
            # permessage-deflate is offered, as Chromium does. No proxy: the server is on loopback.
            self._ws = await asyncio.wait_for(
                connect(self.url, subprotocols=["streamlit"], ping_interval=None, max_size=None, proxy=None,
                        open_timeout=self.timeout), self.timeout)
        except Exception as exc:  # noqa: BLE001 - refused, timed out, bad handshake: the kind is reported
            raise SessionError(f"connect failed: {type(exc).__name__}") from exc
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        _, forward_msg = _protos()
        try:
            async for data in self._ws:
                msg = forward_msg()
                msg.ParseFromString(data)
                self._queue.put_nowait((msg, len(data)))
            code = self._ws.close_code
            self._queue.put_nowait(_Closed(f"closed by the server ({code})"))
        except ConnectionClosed as exc:
            received = exc.rcvd
            self._queue.put_nowait(_Closed(f"closed ({received.code} {received.reason})" if received else "closed"))
        except Exception as exc:  # noqa: BLE001 - anything else also ends the session
            self._queue.put_nowait(_Closed(f"read failed: {type(exc).__name__}"))

    async def close(self) -> None:
        if self._ws is not None:
            try:
                await asyncio.wait_for(self._ws.close(), 5)
            except Exception:  # noqa: BLE001 - closing a dead socket
                pass
        if self._reader is not None:
            self._reader.cancel()

    async def rerun(self, *, page: str | None = None, query: str | None = None,
                    widget: tuple[str, str] | None = None) -> Rerun:
        """Run the page as the browser asks for it: `page` and `query` as when a link is opened or the
        menu is used; `widget` (id, option) as when a selectbox changes (the current page and URL)."""
        back_msg, _ = _protos()
        while not self._queue.empty():  # messages after the last run's end belong to that run
            item = self._queue.get_nowait()
            if isinstance(item, _Closed):
                raise SessionError(item.reason)
        if page is not None:
            self.page = page
        if query is not None:
            self.query = query
        msg = back_msg()
        state = msg.rerun_script
        state.query_string = self.query
        path = PAGE_PATH[self.page]
        if path in self.page_hashes:
            state.page_script_hash = self.page_hashes[path]
        else:
            state.page_name = path  # as the browser does for the first load of an address
        if widget is not None:
            entry = state.widget_states.widgets.add()
            entry.id, entry.string_value = widget
        result = Rerun()
        started = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        deadline = started + self.timeout
        while True:
            remaining = deadline - time.perf_counter()
            try:
                item = await asyncio.wait_for(self._queue.get(), max(remaining, 0.001))
            except asyncio.TimeoutError:
                raise SessionError(f"timeout (no page within {self.timeout:.0f} s)") from None
            if isinstance(item, _Closed):
                raise SessionError(item.reason)
            fwd, size = item
            result.bytes += size
            result.errors.extend(page_errors(fwd))
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                result.elements += 1
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                if which == "selectbox":
                    box = element.selectbox
                    current = box.raw_value if box.set_value else None  # the value when the page set it
                    result.selectboxes[widget_key(box.id)] = (box.id, list(box.options), current)
                elif which == "alert":
                    if element.alert.format == ALERT_ERROR:
                        result.error_messages.append(element.alert.body[:200])
                    elif element.alert.format == ALERT_WARNING:
                        result.warnings.append(element.alert.body[:200])
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "navigation":
                self.page_hashes = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
            elif kind == "script_finished" and fwd.script_finished != FINISHED_EARLY_FOR_RERUN:
                result.seconds = time.perf_counter() - started
                return result


# -- a person ---------------------------------------------------------------------------------
@dataclass
class Record:
    t: float  # seconds since the run started, when the rerun was sent
    session: int
    action: str
    ms: float


@dataclass
class Tally:
    """Everything the sessions saw, filled in by all of them (one event loop, so no locks)."""

    started_at: float
    reruns: list[Record] = field(default_factory=list)
    first_render_ms: list[float] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    connections: int = 0
    sessions_started: int = 0
    warnings: Counter = field(default_factory=Counter)
    error_messages: Counter = field(default_factory=Counter)

    def now(self) -> float:
        return time.perf_counter() - self.started_at

    def error(self, session: int, action: str, kind: str) -> None:
        self.errors.append({"t": round(self.now(), 2), "session": session, "action": action, "kind": kind})


def _other(rng: random.Random, options: list[str], current: str | None, limit: int = QUARTERS_OFFERED) -> str:
    choices = [o for o in options[:limit] if o != current] or options
    return rng.choice(choices)


def _picker(result: Rerun, prefix: str) -> tuple[str, list[str], str | None] | None:
    """The selectbox whose key starts with `prefix` (e.g. `watch.period.` but not its `.kind`)."""
    for key, (widget_id, options, current) in result.selectboxes.items():
        if key.startswith(prefix) and not key.endswith(".kind") and options:
            return widget_id, options, current
    return None


@dataclass(frozen=True)
class Plan:
    sessions: int
    duration: float
    think: tuple[float, float]
    ramp: float
    seed: int
    timeout: float


async def person(index: int, base_url: str, plan: Plan, catalogue: Catalogue, tally: Tally, deadline: float) -> None:
    """One person browsing until `deadline` (seconds of the run); reconnects, as a reload would, after
    an error that ends a session."""
    rng = random.Random(f"{plan.seed}-{index}")
    await asyncio.sleep(plan.ramp * index / max(plan.sessions, 1))
    tally.sessions_started += 1

    async def think() -> None:
        await asyncio.sleep(rng.uniform(*plan.think))

    while tally.now() < deadline:
        session = Session(base_url, plan.timeout)
        action = "connect"
        connected_at = time.perf_counter()
        try:
            await session.open()
            tally.connections += 1
            first = True
            while tally.now() < deadline:
                organisation = rng.choice(catalogue.organisations)
                platform = rng.choice(organisation.platforms)
                quarter = rng.choice(catalogue.quarters)
                steps = [
                    (WATCH_OPEN, "watch", {"org": organisation.reference, "platform": platform, "period": quarter}),
                    (WATCH_PERIOD, "watch.period.", None),
                    (RANKING_OPEN, "ranking", {"org": organisation.reference,
                                               "group": pick_group(rng, organisation, catalogue),
                                               "platform": platform, "metric": rng.choice(catalogue.metrics)}),
                    (RANKING_METRIC, "ranking.metric", None),
                    (RANKING_PERIOD, "ranking.period.", None),
                ]
                last: Rerun | None = None
                for action, target, link in steps:
                    if tally.now() >= deadline:
                        break
                    sent = tally.now()
                    if link is not None:
                        if action == RANKING_OPEN:
                            link["period"] = _current_period(session.query) or quarter
                        result = await session.rerun(page=target, query=urlencode(link))
                    else:
                        found = _picker(last, target) if last else None
                        if found is None:
                            tally.error(index, action, f"page incomplete: no {target.rstrip('.')} picker")
                            break
                        widget_id, options, current = found
                        if target == "ranking.metric":  # any other metric
                            choice = _other(rng, options, current, len(options))
                        else:  # another of the latest quarters (the picker lists the latest first)
                            choice = _other(rng, options, _current_period(session.query), QUARTERS_OFFERED)
                        result = await session.rerun(widget=(widget_id, choice))
                    tally.reruns.append(Record(round(sent, 3), index, action, round(result.seconds * 1000, 1)))
                    if first:
                        tally.first_render_ms.append(round((time.perf_counter() - connected_at) * 1000, 1))
                        first = False
                    for kind in result.errors:
                        tally.error(index, action, kind)
                    tally.warnings.update(_first_line(w) for w in result.warnings)
                    tally.error_messages.update(_first_line(m) for m in result.error_messages)
                    last = result
                    await think()
        except SessionError as exc:
            tally.error(index, action, exc.kind)
            await think()
        finally:
            await session.close()


def _current_period(query: str) -> str | None:
    from urllib.parse import parse_qs

    values = parse_qs(query).get("period")
    return values[0] if values else None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:120] if text.strip() else ""


# -- the server and its process ----------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def health(base_url: str, timeout: float = 5.0) -> str:
    """What `/_stcore/health` answers ("ok"), or the error's name."""
    try:
        with _NO_PROXY.open(f"{base_url}/_stcore/health", timeout=timeout) as response:
            return response.read().decode().strip()
    except OSError as exc:
        return f"no answer ({type(exc).__name__})"


class Server:
    """A dashboard (or any Streamlit script) as a subprocess, its output in `log`."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path, port: int) -> None:
        self.command, self.env, self.log_path, self.port = command, env, log, port
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None
        self._log: Any = None

    @classmethod
    def dashboard(cls, database: Path, log: Path, port: int | None = None) -> Server:
        port = port or free_port()
        command = [sys.executable, "-m", "benchmark", "--db", str(database), "serve", "--port", str(port),
                   "--address", "127.0.0.1"]
        # The exception's type reaches the page (not its message or trace), so the report can name it.
        env = dict(os.environ, PYTHONUNBUFFERED="1", BENCHMARK_DEMO_ON_EMPTY="0",
                   STREAMLIT_CLIENT_SHOW_ERROR_DETAILS="type")
        return cls(command, env, log, port)

    @classmethod
    def script(cls, script: Path, log: Path, port: int | None = None) -> Server:
        """`streamlit run SCRIPT`: for checking this tool against a page that fails on purpose."""
        port = port or free_port()
        command = launch.server_command(port, "127.0.0.1", script, ("--client.showErrorDetails", "type"))
        return cls(command, dict(os.environ, PYTHONUNBUFFERED="1"), log, port)

    def start(self, timeout: float = 120.0) -> float:
        """Start and wait for the health check; returns the seconds it took."""
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        started = time.perf_counter()
        self.process = subprocess.Popen(self.command, cwd=settings.PROJECT_ROOT, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT)
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with code {self.process.returncode}: {self.log_tail()}")
            if health(self.base_url, timeout=2) == "ok":
                return time.perf_counter() - started
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer /_stcore/health within {timeout:.0f} s: {self.log_tail()}")

    def stop(self) -> int | None:
        """Stop it politely (SIGTERM, as a service manager does), by force after 30 s; the exit code."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if self._log is not None:
            self._log.close()
            self._log = None
        return None if self.process is None else self.process.returncode

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, chars: int = 800) -> str:
        return self.log_text()[-chars:]

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (kB) of a process; empty when it is gone."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
    except OSError:
        pass
    return found


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (/proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float | None:
    """CPU seconds all processes on the machine have used (/proc/stat, every core, idle and iowait left out)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    guest = sum(fields[8:10]) if len(fields) > 9 else 0  # already counted in user and nice
    return (sum(fields) - idle - guest) / os.sysconf("SC_CLK_TCK")


async def sample_memory(pid: int, tally: Tally, samples: list[tuple[float, float]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        status = proc_status(pid)
        if "VmRSS" in status:
            samples.append((round(tally.now(), 2), round(status["VmRSS"] / 1024, 1)))
        try:
            await asyncio.wait_for(stop.wait(), SAMPLE_EVERY_S)
        except asyncio.TimeoutError:
            pass


# -- the import -------------------------------------------------------------------------------
def weekly_template_csv(store: Any, rows: int, seed: int) -> bytes:
    """A template CSV with a few organisations' whole weekly history on one platform: as a member
    joining the network uploads it: `rows` rows (organisation × ISO week of the data)."""
    from .periods import periods_between, week_period
    from .views import data_range, platforms_with_data

    platform = platforms_with_data(store)[0]
    found = data_range(store, platform) or data_range(store)
    if found is None:
        raise SystemExit("the database holds no figures to import next to")
    weeks = [w.label for w in periods_between("week", week_period(found[0]).start, found[1]) if w.end <= found[1]]
    weeks = weeks[-rows:]
    needed = -(-rows // len(weeks))
    organisations = [f"{c}:{code}" for c, code in store.rows(
        "SELECT o.country, o.code FROM organisations o WHERE EXISTS (SELECT 1 FROM accounts a "
        "WHERE a.organisation_id = o.organisation_id AND a.platform = ?) "
        "ORDER BY o.country = 'SE' DESC, o.kind = 'region' DESC, o.code LIMIT ?", [platform, needed])]
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TEMPLATE_HEADER)
    written = 0
    for organisation in organisations:
        followers = rng.randint(2_000, 60_000)
        for week in weeks:
            if written == rows:
                break
            followers += rng.randint(-20, 120)
            posts = rng.randint(0, 14)
            reactions = posts * rng.randint(5, 90)
            writer.writerow([organisation, platform, week, followers, posts, reactions, reactions // rng.randint(6, 15),
                             reactions // rng.randint(10, 30)])
            written += 1
    return buffer.getvalue().encode("utf-8")


@dataclass
class ImportJob:
    path: Path
    sha256: str
    rows_in_file: int  # data rows of the CSV (generated files) or None
    expected_rows: int  # what plan_import says the import writes (values + posts)
    organisation: str | None
    generated: bool
    result: dict = field(default_factory=dict)


def prepare_import(store: Any, path: Path, organisation: str | None, generated: bool) -> ImportJob:
    """Plan the import before the server starts (nothing is written): how many rows it must write."""
    from . import imports

    content = path.read_bytes()
    plan = imports.plan_import(store, path.name, content, imports.ImportOptions(organisation=organisation))
    if plan.duplicate_of is not None:
        raise SystemExit(f"{path} was already imported (import {plan.duplicate_of}); the load test needs a file the "
                         "database does not hold yet, so that it can check the import arrived exactly once")
    unlinked = [a.label for a in plan.accounts if a.organisation_id is None]
    if unlinked:
        raise SystemExit(f"{path}: pages without an organisation ({', '.join(unlinked[:3])}); pass --import-organisation")
    lines = content.decode("utf-8", errors="replace").splitlines()
    return ImportJob(path, plan.sha256, len(lines) - 1 if generated else None, plan.row_count, organisation, generated)


async def run_import(database: Path, job: ImportJob, tally: Tally, delay: float) -> None:
    await asyncio.sleep(delay)
    command = [sys.executable, "-m", "benchmark", "--db", str(database), "import", str(job.path), "--user", "loadtest"]
    if job.organisation:
        command += ["--organisation", job.organisation]
    started = tally.now()
    process = await asyncio.create_subprocess_exec(*command, cwd=settings.PROJECT_ROOT, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    finished = tally.now()
    stdout = out.decode(errors="replace")
    stderr = err.decode(errors="replace")
    message = next((line for line in stdout.splitlines() if line.startswith("imported ")), None)
    if process.returncode == 0 and message:
        outcome = "imported"
    elif "open in another process" in stderr:
        outcome = "refused: the dashboard holds the database and the command line did not hand the import over"
    else:
        outcome = f"failed (exit code {process.returncode})"
    job.result = {"command": " ".join(command[1:]), "started_s": round(started, 2), "finished_s": round(finished, 2),
                  "duration_s": round(finished - started, 2), "exit_code": process.returncode, "outcome": outcome,
                  # cli.FORWARDING_NOTE: the command ran in the dashboard's process (benchmark/control.py)
                  "forwarded_to_dashboard": "running the command in its process" in stderr,
                  "message": message or (stderr.strip().splitlines() or [""])[-1][:300]}


# -- after the run ----------------------------------------------------------------------------
def _cli(database: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmark", "--db", str(database), *args], cwd=settings.PROJECT_ROOT,
                          capture_output=True, text=True, timeout=timeout)


def verify_import(database: Path, job: ImportJob) -> dict:
    """With the server stopped: the import is in `benchmark imports` exactly once, with the planned
    number of rows, the stored rows agree, and the schema's integrity checks find nothing."""
    from .schema import INTEGRITY_CHECKS
    from .store import Store

    listed = _cli(database, "imports", "--format", "csv")
    if listed.returncode != 0:
        return {"ok": False, "problem": f"benchmark imports failed: {listed.stderr.strip()[-300:]}"}
    entries = [row for row in csv.DictReader(io.StringIO(listed.stdout)) if row.get("file_sha256") == job.sha256]
    committed = [row for row in entries if row.get("status") == "committed"]
    report: dict[str, Any] = {"log_entries": len(entries), "committed": len(committed),
                              "expected_rows": job.expected_rows, "rows_in_file": job.rows_in_file}
    if len(committed) != 1:
        report.update(ok=False, problem=f"the file is in the import log {len(committed)} times (committed)")
        return report
    import_id = int(committed[0]["import_id"])
    report.update(import_id=import_id, logged_rows=int(committed[0]["row_count"]))
    with Store(database) as store:
        stored = int(store.scalar(
            "SELECT (SELECT count(*) FROM period_values WHERE import_id = $i) + "
            "(SELECT count(*) FROM account_daily WHERE import_id = $i) + "
            "(SELECT count(*) FROM posts WHERE import_id = $i)", {"i": import_id}))
        started = time.perf_counter()
        failed = [name for name, sql in INTEGRITY_CHECKS.items() if store.rows(f"SELECT 1 FROM ({sql}) LIMIT 1")]
        report["integrity_check_s"] = round(time.perf_counter() - started, 1)
    report.update(stored_rows=stored, integrity_failures=failed)
    problems = []
    if report["logged_rows"] != job.expected_rows:
        problems.append(f"logged {report['logged_rows']} rows, the file holds {job.expected_rows}")
    if stored != job.expected_rows:
        problems.append(f"{stored} rows stored, the file holds {job.expected_rows}")
    if failed:
        problems.append("integrity checks failed: " + ", ".join(failed))
    report["ok"] = not problems
    if problems:
        report["problem"] = "; ".join(problems)
    return report


def undo_import(database: Path, import_id: int) -> dict:
    started = time.perf_counter()
    done = _cli(database, "undo", str(import_id), "--user", "loadtest")
    return {"exit_code": done.returncode, "duration_s": round(time.perf_counter() - started, 1),
            "message": (done.stdout.strip() or done.stderr.strip())[-300:]}


async def fresh_session(base_url: str, catalogue: Catalogue, timeout: float) -> dict:
    """A new visitor after the run, from a newsletter link: an unknown parameter the page must
    report as a link problem, drawn without an error."""
    organisation = catalogue.organisations[0]
    query = urlencode({"org": organisation.reference, "platform": organisation.platforms[0],
                       "period": catalogue.quarters[-1], "utm_source": "newsletter"})
    session = Session(base_url, timeout)
    try:
        await session.open()
        result = await session.rerun(page="watch", query=query)
        return {"ok": not result.errors, "ms": round(result.seconds * 1000, 1), "errors": result.errors,
                "warnings": [_first_line(w) for w in result.warnings], "elements": result.elements}
    except SessionError as exc:
        return {"ok": False, "errors": [exc.kind]}
    finally:
        await session.close()


async def probe(base_url: str, page: str = "watch", query: str = "", timeout: float = 60.0) -> Rerun:
    """One new session drawing one page; raises SessionError when it cannot."""
    session = Session(base_url, timeout)
    try:
        await session.open()
        return await session.rerun(page=page, query=query)
    finally:
        await session.close()


# -- figures ----------------------------------------------------------------------------------
def nearest_rank(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, -(-int(q * len(ordered)) // 100) - 1)] if q < 100 else ordered[-1]


def summarise(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0, "median": None, "p95": None, "max": None}
    return {"n": len(samples), "median": round(statistics.median(samples), 1), "p95": round(nearest_rank(samples, 95), 1),
            "max": round(max(samples), 1)}


def versions() -> dict:
    import streamlit
    import websockets

    from .perf import machine

    return machine() | {"streamlit": streamlit.__version__, "websockets": websockets.__version__}


# -- the whole run ----------------------------------------------------------------------------
async def _drive(server: Server, database: Path, plan: Plan, catalogue: Catalogue, job: ImportJob | None,
                 import_delay: float) -> dict:
    pid = server.process.pid
    tally = Tally(started_at=time.perf_counter())
    samples: list[tuple[float, float]] = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_memory(pid, tally, samples, stop))
    cpu_start = cpu_seconds(pid) or 0.0
    busy_start = machine_busy_seconds()
    client_start = resource.getrusage(resource.RUSAGE_SELF)
    rss_start = proc_status(pid).get("VmRSS", 0) / 1024
    importer = asyncio.create_task(run_import(database, job, tally, import_delay)) if job else None
    await asyncio.gather(*(person(i, server.base_url, plan, catalogue, tally, plan.duration)
                           for i in range(plan.sessions)))
    sessions_done = tally.now()
    if importer is not None:
        await importer
    cpu_end = cpu_seconds(pid) or cpu_start
    busy_end = machine_busy_seconds()
    wall = tally.now()
    client_end = resource.getrusage(resource.RUSAGE_SELF)
    stop.set()
    await sampler
    status = proc_status(pid)  # after the last sample: VmHWM only grows, so it is at least their peak
    if job is not None and job.result.get("outcome") == "imported":
        # The import log as the running dashboard sees it (the command line forwards this one too).
        listed = await asyncio.to_thread(_cli, database, "imports", "--format", "csv", timeout=120)
        job.result["live_log_entries"] = sum(
            1 for row in csv.DictReader(io.StringIO(listed.stdout))
            if row.get("file_sha256") == job.sha256 and row.get("status") == "committed") if listed.returncode == 0 else None
    after = {"health": health(server.base_url), "fresh_session": await fresh_session(server.base_url, catalogue,
                                                                                       plan.timeout)}
    after["health_after_fresh_session"] = health(server.base_url)
    return {"tally": tally, "samples": samples, "sessions_done_s": round(sessions_done, 1), "wall_s": round(wall, 1),
            "server_cpu_s": round(cpu_end - cpu_start, 1), "rss_start_mb": round(rss_start, 1),
            "rss_end_mb": round(status.get("VmRSS", 0) / 1024, 1), "vm_hwm_mb": round(status.get("VmHWM", 0) / 1024, 1),
            "client_cpu_s": round((client_end.ru_utime + client_end.ru_stime)
                                  - (client_start.ru_utime + client_start.ru_stime), 1),
            # Everything the machine ran meanwhile: the server, this client, the import, and any other job.
            "machine_busy_cpu_s": round(busy_end - busy_start, 1) if busy_start is not None and busy_end else None,
            "after_run": after}


def run(database: Path, *, sessions: int = 50, duration: float = 120.0, think: tuple[float, float] = (2.0, 6.0),
        ramp: float = 10.0, seed: int = 1, timeout: float = 60.0, import_file: Path | None = None,
        import_rows: int = DEFAULT_IMPORT_ROWS, import_organisation: str | None = None, do_import: bool = True,
        import_delay: float = 10.0, keep_import: bool = False, warmup: bool = True,
        say=lambda text: print(text, file=sys.stderr, flush=True)) -> dict:
    """Run the load test on `database` and return the report (see the module docstring)."""
    from .store import Store

    database = Path(database)
    if not database.exists():
        raise SystemExit(f"{database} does not exist: build it first (see docs/reliability.md, \"Load\")")
    plan = Plan(sessions, duration, think, ramp, seed, timeout)
    report: dict[str, Any] = {
        "tool": "python -m benchmark.loadtest", "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "database": str(database), "machine": versions(), "plan": asdict(plan),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "db_size_mb": round(sum(p.stat().st_size for p in (database, Path(f"{database}.wal")) if p.exists()) / 2**20, 1),
    }
    with tempfile.TemporaryDirectory(prefix="loadtest-") as folder:
        work = Path(folder)
        job: ImportJob | None = None
        with Store(database) as store:
            catalogue = read_catalogue(store)
            if do_import:
                if import_file is None:
                    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
                    import_file = work / f"loadtest-import-{stamp}.csv"
                    # Other figures in every run: a file the database has not seen yet.
                    import_file.write_bytes(weekly_template_csv(store, import_rows, seed=zlib.crc32(f"{seed}-{stamp}".encode())))
                    job = prepare_import(store, import_file, import_organisation, generated=True)
                else:
                    job = prepare_import(store, Path(import_file), import_organisation, generated=False)
        report["catalogue"] = {"organisations": len(catalogue.organisations), "quarters": list(catalogue.quarters),
                               "groups": len(catalogue.groups), "metrics": len(catalogue.metrics)}
        if job:
            report["import"] = {"file": str(job.path), "generated": job.generated, "rows_in_file": job.rows_in_file,
                                "expected_rows": job.expected_rows, "sha256": job.sha256, "delay_s": import_delay}
        server = Server.dashboard(database, work / "server.log")
        say(f"starting the dashboard on {server.base_url} ({database})")
        try:
            report["server_start_s"] = round(server.start(), 2)
            if warmup:
                cold = time.perf_counter()
                watch = asyncio.run(probe(server.base_url, "watch", urlencode(
                    {"org": catalogue.organisations[0].reference, "period": catalogue.quarters[-1]}), timeout=180))
                ranking = asyncio.run(probe(server.base_url, "ranking", timeout=180))
                report["warmup"] = {"first_page_ms": round(watch.seconds * 1000, 1),
                                    "ranking_ms": round(ranking.seconds * 1000, 1),
                                    "total_s": round(time.perf_counter() - cold, 2),
                                    "errors": watch.errors + ranking.errors}
            say(f"{sessions} sessions for {duration:.0f} s (think {think[0]:g}-{think[1]:g} s)"
                + (f"; import of {job.path.name} after {import_delay:.0f} s" if job else ""))
            driven = asyncio.run(_drive(server, database, plan, catalogue, job, import_delay))
        finally:
            exit_code = server.stop()
            log = server.log_text()
        report["server_exit_code"] = exit_code
        report["server_log_tracebacks"] = log.count("Traceback (most recent call last)")
        if report["server_log_tracebacks"]:
            report["server_log_excerpt"] = log[log.find("Traceback (most recent call last)"):][:1500]
        tally: Tally = driven["tally"]
        report.update({k: v for k, v in driven.items() if k not in ("tally", "samples")})
        peak = max((mb for _, mb in driven["samples"]), default=None)
        report["rss_peak_sampled_mb"] = peak
        report["server_cpu_cores"] = round(driven["server_cpu_s"] / driven["wall_s"], 2) if driven["wall_s"] else None
        report["sessions"] = {"started": tally.sessions_started, "connections": tally.connections,
                              "reruns": len(tally.reruns), "errors": len(tally.errors),
                              "error_kinds": dict(Counter(e["kind"] for e in tally.errors)),
                              "page_warnings": dict(tally.warnings), "page_error_messages": dict(tally.error_messages)}
        report["reruns_per_s"] = round(len(tally.reruns) / driven["sessions_done_s"], 2) if driven["sessions_done_s"] else None
        report["latency_ms"] = {page: summarise([r.ms for r in tally.reruns if r.action.startswith(page + ":")])
                                for page in PAGES}
        report["latency_ms"]["all"] = summarise([r.ms for r in tally.reruns])
        report["latency_ms"]["actions"] = {a: summarise([r.ms for r in tally.reruns if r.action == a]) for a in ACTIONS}
        report["first_render_ms"] = summarise(tally.first_render_ms)
        if job:
            report["import"].update(job.result)
            if job.result.get("outcome") == "imported":
                during = [r.ms for r in tally.reruns if job.result["started_s"] <= r.t <= job.result["finished_s"]]
                report["latency_ms"]["during_import"] = summarise(during)
                report["latency_ms"]["after_import"] = summarise([r.ms for r in tally.reruns
                                                                  if r.t > job.result["finished_s"]])
                say("verifying the import (server stopped)")
                report["verification"] = verify_import(database, job)
                if "import_id" in report["verification"] and not keep_import:
                    report["undo"] = undo_import(database, report["verification"]["import_id"])
            else:
                report["verification"] = {"ok": False, "problem": f"the import did not run: {job.result.get('outcome')}"}
        report["errors"] = tally.errors
        report["reruns"] = [[r.t, r.session, r.action, r.ms] for r in tally.reruns]
        report["rss_samples_mb"] = driven["samples"]
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    after = report["after_run"]
    report["ok"] = (report["sessions"]["errors"] == 0 and after["health"] == "ok" and after["fresh_session"]["ok"]
                    and (job is None or report.get("verification", {}).get("ok", False)))
    return report


def format_report(report: dict) -> str:
    m, p = report["machine"], report["plan"]
    s = report["sessions"]
    lines = [
        (f"load test: {p['sessions']} sessions for {p['duration']:g} s on {report['database']} "
         f"({report['db_size_mb']:,.0f} MB); think {p['think'][0]:g}-{p['think'][1]:g} s, seed {p['seed']}"),
        (f"machine: {m['cores']} cores, {m['memory_gb']} GB, {m['system']}; python {m['python']}, "
         f"streamlit {m['streamlit']}, duckdb {m['duckdb']}; load average {report['load_average_at_start']} -> "
         f"{report['load_average_at_end']}"),
        (f"sessions {s['started']} (connections {s['connections']}), reruns {s['reruns']} "
         f"({report['reruns_per_s']}/s), errors {s['errors']}"),
    ]
    for kind, count in s["error_kinds"].items():
        lines.append(f"  error x{count}: {kind}")
    lines += ["", f"{'rerun latency':<26} {'reruns':>7} {'median ms':>10} {'p95 ms':>9} {'max ms':>9}"]

    def row(name: str, figures: dict) -> str:
        if not figures["n"]:
            return f"{name:<26} {0:>7} {'-':>10} {'-':>9} {'-':>9}"
        return f"{name:<26} {figures['n']:>7} {figures['median']:>10,.0f} {figures['p95']:>9,.0f} {figures['max']:>9,.0f}"

    latency = report["latency_ms"]
    for page in PAGES:
        lines.append(row(page, latency[page]))
        for action in ACTIONS:
            if action.startswith(page + ":"):
                lines.append(row("  " + action.split(": ", 1)[1], latency["actions"][action]))
    lines.append(row("all", latency["all"]))
    for key, name in (("during_import", "all, while importing"), ("after_import", "all, after the import")):
        if key in latency:
            lines.append(row(name, latency[key]))
    lines.append(row("first render (connect->page)", report["first_render_ms"]))
    lines.append("")
    lines.append(f"server: RSS {report['rss_start_mb']:,.0f} MB at the start, peak {report['rss_peak_sampled_mb'] or 0:,.0f} MB "
                 f"sampled (VmHWM {report['vm_hwm_mb']:,.0f} MB), {report['rss_end_mb']:,.0f} MB at the end; CPU "
                 f"{report['server_cpu_s']:,.1f} s in {report['wall_s']:,.1f} s = {report['server_cpu_cores']} cores; "
                 f"client CPU {report['client_cpu_s']:,.1f} s; the whole machine {report['machine_busy_cpu_s']} CPU s "
                 f"(other jobs included)")
    if "warmup" in report:
        w = report["warmup"]
        lines.append(f"warm-up: server up in {report['server_start_s']:.1f} s, first page on the cold server "
                     f"{w['first_page_ms']:,.0f} ms, first ranking {w['ranking_ms']:,.0f} ms")
    imp = report.get("import")
    if imp:
        if "outcome" in imp:
            where = " in the dashboard's process" if imp.get("forwarded_to_dashboard") else ""
            size = (f"{imp['rows_in_file']:,} lines, " if imp.get("rows_in_file") else "") + f"{imp['expected_rows']:,} values"
            lines.append(f"import: {Path(imp['file']).name} ({size}) started at "
                         f"{imp['started_s']:.0f} s, took {imp['duration_s']:.1f} s{where}: {imp['outcome']}"
                         + (f" ({imp['message']})" if imp.get("message") else ""))
            if imp.get("live_log_entries") is not None:
                lines.append(f"  the running dashboard's import log lists it {imp['live_log_entries']} time(s)")
        v = report.get("verification", {})
        if v.get("ok"):
            lines.append(f"verified (server stopped): import {v['import_id']} in the log once, {v['logged_rows']:,} rows "
                         f"logged = {v['stored_rows']:,} stored = {v['expected_rows']:,} planned from the file; "
                         f"integrity checks pass")
        else:
            lines.append(f"NOT verified: {v.get('problem')}")
        if "undo" in report:
            lines.append(f"undone afterwards (exit code {report['undo']['exit_code']}, {report['undo']['duration_s']} s)")
    else:
        lines.append("import: none (--no-import)")
    after = report["after_run"]
    fresh = after["fresh_session"]
    lines.append(f"after the run: health {after['health']!r}; a new session drew Pages to watch in "
                 f"{fresh.get('ms', '-')} ms with {len(fresh.get('errors', []))} errors and "
                 f"{len(fresh.get('warnings', []))} page warnings; server exit code {report['server_exit_code']}, "
                 f"{report['server_log_tracebacks']} tracebacks in its log")
    messages = s["page_error_messages"]
    if messages:
        lines.append("page error messages (st.error, not counted as errors): "
                     + "; ".join(f"{count}x {text}" for text, count in messages.items()))
    lines.append("result: " + ("OK" if report["ok"] else "FAILED"))
    return "\n".join(lines)


def _think(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    try:
        values = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError("--think takes MIN,MAX in seconds, e.g. 2,6") from None
    if values[0] < 0 or values[1] < values[0]:
        raise argparse.ArgumentTypeError("--think takes MIN,MAX with 0 <= MIN <= MAX")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.loadtest", description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(settings.PROJECT_ROOT / "data" / "perf-national.duckdb"),
                        help="the database (default data/perf-national.duckdb; build it with benchmark demo --scale national)")
    parser.add_argument("--sessions", type=int, default=50, help="concurrent sessions (default 50)")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds the sessions browse (default 120)")
    parser.add_argument("--think", type=_think, default=(2.0, 6.0), metavar="MIN,MAX",
                        help="think time between clicks, seconds (default 2,6)")
    parser.add_argument("--ramp", type=float, help="seconds over which the sessions arrive (default 10, at most a "
                                                   "quarter of --duration)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the sessions' choices and think times")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a rerun may take before it counts as an "
                                                                    "error (default 60)")
    parser.add_argument("--import-file", help="file to import during the run (default: a generated template CSV)")
    parser.add_argument("--import-rows", type=int, default=DEFAULT_IMPORT_ROWS,
                        help=f"rows of the generated template CSV (default {DEFAULT_IMPORT_ROWS:,})")
    parser.add_argument("--import-organisation", metavar="ORG", help="passed to benchmark import --organisation")
    parser.add_argument("--import-delay", type=float, default=10.0, help="seconds into the run the import starts "
                                                                         "(default 10)")
    parser.add_argument("--no-import", action="store_true", help="browse only")
    parser.add_argument("--keep-import", action="store_true", help="leave the import in the database afterwards")
    parser.add_argument("--no-warmup", action="store_true", help="let the first session find the server cold")
    parser.add_argument("--json", help="write the whole report to this file")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.duration <= 0:
        parser.error("--sessions must be at least 1 and --duration above 0")
    ramp = args.ramp if args.ramp is not None else min(10.0, args.duration / 4)
    report = run(Path(args.db), sessions=args.sessions, duration=args.duration, think=args.think, ramp=ramp,
                 seed=args.seed, timeout=args.timeout, import_file=Path(args.import_file) if args.import_file else None,
                 import_rows=args.import_rows, import_organisation=args.import_organisation,
                 do_import=not args.no_import, import_delay=args.import_delay, keep_import=args.keep_import,
                 warmup=not args.no_warmup)
    report["command"] = "python -m benchmark.loadtest " + " ".join(argv if argv is not None else sys.argv[1:])
    print(format_report(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str) + "\n", encoding="utf-8")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
