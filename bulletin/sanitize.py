"""The one allow-list for HTML that comes from an article (Markdown, Word).

Article text is data: only these tags and attributes reach the layout; no
images, frames, styles, scripts or ``rel=attachment`` links, whatever the
source held. Photos enter the bulletin as ``Figure`` blocks, never as raw <img>.
Elements nested deeper than ``MAX_DEPTH`` (quotes and lists deeper than
``MAX_INDENT``) lose their tags, their text stays: WeasyPrint recurses once per
level (150 nested quotes exhausted its stack), and each quote narrows the column.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

import nh3

MAX_DEPTH = 16  # a table cell's list in a quote is 8; the layout adds its own dozen
MAX_INDENT = 4  # quotes and lists inside each other: each takes width from the column
_INDENTING = {"blockquote", "ul", "ol"}
_VOID = {"br", "hr"}

TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "small",
    "mark",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "code",
    "pre",
    "a",
}
ATTRIBUTES = {
    "a": {"href"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(fragment: str) -> str:
    """``fragment`` with everything outside the allow-list removed, and flattened
    below ``MAX_DEPTH``."""
    cleaned = nh3.clean(
        fragment,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    flattener = _Flattener()
    flattener.feed(cleaned)
    flattener.close()
    return "".join(flattener.out) if flattener.flattened else cleaned


class _Flattener(HTMLParser):
    """Re-writes nh3's (well-formed, allow-listed) output, leaving out the tags of
    elements deeper than MAX_DEPTH; notes how deep the fragment goes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[tuple[str, bool]] = []  # each open element: tag, kept
        self.flattened = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.out.append(f"<{tag}>")
            return
        kept = [t for t, k in self.open if k]
        indent = sum(1 for t in kept if t in _INDENTING) + (tag in _INDENTING)
        keep = len(kept) < MAX_DEPTH and indent <= MAX_INDENT
        self.flattened = self.flattened or not keep
        self.open.append((tag, keep))
        if keep:
            pairs = "".join(f' {k}="{html.escape(v or "")}"' for k, v in attrs)
            self.out.append(f"<{tag}{pairs}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self.open:
            return
        name, kept = self.open.pop()
        if kept:
            self.out.append(f"</{name}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))
