"""The pages after an edit taken from the layout before it, when they cannot differ.

An editor changes one article and builds again. WeasyPrint lays the whole issue
out again, though the pages after the edit usually come out as before: a line
more on page 2 is absorbed by a photo or a heading that moves, and from page 6
on every page starts at the same place as last time (the 21-article month of
``benchmarks/warm.py``: pages 2–5 changed, 6–13 identical). Laying those eight
pages out again was about half of WeasyPrint's layout time (the render before
the drawing: 1.4–1.7 s against 0.7–1.0 s when they are taken; they are still
drawn).

WeasyPrint already knows when a page cannot change: it keeps, for every page,
where the page starts in the document (``resume_at``), its side, its page
group and its counters (``context.page_maker``), and makes a page again only
when these changed. Across two renders the same holds if, besides, everything
the page and those after it are made from is the same: the stylesheets and
files read, and the document from the page's start to its end. So after each
render the layout is kept (``keep``), boxes and all. In the next render, once a
page starts where the kept layout's page of the same number started, with the
same state and the same rest (a signature of each, ``_tail``), that page and
all after it are the kept ones: WeasyPrint adds their margin boxes (page
numbers, running heads) as for its own, draws them, and numbers the contents
from the anchors they hold.

The signature is of WeasyPrint's boxes, not of the HTML: generated text
(counters) and the structure that sibling selectors see are part of it. A
document with running elements, footnotes or boxes broken across pages at that
point is laid out whole. The PDF is byte for byte the one a whole layout makes
(``tests/test_pagereuse.py``).

The kept boxes live in the process that made them, which keeps the last two
layouts and lets older ones go. Only ``bulletin serve``'s jobs keep them
(``keep_layouts``): the server keeps the process (``serve._Holders``) and forks
the next build from it. Elsewhere a build is a process of its own, and keeps
nothing. The hook replaces
WeasyPrint internals: it is installed only on the WeasyPrint version it was
checked against (``CHECKED``), as the other hooks are.
``BULLETIN_NO_PAGE_REUSE=1`` lays every page out.
"""

from __future__ import annotations

import copy
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

CHECKED = ("70.",)
OFF_ENV = "BULLETIN_NO_PAGE_REUSE"
# Layouts kept: a build may render twice (a sparse last page laid out tighter, a
# booklet's cover again), and each render must find the last one like it.
KEEP = 2
_original: Any = None  # WeasyPrint's make_all_pages
_draw_text: Any = None  # WeasyPrint's draw_text
_pages: Any = None  # weasyprint.layout.page: its functions, looked up when called


@dataclass
class Kept:
    """One render's layout, for the next render."""

    key: str  # the stylesheets and files every page depends on
    maker: list[Any]  # WeasyPrint's page_maker: where each page started, its state
    pages: list[tuple[Any, Any]]  # each page box and its children before margin boxes
    root_box: Any  # the document's boxes, for the signatures of what follows a page
    signatures: dict[int, bytes] = field(default_factory=dict)


@dataclass
class _Render:
    """The render under way: what it may reuse, and what it made."""

    key: Callable[[], str] = lambda: ""
    previous: list[Kept] = field(default_factory=list)  # the newest first
    made: list[tuple[Any, Any]] = field(default_factory=list)
    root_box: Any = None
    context: Any = None
    reused: int = 0  # pages taken from the previous layout
    carried: bool = False  # a page took a float or a footnote over to the next
    signatures: dict[int, bytes] = field(default_factory=dict)


_kept: list[Kept] = []
_render = _Render()
_keeping = False  # set where the process may render again (keep_layouts)


def install() -> bool:
    """Wrap WeasyPrint's pass over the pages; False where it is not checked."""
    global _original, _pages, _draw_text
    import weasyprint
    from weasyprint import draw, layout
    from weasyprint.layout import page

    if _original is not None:
        return True
    if not weasyprint.__version__.startswith(CHECKED):
        return False
    _original, _pages = layout.make_all_pages, page
    layout.make_all_pages = make_all_pages
    _draw_text, draw.draw_text = draw.draw_text, draw_text
    return True


