"""``bulletin serve``: a warm render server for one project, on a Unix socket.

A fresh build pays for Python, its own modules and WeasyPrint's import (0.5–0.8 s)
every time. The server imports them once. For each connection it forks a child,
which serves one request:

- ``run`` (``forward``): a whole ``bulletin make`` command line. The child takes
  the client's terminal (its standard streams, passed with ``SCM_RIGHTS``), its
  working folder and environment, and runs the command as the client would, with
  everything already loaded; then it sends back the exit status. The client only
  found the project and waits.
- ``render``: one page to lay out (``ServerRenderer``, used by ``preview``), the
  PDF's bytes sent back.

Either way the page is laid out as the worker does it (``bulletin.worker.make_pdf``:
the same locked fetcher, fonts and variants), or taken from the render cache when
nothing it depends on changed (``bulletin/rendercache.py``). The parent never
renders, so a crash or a leak in one job dies with its child and cannot touch the
next. On Linux the child that made the last layout stays, as its holder
(``_Holders``): the next job is forked from it, and takes from that layout the
pages an edit did not reach (``bulletin/pagereuse.py``).

Who may use it: the socket lives in the user's private cache folder
(``bulletin/private.py``; mode 0700, the user's own, never a symlink), the server
answers only a peer of its own user (``SO_PEERCRED``) and only requests naming its
own project root and the same bulletin code and font setting. Requests are JSON,
never pickle. Where the system has no ``fork``, ``AF_UNIX`` or ``SO_PEERCRED``
(Windows, macOS), there is no server and builds run as before.

Builds find the server by the project's root; when it does not answer, or
refuses, or its child dies, they silently run in their own process instead.

Protocol: the client sends an 8-byte length and a JSON request; the child answers
one ``ACK`` byte once it has read the request (so that a client can tell a server
gone stale from a job that crashed); a ``run`` client then sends its three file
descriptors; the child ends with a length-prefixed JSON header (and, for
``render``, the PDF).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import stat
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bulletin
from bulletin import pagerefs, pagereuse, rendercache
from bulletin.i18n import current_language, set_language
from bulletin.private import is_private
from bulletin.worker import Job, Renderer, Result, beside_the_build

if TYPE_CHECKING:
    from bulletin.render import Served

_LENGTH = struct.Struct(">Q")
_ACK = b"+"
_CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid
_MAX_REQUEST = 1 << 30
_STOP_CODE = 75  # the exit status of a child that served ``--stop``
_READY = struct.Struct("=i")  # a layout's holder, ready for a job: its process id
# A chain of holders, each forked from the one before, carries what every build left in
# memory: it ends after this many builds, or a build this large, and the next build is
# forked from the server again.
HOLD_BUILDS = 20
HOLD_MEMORY = 1 << 30  # bytes of peak memory
_RENDER_LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "pypdf", "PIL")
SOCKET_ENV = "BULLETIN_NO_SERVER"  # set (to anything) to never use a server
NO_CACHE_ENV = "BULLETIN_NO_RENDER_CACHE"  # set: the server lays the job out even if unchanged


def supported() -> bool:
    """A server needs fork, Unix sockets and the kernel's word on the peer's user."""
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and hasattr(socket, "SO_PEERCRED")


def socket_path(root: Path) -> Path | None:
    """The project's socket, in the lasting private folder; None when no safe one
    exists (a folder made for one run only could be found by no other process)."""
    from bulletin.private import lasting_dir

    lasting = lasting_dir()
    if lasting is None:
        return None
    folder = lasting / "serve"
    with contextlib.suppress(FileExistsError, OSError):
        folder.mkdir(mode=0o700)
    if not is_private(folder):
        return None
    key = hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:20]
    path = folder / f"{key}.sock"
    return path if len(os.fsencode(path)) < 104 else None  # sun_path's size (macOS: 104)


def fingerprint() -> str:
    """The bulletin code, messages and font setting a build depends on, as one string:
    a server started before any of them changed (an upgrade, an edit) must not
    answer for the new code, since it runs whole builds (``forward``)."""
    package = Path(bulletin.__file__).resolve().parent
    stamps = []
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".mo"):
            with contextlib.suppress(OSError):
                stamps.append(f"{path.relative_to(package)}:{path.stat().st_mtime_ns}")
    fonts = "system" if "BULLETIN_SYSTEM_FONTS" in os.environ else "bundled"
    columns = "plain" if os.environ.get("BULLETIN_PLAIN_COLUMNS") else "one-pass"
    columns += "|unbalanced" if os.environ.get("BULLETIN_UNBALANCED") else ""
    # The interpreter by what it is, not by the name it was started under: the
    # ``bulletin`` script runs ``…/bin/python3``, ``python -m bulletin`` ``…/bin/python``.
    interpreter = f"{sys.prefix}:{os.path.realpath(sys.executable)}"
    parts = [bulletin.__version__, str(package), interpreter, fonts, columns]
    return "|".join([*parts, *_library_stamps(), *stamps])


def _library_stamps() -> list[str]:
    """The libraries that make the PDF, each by its package file's stamp (found, not
    imported): an upgrade of WeasyPrint must not be answered by the old one, and a
    reinstall writes new files. Cheaper than reading their metadata (0.02 s of
    every client's start)."""
    import importlib.util

    found = []
    for name in _RENDER_LIBRARIES:
        stamp = "none"
        with contextlib.suppress(ImportError, ValueError, OSError):
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.origin:
                info = os.stat(spec.origin)
                stamp = f"{spec.origin}:{info.st_mtime_ns}:{info.st_size}:{info.st_ino}"
        found.append(f"{name}={stamp}")
    return found


def _peer_uid(connection: socket.socket) -> int:
    data = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _CREDENTIALS.size)
    return int(_CREDENTIALS.unpack(data)[1])


