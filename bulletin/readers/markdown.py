"""Markdown with YAML front matter, the format for articles written for the bulletin.

Front matter keys: title, date, author, category, summary, order, lead, poster, draft. The body is
CommonMark (plus tables); raw HTML in it is sanitised to the allow-list in
``bulletin.sanitize``. A paragraph that is only an image becomes a Figure; an image
inside a sentence becomes a Figure after its paragraph.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bulletin import frontmatter
from bulletin.dates import find_date
from bulletin.encodings import nfc
from bulletin.errors import SourceError
from bulletin.i18n import _
from bulletin.model import Article, Block, Figure, Html
from bulletin.readers.base import ReadContext, fail, photo_path, read_text_file
from bulletin.sanitize import clean_html

EXTENSIONS = (".md", ".markdown")
KEYS = {
    "title",
    "date",
    "author",
    "category",
    "summary",
    "order",
    "image",
    "images",
    "lead",
    "poster",
    "draft",  # true: checked, not printed (the sample article `bulletin init` writes)
    "source",  # the post's URL, written by `bulletin collect`; not printed
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_markdown = MarkdownIt("commonmark", {"html": True}).enable("table")


def read(path: Path, context: ReadContext) -> Article:
    text = read_text_file(path, context)
    meta, body, body_line = _split_front_matter(path, text)
    for key in sorted(set(meta.values) - KEYS):
        message = _("unknown front matter key '{key}' ignored").format(key=key)
        context.warn(path, message, meta.line(key))
    blocks, heading = _blocks(body, path, body_line, context)
    title = meta.text("title") or heading
    if not title:
        raise fail(path, _("no title: add 'title:' to the front matter or a '# heading'"))
    if not blocks:
        raise fail(path, _("no article text after the front matter"))
    draft = meta.flag("draft")
    if draft:
        message = _("a draft (draft: true): not printed; remove that line to print it")
        context.warn(path, message, meta.line("draft"))
    return Article(
        source=path,
        title=title,
        body=(*meta.figures("image"), *blocks, *meta.figures("images")),
        date=meta.date(context.year),
        author=meta.text("author"),
        category=meta.text("category"),
        summary=meta.text("summary"),
        order=meta.order(),
        featured=meta.flag("lead"),
        poster=meta.flag("poster"),
        draft=draft,
        date_from="front-matter" if meta.values.get("date") is not None else None,
    )


_TOP_KEY = re.compile(r"^[\"']?([^\s:\"'#][^:\"']*?)[\"']?\s*:")


@dataclass(frozen=True)
class FrontMatter:
    """The front matter's values, each read as the key asks; a wrong value is
    an error naming its line (the key's line in the file)."""

    path: Path
    values: dict[str, Any]
    lines: dict[str, int]

    def line(self, key: str) -> int | None:
        return self.lines.get(key)

    def fail(self, key: str, message: str) -> SourceError:
        return fail(self.path, message, self.line(key))

    def text(self, key: str) -> str | None:
        value = self.values.get(key)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            raise self.fail(key, _("front matter '{key}' must be text").format(key=key))
        return nfc(str(value)).strip() or None

    def flag(self, key: str) -> bool:
        """``lead: true`` / ``poster: true``: a yes-or-no choice of the layout."""
        value = self.values.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(key, _("front matter '{key}' must be true or false").format(key=key))
        return value

    def order(self) -> int | None:
        value = self.values.get("order")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail("order", _("front matter 'order' must be a whole number"))
        return value

    def date(self, year: int) -> dt.date | None:
        value = self.values.get("date")
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value)
        message = _("front matter 'date' is not a date: '{value}'").format(value=text)
        wrong = self.fail("date", message)
        if _ISO_DATE.match(text):  # 2023-11-05; 2023-02-30 is no day of the calendar
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise wrong from None
        parsed = find_date(f"ngày {text}", year)
        if parsed is None:
            raise wrong
        return parsed

    def figures(self, key: str) -> list[Figure]:
        """``image: anh.jpg`` (the lead photo) and ``images:`` — each a file name or
        ``{src: anh.jpg, caption: …}``."""
        value = self.values.get(key)
        if value is None:
            return []
        figures = []
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                src, caption = item, ""
            elif isinstance(item, dict) and isinstance(item.get("src"), str):
                src, caption = item["src"], str(item.get("caption") or "")
            else:
                message = _("front matter '{key}' must be file names or 'src:'/'caption:' pairs")
                raise self.fail(key, message.format(key=key))
            photo = photo_path(self.path, src, self.line(key))
            figures.append(Figure(caption=nfc(caption).strip(), photo=photo))
        return figures


