"""Plain text copied from the institute's website.

Shape: the title on the first line, perhaps a dateline; paragraphs one per
line; short lines between them are captions of photos lost in the paste; the
author's line at the end; website leftovers around it all. How each line is
read lives in ``readers/webcopy.py``. Photos saved in a folder named like the
article (``giao-ban.txt`` and ``giao-ban/01.jpg``, ``02.jpg`` …) go to the
captions in name order.
"""

from __future__ import annotations

from pathlib import Path

from bulletin.encodings import nfc
from bulletin.i18n import _
from bulletin.model import Article, Photo
from bulletin.readers.base import PHOTO_SUFFIXES, ReadContext, read_text_file, within
from bulletin.readers.webcopy import article_from, lines_of, read_lines

EXTENSIONS = (".txt",)


def read(path: Path, context: ReadContext) -> Article:
    text = read_text_file(path, context)
    photos: list[Photo] = list(photo_folder(path, context))
    reading = read_lines(lines_of(text), context.year, len(photos))
    return article_from(path, reading, photos, context)


def photo_folder(path: Path, context: ReadContext | None = None) -> list[Path]:
    """The photos in the folder named like the article, in name order. A folder
    that links out of the month's folder is not even listed (warned); a photo
    inside that links out, or a hidden one, is left out by ``check`` with a warning."""
    folder = path.with_suffix("")
    if not folder.is_dir():
        return []
    if not within(path.parent, folder):
        if context is not None:
            context.warn(
                path,
                _("photo folder '{name}' leads outside the month folder: not used").format(
                    name=folder.name
                ),
            )
        return []
    return sorted(
        (p for p in folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES and p.is_file()),
        key=lambda p: nfc(p.name),
    )
