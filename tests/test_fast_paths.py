"""The fresh path's savings change nothing but the time: the render worker starts
before the build's imports, fontTools' subsetter loads only if used, and the
command line ends without teardown once the PDF is written (never a caller's)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from bulletin.cli import main

from .conftest import pdf_text

# A fresh interpreter: HarfBuzz subsets and fontTools.subset stays unloaded; with
# HarfBuzz's subsetter taken away, WeasyPrint's fallback loads it and still embeds.
SUBSET = """
import io, sys
from pathlib import Path
from pypdf import PdfReader
from bulletin import render
import weasyprint.pdf.fonts as fonts

def embedded(html):
    pdf = render.render(html, base=Path.cwd(), allowed=[Path.cwd()]).write_pdf()
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    names = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    return names, page.extract_text()

lazy = type(sys.modules["fontTools.subset"]).__name__
print(lazy)
if fonts.harfbuzz_subset is not None:
    names, text = embedded("<p style='font-family: Noto Serif'>Tiếng Việt</p>")
    assert "Tiếng Việt" in text and any("Serif" in n for n in names), (names, text)
    print(type(sys.modules["fontTools.subset"]).__name__)
fonts.harfbuzz_subset = None
names, text = embedded("<p style='font-family: Noto Sans'>Hà Nội</p>")
assert "Hà Nội" in text and any("Sans" in n for n in names), (names, text)
print(type(sys.modules["fontTools.subset"]).__name__)
"""

# The worker must be asked for before bulletin.build (and its readers) is imported.
EARLY = """
import sys
from bulletin import worker
started = worker.Renderer.__init__
def init(self, process=True):
    assert "bulletin.build" not in sys.modules, "the worker started after the build's imports"
    print("worker started first", file=sys.stderr)
    started(self, process)
worker.Renderer.__init__ = init
from bulletin.cli import main
main()
"""


def test_fonttools_subset_loads_only_when_used(project: Path) -> None:
    ran = subprocess.run(
        [sys.executable, "-c", SUBSET], capture_output=True, text=True, timeout=120, check=False
    )
    assert ran.returncode == 0, ran.stderr
    states = ran.stdout.split()
    assert states[0] == "_LazyModule"
    assert states[-1] == "module"  # the fallback used it: really loaded, fonts embedded
    if len(states) == 3:  # HarfBuzz subset the first page without loading fontTools.subset
        assert states[1] == "_LazyModule"


def test_the_worker_starts_before_the_build_imports(project: Path) -> None:
    ran = subprocess.run(
        [sys.executable, "-c", EARLY, "make", "--out", "early.pdf"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "BULLETIN_NO_SERVER": "1"},
    )
    assert ran.returncode == 0, ran.stderr
    assert "worker started first" in ran.stderr
    assert "Đã ghi early.pdf" in ran.stderr  # the last line, flushed before the fast exit
    assert len(PdfReader(project / "early.pdf").pages) >= 2


def test_the_command_line_ends_fast_but_a_caller_gets_control_back(project: Path) -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "bulletin", "make", "--out", "cli.pdf"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert ran.returncode == 0 and "Đã ghi cli.pdf" in ran.stderr, ran.stderr
    result = CliRunner().invoke(main, ["make", "--out", "runner.pdf"])
    assert result.exit_code == 0, result.output  # still here: no os._exit in a caller
    assert pdf_text(project / "cli.pdf") == pdf_text(project / "runner.pdf")


def test_with_one_cpu_the_build_renders_in_its_own_process(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker on the only CPU would take turns with the build: none is started,
    and the PDF is the one a worker makes."""
    from bulletin import serve, worker

    monkeypatch.setenv("BULLETIN_NO_SERVER", "1")
    started: list[object] = []
    popen = worker.subprocess.Popen

    def counted(*args: Any, **kwargs: Any) -> Any:
        started.append(args)
        return popen(*args, **kwargs)

    monkeypatch.setattr(worker.subprocess, "Popen", counted)
    monkeypatch.setattr(worker.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert CliRunner().invoke(main, ["make", "--out", "two.pdf"]).exit_code == 0
    assert len(started) == 1  # two CPUs: the worker

    monkeypatch.setattr(worker.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert not worker.beside_the_build()
    result = CliRunner().invoke(main, ["make", "--out", "one.pdf"])
    assert result.exit_code == 0, result.output
    assert len(started) == 1  # no second worker
    assert (project / "one.pdf").read_bytes() == (project / "two.pdf").read_bytes()

    # preview --watch starts its worker ahead of the next rebuild all the same
    with serve.renderer_for(project, ahead=True) as ahead:
        assert isinstance(ahead, worker.Renderer) and ahead._process is not None
    assert len(started) == 2


def test_without_cpu_affinity_the_count_of_cpus_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS and Windows have no ``sched_getaffinity``."""
    from bulletin import worker

    monkeypatch.delattr(worker.os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(worker.os, "cpu_count", lambda: 1)
    assert not worker.beside_the_build()
    monkeypatch.setattr(worker.os, "cpu_count", lambda: None)
    assert not worker.beside_the_build()
    monkeypatch.setattr(worker.os, "cpu_count", lambda: 4)
    assert worker.beside_the_build()
