"""A post's HTML → Markdown blocks, each photo in its place with its caption.

Why an HTML parser (lxml) walking the tree: captions come in four markups
(block-editor ``<figure><figcaption>``, classic-editor ``div.wp-caption``, an
image paragraph followed by a centred italic line, a ``[caption]`` shortcode
left in the content) and only the tree tells which text belongs to which
photo. The Markdown written is what the Markdown reader reads: a paragraph
holding a single image ``![caption](photo)`` becomes a Figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml.html import HtmlElement

from bulletin.encodings import nfc

_DROP = {
    "script", "style", "noscript", "iframe", "form", "button", "nav", "aside", "footer",
    "svg", "input", "select", "textarea", "object", "embed", "video", "audio", "template",
}  # fmt: skip
# Class or id words of website chrome that sits inside a post's content.
_CHROME = ("share", "social", "related", "breadcrumb", "addtoany", "navigation", "comment")
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {
    "p", "div", "figure", "table", "ul", "ol", "blockquote", "section", "article", "center",
    "main", "dl", "pre", *_HEADINGS,
}  # fmt: skip
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
_SHORTCODE = re.compile(r"\[caption([^\]]*)\](.*?)\[/caption\]", re.DOTALL | re.IGNORECASE)
_SHORTCODE_CAPTION = re.compile(r"""caption=["']([^"']*)["']""")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|&~])")
_LINE_START_MARK = re.compile(r"^([-+=])", re.MULTILINE)
_LINE_START_NUMBER = re.compile(r"^(\d+)([.)])", re.MULTILINE)
_MAX_CAPTION = 300
_SMALL_IMAGE = 48  # px: icons and smileys, not photos
_MAX_BYLINE = 60
_INITIALS = re.compile(r"^(\w{1,3}\s?\.\s?)+\w{0,3}\.?$")


@dataclass(frozen=True)
class Text:
    """A block of Markdown; ``plain`` is its text, to compare and to judge."""

    markdown: str
    plain: str
    signed: bool = False  # right-aligned or all bold: how a byline looks


@dataclass(frozen=True)
class Photo:
    url: str
    caption: str = ""


Block = Text | Photo


@dataclass(frozen=True)
class Content:
    blocks: list[Block]
    byline: str | None


def from_html(html: str, base_url: str) -> Content:
    """A post's content HTML (a fragment) as blocks, the byline taken off."""
    html = _SHORTCODE.sub(_shortcode_to_figure, html)
    root = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    return from_element(root, base_url)


def from_element(root: HtmlElement, base_url: str) -> Content:
    return take_byline(blocks_of(root, base_url))


def blocks_of(root: HtmlElement, base_url: str) -> list[Block]:
    """The element's content as blocks, in reading order."""
    blocks: list[Block] = []
    _walk(root, base_url, blocks)
    return blocks


def plain(text: str) -> str:
    """Whitespace collapsed, NFC: how texts are compared."""
    return nfc(" ".join(text.split()))


def _shortcode_to_figure(match: re.Match[str]) -> str:
    """``[caption …]<img> Caption[/caption]``: WordPress's classic caption,
    left unrendered in feeds and by some themes."""
    attribute = _SHORTCODE_CAPTION.search(match[1])
    caption = f"<figcaption>{attribute[1]}</figcaption>" if attribute else ""
    return f'<figure class="wp-caption">{match[2]}{caption}</figure>'


def _walk(element: HtmlElement, base: str, out: list[Block]) -> None:
    if element.text and element.text.strip():
        out.append(_text(_escape(element.text), element.text))
    for child in element:
        if isinstance(child.tag, str) and not _is_chrome(child):
            _block(child, base, out)
        if child.tail and child.tail.strip():
            out.append(_text(_escape(child.tail), child.tail))


