"""The render stage in a second process, which loads WeasyPrint while the build reads.

Importing WeasyPrint is 0.3–0.5 s of pure Python, and reading, checking and laying
out a month is about 0.15 s more. In one process they add up: the GIL lets no
thread overlap them. A worker started when the build begins imports WeasyPrint on
the other core meanwhile, then renders the HTML it is sent and sends the PDF's
bytes back. The build writes the file itself, atomically, so a build killed at
any moment still never leaves a new, half-made PDF, and the worker's memory goes
back to the system when it ends (``bulletin preview --watch`` builds for hours).

Where no worker can be started, or it dies before answering, the same function
renders in the build's own process. So it does where the build may use one CPU
only (``taskset``, a container's quota): there the worker would only take turns
with the build, and cost a second interpreter (``beside_the_build``).

    python -m bulletin.worker    # reads one pickled Job on stdin, writes a Result

The worker is started with ``-P`` (no working folder on ``sys.path``: a
``signal.py`` in the project folder must not be imported instead of Python's),
and it dies with the build: it keeps reading its stdin after the job, and the
end of that pipe (the build closed it, or the build itself is gone, killed
with SIGKILL even) ends the worker at once.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import bulletin
from bulletin.errors import BulletinError
from bulletin.i18n import set_language

if TYPE_CHECKING:
    from bulletin.render import Served

_LENGTH = struct.Struct(">Q")  # the job's size, before its bytes
# Run by ``python -P -c``: the package is found where this build found it, after
# Python's own modules (sys.path never starts with the working folder here).
_BOOT = (
    "import sys; sys.path.append({root!r}); from bulletin import worker; "
    "worker.serve(sys.stdin.buffer, sys.stdout.buffer)"
)


@dataclass(frozen=True)
class Job:
    """What the worker renders: the page, where its files may come from, and how."""

    html: str
    base: Path
    allowed: tuple[Path, ...]
    language: str
    booklet: bool = False
    archive_of: Path | None = None  # the month folder whose files an archive copy carries
    archive_project: tuple[tuple[Path, str], ...] = ()  # and the project's (archive.project_files)
    # The contents' page numbers to try first (bulletin/pagerefs.py); not part of
    # what is made: right or wrong, the PDF is the same.
    page_guesses: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Result:
    pdf: bytes = b""
    pages: int = 0
    error: str | None = None  # a user's mistake, shown as it is
    crash: str | None = None  # a bug: the worker's traceback
    page_numbers: tuple[tuple[str, int], ...] = ()  # the contents' numbers, as laid out
    last_fill: float | None = None  # how much of the last page's columns is used (lastpage)
    cover_blank: float | None = None  # the share of page 1 left blank at its foot (lastpage)


@contextmanager
def rare_collections() -> Iterator[None]:
    """Run Python's cyclic garbage collector rarely while WeasyPrint works.

    Importing WeasyPrint and laying out a month create millions of small objects
    that all live until the PDF is written. At the default rhythm (every 700
    allocations) the collector scans them hundreds of times: about 5 % of a
    20-article build, for nothing to free. Reference counting still frees
    everything else at once, and peak memory does not move (benchmarks/README.md).
    """
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def make_pdf(job: Job, served: list[Served] | None = None) -> Result:
    """The PDF as asked: as laid out, imposed as a booklet, or PDF/A-3b with its sources.
    ``served`` receives the files the render used (``bulletin/rendercache.py``)."""
    with rare_collections():
        from bulletin import lastpage, pagerefs, render

        try:
            document = render.render(
                job.html,
                base=job.base,
                allowed=job.allowed,
                served=served,
                page_guesses=dict(job.page_guesses),
            )
        except BulletinError as error:
            return Result(error=error.message)
        numbers = tuple((a, page) for a, page in pagerefs.outcome()[0].items() if page is not None)
        fill = lastpage.fill(document.pages[-1]._page_box) if document.pages else None
        cover = lastpage.foot_blank(document.pages[0]._page_box) if document.pages else None
        if job.booklet:
            from bulletin.impose import impose

            pdf = impose(document.write_pdf())
        elif job.archive_of is not None:
            attachments = render.source_attachments(job.archive_of, job.archive_project)
            pdf = document.write_pdf(pdf_variant="pdf/a-3b", attachments=attachments)
        else:
            pdf = document.write_pdf()
        return Result(
            pdf=pdf,
            pages=len(document.pages),
            page_numbers=numbers,
            last_fill=fill,
            cover_blank=cover,
        )


def beside_the_build() -> bool:
    """Whether a worker would run beside the build, not in turns with it: this
    process may use a second CPU. Held to one CPU, the worker overlaps nothing
    and is a second interpreter for nothing: a build took 0.98–1.04 × as long
    with it (``benchmarks/cpus.py``, three runs). Busy CPUs are no reason to go
    without: with one or two CPU-bound loops running beside, neither way was
    faster from one run to the next (0.90–1.09 ×); the system shares the CPUs
    among processes, busy or not."""
    return usable_cpus() > 1


def usable_cpus() -> int:
    """The CPUs this process may run on (``taskset`` and container quotas count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on macOS and Windows
        return os.cpu_count() or 1


class Renderer:
    """A worker process, started first thing in a build, used once. With
    ``process=False``, none: the job is rendered in the build's own process."""

    _process: subprocess.Popen[bytes] | None

    def __init__(self, process: bool = True) -> None:
        # The worker must import this very package, wherever it was imported from.
        root = str(Path(bulletin.__file__).resolve().parent.parent)
        self._process = None
        if not process or not sys.executable:  # an embedded interpreter: nothing to start
            return
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-P", "-c", _BOOT.format(root=root)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        except OSError:
            self._process = None

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(self, job: Job) -> Result:
        """The job's result, from the worker or, failing that, from this process."""
        result = self._ask_worker(job) if self._process else None
        return result if result is not None else make_pdf(job)

    def _ask_worker(self, job: Job) -> Result | None:
        assert self._process and self._process.stdin and self._process.stdout
        try:
            data = pickle.dumps(job)
            self._process.stdin.write(_LENGTH.pack(len(data)) + data)
            self._process.stdin.flush()  # kept open: its end tells the worker to stop
            answer = pickle.load(self._process.stdout)
        except Exception:  # not started, died or garbled: render here instead
            return None
        finally:
            self.close()
        return answer if isinstance(answer, Result) else None

    def close(self) -> None:
        """Stop the worker (the build ended, or failed before rendering)."""
        if self._process is None:
            return
        for stream in (self._process.stdin, self._process.stdout):
            if stream:
                with contextlib.suppress(OSError):
                    stream.close()
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._process = None


def serve(source: IO[bytes], target: IO[bytes]) -> None:
    """Load WeasyPrint, then render the one job that arrives (none if the build stopped)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the build's to handle: it kills us
    with rare_collections():
        from bulletin import render  # noqa: F401  (the slow import, done while the build reads)

    header = source.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        return
    data = source.read(_LENGTH.unpack(header)[0])
    _exit_when_closed(source)
    job = pickle.loads(data)  # from the build that started this process, nobody else
    set_language(job.language)
    try:
        result = make_pdf(job)
    except Exception:  # a bug: report it to the build rather than die mute
        result = Result(crash=traceback.format_exc())
    target.write(pickle.dumps(result))
    target.flush()


def _exit_when_closed(source: IO[bytes]) -> None:
    """End this process as soon as the build's end of the pipe closes: the build
    is done with us, or was killed and must not leave us rendering for nobody."""
    if _has_fileno(source):
        threading.Thread(target=_watch, args=(source,), daemon=True).start()


def _has_fileno(source: IO[bytes]) -> bool:
    try:
        source.fileno()
    except (OSError, ValueError, AttributeError):
        return False
    return True


def _watch(source: IO[bytes]) -> None:
    with contextlib.suppress(OSError, ValueError):
        while source.read(1):
            pass
    os._exit(0)


if __name__ == "__main__":
    from bulletin import worker  # the importable module, whose classes the build unpickles

    worker.serve(sys.stdin.buffer, sys.stdout.buffer)
