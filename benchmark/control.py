"""The control channel: how a `benchmark` command reaches a database another process has open.

DuckDB lets one process at a time open a database file for writing; while the dashboard runs, that
process is the dashboard. So the process that holds a `Store` can take commands: `serve_control(store)`
listens on a Unix domain socket named after the database file, and `benchmark import …`,
`benchmark backup`, `benchmark user add …` run from a shell find the file in use, find the socket
answering, and send the command there (cli.main does this). The command then runs in the
dashboard's process, through the very same `cli.main`, against the store that is already open:
`store.serving(store)` makes `open_store` hand it out instead of opening the file again, so there is
exactly one write path (one `Store.writer`, one write lock) per database. Its output comes back
as it is written, and its exit code with it.

- **One request at a time.** The socket's thread runs one command after the other; a second
  `benchmark` command waits until the first is done. Readers in the dashboard go on meanwhile.
- **Output per request.** While the server runs, `sys.stdout`, `sys.stderr` and `sys.stdin` are
  thin proxies: what the request's thread writes goes to that request's client, everything else
  (Streamlit, logging of other threads) to the real streams as before. `getpass.getpass` is
  routed the same way, so a password prompt appears at the terminal of whoever typed the
  command, never on the dashboard's terminal. Threads a command starts itself are not routed.
- **Who may send commands.** The socket lies in a folder only its owner can open
  (`/tmp/benchmark-<uid>/`, else `$XDG_RUNTIME_DIR/benchmark/`; created 0700 and refused when it
  belongs to someone else), is itself 0600, and the server accepts only peers of its own user id
  (SO_PEERCRED on Linux; the client checks the server's id the same way before sending anything).
  Whoever can reach the socket could therefore open the database file directly (same user), so a
  forwarded command runs as the command line always does: `auth.cli_actor()`, an administrator.
  Protect the database with the file system's permissions, as docs/access.md says.
- **Where.** The socket's name is the first 16 hex digits of the SHA-256 of the database's
  resolved path (socket paths are limited to 108 bytes). A socket left by a killed process answers
  nobody; the next server replaces it (bind under a temporary name, then rename over it).
  The dashboard and the command line must see the same /tmp (no systemd PrivateTmp for the service).

Interrupting a forwarded command (Ctrl-C) stops the waiting, not the command: it is carried out
in the dashboard's process completely or not at all (every write is one transaction).
"""

from __future__ import annotations

import atexit
import getpass as _getpass
import hashlib
import io
import json
import logging
import os
import secrets
import socket
import stat
import struct
import sys
import threading
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TextIO

from .errors import BenchmarkError
from .store import Store, serving

log = logging.getLogger(__name__)

PROTOCOL = 1
MAX_FRAME_BYTES = 4 * 2**20  # a request (argv) or an answer to a prompt; output frames are the server's own
CONNECT_TIMEOUT_SECONDS = 5.0
REQUEST_TIMEOUT_SECONDS = 30.0  # for a client to send its request once connected
ACCEPT_POLL_SECONDS = 0.5  # how often the listening thread looks whether it should stop
STREAMS = ("stdin", "stdout", "stderr")


class ControlUnavailableError(BenchmarkError):
    """This process cannot take commands for its database; it works on without."""

    def __init__(self, path: object, detail: object) -> None:
        super().__init__("control.cannot_serve", path=path, detail=detail)
        self.path = path


class ControlLostError(BenchmarkError):
    """The serving process went away before the command's exit code came back."""

    def __init__(self, path: object) -> None:
        super().__init__("control.lost", path=path)
        self.path = path


class ControlInterruptedError(BenchmarkError):
    def __init__(self) -> None:
        super().__init__("control.interrupted")


class _BadRequest(Exception):
    pass


class _OutputClosed(Exception):
    """The client's own output was closed (`benchmark … | head`)."""


# -- where the socket lies ----------------------------------------------------------------------
def socket_name(database: str | os.PathLike[str]) -> str:
    """`<16 hex digits>.sock`, from the SHA-256 of the database's resolved path."""
    digest = hashlib.sha256(str(Path(database).resolve()).encode("utf-8")).hexdigest()
    return f"{digest[:16]}.sock"


