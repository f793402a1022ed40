"""The contents' page numbers, written by bulletin instead of counted by CSS.

The classic layout's contents box on page 1 gave each article's page with CSS
``target-counter()``. WeasyPrint can only resolve that after the article has
been laid out, so it lays out page 1 three times: once with no numbers, once
with them, and once more because the value of ``counter(pages)`` kept beside
them changed between passes. That was a tenth of a 21-article build
(0.12 s of 0.82 s of layout; benchmarks/README.md, issue 16).

Here the number is the element's own text, ``<a data-page-of="bai-3">0</a>``
(the one run of digits in it: "trang 0" works, and so does a child element).
After each layout pass ``check_pass`` reads where every anchor went from the
pass's own records (the anchors each page holds and its ``page`` counter), puts
the right number in the text and, only if one was wrong, asks WeasyPrint to lay
out again the pages holding it, or any part of a table around it (its columns
were measured with the old digits): once for a month laid out for the first
time, never when the numbers were guessed right (``render(page_guesses=…)``).
WeasyPrint's own machinery lays those pages out again, and the pages after them
if a page now ends elsewhere, so the result is the document laid out with the
right numbers from the start, byte for byte whatever the guess. Numbers in
positioned boxes and footnotes work the same way; one in a running head (copied
into the margins only after a pass) has every page laid out again. A month whose
numbers do not settle within WeasyPrint's passes is an error, never a contents
box with wrong numbers. A layout copied before this change, whose CSS still
counts after the element (``::after { content: target-counter(…) }``), has that
generated number left out rather than printed twice.

One difference from CSS: the number is the page's ``page`` counter (what
``@page`` rules set). ``target-counter()`` lets an element that resets or
increments a counter named ``page`` itself override it; bulletin's layouts do not.

The hook replaces WeasyPrint internals: it is installed only on the WeasyPrint
version it was checked against (``CHECKED``), as ``bulletin/columns.py`` is.
Elsewhere, and with ``BULLETIN_TARGET_COUNTER=1``, the templates leave the
element empty and the layout's CSS counts (``:empty::after``), as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from bulletin.errors import BulletinError
from bulletin.i18n import _
from bulletin.private import private_subdir, prune, read_private_bytes, write_private

CHECKED = ("70.",)  # WeasyPrint versions whose page_maker records this reads
ATTRIBUTE = "data-page-of"  # names the anchor whose page number the element shows
PLACEHOLDER = "0"  # until the first pass tells; a digit, as wide as most numbers
OFF_ENV = "BULLETIN_TARGET_COUNTER"
DIGITS = re.compile(r"\d+")  # the number in the element's text (any script's digits)
KEEP = 64  # remembered outputs (a few hundred bytes each)

Numbers = tuple[tuple[str, int], ...]  # (anchor, page), as a job and a result carry them

_original: Any = None  # WeasyPrint's make_all_pages, once the hook is installed
_boxes: Any = None  # weasyprint.formatting_structure.boxes, likewise


@dataclass
class _Render:
    """What the hook knows of the render under way (one at a time per process)."""

    guesses: dict[str, int] = field(default_factory=dict)
    pages: dict[str, int | None] = field(default_factory=dict)  # the last pass's anchors
    settled: bool = True  # the last pass left every number as it was


_render = _Render()


def active() -> bool:
    """Whether bulletin writes the numbers (the templates ask, without importing
    WeasyPrint): the version installed is the one checked, and not turned off."""
    return not os.environ.get(OFF_ENV) and _checked_version()


@cache
def _checked_version() -> bool:
    # Imported here: importlib.metadata (and the email package it loads) would be
    # 0.02 s of every forwarded build's client, which only reads numbers from JSON.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("weasyprint").startswith(CHECKED)
    except PackageNotFoundError:
        return False


def install() -> bool:
    """Wrap WeasyPrint's pass over the pages; False when CSS counts instead."""
    global _original, _boxes
    from weasyprint import layout
    from weasyprint.formatting_structure import boxes

    if _original is not None:
        return True
    if not _checked_version():  # installed whatever BULLETIN_TARGET_COUNTER says: a
        return False  # render server started with it still corrects a client's placeholders
    _original, _boxes = layout.make_all_pages, boxes
    layout.make_all_pages = make_all_pages
    return True


def begin(guesses: dict[str, int] | None) -> None:
    """Before a render: the numbers to try first (a page per anchor)."""
    global _render
    _render = _Render(guesses=dict(guesses or {}))


def outcome() -> tuple[dict[str, int | None], bool]:
    """After a render: each anchor a number refers to and its page (None: no
    such anchor), and whether the numbers settled (the last pass changed none)."""
    return dict(_render.pages), _render.settled


def make_all_pages(context: Any, root_box: Any, html: Any, pages: list[Any]) -> Iterator[Any]:
    """WeasyPrint's pass over the pages, then the numbers checked against it."""
    refs = _refs(context, root_box)
    made = []
    for page in _original(context, root_box, html, pages):
        made.append(page)
        yield page
    if refs:
        check_pass(context, refs, made)


@dataclass
class Ref:
    """One element showing an anchor's page: the text box holding its digits,
    and what must be laid out again when they change (the element, and any table
    around it, whose column widths were measured with the old digits)."""

    anchor: str
    text: Any  # the TextBox
    elements: frozenset[Any]


def _refs(context: Any, root_box: Any) -> list[Ref]:
    """The numbers to write, found once per render (in the flow, in positioned
    boxes, running elements and footnotes), with the guesses put in them."""
    known: list[Ref] | None = context.__dict__.get("bulletin_page_refs")
    if known is None:
        known = []
        for box in [root_box, *context.footnotes]:
            _collect(box, (), known)
        for ref in known:
            guess = _render.guesses.get(ref.anchor)
            if guess is not None and guess >= 0:
                _write(ref, guess)
        context.bulletin_page_refs = known
    return known


