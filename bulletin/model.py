"""The data every stage shares: ``Article``, its body blocks, and the ``Issue``.

Readers make Articles; nothing after them changes one (frozen dataclasses).
Body blocks hold HTML that a reader has already escaped or sanitised, so the
layout can trust it; every other string is plain NFC text that Jinja2 escapes.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import nh3


@dataclass(frozen=True)
class Html:
    """A block of safe HTML: a paragraph, heading, list, table or quote."""

    html: str
    line: int | None = field(default=None, compare=False)  # where it began in the source

    @property
    def text(self) -> str:
        """The block's words without markup (for summaries and glyph checks)."""
        spaced = _BLOCK_END.sub(" ", self.html)  # list items and cells are separate words
        return _SPACES.sub(" ", html.unescape(nh3.clean(spaced, tags=set()))).strip()


_BLOCK_END = re.compile(r"</(?:li|td|th|p|h\d|tr|blockquote)>|<br\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \n\t]{2,}|\n")


@dataclass(frozen=True)
class EmbeddedImage:
    """A picture pasted into a Word document: its bytes, named after the document."""

    name: str
    data: bytes = field(repr=False)


Photo = Path | EmbeddedImage


@dataclass(frozen=True)
class Figure:
    """A photo with its caption. ``photo`` is None when the photo was lost
    (a caption line in a web copy whose picture did not survive the paste)."""

    caption: str
    photo: Photo | None = None
    line: int | None = None

    @property
    def text(self) -> str:
        return self.caption


Block = Html | Figure


@dataclass(frozen=True)
class Dropped:
    """A source line the reader left out of the bulletin, and why (in the
    user's language): nothing is lost without a reason ``bulletin read`` shows."""

    line: int
    text: str
    why: str


@dataclass(frozen=True)
class Article:
    """One article of the month, whatever file it came from."""

    source: Path
    title: str
    body: tuple[Block, ...]
    date: dt.date | None = None
    author: str | None = None
    category: str | None = None
    summary: str | None = None
    order: int | None = None
    dropped: tuple[Dropped, ...] = ()
    date_from: str | None = None  # "dateline", "first-paragraph", "title", "front-matter"
    featured: bool = False  # front matter ``lead: true``: the issue's lead story (page 1)
    poster: bool = False  # front matter ``poster: true``: chosen for the A3 poster
    draft: bool = False  # front matter ``draft: true``: read and checked, never printed

    @property
    def text(self) -> str:
        """All the article's words, title first."""
        parts = [self.title, *(block.text for block in self.body)]
        parts += [p for p in (self.author, self.category, self.summary) if p]
        return "\n".join(parts)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(block for block in self.body if isinstance(block, Figure))

    @property
    def lead(self) -> Figure | None:
        """The first photo, set under the title."""
        return next((f for f in self.figures if f.photo is not None), None)

    @property
    def rest(self) -> tuple[Block, ...]:
        """The body without its lead photo."""
        lead = self.lead
        return tuple(block for block in self.body if block is not lead)

    def sort_key(self) -> tuple[int, dt.date, str]:
        """Front-matter ``order`` first, then the article's date, then its file name."""
        order = self.order if self.order is not None else 1_000_000
        return (order, self.date or dt.date.max, self.source.name)


@dataclass(frozen=True)
class Issue:
    """One month's bulletin: what the layout needs, nothing it must compute."""

    year: int
    month: int
    number: int
    articles: tuple[Article, ...]
    issued: dt.date

    @property
    def key(self) -> str:
        """``YYYY-MM``, used in file names."""
        return f"{self.year:04d}-{self.month:02d}"
