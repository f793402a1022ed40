"""A .docx checked as a package before mammoth reads it: sizes, parts, plain XML.

A .docx is a zip of XML files. mammoth trusts it whole: a 0.9 MB zip holding a
300 MB ``document.xml`` ran four minutes to a ``MemoryError``, a missing
``word/document.xml`` raised ``KeyError``, and XML with a DTD can define
entities that expand without end ("billion laughs"). Word never writes a DTD,
so one is refused outright; every part is parsed here with expat first (fast,
and a damaged part is named now instead of failing deep inside mammoth).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import NoReturn
from xml.parsers import expat

from bulletin.i18n import _
from bulletin.readers.base import fail

MAX_PART_BYTES = 32 * 1024 * 1024  # document.xml of a 300-page report is ~10 MB
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # pictures included
MAX_RATIO = 200  # XML compresses 10 to 30 times; a zip bomb thousands of times
_RATIO_FROM = 1024 * 1024  # small parts may compress as they like
DOCUMENT = "word/document.xml"


class _Declared(Exception):
    """The XML declares a DTD or an entity."""


def check(path: Path) -> None:
    """Raise the reader's error when ``path`` is not a .docx that is safe to read."""
    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
            _check_sizes(path, parts)
            if DOCUMENT not in {part.filename for part in parts}:
                _damaged(path, _("it holds no word/document.xml"))
            for part in parts:
                if part.filename.endswith((".xml", ".rels")):
                    _check_xml(path, part, package)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError):
        _damaged(path, _("not a zip package"))
    except OSError as exc:
        raise fail(path, _("cannot read the file ({reason})").format(reason=exc.strerror)) from None


def _check_sizes(path: Path, parts: list[zipfile.ZipInfo]) -> None:
    total = sum(part.file_size for part in parts)
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > MAX_PART_BYTES and part.filename.endswith((".xml", ".rels")):
            _too_large(path, part)
        if part.file_size > _RATIO_FROM and ratio > MAX_RATIO:
            _too_large(path, part)
    if total > MAX_TOTAL_BYTES:
        raise fail(
            path,
            _("Word document of {size} MB unpacked: too large for an article").format(
                size=total // (1024 * 1024)
            ),
        )


def _check_xml(path: Path, part: zipfile.ZipInfo, package: zipfile.ZipFile) -> None:
    parser = expat.ParserCreate()

    def refuse(*_args: object) -> NoReturn:
        raise _Declared

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        with package.open(part) as stream:
            parser.ParseFile(stream)
    except _Declared:
        _damaged(path, _("{part} declares XML entities").format(part=part.filename))
    except (expat.ExpatError, UnicodeDecodeError, ValueError):
        _damaged(path, _("{part} is not XML").format(part=part.filename))


def _too_large(path: Path, part: zipfile.ZipInfo) -> NoReturn:
    raise fail(
        path,
        _("{part} unpacks to {size} MB: not a document Word wrote").format(
            part=part.filename, size=part.file_size // (1024 * 1024)
        ),
    )


def _damaged(path: Path, reason: str) -> NoReturn:
    raise fail(
        path,
        _("damaged Word document ({reason}): open it in Word and save it again").format(
            reason=reason
        ),
    )
