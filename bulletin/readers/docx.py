"""Word documents (.docx), as the staff write them: pictures pasted in.

mammoth turns the document into plain semantic HTML (it ignores Word's
styling on purpose); the top-level elements then become blocks. The title is
the first heading, or failing that the first paragraph; a picture is a photo
whose caption is the short line after it; the caption, byline and leftover
rules of web copies apply, since Word files are often pasted from the website.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path
from typing import Any

from bulletin.dates import find_date
from bulletin.encodings import nfc
from bulletin.i18n import _
from bulletin.model import Article, Block, EmbeddedImage, Figure, Html
from bulletin.readers import ooxml
from bulletin.readers.base import ReadContext, fail, is_caption, trim_web_copy
from bulletin.sanitize import clean_html

EXTENSIONS = (".docx",)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .doc files and password-protected .docx alike


def read(path: Path, context: ReadContext) -> Article:
    images: dict[str, EmbeddedImage] = {}
    elements = _top_level(path, _convert(path, images))
    title, elements = _title(path, elements)
    blocks, byline = trim_web_copy(_blocks(elements, images))
    if not blocks:
        raise fail(path, _("only a title, no article text"))
    first = next((b for b in blocks if isinstance(b, Html)), None)
    return Article(
        source=path,
        title=title,
        body=tuple(blocks),
        date=(find_date(first.text, context.year) if first else None)
        or find_date(title, context.year),
        author=byline,
    )


def read_doc(path: Path, context: ReadContext) -> Article:
    """Old binary Word files: say how to convert them."""
    raise fail(path, _("old Word format (.doc): open it in Word and save it as .docx"))


def _convert(path: Path, images: dict[str, EmbeddedImage]) -> str:
    try:
        with path.open("rb") as stream:
            head = stream.read(4)
    except OSError as exc:
        raise fail(path, _("cannot read the file ({reason})").format(reason=exc.strerror)) from None
    if head == _OLE_MAGIC:
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


def _title(path: Path, elements: list[ElementTree.Element]) -> tuple[str, list[Any]]:
    texts = [(i, e) for i, e in enumerate(elements) if _text(e)]
    if not texts:
        raise fail(path, _("the file is empty"))
    heading = next(((i, e) for i, e in texts if e.tag in ("h1", "h2", "h3")), None)
    index, element = heading if heading and heading[0] == texts[0][0] else texts[0]
    return _text(element), elements[:index] + elements[index + 1 :]


def _blocks(elements: list[ElementTree.Element], images: dict[str, EmbeddedImage]) -> list[Block]:
    """Paragraphs, headings, lists and tables; a picture takes the short line after
    it as its caption; other short lines are captions of lost photos."""
    blocks: list[Block] = []
    pending: list[EmbeddedImage] = []
    for element in elements:
        pictures = [
            images[img.get("src", "")]
            for img in element.iter("img")
            if img.get("src", "") in images
        ]
        text = _text(element)
        if pictures and not text:
            blocks += [Figure(caption="", photo=p) for p in pending]
            pending = pictures
            continue
        if pending and text and is_caption(text):
            blocks.append(Figure(caption=text, photo=pending[0]))
            blocks += [Figure(caption="", photo=p) for p in pending[1:]]
            pending = []
            continue
        blocks += [Figure(caption="", photo=p) for p in pending]
        pending = []
        blocks += [Figure(caption="", photo=p) for p in pictures]
        if not text:
            continue
        if element.tag == "p" and is_caption(text):
            blocks.append(Figure(caption=text))
        else:
            blocks.append(Html(nfc(clean_html(_serialise(element)))))
    blocks += [Figure(caption="", photo=p) for p in pending]
    return blocks


def _serialise(element: ElementTree.Element) -> str:
    for img in list(element.iter("img")):
        img.tag, img.attrib = "span", {}
    if element.tag in ("h1", "h2"):
        element.tag = "h3"
    elif element.tag in ("h5", "h6"):
        element.tag = "h4"
    return ElementTree.tostring(element, encoding="unicode", method="html")
