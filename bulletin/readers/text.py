"""Plain text copied from the institute's website.

Shape: the title on the first line; paragraphs one per line; short lines
without final punctuation between paragraphs are captions of photos lost in
the paste; the author's line at the end; website leftovers after it.
Photos saved in a folder named like the article (``giao-ban.txt`` and
``giao-ban/01.jpg``, ``02.jpg`` …) go to the captions in name order.
"""

from __future__ import annotations

import html
from pathlib import Path

from bulletin.dates import find_date
from bulletin.encodings import nfc
from bulletin.i18n import _
from bulletin.model import Article, Block, Figure, Html
from bulletin.readers.base import (
    PHOTO_SUFFIXES,
    ReadContext,
    fail,
    is_caption,
    read_text_file,
    trim_web_copy,
)

EXTENSIONS = (".txt",)


def read(path: Path, context: ReadContext) -> Article:
    text = read_text_file(path, context)
    lines = [(n, raw.strip()) for n, raw in enumerate(text.split("\n"), 1) if raw.strip()]
    (title_line, title), rest = lines[0], lines[1:]
    if not rest:
        raise fail(path, _("only a title, no article text"), title_line)
    blocks, byline = trim_web_copy([_block(number, line) for number, line in rest])
    if not any(isinstance(b, Html) for b in blocks):  # only short lines: they are the text
        blocks = [_paragraph(b.text) for b in blocks]
    body = tuple(attach_photos(path, blocks))
    first_paragraph = next(b for b in body if isinstance(b, Html))
    return Article(
        source=path,
        title=title,
        body=body,
        date=find_date(first_paragraph.text, context.year) or find_date(title, context.year),
        author=byline,
    )


def _block(number: int, line: str) -> Block:
    if is_caption(line):
        return Figure(caption=line, line=number)
    return _paragraph(line)


def _paragraph(text: str) -> Html:
    return Html(f"<p>{html.escape(text, quote=False)}</p>")


def photo_folder(path: Path) -> list[Path]:
    """The photos in the folder named like the article, in name order."""
    folder = path.with_suffix("")
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES),
        key=lambda p: nfc(p.name),
    )


def attach_photos(path: Path, blocks: list[Block]) -> list[Block]:
    """Give the caption lines their photos, in order; extra photos come last,
    uncaptioned; extra captions stay captions without a photo."""
    photos = photo_folder(path)
    result: list[Block] = []
    for block in blocks:
        if isinstance(block, Figure) and photos:
            block = Figure(caption=block.caption, photo=photos.pop(0), line=block.line)
        result.append(block)
    result += [Figure(caption="", photo=photo) for photo in photos]
    return result
