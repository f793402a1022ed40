"""How each article was read: the record ``bulletin read`` prints.

The staff paste real web pages, and every guess the reader makes (a caption,
a dropped leftover, the date, an assumed year) must be visible. This module
runs the very readers ``make`` uses — no second parser — and shows, for each
file, its title, date and where the date came from, its byline, every block
with its kind and source line, and every dropped line with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bulletin.collect import Month
from bulletin.errors import Problem, SourceError, clip, display_path
from bulletin.i18n import N_, _
from bulletin.model import Article, Block, EmbeddedImage, Figure
from bulletin.readers import reader_for
from bulletin.readers.base import ReadContext

_KINDS = {
    "p": "paragraph",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "ul": "list",
    "ol": "list",
    "blockquote": "quote",
    "table": "table",
}
_KIND_LABELS = {
    "paragraph": N_("paragraph"),
    "heading": N_("heading"),
    "list": N_("list"),
    "quote": N_("quote"),
    "table": N_("table"),
    "caption": N_("caption"),
    "photo": N_("photo"),
}
_DATE_FROM = {
    "dateline": N_("the dateline under the title"),
    "first-paragraph": N_("the first paragraph"),
    "title": N_("the title"),
    "front-matter": N_("the front matter"),
}


@dataclass(frozen=True)
class FileReading:
    """One file as the readers see it: its article (None if unreadable) and problems."""

    path: Path
    article: Article | None
    problems: tuple[Problem, ...]


def read_files(files: Iterable[Path], default_year: int) -> list[FileReading]:
    """Read each file with the reader ``make`` would choose for it."""
    readings = []
    for path in files:
        context = ReadContext(year=_year_of(path, default_year))
        reader = reader_for(path)
        article = None
        if path.is_dir():
            context.problems.append(Problem(path, _("a folder, not an article file")))
        elif not path.is_file():
            context.problems.append(Problem(path, _("no such file")))
        elif reader is None:
            context.problems.append(Problem(path, _("not an article (.txt, .md or .docx)")))
        else:
            try:
                article = reader(path, context)
            except SourceError as error:
                context.problems.append(error.problem)
        readings.append(FileReading(path, article, tuple(context.problems)))
    return readings


def _year_of(path: Path, default: int) -> int:
    """The year of the month folder the file sits in (``2023-11``), as ``make`` uses."""
    month = Month.parse(path.parent.name)
    return month.year if month else default


def block_kind(block: Block) -> str:
    """``paragraph``, ``heading``, ``list``, ``quote``, ``table``, ``caption``
    (a caption whose photo is missing) or ``photo``."""
    if isinstance(block, Figure):
        return "photo" if block.photo is not None else "caption"
    tag = re.match(r"\s*<(\w+)", block.html)
    return _KINDS.get(tag.group(1).lower() if tag else "p", "paragraph")


def as_record(reading: FileReading) -> dict[str, object]:
    """The JSON shape: file, title, date, byline, blocks, dropped, problems."""
    article = reading.article
    return {
        "file": display_path(reading.path),
        "title": article.title if article else None,
        "date": article.date.isoformat() if article and article.date else None,
        "date_from": article.date_from if article else None,
        "byline": article.author if article else None,
        "blocks": [_block_record(b) for b in article.body] if article else [],
        "dropped": [
            {"line": d.line, "text": d.text, "why": d.why}
            for d in (article.dropped if article else ())
        ],
        "problems": [
            {"line": p.line, "level": p.level, "message": p.message} for p in reading.problems
        ],
    }


def _block_record(block: Block) -> dict[str, object]:
    record: dict[str, object] = {"kind": block_kind(block), "text": block.text, "line": block.line}
    if isinstance(block, Figure) and block.photo is not None:
        record["photo"] = _photo_name(block.photo)
    return record


def _photo_name(photo: Path | EmbeddedImage) -> str:
    return photo.name if isinstance(photo, EmbeddedImage) else display_path(photo)


def as_text(reading: FileReading) -> list[str]:
    """The human form: what each line became, in the user's language."""
    out = [display_path(reading.path)]
    article = reading.article
    if article is not None:
        out.append("  " + _("Title: {title}").format(title=article.title))
        out.append("  " + _date_line(article))
        if article.author:
            out.append("  " + _("Byline: {byline}").format(byline=article.author))
        for block in article.body:
            out.append("  " + _block_line(block))
        for dropped in article.dropped:
            out.append(
                "  "
                + _("line {line}: dropped “{text}”: {why}").format(
                    line=dropped.line, text=clip(dropped.text, 72), why=dropped.why
                )
            )
    for problem in reading.problems:
        out.append("  " + _problem_line(problem))
    return out


def _date_line(article: Article) -> str:
    if article.date is None:
        return _("Date: none found")
    where = _(_DATE_FROM.get(article.date_from or "", "")) if article.date_from else ""
    day = _format(article.date)
    if where:
        return _("Date: {date} (from {where})").format(date=day, where=where)
    return _("Date: {date}").format(date=day)


def _format(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _block_line(block: Block) -> str:
    kind = block_kind(block)
    label = _(_KIND_LABELS[kind])
    where = _("line {line}").format(line=block.line) if block.line else "·"
    text = clip(block.text, 72)
    if kind == "photo" and isinstance(block, Figure) and block.photo is not None:
        text = f"[{_photo_name(block.photo)}] {text}".strip()
    if kind == "caption":
        text += " " + _("(no photo: not printed)")
    return f"{where:>9}  {label:<10} {text}"


def _problem_line(problem: Problem) -> str:
    level = {"error": _("error"), "warning": _("warning"), "note": _("note")}[problem.level]
    where = _("line {line}").format(line=problem.line) if problem.line else ""
    return f"{where}: {level}: {problem.message}" if where else f"{level}: {problem.message}"
