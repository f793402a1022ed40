"""Word documents (.docx), as the staff write them: pictures pasted in.

mammoth turns the document into plain semantic HTML (it ignores Word's
styling on purpose); the top-level elements then become blocks. The title is
the first text; a picture is a photo whose caption is the short line after
it; the reading rules of web copies (``readers/webcopy.py``) apply, since Word
files are often pasted from the website.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path
from typing import Any

from bulletin.encodings import nfc
from bulletin.i18n import _
from bulletin.model import Article, EmbeddedImage
from bulletin.readers import ooxml
from bulletin.readers.base import ReadContext, fail
from bulletin.readers.webcopy import Line, article_from, read_lines
from bulletin.sanitize import clean_html

EXTENSIONS = (".docx",)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .doc files and password-protected .docx alike


def read(path: Path, context: ReadContext) -> Article:
    images: dict[str, EmbeddedImage] = {}
    lines = _lines(_top_level(path, _convert(path, images)), images)
    if not any(line.text for line in lines):
        raise fail(path, _("the file is empty"))
    reading = read_lines(lines, context.year)
    return article_from(path, reading, [], context)


def read_doc(path: Path, context: ReadContext) -> Article:
    """Old binary Word files: say how to convert them."""
    raise fail(path, _("old Word format (.doc): open it in Word and save it as .docx"))


def _convert(path: Path, images: dict[str, EmbeddedImage]) -> str:
    try:
        with path.open("rb") as stream:
            head = stream.read(4096)
    except OSError as exc:
        raise fail(path, _("cannot read the file ({reason})").format(reason=exc.strerror)) from None
    if head.startswith(b"{\\rtf"):
        raise fail(
            path, _("a Rich Text (RTF) file, not .docx: open it in Word and save it as .docx")
        )
    if head and not head.startswith(b"PK") and b"\x00" not in head:
        raise fail(
            path,
            _("a plain text file, not a Word document: rename it to {name}").format(
                name=path.with_suffix(".txt").name
            ),
        )
    if head[:4] == _OLE_MAGIC:
        raise fail(
            path,
            _(
                "old Word format (.doc) or a password-protected document: open it "
                "in Word, remove any password and save it as .docx"
            ),
        )

    def keep_image(image: Any) -> dict[str, str]:
        with image.open() as stream:
            data = stream.read()
        key = f"bulletin-image-{len(images)}"
        images[key] = EmbeddedImage(name=f"{path.name}#{len(images) + 1}", data=data)
        return {"src": key}

    ooxml.check(path)  # sizes, parts and plain XML, before mammoth trusts them
    import mammoth  # 0.15 s to import: only when a month has Word files

    try:
        with path.open("rb") as stream:
            result = mammoth.convert_to_html(
                stream, convert_image=mammoth.images.img_element(keep_image)
            )
    except (zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError):
        raise fail(path, _("damaged Word document: open it in Word and save it again")) from None
    return str(result.value)


def _top_level(path: Path, markup: str) -> list[ElementTree.Element]:
    try:
        root = ElementTree.fromstring(f"<body>{markup}</body>")
    except ElementTree.ParseError:
        raise fail(path, _("damaged Word document: open it in Word and save it again")) from None
    return list(root)


def _text(element: ElementTree.Element) -> str:
    return nfc(" ".join("".join(element.itertext()).split()))


def _lines(elements: list[ElementTree.Element], images: dict[str, EmbeddedImage]) -> list[Line]:
    """Each top-level element is one line of the web-copy walk, numbered as the
    document's paragraphs; Word's headings, lists and tables stay as they are,
    paragraphs keep their bold and italics, pictures ride on their paragraph."""
    lines: list[Line] = []
    for number, element in enumerate(elements, 1):
        sources = (img.get("src", "") for img in element.iter("img"))
        pictures = tuple(images[src] for src in sources if src in images)
        text = _text(element)
        if not text and not pictures:
            continue
        markup = nfc(clean_html(_serialise(element))) if text else None
        if element.tag == "p":
            lines.append(Line(number, text, raw=text, photos=pictures, markup=markup))
        else:
            lines.append(Line(number, text, raw=text, photos=pictures, block=markup))
    first_text = next((i for i, line in enumerate(lines) if line.text), 0)
    return [lines[first_text], *lines[:first_text], *lines[first_text + 1 :]]  # title first


def _serialise(element: ElementTree.Element) -> str:
    for img in list(element.iter("img")):
        img.tag, img.attrib = "span", {}
    if element.tag in ("h1", "h2"):
        element.tag = "h3"
    elif element.tag in ("h5", "h6"):
        element.tag = "h4"
    return ElementTree.tostring(element, encoding="unicode", method="html")
