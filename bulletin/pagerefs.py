"""The contents' page numbers, written by bulletin instead of counted by CSS.

The classic layout's contents box on page 1 gave each article's page with CSS
``target-counter()``. WeasyPrint can only resolve that after the article has
been laid out, so it lays out page 1 three times: once with no numbers, once
with them, and once more because the value of ``counter(pages)`` kept beside
them changed between passes. That was a tenth of a 21-article build
(0.12 s of 0.82 s of layout; benchmarks/README.md, issue 16).

Here the number is the element's own text, ``<a data-page-of="bai-3">0</a>``.
After each layout pass ``check_pass`` reads where every anchor went from the
pass's own records (the anchors each page holds and its ``page`` counter), puts
the right number in the text and, only if one was wrong, asks WeasyPrint to lay
out again the page holding it: once for a month laid out for the first time,
never when the numbers were guessed right (``render(page_guesses=…)``).
WeasyPrint's own machinery lays the page out again, and the pages after it if
the page now ends elsewhere, so the result is the document laid out with the
right numbers from the start. A month whose numbers do not settle within
WeasyPrint's passes is an error, never a contents box with wrong numbers.

The hook replaces WeasyPrint internals: it is installed only on the WeasyPrint
version it was checked against (``CHECKED``), as ``bulletin/columns.py`` is.
Elsewhere, and with ``BULLETIN_TARGET_COUNTER=1``, the templates leave the
element empty and the layout's CSS counts (``:empty::after``), as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from bulletin.private import private_subdir, read_private_bytes, write_private

CHECKED = ("70.",)  # WeasyPrint versions whose page_maker records this reads
ATTRIBUTE = "data-page-of"  # names the anchor whose page number the element shows
PLACEHOLDER = "0"  # until the first pass tells; a digit, as wide as most numbers
OFF_ENV = "BULLETIN_TARGET_COUNTER"
KEEP = 64  # remembered outputs (a few hundred bytes each)

Numbers = tuple[tuple[str, int], ...]  # (anchor, page), as a job and a result carry them

_original: Any = None
_guesses: dict[str, int] = {}
_outcome: dict[str, int | None] = {}  # the last pass's anchors and their pages
_settled = [True]  # whether the last pass left every number as it was


def active() -> bool:
    """Whether bulletin writes the numbers (the templates ask, without importing
    WeasyPrint): the version installed is the one checked, and not turned off."""
    return not os.environ.get(OFF_ENV) and _checked_version()


@cache
def _checked_version() -> bool:
    try:
        return version("weasyprint").startswith(CHECKED)
    except PackageNotFoundError:
        return False


def install() -> bool:
    """Wrap WeasyPrint's pass over the pages; False when CSS counts instead."""
    global _original
    from weasyprint import layout

    if _original is not None:
        return True
    if not _checked_version():  # installed whatever BULLETIN_TARGET_COUNTER says: a
        return False  # render server started with it still corrects a client's placeholders
    _original = layout.make_all_pages
    layout.make_all_pages = make_all_pages
    return True


def begin(guesses: dict[str, int] | None) -> None:
    """Before a render: the numbers to try first (a page per anchor)."""
    _guesses.clear()
    _guesses.update(guesses or {})
    _outcome.clear()
    _settled[0] = True


def outcome() -> tuple[dict[str, int | None], bool]:
    """After a render: each anchor a number refers to and its page (None: no
    such anchor), and whether the numbers settled (the last pass changed none)."""
    return dict(_outcome), _settled[0]


def make_all_pages(context: Any, root_box: Any, html: Any, pages: list[Any]) -> Iterator[Any]:
    """WeasyPrint's pass over the pages, then the numbers checked against it."""
    refs = _refs(context, root_box)
    made = []
    for page in _original(context, root_box, html, pages):
        made.append(page)
        yield page
    if refs:
        check_pass(context, refs, made)


def _refs(context: Any, root_box: Any) -> dict[str, list[Any]]:
    """The text boxes showing a page number, by anchor; found once per render,
    when the guesses (or the placeholder) are put in them."""
    known: dict[str, list[Any]] | None = context.__dict__.get("bulletin_page_refs")
    if known is None:
        from weasyprint.formatting_structure.boxes import TextBox

        known = {}
        for box in root_box.descendants():
            anchor = _anchor_of(box)
            if anchor is not None and isinstance(box, TextBox):
                known.setdefault(anchor, []).append(box)
                guess = _guesses.get(anchor)
                if guess is not None:
                    box.text = str(guess)
        context.bulletin_page_refs = known
    return known


def _anchor_of(box: Any) -> str | None:
    element = box.element
    if element is None or "::" in box.element_tag:  # a ::before or ::after of it
        return None
    anchor = element.get(ATTRIBUTE)
    return anchor if anchor else None


def check_pass(context: Any, refs: dict[str, list[Any]], pages: list[Any]) -> None:
    """Put the page each anchor landed on in its text boxes; where one changes,
    mark the page holding it for WeasyPrint to lay out again."""
    found = _anchor_pages(context.page_maker)
    changed = set()
    _outcome.clear()
    for anchor, boxes in refs.items():
        number = found.get(anchor)
        _outcome[anchor] = number
        if number is None:
            continue
        for box in boxes:
            if box.text != str(number):
                box.text = str(number)
                changed.add(box.element)
    _settled[0] = not changed
    if not changed:
        return
    context.tables.clear()  # widths measured with the old text
    for index, page in enumerate(pages):
        if any(box.element in changed for box in page.descendants()):
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


def remembered(output: str) -> Numbers:
    """The numbers the last build of this output found: the guesses for this one.
    Only a guess: wrong or stale, it costs one more layout of page 1."""
    data = read_private_bytes(private_subdir("pages") / _memo_name(output))
    try:
        found = json.loads(data or b"[]")
        return tuple((str(anchor), int(page)) for anchor, page in found)
    except (ValueError, TypeError):
        return ()


def remember(output: str, numbers: Numbers) -> None:
    """Keep this build's numbers for the next build of the same output."""
    if not numbers or numbers == remembered(output):
        return
    folder = private_subdir("pages")
    write_private(_memo_name(output), json.dumps(numbers), folder)
    for old in sorted(folder.glob("*.json"), key=_age)[KEEP:]:
        with contextlib.suppress(OSError):
            os.unlink(old)


def _memo_name(output: str) -> str:
    return hashlib.sha256(output.encode("utf-8", "surrogateescape")).hexdigest()[:32] + ".json"


def _age(path: Any) -> int:
    """Newest first; a file another build just removed sorts last."""
    with contextlib.suppress(OSError):
        return -int(path.stat().st_mtime_ns)
    return 0
