"""One page of any news site (the units' sites are mostly not WordPress).

trafilatura finds the article: its title, its date (through htmldate, which
reads the dateline, the meta tags and the URL) and which paragraphs are the
text, leaving menus, breadcrumbs, share buttons, "Tin khác" lists and footers
out. It was chosen over readability-lxml because it also gives the date and
the author, keeps images in place, and is actively maintained and evaluated.
But trafilatura flattens the markup that says which line is a photo's caption
(``figcaption``, a centred italic line), so the text it found is mapped back
onto the page: the smallest element holding it is converted by ``markup``,
keeping only the paragraphs trafilatura kept, and every photo with its caption.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.utils import decode_file

from bulletin.dates import find_date
from bulletin.i18n import _
from bulletin.web import markup
from bulletin.web.client import Fetcher, FetchError
from bulletin.web.post import Post

_TEXT_TAGS = ("p", "head", "item", "quote", "cell")
_LONG_TEXT = 30  # characters: long enough not to be a menu entry
# Headings that open a news site's list of other articles (trafilatura keeps
# such a list when the site marks it up like the article).
_OTHER_NEWS = re.compile(
    r"^(tin khác|các tin khác|tin liên quan|bài viết liên quan|tin bài liên quan|bài liên quan|"
    r"tin cùng chuyên mục|bài viết khác|tin đã đưa|các tin đã đưa|xem thêm|tin mới|tin mới nhất|"
    r"tin đọc nhiều|đọc nhiều nhất)\s*:?$",
    re.IGNORECASE,
)
_DATELINE = re.compile(
    r"^((thứ\s+\w+|chủ\s+nhật)\s*,?\s*)?(ngày\s*)?\d{1,2}[/.-]\d{1,2}[/.-]\d{4}"
    r"(\s*[-|,]?\s*\d{1,2}:\d{2}(:\d{2})?\s*(am|pm|sa|ch)?)?$",
    re.IGNORECASE,
)


def read_page(fetcher: Fetcher, url: str) -> Post:
    """The article on the page at ``url``."""
    answer = fetcher.get(url)
    # the header's charset, else the page's own <meta charset> or a guess (old
    # units' sites still serve windows-1258 without saying so in the header)
    html = answer.text() if answer.charset else decode_file(answer.content)
    document = trafilatura.bare_extraction(
        html,
        url=answer.url,
        with_metadata=True,
        include_images=True,
        include_formatting=True,
        include_tables=True,
    )
    body = document.body if isinstance(document, Document) else None
    if not isinstance(document, Document) or body is None or not (document.text or "").strip():
        raise FetchError(url, _("no article text found on the page"))
    kept = {_squeezed(e.xpath("string()")) for e in body.iter(*_TEXT_TAGS)} - {""}
    photos = {str(g.get("src")) for g in body.iter("graphic") if g.get("src")}
    title = markup.plain(document.title or "")
    page = lxml.html.document_fromstring(html)
    content = _content(page, answer.url, kept, photos, title)
    date = _date(document.date, content)
    return Post(
        key=url,
        url=url,
        title=title,
        date=date,
        content=content,
        slug=_slug_of(url),
        author=content.byline or (markup.plain(document.author) if document.author else None),
    )


def _content(
    page: HtmlElement, base: str, kept: set[str], photos: set[str], title: str
) -> markup.Content:
    """The article's blocks, converted from the page's own markup."""
    container = _container(page, kept)
    if container is None:
        raise FetchError(base, _("no article text found on the page"))
    found = markup.blocks_of(container, base)
    in_text = {b.url for b in found if isinstance(b, markup.Photo)} & photos
    blocks: list[markup.Block] = []
    for block in found:
        if isinstance(block, markup.Text) and _OTHER_NEWS.match(block.plain.lstrip("# ")):
            break  # "Tin khác": the page's list of other articles, and all after it
        if (isinstance(block, markup.Photo) and (block.url in in_text or not in_text)) or (
            isinstance(block, markup.Text)
            and _squeezed(block.plain) in kept
            and block.plain != title
            and not _DATELINE.match(block.plain)
        ):
            blocks.append(block)
    return markup.take_byline(blocks)


def _container(page: HtmlElement, kept: set[str]) -> HtmlElement | None:
    """The smallest element holding every long paragraph trafilatura kept."""
    matches = [
        element
        for element in page.iter("p", "li", "td", "div", "h2", "h3", "h4", "blockquote")
        if _squeezed(element.text_content()) in kept
    ]
    long = [e for e in matches if len(e.text_content().strip()) >= _LONG_TEXT] or matches
    if not long:
        return None
    lines = [[*reversed(list(e.iterancestors())), e] for e in long]
    common = None
    for level in zip(*lines, strict=False):
        if any(element is not level[0] for element in level):
            break
        common = level[0]
    if common is not None and len(long) == 1 and common.getparent() is not None:
        common = common.getparent()  # one paragraph: its photos are its siblings
    return common


def _date(found: str | None, content: markup.Content) -> dt.date | None:
    if found:
        try:
            return dt.date.fromisoformat(found[:10])
        except ValueError:
            pass
    text = " ".join(b.plain for b in content.blocks if isinstance(b, markup.Text))
    return find_date(text, dt.date.today().year)


def _squeezed(text: str) -> str:
    """Text without any whitespace: line breaks and spacing differ between the
    page and trafilatura's copy of it."""
    return "".join(markup.plain(text).split())


def _slug_of(url: str) -> str:
    name = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name or urlsplit(url).hostname or "bai"