def keep_layouts(on: bool = True) -> None:
    """Keep each render's layout, and its drawn lines shaped, from now on: in
    ``bulletin serve``'s jobs, whose process may hold them for the next build.
    Elsewhere a build's process ends with its render, and kept layouts would
    only add to its memory (photos and all) while it renders again."""
    global _keeping
    _keeping = on
    if not on:
        forget()


def begin(key: Callable[[], str]) -> None:
    """Before a render. ``key`` sums up the stylesheets and files it reads (asked
    for once layout starts, when all are read): a kept layout is reused only
    by a render with the same, never where it is empty."""
    global _render
    previous = [] if os.environ.get(OFF_ENV) else list(_kept)
    _render = _Render(key=cache(key), previous=previous)


def reused() -> int:
    """How many pages the render under way (or just made) took from the last one."""
    return _render.reused


def keep() -> None:
    """After a render that succeeded: its layout, for the next renders, in place of
    the oldest kept (its boxes are no longer drawn)."""
    global _kept
    render = _render
    if not _keeping or render.context is None or not render.made or render.carried:
        return
    if _unsupported(render.context) or len(render.context.page_maker) != len(render.made) + 1:
        return
    made = Kept(render.key(), list(render.context.page_maker), list(render.made), render.root_box)
    _kept = [made, *_kept][:KEEP]


def holding() -> bool:
    """Whether this process keeps a layout a next render could take pages from."""
    return bool(_kept)


def forget() -> None:
    """Let the kept layouts go (a failed render)."""
    global _kept
    _kept = []


def make_all_pages(context: Any, root_box: Any, html: Any, pages: list[Any]) -> Iterator[Any]:
    """WeasyPrint's pass over the pages. The first pass of a render that has a
    layout to reuse is WeasyPrint's loop, with one more test before each page."""
    _render.context, _render.root_box = context, root_box
    made: list[tuple[Any, Any]] = []
    if pages or not _render.previous or _unsupported(context):
        passing = _original(context, root_box, html, pages)
    else:
        passing = _first_pass(context, root_box, html)
    for page in passing:
        made.append((page, page.children))
        # Cleared once the pass ends: only seen here, page by page.
        _render.carried |= bool(context.broken_out_of_flow or context.reported_footnotes)
        yield page
    _render.made = made


def draw_text(stream: Any, textbox: Any, offset_x: float, overflow: str, *more: Any) -> Any:
    """WeasyPrint's, leaving the line shaped once drawn. WeasyPrint shapes every
    line again to draw it (and lets the shaping go after), a quarter of the
    drawing; a kept page is drawn again by the next render, which then finds its
    lines shaped as they were drawn. Lines cut short with an ellipsis (which
    drawing changes) are shaped anew each time, as WeasyPrint does."""
    text = textbox.pango_layout
    if not _keeping or overflow != "clip" or (more and more[0] != "none"):
        return _draw_text(stream, textbox, offset_x, overflow, *more)
    if text.__dict__.get("bulletin_shaped"):
        text.reactivate = _unchanged
    text.deactivate = _unchanged
    try:
        return _draw_text(stream, textbox, offset_x, overflow, *more)
    finally:
        text.__dict__.pop("reactivate", None)
        text.__dict__.pop("deactivate", None)
        text.bulletin_shaped = True


def _unchanged(*_args: Any) -> None:
    return None


def _first_pass(context: Any, root_box: Any, html: Any) -> Iterator[Any]:
    """``weasyprint.layout.page.make_all_pages`` for a first pass (every page
    made), taking the previous layout's pages from the first that cannot differ."""
    index = 0
    context.rendered_notes = []
    while True:
        if index and (taken := _take(index, context, root_box, html)) is not None:
            yield from taken
            return
        state = context.page_maker[index][-1]
        state.update(content_changed=False, pages_wanted=False, anchors=[], content_lookups=[])
        page, resume_at = _pages.remake_page(index, context, root_box, html)
        yield page
        index += 1
        if resume_at is None and not context.reported_footnotes:
            context.page_maker = context.page_maker[: index + 1]
            context.broken_out_of_flow.clear()
            context.reported_footnotes.clear()
            return