def socket_folders() -> list[Path]:
    """The folders a socket may lie in, in the order a server tries them and a client looks."""
    folders = [Path("/tmp") / f"benchmark-{os.getuid()}"]
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime):
        folders.append(Path(runtime) / "benchmark")
    return folders


def socket_paths(database: str | os.PathLike[str]) -> list[Path]:
    name = socket_name(database)
    return [folder / name for folder in socket_folders()]


def _private_folder(folder: Path, *, create: bool) -> bool:
    """Whether `folder` is a real folder (no symbolic link) of ours that nobody else may open.
    With `create`, make it (0700) or tighten its mode; a folder of someone else is refused
    (`control.unsafe_folder`): it could hold a socket that listens in our place."""
    if create:
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        if create:
            raise BenchmarkError("control.unsafe_folder", folder=folder)
        return False
    if stat.S_IMODE(info.st_mode) & 0o077:
        if not create:
            return False
        os.chmod(folder, 0o700)
    return True


def _peer(sock: socket.socket) -> tuple[bool, int | None]:
    """(whether the other end runs under our user id, its process id); where the system cannot
    say (no SO_PEERCRED), the private folder is the protection and the peer is accepted."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True, None
    try:
        pid, uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))
    except OSError:
        return False, None
    return uid == os.getuid(), pid


# -- frames: one JSON object per line, both ways ------------------------------------------------
def _frame(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")


def _read_frame(reader: io.BufferedReader) -> dict[str, Any] | None:
    """The next frame, or None when the other end closed the connection."""
    line = reader.readline(MAX_FRAME_BYTES + 1)
    if not line:
        return None
    if len(line) > MAX_FRAME_BYTES or not line.endswith(b"\n"):
        raise _BadRequest("a message is too long or cut off")
    try:
        frame = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _BadRequest(f"not JSON: {exc}") from None
    if not isinstance(frame, dict):
        raise _BadRequest("not a JSON object")
    return frame


# -- the request's own standard streams -----------------------------------------------------------
_CHANNEL: ContextVar[_Channel | None] = ContextVar("benchmark_control_channel", default=None)


class _Channel:
    """One request's connection, as the routed streams of its thread see it."""

    def __init__(self, conn: socket.socket, reader: io.BufferedReader, tty: dict[str, bool], interactive: bool) -> None:
        self.conn = conn
        self.reader = reader
        self.tty = tty
        self.interactive = interactive
        self.alive = True
        self._lock = threading.Lock()

    def send(self, data: dict[str, Any]) -> None:
        """Send a frame; a client that went away (Ctrl-C) is noted and the command goes on."""
        if not self.alive:
            return
        with self._lock:
            try:
                self.conn.sendall(_frame(data))
            except OSError:
                self.alive = False

    def write(self, stream: str, text: str) -> None:
        if text:
            self.send({stream: text})

    def read(self, kind: str, *, echo: bool = True, size: int = -1) -> str:
        """A line (`kind` "line", with its newline; at most `size` characters if given) or
        everything (`"all"`) from the client's standard input; "" (end of input) for a command
        that is not interactive."""
        if not self.interactive or not self.alive:
            return ""
        self.send({"read": kind, "echo": echo, "size": size if isinstance(size, int) else -1})
        try:
            answer = _read_frame(self.reader)
        except (_BadRequest, OSError):
            answer = None
        if answer is None:
            self.alive = False
            return ""
        data = answer.get("data", "")
        return data if isinstance(data, str) else ""


