"""Long work shows how far it is: photos counted (``Ảnh 5/24``), a bar on a
terminal, lines otherwise; ``-q`` silences, ``-v`` shows every step."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bulletin.cli import CliReporter, main

COUNT = re.compile(r"^Ảnh (\d+)/(\d+)$", re.MULTILINE)


def counts(output: str) -> list[tuple[int, int]]:
    return [(int(done), int(total)) for done, total in COUNT.findall(output)]


def test_every_photo_counted_with_verbose(project: Path) -> None:
    result = CliRunner().invoke(main, ["make", "-v"])
    assert result.exit_code == 0, result.output
    found = counts(result.output)
    total = found[-1][1]
    assert total >= 5  # the example month's photos
    assert found == [(n, total) for n in range(1, total + 1)]


def test_photo_count_by_default_and_quiet(project: Path) -> None:
    result = CliRunner().invoke(main, ["make"])
    assert result.exit_code == 0, result.output
    found = counts(result.output)
    assert found and found[-1][0] == found[-1][1]  # the last line says all are done
    assert len(found) <= 3  # a line now and then, not one per photo
    assert CliRunner().invoke(main, ["make", "-q"]).output == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    reporter = CliReporter(1)
    for done in range(1, 4):
        reporter.progress("Ảnh", done, 3)
    shown = terminal.getvalue()
    assert "Ảnh" in shown and "[" in shown and "3/3" in shown
    assert "\n" not in shown.rstrip("\n")  # drawn over itself with \r, not line by line
    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    CliReporter(0).progress("Ảnh", 1, 3)
    assert quiet.getvalue() == ""
