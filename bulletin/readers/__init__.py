"""Readers: one module per kind of source file, chosen by file suffix.

As in Pelican's ``readers.py``, each reader declares the suffixes it reads;
a new format is one new module plus one line in ``READERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from bulletin.errors import Problem, SourceError
from bulletin.i18n import _
from bulletin.model import Article
from bulletin.readers import docx, markdown, text
from bulletin.readers.base import PHOTO_SUFFIXES, ReadContext

Reader = Callable[[Path, ReadContext], Article]

READERS: dict[str, Reader] = {
    **dict.fromkeys(text.EXTENSIONS, text.read),
    **dict.fromkeys(markdown.EXTENSIONS, markdown.read),
    **dict.fromkeys(docx.EXTENSIONS, docx.read),
    ".doc": docx.read_doc,
}


def reader_for(path: Path) -> Reader | None:
    return READERS.get(path.suffix.lower())


def read_articles(files: Iterable[Path], year: int) -> tuple[list[Article], list[Problem]]:
    """Read every file; gather every problem instead of stopping at the first."""
    context = ReadContext(year=year)
    articles: list[Article] = []
    for path in files:
        reader = reader_for(path)
        if reader is None:
            if path.suffix.lower() not in PHOTO_SUFFIXES:
                context.warn(path, _("not an article (.txt, .md or .docx): ignored"))
            continue
        try:
            articles.append(reader(path, context))
        except SourceError as error:
            context.problems.append(error.problem)
    articles.sort(key=Article.sort_key)
    return articles, context.problems