def _split_front_matter(path: Path, text: str) -> tuple[FrontMatter, str, int]:
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return FrontMatter(path, {}, {}), text, 1
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")), None)
    if end is None:
        raise fail(path, _("front matter opened with '---' is never closed"), 1)
    try:
        meta = frontmatter.load("\n".join(lines[1:end]), first_line=2)
    except frontmatter.FrontMatterError as error:
        message = _("broken front matter: {reason}").format(reason=error.message)
        raise fail(path, message, error.line) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise fail(path, _("front matter must be 'key: value' lines"), 2)
    where: dict[str, int] = {}
    for number, line in enumerate(lines[1:end], 2):
        if found := _TOP_KEY.match(line):
            where.setdefault(found.group(1).strip(), number)
    values = {str(key): value for key, value in meta.items()}
    return FrontMatter(path, values, where), "\n".join(lines[end + 1 :]), end + 2


def _blocks(
    body: str, path: Path, first_line: int, context: ReadContext
) -> tuple[list[Block], str | None]:
    """Top-level blocks of the body, and the text of a leading '# heading' if any.
    A photo inside a sentence, a list or a table cannot be printed there: it is
    set after its block, with its caption, and a note says so."""
    tokens = _markdown.parse(body)
    blocks: list[Block] = []
    heading: str | None = None
    start = 0
    while start < len(tokens):
        end = _block_end(tokens, start)
        group = tokens[start:end]
        opening = group[0]
        line = first_line + opening.map[0] if opening.map else None
        if opening.type == "heading_open" and opening.tag == "h1" and not blocks and not heading:
            heading = nfc(group[1].content).strip()
        elif figure := _figure(group, path, line):
            blocks.append(figure)
        else:
            images = _take_images(group)
            _demote_headings(group)
            fragment = clean_html(_markdown.renderer.render(group, _markdown.options, {}))
            if fragment.strip():
                blocks.append(Html(nfc(fragment), line=line))
            for image in images:
                figure = _image_figure(image, path, line)
                context.note(
                    path,
                    _("photo '{name}' inside the text: set after its paragraph").format(
                        name=image.attrGet("src")
                    ),
                    line,
                )
                blocks.append(figure)
        start = end
    return blocks, heading


def _block_end(tokens: list[Token], start: int) -> int:
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth <= 0:
            return index + 1
    return len(tokens)


def _figure(group: list[Token], path: Path, line: int | None) -> Figure | None:
    """A paragraph holding a single image: ``![caption](photo.jpg)``."""
    if len(group) != 3 or group[0].type != "paragraph_open":
        return None
    children = [t for t in group[1].children or [] if not (t.type == "text" and not t.content)]
    if len(children) != 1 or children[0].type != "image":
        return None
    return _image_figure(children[0], path, line)


def _image_figure(image: Token, path: Path, line: int | None) -> Figure:
    caption = nfc(image.content or str(image.attrGet("title") or "")).strip()
    return Figure(
        caption=caption, photo=photo_path(path, str(image.attrGet("src") or ""), line), line=line
    )


def _take_images(group: list[Token]) -> list[Token]:
    """Remove the images from a block's inline text, in order, and return them."""
    images: list[Token] = []
    for token in group:
        if token.type == "inline" and token.children:
            images += [t for t in token.children if t.type == "image"]
            token.children = [t for t in token.children if t.type != "image"]
    return images


def _demote_headings(group: list[Token]) -> None:
    """Body headings sit under the article title (h2): # and ## become h3, the rest h4."""
    for token in group:
        if token.tag in ("h1", "h2"):
            token.tag = "h3"
        elif token.tag in ("h5", "h6"):
            token.tag = "h4"
