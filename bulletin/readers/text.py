"""Plain text copied from the institute's website.

Shape: the title on the first line; paragraphs one per line; short lines
without final punctuation between paragraphs are captions of photos lost in
the paste; the author's line at the end; website leftovers after it.
"""

from __future__ import annotations

import html
from pathlib import Path

from bulletin.dates import find_date
from bulletin.i18n import _
from bulletin.model import Article, Block, Figure, Html
from bulletin.readers.base import (
    Line,
    ReadContext,
    fail,
    is_caption,
    read_text_file,
    split_web_copy,
)

EXTENSIONS = (".txt",)


def read(path: Path, context: ReadContext) -> Article:
    text = read_text_file(path, context)
    lines = [Line(n, raw.strip()) for n, raw in enumerate(text.split("\n"), 1) if raw.strip()]
    title, rest = lines[0], lines[1:]
    if not rest:
        raise fail(path, _("only a title, no article text"), title.number)
    body_lines, byline = split_web_copy(rest)
    body = tuple(_block(line) for line in body_lines)
    if not any(isinstance(b, Html) for b in body):  # only short lines: they are the text
        body = tuple(_paragraph(line.text) for line in body_lines)
    first_paragraph = next(b for b in body if isinstance(b, Html))
    return Article(
        source=path,
        title=title.text,
        body=body,
        date=find_date(first_paragraph.text, context.year) or find_date(title.text, context.year),
        author=byline.text if byline else None,
    )


def _block(line: Line) -> Block:
    if is_caption(line.text):
        return Figure(caption=line.text, line=line.number)
    return _paragraph(line.text)


def _paragraph(text: str) -> Html:
    return Html(f"<p>{html.escape(text, quote=False)}</p>")
