"""The render stage in a second process, which loads WeasyPrint while the build reads.

Importing WeasyPrint is 0.3–0.5 s of pure Python, and reading, checking and laying
out a month is about 0.15 s more. In one process they add up: the GIL lets no
thread overlap them. A worker started when the build begins imports WeasyPrint on
the other core meanwhile, then renders the HTML it is sent and sends the PDF's
bytes back. The build writes the file itself, atomically, so a build killed at
any moment still never leaves a new, half-made PDF, and the worker's memory goes
back to the system when it ends (``bulletin preview --watch`` builds for hours).

Where no worker can be started, or it dies before answering, the same function
renders in the build's own process.

    python -m bulletin.worker    # reads one pickled Job on stdin, writes a Result
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import subprocess
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bulletin.errors import BulletinError
from bulletin.i18n import set_language


@dataclass(frozen=True)
class Job:
    """What the worker renders: the page, where its files may come from, and how."""

    html: str
    base: Path
    allowed: tuple[Path, ...]
    language: str
    booklet: bool = False
    archive_of: Path | None = None  # the month folder whose files an archive copy carries


@dataclass(frozen=True)
class Result:
    pdf: bytes = b""
    pages: int = 0
    error: str | None = None  # a user's mistake, shown as it is
    crash: str | None = None  # a bug: the worker's traceback


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


def make_pdf(job: Job) -> Result:
    """The PDF as asked: as laid out, imposed as a booklet, or PDF/A-3b with its sources."""
    with rare_collections():
        from bulletin import render

        try:
            document = render.render(job.html, base=job.base, allowed=job.allowed)
        except BulletinError as error:
            return Result(error=error.message)
        if job.booklet:
            from bulletin.impose import impose

            pdf = impose(document.write_pdf())
        elif job.archive_of is not None:
            attachments = render.source_attachments(job.archive_of)
            pdf = document.write_pdf(pdf_variant="pdf/a-3b", attachments=attachments)
        else:
            pdf = document.write_pdf()
        return Result(pdf=pdf, pages=len(document.pages))


class Renderer:
    """A worker process, started first thing in a build, used once."""

    _process: subprocess.Popen[bytes] | None

    def __init__(self) -> None:
        # The worker must import this very package, wherever it was imported from.
        path = os.pathsep.join(p for p in [os.environ.get("PYTHONPATH", ""), *sys.path] if p)
        self._process = None
        if not sys.executable:  # an embedded interpreter: nothing to start
            return
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bulletin.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": path},
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
            self._process.stdin.write(pickle.dumps(job))
            self._process.stdin.close()
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
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream:
                stream.close()
        self._process = None


def serve(source: IO[bytes], target: IO[bytes]) -> None:
    """Load WeasyPrint, then render the one job that arrives (none if the build stopped)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the build's to handle: it kills us
    with rare_collections():
        from bulletin import render  # noqa: F401  (the slow import, done while the build reads)

    data = source.read()
    if not data:
        return
    job = pickle.loads(data)  # from the build that started this process, nobody else
    set_language(job.language)
    try:
        result = make_pdf(job)
    except Exception:  # a bug: report it to the build rather than die mute
        result = Result(crash=traceback.format_exc())
    target.write(pickle.dumps(result))
    target.flush()


if __name__ == "__main__":
    from bulletin import worker  # the importable module, whose classes the build unpickles

    worker.serve(sys.stdin.buffer, sys.stdout.buffer)