def _take(index: int, context: Any, root_box: Any, html: Any) -> list[Any] | None:
    """A kept layout's pages from ``index`` on, if page ``index`` starts where and
    as it did there, with the same document after it; else None."""
    if _unsupported(context):
        return None
    _render.previous = [kept for kept in _render.previous if kept.key and kept.key == _render.key()]
    here = context.page_maker[index]
    for previous in _render.previous:
        if index < len(previous.pages) and _same_rest(here, previous, index, root_box):
            return _taken(index, context, html, previous)
    return None


def _same_rest(here: Any, previous: Kept, index: int, root_box: Any) -> bool:
    there = previous.maker[index]
    if _start(here) != _start(there):
        return False
    mine = _tail(root_box, here[0], _render.signatures)
    return mine == _tail(previous.root_box, there[0], previous.signatures)


def _taken(index: int, context: Any, html: Any, previous: Kept) -> list[Any]:
    """Page ``index`` and those after it, from ``previous``."""
    here, there = context.page_maker[index], previous.maker[index]
    here[-1].update(_remade(there[-1]))  # its anchors, for the contents' numbers
    context.page_maker[index + 1 :] = [_copy_item(item) for item in previous.maker[index + 1 :]]
    _render.reused = len(previous.pages) - index
    taken = []
    for box, children in previous.pages[index:]:
        page = box.copy()  # margin boxes are added to this copy, not to the kept box
        page.children = children
        _pages.set_page_type_computed_styles(page.page_type, html, context.style_for)
        taken.append(page)
    return taken


def _start(item: Any) -> tuple[Any, ...]:
    """Where a page starts, its break, its side and its state, less the count of
    pages (known after the pass, the same for every page)."""
    resume_at, next_page, right_page, page_state, _remake = item
    quotes, counters, scopes, *groups = page_state
    counters = {name: values for name, values in counters.items() if name != "pages"}
    return resume_at, next_page, right_page, (quotes, counters, scopes, *groups)


def _copy_item(item: Any) -> Any:
    """A page_maker entry of the previous layout, for this one's to change."""
    resume_at, next_page, right_page, page_state, remake_state = item
    state = copy.deepcopy((resume_at, next_page, right_page, page_state))
    return (*state, _remade(remake_state))


def _remade(remake_state: dict[str, Any]) -> dict[str, Any]:
    return {
        "content_changed": False,
        "pages_wanted": False,
        "anchors": list(remake_state.get("anchors", [])),
        "content_lookups": list(remake_state.get("content_lookups", [])),
    }


def _unsupported(context: Any) -> bool:
    """State a page carries to the next outside ``page_maker``: then every page is made."""
    running = any(any(placed.values()) for placed in context.running_elements.values())
    return bool(
        running or context.footnotes or context.reported_footnotes or context.broken_out_of_flow
    )


def _tail(box: Any, resume_at: dict[int, Any] | None, known: dict[int, bytes]) -> bytes:
    """The document from ``resume_at`` on, as one digest: at each level on the
    way down, the box, the shape of all its children (what sibling selectors
    see) and, whole, each child from the one the page starts in."""
    if resume_at is None or not hasattr(box, "children"):
        return _signature(box, known) + repr(resume_at).encode()
    digest = hashlib.blake2b(_own(box), digest_size=16)
    for child in box.children:
        digest.update(_own(child))
    first = min(resume_at)
    for number, child in enumerate(box.children[first:], start=first):
        inner = resume_at.get(number, False)
        digest.update(b"%d:" % number)
        digest.update(_signature(child, known) if inner is False else _tail(child, inner, known))
    return digest.digest()


def _signature(box: Any, known: dict[int, bytes]) -> bytes:
    """A box and all inside it, as one digest (``known``: those made, by id)."""
    value = known.get(id(box))
    if value is not None:
        return value
    digest = hashlib.blake2b(_own(box), digest_size=16)
    text = getattr(box, "text", None)
    if text is not None:
        digest.update(b"\0" + text.encode("utf-8", "surrogatepass"))
    for child in getattr(box, "children", ()):
        digest.update(_signature(child, known))
    value = known[id(box)] = digest.digest()
    return value


def _own(box: Any) -> bytes:
    """The box itself: its kind, its element's tag and attributes."""
    element = box.element
    attributes = sorted(element.attrib.items()) if element is not None else ()
    return repr((type(box).__name__, box.element_tag, attributes)).encode("utf-8", "surrogatepass")
