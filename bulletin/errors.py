"""User errors: one clear line each, exit code 1, never a traceback.

Like MkDocs (``mkdocs/exceptions.py``), every mistake a user can make is a
``click.ClickException``; anything else is a bug and keeps its traceback.
A ``Problem`` names the file (and line, where known) so that a build can
report every bad article at once instead of stopping at the first.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import click

from bulletin.i18n import _

Level = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file."""

    path: Path | None
    message: str
    line: int | None = None
    level: Level = "error"

    def location(self) -> str:
        if self.path is None:
            return ""
        where = display_path(self.path)
        return f"{where}:{self.line}" if self.line else where

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


def display_path(path: Path) -> str:
    """A path as the user knows it: relative to the working folder when inside it.
    Printable whatever the name holds: a line break or other control character
    is shown escaped (a name must not forge a line of the output), and bytes that
    are not UTF-8 as ``\\xff``."""
    # The link's own name first (``bi-mat.txt``, not the ``/etc/passwd`` it points to).
    try:
        shown = str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        try:
            shown = str(path.resolve().relative_to(Path.cwd().resolve()))
        except (ValueError, OSError, RuntimeError):
            shown = str(path)
    return printable(shown)


def display_folder(path: Path) -> str:
    """A month folder as ``display_path`` shows it, but the working folder by its
    name ("2023-11") rather than ".": run from inside the month folder, "Đang đọc
    .…" said nothing."""
    shown = display_path(path)
    return printable(Path.cwd().name) if shown == "." and Path.cwd().name else shown


def printable(text: str) -> str:
    """``text`` with control characters escaped and undecodable bytes as ``\\xNN``."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clip(text: str, limit: int) -> str:
    """A source line shortened for a one-line message (white space folded)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class BulletinError(click.ClickException):
    """A mistake in the user's files, options or configuration."""

    exit_code = 1

    def show(self, file: IO[str] | None = None) -> None:
        stream = file or sys.stderr
        click.echo(
            _("Error: {message}").format(message=self.format_message()), err=True, file=stream
        )


class SourceError(BulletinError):
    """One input file cannot be used; carries its ``Problem``."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class ProblemsError(BulletinError):
    """Several files are wrong: every problem on its own line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def show(self, file: IO[str] | None = None) -> None:
        for problem in self.problems:
            click.echo(_("Error: {message}").format(message=problem), err=True, file=file)