def _block(element: HtmlElement, base: str, out: list[Block]) -> None:
    tag = element.tag.lower()
    if tag in _DROP:
        return
    if tag == "figure" or "wp-caption" in _words(element):
        _figure(element, base, out)
    elif tag == "img":
        out.extend(Photo(url) for url in _photo_urls(element, base))
    elif tag in _HEADINGS:
        text = _inline(element).strip()
        if text:
            out.append(Text(f"### {text}", plain(element.text_content())))
    elif tag in ("ul", "ol"):
        _list(element, tag, out)
    elif tag == "blockquote":
        inner: list[Block] = []
        _walk(element, base, inner)
        for block in inner:
            if isinstance(block, Text):
                quoted = "\n".join(f"> {line}" for line in block.markdown.split("\n"))
                out.append(Text(quoted, block.plain))
            else:
                out.append(block)
    elif tag == "table" and _photo_table(element, base, out):
        pass
    elif tag == "table":
        html = lxml.html.tostring(element, encoding="unicode")
        out.append(Text(re.sub(r"\s*\n\s*", "\n", html).strip(), plain(element.text_content())))
    elif any(_is_block(child) for child in element) or _holds_figure(element):
        _walk(element, base, out)
    else:
        _paragraph(element, base, out)


def _paragraph(element: HtmlElement, base: str, out: list[Block]) -> None:
    photos = [Photo(url) for img in element.iter("img") for url in _photo_urls(img, base)]
    text = plain(element.text_content())
    if len(photos) == 1 and text and _is_caption(element, text):
        out.append(Photo(photos[0].url, text))  # <p><img><br><em>caption</em></p>
        return
    if photos:
        out.extend(photos)
        if text:
            out.append(_text(_inline(element), text, _signed(element)))
        return
    if not text:
        return
    previous = out[-1] if out else None
    if isinstance(previous, Photo) and not previous.caption and _is_caption(element, text):
        out[-1] = Photo(previous.url, text)
        return
    out.append(_text(_inline(element), text, _signed(element)))


def _is_caption(element: HtmlElement, text: str) -> bool:
    """A short centred or wholly italic line, or one the site marks as a caption."""
    marked = any("caption" in word or word == "image_desc" for word in _words(element))
    looks = _centred(element) or _all_within(element, ("em", "i"))
    return len(text) <= _MAX_CAPTION and (marked or looks)


def _photo_table(element: HtmlElement, base: str, out: list[Block]) -> bool:
    """A table holding one photo and a short line: how many news sites (and Word
    pasted into an editor) lay out a photo with its caption."""
    urls = [url for img in element.iter("img") for url in _photo_urls(img, base)]
    text = plain(element.text_content())
    if len(urls) != 1 or len(text) > _MAX_CAPTION:
        return False
    out.append(Photo(urls[0], text))
    return True


def _figure(element: HtmlElement, base: str, out: list[Block]) -> None:
    """One photo and its caption; a gallery (figures in a figure) photo by photo."""
    inner = [f for f in element.iterdescendants() if f.tag == "figure" or "wp-caption" in _words(f)]
    if inner:
        for figure in inner:
            _figure(figure, base, out)
        return
    urls = [url for img in element.iter("img") for url in _photo_urls(img, base)]
    caption_element = next(
        (
            e
            for e in element.iterdescendants()
            if e.tag == "figcaption" or "wp-caption-text" in _words(e)
        ),
        None,
    )
    caption = plain((caption_element if caption_element is not None else element).text_content())
    last = len(urls) - 1
    out.extend(Photo(url, caption if index == last else "") for index, url in enumerate(urls))


def _list(element: HtmlElement, tag: str, out: list[Block]) -> None:
    items = [_inline(li) for li in element if li.tag == "li"]
    lines = [
        f"{index}. {item}" if tag == "ol" else f"- {item}"
        for index, item in enumerate((i for i in items if i), 1)
    ]
    if lines:
        texts = (li.text_content() for li in element if li.tag == "li")
        out.append(Text("\n".join(lines), plain(" ".join(texts))))


def _inline(element: HtmlElement) -> str:
    """The element's content as one Markdown line: bold, italics, line breaks kept."""
    lines = [" ".join(line.split()) for line in _inline_raw(element).split("\\\n")]
    joined = "\\\n".join(line for line in lines if line)
    return _LINE_START_NUMBER.sub(r"\1\\\2", _LINE_START_MARK.sub(r"\\\1", joined))


def _inline_raw(element: HtmlElement) -> str:
    parts = [_escape(element.text or "")]
    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "br":
            parts.append("\\\n")
        elif tag in ("strong", "b", "em", "i"):
            inner = _inline_raw(child)
            mark = "**" if tag in ("strong", "b") else "*"
            if inner.strip():
                lead = " " if inner[:1].isspace() else ""
                trail = " " if inner[-1:].isspace() else ""
                parts.append(f"{lead}{mark}{inner.strip()}{mark}{trail}")
        elif tag in ("sup", "sub"):
            parts.append(f"<{tag}>{_escape(child.text_content())}</{tag}>")
        elif tag and tag not in _DROP and tag != "img":
            parts.append(_inline_raw(child))
        parts.append(_escape(child.tail or ""))
    return "".join(parts)