class _RoutedOutput:
    """sys.stdout / sys.stderr while a server runs: a request's thread writes to its client."""

    def __init__(self, name: str, real: TextIO | None) -> None:
        self._name = name
        self._real = real

    def write(self, text: str) -> int:
        channel = _CHANNEL.get()
        if channel is None:
            return self._real.write(text) if self._real is not None else len(text)
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        channel.write(self._name, text)
        return len(text)

    def writelines(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if _CHANNEL.get() is None and self._real is not None:
            self._real.flush()

    def isatty(self) -> bool:
        channel = _CHANNEL.get()
        if channel is None:
            return bool(self._real is not None and self._real.isatty())
        return channel.tty.get(self._name, False)

    def fileno(self) -> int:
        if _CHANNEL.get() is not None or self._real is None:
            raise io.UnsupportedOperation("a forwarded command's output has no file descriptor")
        return self._real.fileno()

    @property
    def encoding(self) -> str:
        if _CHANNEL.get() is not None or self._real is None:
            return "utf-8"
        return self._real.encoding

    @property
    def errors(self) -> str:
        if _CHANNEL.get() is not None or self._real is None:
            return "strict"
        return self._real.errors  # type: ignore[return-value]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _RoutedInput:
    """sys.stdin while a server runs: a request's thread reads its client's standard input."""

    def __init__(self, real: TextIO | None) -> None:
        self._real = real

    def readline(self, size: int = -1) -> str:
        channel = _CHANNEL.get()
        if channel is None:
            return self._real.readline(size) if self._real is not None else ""
        return channel.read("line", size=size)

    def read(self, size: int = -1) -> str:
        channel = _CHANNEL.get()
        if channel is None:
            return self._real.read(size) if self._real is not None else ""
        return channel.read("all")

    def readlines(self) -> list[str]:
        return list(self)

    def __iter__(self) -> Iterator[str]:
        while line := self.readline():
            yield line

    def isatty(self) -> bool:
        channel = _CHANNEL.get()
        if channel is None:
            return bool(self._real is not None and self._real.isatty())
        return channel.tty.get("stdin", False)

    def fileno(self) -> int:
        if _CHANNEL.get() is not None or self._real is None:
            raise io.UnsupportedOperation("a forwarded command's input has no file descriptor")
        return self._real.fileno()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


_original_getpass = _getpass.getpass


def _routed_getpass(prompt: str = "Password: ", stream: TextIO | None = None) -> str:
    """getpass.getpass while a server runs: a request's prompt is asked at its client's terminal."""
    channel = _CHANNEL.get()
    if channel is None:
        return _original_getpass(prompt, stream)
    channel.write("stderr", prompt)
    line = channel.read("line", echo=False)
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


_streams_lock = threading.Lock()


def _install_streams() -> None:
    """Route the standard streams (again, if something replaced them since)."""
    with _streams_lock:
        if not isinstance(sys.stdout, _RoutedOutput):
            sys.stdout = _RoutedOutput("stdout", sys.stdout)  # type: ignore[assignment]
        if not isinstance(sys.stderr, _RoutedOutput):
            sys.stderr = _RoutedOutput("stderr", sys.stderr)  # type: ignore[assignment]
        if not isinstance(sys.stdin, _RoutedInput):
            sys.stdin = _RoutedInput(sys.stdin)  # type: ignore[assignment]
        _getpass.getpass = _routed_getpass


def _uninstall_streams() -> None:
    with _streams_lock:
        if isinstance(sys.stdout, _RoutedOutput):
            sys.stdout = sys.stdout._real  # type: ignore[assignment]
        if isinstance(sys.stderr, _RoutedOutput):
            sys.stderr = sys.stderr._real  # type: ignore[assignment]
        if isinstance(sys.stdin, _RoutedInput):
            sys.stdin = sys.stdin._real  # type: ignore[assignment]
        _getpass.getpass = _original_getpass


# -- the server ---------------------------------------------------------------------------------
_servers: dict[Path, ControlServer] = {}
_servers_lock = threading.Lock()


class ControlServer:
    """Takes `benchmark` commands for `store`'s database on `path`; `close()` stops and removes it."""

    def __init__(self, store: Store, path: Path, listener: socket.socket) -> None:
        self.store = store
        self.database = store.path.resolve()
        self.path = path
        self.requests = 0  # commands run so far
        self._listener = listener
        info = os.stat(path)
        self._identity = (info.st_dev, info.st_ino)
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"benchmark-control {path.name}", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._closing.is_set()

    def close(self, timeout: float = 30.0) -> None:
        """Stop listening (a running command finishes first, up to `timeout` seconds) and remove
        the socket, if it is still ours. Safe to call twice."""
        if self._closing.is_set():
            return
        self._closing.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        try:
            info = os.stat(self.path)
            if (info.st_dev, info.st_ino) == self._identity:
                self.path.unlink()
        except OSError:
            pass
        self._listener.close()
        with _servers_lock:
            if _servers.get(self.path) is self:
                del _servers[self.path]
            if not _servers:
                _uninstall_streams()

    # -- the listening thread -------------------------------------------------------------------
    def _serve(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._closing.is_set():
                    return
                log.warning("the command socket %s stopped accepting", self.path, exc_info=True)
                self._closing.wait(1.0)
                continue
            with conn:
                try:
                    self._handle(conn)
                except Exception:  # one broken request never stops the server
                    log.exception("a command sent to %s failed", self.path)

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(REQUEST_TIMEOUT_SECONDS)
        same_user, pid = _peer(conn)
        if not same_user:
            log.warning("refused a command from process %s of another user on %s", pid, self.path)
            return
        reader = conn.makefile("rb")
        try:
            request = self._request(reader)
        except (_BadRequest, TimeoutError) as exc:
            error = BenchmarkError("control.bad_request", detail=str(exc) or "timed out")
            try:
                conn.sendall(_frame({"stderr": f"benchmark: error: {error}\n"}) + _frame({"exit": 2}))
            except OSError:
                pass
            return
        except OSError:  # the client went away while sending
            return
        if request is None:  # connected and left without a word: someone looking whether we answer
            return
        conn.settimeout(None)
        tty = {name: bool(request.get("tty", {}).get(name)) for name in STREAMS}
        channel = _Channel(conn, reader, tty, bool(request.get("interactive")))
        asked = Path(request["db"])
        if asked.resolve() != self.database:
            error = BenchmarkError("control.other_database", served=self.database, asked=asked)
            channel.write("stderr", f"benchmark: error: {error}\n")
            channel.send({"exit": 1})
            return
        log.info("running `benchmark %s` for process %s (%s)", " ".join(request["argv"]), pid, request.get("cwd"))
        code = self._run(channel, request["argv"])
        self.requests += 1
        channel.send({"exit": code})

    @staticmethod
    def _request(reader: io.BufferedReader) -> dict[str, Any] | None:
        request = _read_frame(reader)
        if request is None:
            return None
        if request.get("protocol") != PROTOCOL:
            raise _BadRequest(f"protocol {request.get('protocol')!r}, expected {PROTOCOL}")
        argv = request.get("argv")
        if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
            raise _BadRequest("argv must be a list of texts")
        if not isinstance(request.get("db"), str) or not os.path.isabs(request["db"]):
            raise _BadRequest("db must be an absolute path")
        if not isinstance(request.get("tty", {}), dict):
            raise _BadRequest("tty must be an object")
        return request

    def _run(self, channel: _Channel, argv: list[str]) -> int:
        from . import cli  # the whole command line: loaded on the first command

        _install_streams()
        token = _CHANNEL.set(channel)
        try:
            try:
                command = cli.build_parser().parse_args(argv).command
            except cli.UsageError:
                command = None  # cli.main reports it
            if command in cli.LOCAL_COMMANDS:  # `serve` here would replace the dashboard's process
                error = BenchmarkError("control.local_only", command=command)
                channel.write("stderr", f"benchmark: error: {error}\n")
                return 2
            with serving(self.store):
                return int(cli.main(argv) or 0)
        except SystemExit as exc:  # argparse's --help and the like
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except Exception as exc:  # a programming error: logged here, one line there, never a traceback
            log.exception("`benchmark %s` failed in the control thread", " ".join(argv))
            channel.write("stderr", f"benchmark: error: internal error ({type(exc).__name__}: {exc}); "
                                    "see the dashboard's log\n")
            return 1
        finally:
            _CHANNEL.reset(token)


def serve_control(store: Store) -> ControlServer:
    """Start taking commands for `store`'s database (a daemon thread); `ControlUnavailableError`
    when no private folder for the socket can be had. A server of this process for the same
    database (an earlier store of a cleared cache) is replaced; a socket left by another process,
    which cannot have the database open while we do, is replaced too."""
    database = store.path.resolve()
    problems: list[str] = []
    for path in socket_paths(database):
        try:
            if not _private_folder(path.parent, create=True):
                continue
            listener = _listen(path)
        except BenchmarkError as exc:
            problems.append(str(exc))
            continue
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror or exc}")
            continue
        with _servers_lock:
            earlier = _servers.get(path)
        if earlier is not None:
            earlier.close()
        server = ControlServer(store, path, listener)
        with _servers_lock:
            _servers[path] = server
        _install_streams()
        return server
    raise ControlUnavailableError(database, "; ".join(problems) or "no folder for the socket")


def _listen(path: Path) -> socket.socket:
    """A listening socket at `path`: bound under a temporary name, made 0600, then renamed over
    `path`, so a stale socket is replaced in one step and nobody ever connects to a half-made one."""
    if path.exists():
        if _answers(path):
            log.warning("replacing the command socket %s of another process: it cannot have the database "
                        "open while this process has", path)
        else:
            log.info("replacing the stale command socket %s", path)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.{secrets.token_hex(4)}")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(temporary))
        os.chmod(temporary, 0o600)
        listener.listen(16)
        listener.settimeout(ACCEPT_POLL_SECONDS)
        os.replace(temporary, path)
    except BaseException:
        listener.close()
        temporary.unlink(missing_ok=True)
        raise
    return listener


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def try_serve_control(store: Store) -> ControlServer | None:
    """`serve_control`, or None after one logged warning: the dashboard works without it."""
    try:
        return serve_control(store)
    except Exception as exc:  # never let the command socket stop the dashboard
        log.warning("%s", exc if isinstance(exc, BenchmarkError) else ControlUnavailableError(store.path, exc))
        return None


@atexit.register
def _close_all() -> None:
    with _servers_lock:
        servers = list(_servers.values())
    for server in servers:
        server.close(timeout=5.0)


# -- the client ---------------------------------------------------------------------------------
def connect(database: str | os.PathLike[str]) -> socket.socket | None:
    """A connection to the process that takes commands for `database`, or None when none answers
    (no socket, a stale one, or one that is not safely ours)."""
    for path in socket_paths(database):
        try:
            if not _private_folder(path.parent, create=False):
                continue
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.getuid():
            continue
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(CONNECT_TIMEOUT_SECONDS)
        try:
            sock.connect(str(path))
        except OSError:  # a socket file nobody listens on: left by a killed process
            sock.close()
            continue
        if not _peer(sock)[0]:
            sock.close()
            continue
        return sock
    return None


def forward(sock: socket.socket, database: str | os.PathLike[str], argv: Sequence[str], *,
            interactive: bool = False, stdin: TextIO | None = None, stdout: TextIO | None = None,
            stderr: TextIO | None = None) -> int:
    """Run `benchmark argv` in the serving process: its output is written here as it comes, and
    its exit code returned. `interactive` lets it read this process's standard input (a password,
    a confirmation); otherwise it reads end-of-input. `argv`'s file names must be absolute."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    database = Path(database)
    request = {
        "protocol": PROTOCOL, "db": str(database.absolute()), "argv": list(argv), "cwd": os.getcwd(),
        "interactive": interactive,
        "tty": {"stdin": _isatty(stdin), "stdout": _isatty(stdout), "stderr": _isatty(stderr)},
    }
    try:
        sock.settimeout(None)  # a command may take minutes (or wait for the one before it)
        sock.sendall(_frame(request))
        reader = sock.makefile("rb")
        while True:
            frame = _read_frame(reader)
            if frame is None:
                raise ControlLostError(database)
            if "stdout" in frame:
                _emit(stdout, str(frame["stdout"]))
            elif "stderr" in frame:
                _emit(stderr, str(frame["stderr"]))
            elif "read" in frame:
                sock.sendall(_frame({"data": _answer(frame, interactive, stdin)}))
            elif "exit" in frame:
                code = frame["exit"]
                return code if isinstance(code, int) else 1
    except KeyboardInterrupt:
        raise ControlInterruptedError() from None
    except _OutputClosed:
        raise BrokenPipeError from None  # as a command run here would: cli.main ends quietly
    except (OSError, _BadRequest):
        raise ControlLostError(database) from None


def _emit(stream: TextIO, text: str) -> None:
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        raise _OutputClosed from None


def _answer(frame: dict[str, Any], interactive: bool, stdin: TextIO) -> str:
    if not interactive:
        return ""
    if frame.get("read") == "all":
        return stdin.read()
    if frame.get("echo") is False and _isatty(stdin):
        try:
            return _original_getpass("") + "\n"  # the prompt came on stderr already
        except EOFError:
            return ""
    size = frame.get("size", -1)
    return stdin.readline(size if isinstance(size, int) and size >= 0 else -1)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