def _send(connection: socket.socket, data: bytes) -> None:
    connection.sendall(_LENGTH.pack(len(data)) + data)


def _receive_exactly(connection: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = connection.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _receive(connection: socket.socket) -> bytes:
    (size,) = _LENGTH.unpack(_receive_exactly(connection, _LENGTH.size))
    if size > _MAX_REQUEST:
        raise EOFError
    return _receive_exactly(connection, size)


# ---------------------------------------------------------------- the client


def _job_record(job: Job) -> dict[str, Any]:
    """The job as JSON, its paths absolute: the server's working folder is not ours."""
    return {
        "html": job.html,
        "base": str(job.base.absolute()),
        "allowed": [str(path.absolute()) for path in job.allowed],
        "language": job.language,
        "booklet": job.booklet,
        "archive_of": str(job.archive_of.absolute()) if job.archive_of else None,
        "archive_project": [[str(path.absolute()), name] for path, name in job.archive_project],
        "page_guesses": list(job.page_guesses),
    }


def _measure_from_json(value: Any) -> float | None:
    """A page measure of a result as the server sent it (None: not measured)."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _job_from(record: dict[str, Any]) -> Job:
    archive = record.get("archive_of")
    return Job(
        html=str(record["html"]),
        base=Path(record["base"]),
        allowed=tuple(Path(path) for path in record["allowed"]),
        language=str(record["language"]),
        booklet=bool(record["booklet"]),
        archive_of=Path(archive) if archive else None,
        archive_project=tuple(
            (Path(path), str(name)) for path, name in record.get("archive_project") or ()
        ),
        page_guesses=pagerefs.numbers_from_json(record.get("page_guesses")),
    )


def connect(root: Path, timeout: float = 2.0) -> socket.socket | None:
    """A connection to the project's server, when one of this user's answers."""
    if not supported() or os.environ.get(SOCKET_ENV):
        return None
    path = socket_path(root)
    if path is None:
        return None
    try:
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.getuid():
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(timeout)
        connection.connect(str(path))
        if _peer_uid(connection) != os.getuid():
            raise OSError("another user's server")
    except OSError:  # a stale socket file, a server gone, someone else's
        connection.close()
        return None
    return connection


def ask(connection: socket.socket, request: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Send one request and read the answer's header (the PDF's bytes follow it)."""
    connection.settimeout(timeout)
    try:
        _send(connection, json.dumps(request, ensure_ascii=False).encode("utf-8"))
        if _receive_exactly(connection, 1) != _ACK:
            raise EOFError
    except (OSError, EOFError):
        raise _Stale from None  # nobody read the request: a server gone, or let go
    try:
        answer = json.loads(_receive(connection))
    except (OSError, EOFError, ValueError):
        raise _Crashed from None  # the request was read: the job died in the child
    return answer if isinstance(answer, dict) else {}


class _Stale(Exception):
    """The connection was not served (the server ended, or dropped an idle client)."""


class _Crashed(Exception):
    """The child read the job and died (or ran out of time) before answering."""


class ServerRenderer:
    """The renderer of a build when the project's server answers: same interface
    as ``Renderer``; falls back to a fresh worker when the server does not serve."""

    def __init__(self, root: Path, connection: socket.socket | None, timeout: float) -> None:
        self.root = root
        self._connection = connection
        self.timeout = timeout

    def __enter__(self) -> ServerRenderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(self, job: Job) -> Result:
        result = self._ask(job)
        if result is None:
            with Renderer(process=beside_the_build()) as worker:
                return worker.run(job)
        return result

    def _ask(self, job: Job) -> Result | None:
        request = {
            "op": "render",
            "root": str(self.root.resolve()),
            "fingerprint": fingerprint(),
            "job": _job_record(job),
            "cache": not os.environ.get(NO_CACHE_ENV),
        }
        for attempt in range(2):  # a connection kept idle may have been let go: once more
            connection = self._connection if attempt == 0 else connect(self.root)
            self._connection = None
            if connection is None:
                continue
            try:
                answer = ask(connection, request, self.timeout)
                pdf = _receive_exactly(connection, int(answer.get("size", 0)))
            except _Stale:
                continue
            except (_Crashed, OSError, EOFError, ValueError):
                return None  # never the same job twice on the server: the worker's turn
            finally:
                connection.close()
            if "pages" not in answer:  # refused: another project or other code
                return None
            return Result(
                pdf=pdf,
                pages=int(answer["pages"]),
                error=answer.get("error"),
                crash=answer.get("crash"),
                page_numbers=pagerefs.numbers_from_json(answer.get("page_numbers")),
                last_fill=_measure_from_json(answer.get("last_fill")),
                cover_blank=_measure_from_json(answer.get("cover_blank")),
            )
        return None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def renderer_for(
    root: Path, timeout: float = 3600.0, ahead: bool = False
) -> Renderer | ServerRenderer | ServedRenderer:
    """The project's server when it answers, else a worker started now; in a
    build the server runs itself (``forward``), this very process.

    A worker starts only where it runs beside the build (a second CPU), or when
    it is started ``ahead`` of a build to come (``preview --watch``): it then loads
    WeasyPrint while the user edits, and its memory goes back to the system
    after each rebuild, however many CPUs there are."""
    if _serving is not None:
        return ServedRenderer(_serving)
    connection = connect(root)
    if connection is None:
        return Renderer(process=ahead or beside_the_build())
    return ServerRenderer(root, connection, timeout)


def stop(root: Path, timeout: float = 10.0) -> bool:
    """Ask the project's server to end; False when none answers. Returns once it
    has let its socket go, so that ``serve --stop`` followed at once by ``serve``
    starts a new server instead of finding the old one still there."""
    path = socket_path(root)
    connection = connect(root)
    if connection is None or path is None:
        return False
    socket_file = path.lstat().st_ino
    with connection:
        try:
            answer = ask(connection, {"op": "stop", "root": str(root.resolve())}, timeout)
        except (_Stale, _Crashed):
            return False
    if not answer.get("stopped"):
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _inode(path) == socket_file:
        time.sleep(0.02)  # the server sees the stop within a second (its accept timeout)
    return True


def _inode(path: Path) -> int | None:
    try:
        return path.lstat().st_ino
    except OSError:
        return None


def forward(root: Path, argv: list[str], timeout: float = 24 * 3600.0) -> int | None:
    """Run this command line in the project's server, on this terminal; its exit
    status, or None when no server takes it (the caller then runs it itself).

    The server's child gets this process's standard streams (``SCM_RIGHTS``), its
    working folder and environment, and runs the command exactly as this process
    would, with WeasyPrint and the build's modules already loaded. Only commands
    that can safely run twice are forwarded: if the child dies (``ServerLost``),
    the caller runs the command again itself."""
    connection = connect(root)
    if connection is None:
        return None
    streams = [sys.stdout, sys.stderr]
    request = {
        "op": "run",
        "root": str(root.resolve()),
        "fingerprint": fingerprint(),
        "argv": argv,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "umask": _current_umask(),
        "encodings": [[s.encoding or "utf-8", s.errors or "strict"] for s in streams],
    }
    with connection:
        try:
            _send(connection, json.dumps(request, ensure_ascii=False).encode("utf-8"))
            connection.settimeout(10.0)
            if _receive_exactly(connection, 1) != _ACK:
                return None
            for stream in streams:
                stream.flush()
            socket.send_fds(connection, [b"F"], [0, 1, 2])
        except (OSError, EOFError, ValueError):
            return None  # a server gone, or one that let the connection go: run it here
        try:
            connection.settimeout(timeout)
            answer = json.loads(_receive(connection))
        except (OSError, EOFError, ValueError):
            raise ServerLost from None  # the build began there and died: run it here
    code = answer.get("exit") if isinstance(answer, dict) else None
    return code if isinstance(code, int) else None  # refused (other code): run it here


class ServerLost(Exception):
    """The server's fork took a build and ended without finishing it."""


def _current_umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------- the server


def _load_what_builds_use() -> None:
    """Everything a build imports or reads once per process, loaded in the server
    so that its children find it there (tests/test_serve.py checks the list is
    whole): WeasyPrint, the readers, Babel, Jinja2, Markdown, Word (mammoth), the
    photo formats (Pillow's plugins), QR codes (segno), pypdf, the fonts' coverage."""
    import babel.numbers  # noqa: F401
    import mammoth  # noqa: F401
    import segno  # noqa: F401
    from PIL import Image
    from pypdf import filters  # noqa: F401

    from bulletin import build, edition, glyphs, impose, layout, photos, render  # noqa: F401

    Image.init()
    glyphs.covered()


_serving: Server | None = None  # in a server's child that runs a whole build: its server


class ServedRenderer:
    """The renderer of a build the server runs itself: renders in this process
    (WeasyPrint is loaded), through the server's render cache."""

    def __init__(self, server: Server) -> None:
        self.server = server

    def __enter__(self) -> ServedRenderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def run(self, job: Job) -> Result:
        return self.server.render(job, use_cache=not os.environ.get(NO_CACHE_ENV))

    def close(self) -> None:
        pass


@dataclass
class Server:
    """The warm parent: listens, forks a child per connection, never renders."""

    root: Path
    idle: float  # seconds without a job before the server ends
    log: Any = None  # (pages, seconds, reused) -> the line to log after each render

    def run(self) -> None:
        self.root = self.root.resolve()  # the same project by any path to it
        self._generation = 0  # builds in the chain of holders this process is in
        self.language = current_language()
        # The server's own stderr, kept apart: a child running a build puts the
        # build's terminal on 2, but its log lines still go where the server's do.
        self._log_stream = os.fdopen(os.dup(2), "w", encoding="utf-8", errors="replace")
        path = socket_path(self.root)
        if path is None:
            raise OSError("no private folder for the socket")
        listener = self._listen(path)  # first: a second server is refused at once
        children: set[int] = set()
        holders = _Holders(enabled=_adopt_orphans())
        try:
            self._warm_up()  # builds arriving meanwhile wait in the listen queue
            signal.signal(signal.SIGTERM, _stop_now)  # after the libraries have loaded
            self.fingerprint = fingerprint()
            last = time.monotonic()
            while holders.busy(children) or time.monotonic() - last < self.idle:
                ended, asked_to_stop = _reaped(children)
                children -= ended
                if asked_to_stop:
                    break
                holders.poll()
                if holders.busy(children):  # idle time counts from the last job's end
                    last = time.monotonic()
                try:
                    connection, _address = listener.accept()
                except TimeoutError:  # no client this second
                    continue
                except OSError:  # none could be taken (out of descriptors): wait a little
                    time.sleep(0.1)
                    continue
                last = time.monotonic()
                with connection:
                    try:
                        if _peer_uid(connection) != os.getuid():
                            continue
                        holders.poll()  # a holder may have become ready while we waited
                        if holders.hand(connection):  # the last layout's holder takes it
                            continue
                        pair = holders.offer()
                        pid = os.fork()
                    except OSError:  # no process to spare: that build renders without us
                        continue
                    if pid == 0:
                        listener.close()
                        holders.close_in_child(pair)
                        self._child(connection, pair)  # never returns
                    holders.forked(pair)
                    children.add(pid)
        except _Stop:
            pass
        finally:
            listener.close()
            holders.close()  # the holder of the last layout ends when its pair does
            with contextlib.suppress(OSError):
                if path.lstat().st_ino == self._inode:
                    path.unlink()

    def _warm_up(self) -> None:
        """Import WeasyPrint and the build's own modules once, then freeze what is
        loaded: the collector of a child never walks (and so never copies) the
        parent's objects. The build's side (readers, Babel, Jinja2, Markdown,
        Pillow, pypdf) was 0.16–0.27 s of every forwarded ``make`` when each
        child imported it again."""
        import gc

        from bulletin.worker import rare_collections

        with rare_collections():
            _load_what_builds_use()
        gc.collect()
        gc.freeze()

    def _listen(self, path: Path) -> socket.socket:
        """Bind the socket; a file left by a dead server is replaced, a live one kept."""
        live = connect(self.root)
        if live is not None:
            live.close()
            raise FileExistsError(str(path))
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the socket itself: the user's alone, as its folder
        try:
            listener.bind(str(path))
        finally:
            os.umask(old)
        self._inode = path.lstat().st_ino
        listener.listen(16)
        listener.settimeout(min(1.0, max(self.idle / 4, 0.05)))
        return listener

    def _child(
        self, connection: socket.socket, pair: socket.socket | None, takeover: int | None = None
    ) -> None:
        """Serve one connection, then end without running the parent's cleanup, or
        stay as the holder of the layout it made (``_Holders``)."""
        code = 0
        self._pair, self._takeover, self._holding = pair, takeover, False
        pagereuse.keep_layouts(pair is not None)  # this process may hold them for the next
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            if self._serve_one(connection):
                code = _STOP_CODE
        except BaseException:  # a child must never return into the parent's loop
            code = 1
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # nothing may stop the exit now
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            if self._holding and code == 0 and pair is not None:
                connection.close()
                self._hold(pair)  # never returns
            os._exit(code)

    def _offer_to_hold(self) -> None:
        """Before a job's last answer: when its render kept a layout
        (``bulletin/pagereuse.py``), become the process the next job is forked
        from. The holder this process was forked from ends (``takeover``); the
        client's terminal is let go, so that nothing waits on it."""
        if self._pair is None or not pagereuse.holding() or self._generation >= HOLD_BUILDS:
            return
        if _peak_memory() > HOLD_MEMORY:
            return
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        try:
            if self._takeover is not None:
                os.write(self._takeover, b"T")
            self._pair.send(_READY.pack(os.getpid()))
        except OSError:
            return
        quiet = os.open(os.devnull, os.O_RDWR)
        for number in (0, 1, 2):
            os.dup2(quiet, number)
        os.close(quiet)
        self._holding = True

    def _hold(self, pair: socket.socket) -> None:
        """Keep the last layout: fork a child for each job the parent hands over
        on ``pair``, until the parent lets the pair go or a child takes over."""
        while True:
            try:
                message, fds, _flags, _address = socket.recv_fds(pair, 1, 1)
            except OSError:
                os._exit(0)
            if not message or len(fds) != 1:
                os._exit(0)
            said, status = self._fork_job(socket.socket(fileno=fds[0]), pair)
            if said == b"T":  # the child holds the newer layout now
                os._exit(0)
            if status == _STOP_CODE:
                os._exit(_STOP_CODE)
            try:
                pair.send(_READY.pack(os.getpid()))  # ready for the next job
            except OSError:
                os._exit(0)

    def _fork_job(self, connection: socket.socket, pair: socket.socket) -> tuple[bytes, int]:
        """One job in a child of the holder: what it said (``T``: took over), and
        its exit status when it did not."""
        readable, writable = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(readable)
            self._generation += 1
            self._child(connection, pair, takeover=writable)  # never returns
        os.close(writable)
        connection.close()
        with os.fdopen(readable, "rb") as said:
            message = said.read(1)
        if message == b"T":
            return message, 0
        _pid, status = os.waitpid(pid, 0)
        return message, os.waitstatus_to_exitcode(status)

    def _serve_one(self, connection: socket.socket) -> bool:
        """One request; True when it asked the server to stop."""
        connection.settimeout(max(self.idle, 1.0))  # a client holding a connection
        request = json.loads(_receive(connection))
        connection.sendall(_ACK)
        connection.settimeout(None)
        if request.get("root") != str(self.root):
            self._answer(connection, {"refused": "another project"})
            return False
        if request.get("op") == "stop":
            with contextlib.suppress(OSError):  # the client may already be gone
                self._answer(connection, {"stopped": True})
            return True  # the parent reads it in this child's exit status
        if request.get("fingerprint") != self.fingerprint:
            self._answer(connection, {"refused": "other code"})
            return False
        if request.get("op") == "run":
            self._run_command(connection, request)
            return False
        result = self.render(_job_from(request["job"]), use_cache=request.get("cache", True))
        header = {
            "pages": result.pages,
            "error": result.error,
            "crash": result.crash,
            "page_numbers": list(result.page_numbers),
            "last_fill": result.last_fill,
            "cover_blank": result.cover_blank,
        }
        self._offer_to_hold()
        self._answer(connection, header, result.pdf)
        return False

    def render(self, job: Job, use_cache: bool) -> Result:
        """One job, from the render cache when unchanged, else laid out here."""
        started = time.perf_counter()
        name = rendercache.key(job, self.fingerprint) if use_cache else None
        result = rendercache.lookup(name) if name else None
        reused = result is not None
        if result is None:
            served: list[Served] = []
            result = _render(job, served)
            if name:
                rendercache.store(name, result, served)
        if self.log:
            language = current_language()
            set_language(self.language)  # the server's own words, not the job's
            kept = 0 if reused else pagereuse.reused()
            line = self.log(result.pages, time.perf_counter() - started, reused, kept)
            set_language(language)
            with contextlib.suppress(OSError, ValueError):
                self._log_stream.write(line + "\n")
                self._log_stream.flush()
        return result

    def _run_command(self, connection: socket.socket, request: dict[str, Any]) -> None:
        """A whole command line (``forward``), run as the client would run it: on
        the client's terminal, in its folder and environment; then its exit status."""
        global _serving
        _message, fds, _flags, _address = socket.recv_fds(connection, 1, 3)
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            return
        for number, fd in enumerate(fds):
            os.dup2(fd, number)
            os.close(fd)
        (out_encoding, out_errors), (err_encoding, err_errors) = request["encodings"]
        sys.stdout = open(1, "w", encoding=out_encoding, errors=out_errors, closefd=False)  # noqa: SIM115
        sys.stderr = open(  # noqa: SIM115
            2, "w", encoding=err_encoding, errors=err_errors, closefd=False, buffering=1
        )
        os.chdir(request["cwd"])
        os.umask(int(request["umask"]))  # the files it makes are made as the client's
        os.environ.clear()
        os.environ.update(request["env"])
        from bulletin.private import private_dir
        from bulletin.render import use_bundled_fonts_only

        private_dir.cache_clear()  # the client's cache folder, as its own build would use
        use_bundled_fonts_only()  # in the client's environment too
        _serving = self
        finished = threading.Event()
        _cancel_when_gone(connection, finished)
        from bulletin.cli import main

        try:
            main(list(request["argv"]), prog_name="bulletin")
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
        finally:
            finished.set()  # from here the client may go: nothing is left to stop
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(OSError, ValueError):
                    stream.flush()
        self._offer_to_hold()
        with contextlib.suppress(OSError):
            self._answer(connection, {"exit": code})

    def _answer(self, connection: socket.socket, header: dict[str, Any], pdf: bytes = b"") -> None:
        _send(connection, json.dumps({**header, "size": len(pdf)}).encode("utf-8"))
        if pdf:  # nothing more to send once the client has read the header and gone
            connection.sendall(pdf)


def _render(job: Job, served: list[Served]) -> Result:
    """One job, as the worker renders it; ``served`` receives the files it used."""
    from bulletin import worker

    set_language(job.language)
    try:
        return worker.make_pdf(job, served)
    except Exception:  # a bug: the build reports it, as the worker's
        return Result(crash=traceback.format_exc())


def _cancel_when_gone(connection: socket.socket, finished: threading.Event) -> None:
    """Stop the build when its client goes (Ctrl+C there, or a kill): the client
    has said so on its terminal; the build is interrupted here as it would be
    there, so that its temporary files are removed and nothing is written."""

    def watch() -> None:
        with contextlib.suppress(OSError):
            while connection.recv(1):
                pass
        if finished.is_set():
            return
        with contextlib.suppress(OSError):
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 1)
            os.dup2(quiet, 2)
        signal.raise_signal(signal.SIGINT)

    threading.Thread(target=watch, daemon=True).start()