def _collect(box: Any, tables: tuple[Any, ...], found: list[Ref]) -> None:
    if isinstance(box, _boxes.TableBox) and box.element is not None:
        tables = (*tables, box.element)
    anchor = _anchor_of(box)
    if anchor is None:
        for child in getattr(box, "children", ()):
            _collect(child, tables, found)
        return
    texts = [
        inner
        for inner in box.descendants()
        if isinstance(inner, _boxes.TextBox) and not _is_pseudo(inner) and DIGITS.search(inner.text)
    ]
    if not texts:  # left empty (BULLETIN_TARGET_COUNTER): the CSS counts
        return
    if len(texts) > 1 or len(DIGITS.findall(texts[0].text)) > 1:
        shown = " ".join(" ".join(inner.text for inner in texts).split())
        raise BulletinError(
            _(
                'The layout\'s element {attribute}="{anchor}" must hold one number'
                ' (the page), not "{text}"'
            ).format(attribute=ATTRIBUTE, anchor=anchor, text=shown[:60])
        )
    _drop_css_count(box)
    found.append(Ref(anchor, texts[0], frozenset({box.element, *tables})))


def _drop_css_count(box: Any) -> None:
    """A layout copied before bulletin wrote the numbers still has CSS count them
    after the element (``.toc-page::after { content: target-counter(…) }``): the
    number would be printed twice. That generated content is left out."""
    children = getattr(box, "children", ())
    kept = tuple(child for child in children if not _counts_pages(child))
    if len(kept) != len(children):
        box.children = kept
    for child in kept:  # a table cell's or a block's generated content is in its lines
        _drop_css_count(child)


def _counts_pages(box: Any) -> bool:
    content = box.style["content"] if _is_pseudo(box) else None
    return isinstance(content, tuple) and any(
        isinstance(item, tuple) and str(item[0]).startswith("target-counter") for item in content
    )


def _is_pseudo(box: Any) -> bool:
    return "::" in (box.element_tag or "")


def _anchor_of(box: Any) -> str | None:
    if box.element is None or _is_pseudo(box):  # a ::before or ::after of it
        return None
    anchor = box.element.get(ATTRIBUTE)
    return anchor if anchor else None


def _write(ref: Ref, number: int) -> bool:
    """Put the number in the element's text, in its digits' place (and as its
    ``text-transform`` wrote them); True when the text changed."""
    from weasyprint.formatting_structure.text import transform

    digits = str(number)
    style = ref.text.style
    if style["text_transform"] != "none":
        digits = transform(style["text_transform"], digits, (style["lang"] or "").split("-")[0])
    text = DIGITS.sub(digits, ref.text.text, count=1)
    if text == ref.text.text:
        return False
    ref.text.text = text
    return True


def check_pass(context: Any, refs: list[Ref], pages: list[Any]) -> None:
    """Put the page each anchor landed on in its element; where one changes, mark
    the pages holding it (or a table around it) for WeasyPrint to lay out again,
    every page if it is not in any (a running element is copied into the page's
    margins only after the pass)."""
    found = _anchor_pages(context.page_maker)
    changed: set[Any] = set()
    _render.pages = {}
    for ref in refs:
        number = found.get(ref.anchor)
        _render.pages[ref.anchor] = number
        if number is not None and _write(ref, number):
            changed |= ref.elements
    _render.settled = not changed
    if not changed:
        return
    context.tables.clear()  # widths measured with the old text
    holding = [
        index
        for index, page in enumerate(pages)
        if any(box.element in changed for box in page.descendants(placeholders=True))
    ]
    for index in holding or range(len(pages)):
        context.page_maker[index][-1]["content_changed"] = True


def _anchor_pages(page_maker: list[Any]) -> dict[str, int]:
    """Each anchor's page number, as ``target-counter(…, page)`` gives it: the
    ``page`` counter of the page where the anchor first occurs. ``page_maker[i]``
    holds what page i+1 started from (its remake state lists the anchors laid out
    on it), ``page_maker[i + 1]`` the counters once page i+1 was made."""
    found: dict[str, int] = {}
    for index in range(len(page_maker) - 1):
        anchors = page_maker[index][-1].get("anchors", [])
        counters = page_maker[index + 1][3][1]
        for anchor in anchors:
            found.setdefault(anchor, counters["page"][-1])
    return found


def numbers_from_json(value: Any) -> Numbers:
    """(anchor, page) pairs read back from JSON (a memo, a server's answer); anything
    else is no numbers: they are only guesses."""
    if not isinstance(value, list):
        return ()
    pairs = [pair for pair in value if isinstance(pair, list) and len(pair) == 2]
    return tuple((str(a), p) for a, p in pairs if isinstance(p, int) and not isinstance(p, bool))


def remembered(output: str) -> Numbers:
    """The numbers the last build of this output found: the guesses for this one.
    Only a guess: wrong or stale, it costs one more layout of page 1."""
    data = read_private_bytes(private_subdir("pages") / _memo_name(output))
    try:
        return numbers_from_json(json.loads(data or b"[]"))
    except ValueError:
        return ()


def remember(output: str, numbers: Numbers) -> None:
    """Keep this build's numbers for the next build of the same output."""
    folder = private_subdir("pages")
    write_private(_memo_name(output), json.dumps(numbers), folder)
    prune(folder, KEEP)


def _memo_name(output: str) -> str:
    return hashlib.sha256(output.encode("utf-8", "surrogateescape")).hexdigest()[:32] + ".json"