def _escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", nfc(text))


def _text(markdown: str, text: str, signed: bool = False) -> Text:
    return Text(markdown.strip(), plain(text), signed)


def take_byline(blocks: list[Block]) -> Content:
    """A right-aligned or bold last paragraph of initials or a name is the byline."""
    last = blocks[-1] if blocks else None
    if isinstance(last, Text) and last.signed and len(blocks) > 1 and _is_byline(last.plain):
        return Content(blocks[:-1], last.plain)
    return Content(blocks, None)


def _is_byline(text: str) -> bool:
    """Initials ("P.V.T."), a name, or "Nguồn: …": short, not a sentence."""
    if len(text) > _MAX_BYLINE:
        return False
    return bool(_INITIALS.match(text)) or not text.endswith((".", "!", "?", ";", ":"))


def _photo_urls(img: HtmlElement, base: str) -> list[str]:
    """The largest version of the photo the page offers (an <a> around it to
    the full file, the widest srcset entry, lazy-loading attributes, src)."""
    if _is_icon(img):
        return []
    parent = img.getparent()
    link = parent.get("href", "").strip() if parent is not None and parent.tag == "a" else ""
    if link.lower().split("?")[0].endswith(_IMAGE_SUFFIXES):
        return [urljoin(base, link)]
    candidates = [_widest(img.get("srcset", ""))]
    candidates += [img.get(name, "") for name in ("data-orig-file", "data-lazy-src", "data-src")]
    candidates.append(img.get("src", ""))
    for candidate in (c.strip() for c in candidates):
        if candidate and not candidate.startswith("data:"):
            return [urljoin(base, candidate)]
    return []


def _widest(srcset: str) -> str:
    best, width = "", -1
    for entry in srcset.split(","):
        pieces = entry.split()
        size = pieces[1][:-1] if len(pieces) == 2 and pieces[1].endswith("w") else ""
        if size.isdigit() and int(size) > width:
            best, width = pieces[0], int(size)
    return best


def _is_icon(img: HtmlElement) -> bool:
    if any(word in _words(img) for word in ("emoji", "wp-smiley", "icon")):
        return True
    sizes = [img.get("width", ""), img.get("height", "")]
    return any(size.isdigit() and int(size) < _SMALL_IMAGE for size in sizes)


def _holds_figure(element: HtmlElement) -> bool:
    """A figure inside a <p> (a [caption] shortcode written in a paragraph)."""
    return any(f.tag == "figure" or "wp-caption" in _words(f) for f in element.iterdescendants())


def _is_block(element: HtmlElement) -> bool:
    return isinstance(element.tag, str) and element.tag.lower() in _BLOCKS


def _is_chrome(element: HtmlElement) -> bool:
    return any(word in name for name in _words(element) for word in _CHROME)


def _words(element: HtmlElement) -> set[str]:
    return set(f"{element.get('class', '')} {element.get('id', '')}".lower().split())


def _centred(element: HtmlElement) -> bool:
    return _aligned(element, "center")


def _signed(element: HtmlElement) -> bool:
    return _aligned(element, "right") or _all_within(element, ("strong", "b"))


def _aligned(element: HtmlElement, side: str) -> bool:
    style = element.get("style", "").replace(" ", "").lower()
    return (
        f"text-align:{side}" in style
        or element.get("align", "").lower() == side
        or any(side in word for word in _words(element))
    )


def _all_within(element: HtmlElement, tags: tuple[str, ...]) -> bool:
    """Whether all the element's text sits inside ``tags`` (a wholly italic line)."""
    return bool(plain(element.text_content())) and not plain(_outside(element, tags))


def _outside(element: HtmlElement, tags: tuple[str, ...]) -> str:
    """The element's text that is not inside ``tags``."""
    parts = [element.text or ""]
    for child in element:
        if not (isinstance(child.tag, str) and child.tag.lower() in tags):
            parts.append(_outside(child, tags))
        parts.append(child.tail or "")
    return "".join(parts)