def _reaped(children: set[int]) -> tuple[set[int], bool]:
    """The children that have ended (collected, so that none stays a zombie), and
    whether one of them served ``--stop``: those forked here, and the holders of
    a layout adopted when the holder before them ended (``_adopt_orphans``)."""
    done, stop = set(), False
    while True:
        try:
            ended, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if not ended:
            break
        done.add(ended)
        stop = stop or os.waitstatus_to_exitcode(status) == _STOP_CODE
    return done & children, stop


def _peak_memory() -> int:
    """This process's peak resident memory, in bytes (Linux counts in kilobytes)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _adopt_orphans() -> bool:
    """Make this process the parent of its descendants left without one (Linux's
    ``PR_SET_CHILD_SUBREAPER``): a layout's holder is forked by the holder before
    it, which then ends. Without it, no process holds a layout."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


@dataclass
class _Holders:
    """The parent's side of the process that keeps the last render's layout.

    A job's child whose render kept a layout (``bulletin/pagereuse.py``: the
    pages an edit does not reach are taken from it) stays, instead of ending,
    as the *holder*; the next job of the project is forked from it, not from the
    parent, and finds that layout in its memory. The child that takes a newer
    layout becomes the holder in turn, and the one before ends. The parent
    still never renders, and a job that crashes ends with its child: the holder
    only waits. One socket pair links the parent to the holder: the holder
    writes its process id (``_READY``) when it is ready for a job; the parent
    sends the client's connection; a parent gone (or a newer holder chosen)
    closes the pair and ends the holder."""

    enabled: bool
    current: socket.socket | None = None  # the pair to the holder
    ready: bool = False
    pid: int = 0  # the holder's, which waits: a child that is not at work
    offered: list[socket.socket] = field(default_factory=list)  # pairs of children at work

    def busy(self, children: set[int]) -> bool:
        """A job is under way: in a child of the parent, or handed to the holder."""
        return bool(children - {self.pid}) or (self.current is not None and not self.ready)

    def offer(self) -> socket.socket | None:
        """The pair a child forked from the parent may hold a layout with."""
        if not self.enabled:
            return None
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.offered.append(mine)
        return theirs

    def forked(self, pair: socket.socket | None) -> None:
        if pair is not None:
            pair.close()  # the child's end

    def pairs(self) -> list[socket.socket]:
        """The parent's ends: to the children at work, and to the holder."""
        return [*self.offered, *([self.current] if self.current else [])]

    def close_in_child(self, keep: socket.socket | None) -> None:
        """In a child of the parent: the parent's ends are not its own."""
        for pair in self.pairs():
            if pair is not keep:
                pair.close()

    def hand(self, connection: socket.socket) -> bool:
        """Give the connection to a ready holder; False when there is none."""
        if self.current is None or not self.ready:
            return False
        try:
            socket.send_fds(self.current, [b"J"], [connection.fileno()])
        except OSError:
            self._drop(self.current)
            return False
        self.ready = False
        return True

    def poll(self) -> None:
        """Read what the holder and the children at work said, without waiting."""
        for pair in self.pairs():
            try:
                said = pair.recv(_READY.size, socket.MSG_DONTWAIT)
            except BlockingIOError:
                continue
            except OSError:
                said = b""
            if len(said) != _READY.size:
                self._drop(pair)
                continue
            if pair is not self.current:  # a newer layout: its child holds it now
                if self.current is not None:
                    self.current.close()
                self.offered.remove(pair)
                self.current = pair
            self.ready, self.pid = True, _READY.unpack(said)[0]

    def _drop(self, pair: socket.socket) -> None:
        pair.close()
        if pair is self.current:
            self.current, self.ready, self.pid = None, False, 0
        elif pair in self.offered:
            self.offered.remove(pair)

    def close(self) -> None:
        for pair in self.pairs():
            pair.close()
        self.offered, self.current = [], None


class _Stop(Exception):
    """SIGTERM (a `kill` of the server): end the loop and remove the socket."""


def _stop_now(signum: int, frame: object) -> None:
    raise _Stop
