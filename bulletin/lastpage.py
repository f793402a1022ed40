"""The last page's columns balanced, as an editor sets them.

The classic layout flows every article through one multi-column container
filled column by column (``column-fill: auto``: balancing every page would cost
WeasyPrint several times the layout; ``bulletin/columns.py``). On the last page
that leaves the end of the issue in the first column and the second one empty:
half a page of white beside the editorial box, a hole a reader sees.

After a pass over the pages that changed nothing else (the contents' numbers
settled, ``bulletin/pagerefs.py``), ``make_all_pages`` looks at the last page's
``.flow`` container. When its second column is empty or less than half as tall
as the first, it picks the block where a column break evens the two best —
an article, a paragraph or a photo whose neighbours allow a break there (never
under a heading, nor before a byline or the editorial box) — gives it
``break-before: column`` and has WeasyPrint lay out that one page again. If the
page count or the columns come out worse, the break is taken back and the page
laid out as it was. One more page laid out, not the document: a few
milliseconds.

The break is a style of its own given to the box of the document's tree the
laid-out block was copied from (WeasyPrint shares one computed style among
like paragraphs): internals, so this is installed only on the WeasyPrint
version it was checked against (``CHECKED``), as the other hooks are.
``BULLETIN_UNBALANCED=1`` leaves the last page as laid out (for comparing).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

CHECKED = ("70.",)
OFF_ENV = "BULLETIN_UNBALANCED"
FLOW_CLASS = "flow"
UNEVEN = 0.5  # the second column under half the first's height: balance the page
AVOID = ("avoid", "avoid-column", "avoid-page")
_original: Any = None


@dataclass
class _Balancing:
    """The break set on the last page of one render, until it is kept or undone."""

    box: Any  # the box of the document's tree given break-before: column
    style: Any  # its style until then (WeasyPrint shares it among like elements)
    pages: int  # the page count it must keep
    taller: float  # the taller column's height before, that it must shorten


def install() -> bool:
    """Wrap WeasyPrint's pass over the pages; False where it is not checked."""
    global _original
    import weasyprint
    from weasyprint import layout

    if _original is not None:
        return True
    if not weasyprint.__version__.startswith(CHECKED) or os.environ.get(OFF_ENV):
        return False
    _original = layout.make_all_pages
    layout.make_all_pages = make_all_pages
    return True


def make_all_pages(context: Any, root_box: Any, html: Any, pages: list[Any]) -> Iterator[Any]:
    """WeasyPrint's pass over the pages; then, once nothing else is pending,
    the last page's columns balanced (or a break that did not help undone)."""
    made = []
    for page in _original(context, root_box, html, pages):
        made.append(page)
        yield page
    if any(state[-1]["content_changed"] for state in context.page_maker[: len(made)]):
        return  # another pass follows anyway: judge the page it makes
    state = context.__dict__.setdefault("bulletin_balancing", [])
    if state == []:
        balancing = _balance(made, root_box)
        state.append(balancing)
        if balancing is not None:
            context.page_maker[len(made) - 1][-1]["content_changed"] = True
    elif state[-1] is not None and not _kept(state[-1], made):
        undone = state[-1]
        undone.box.style = undone.style
        state.append(None)  # laid out as it was, once more, and left so
        context.page_maker[undone.pages - 1][-1]["content_changed"] = True


def _balance(pages: list[Any], root_box: Any) -> _Balancing | None:
    """Set the break that evens the last page's columns; None when they are even
    enough, or no block allows a break."""
    columns = _flow_columns(pages[-1]) if pages else None
    if columns is None:
        return None
    first, second = columns
    top = first.content_box_y()
    tall, short = _bottom(first) - top, (_bottom(second) - top if second else 0.0)
    if tall <= 0 or short >= UNEVEN * tall:
        return None

    def taller(box: Any) -> float:  # the taller column once the break is before box
        above = box.position_y - top
        return max(above, tall - above + short)

    best = min(_breaks(first), key=taller, default=None)
    if best is None or taller(best) >= tall:
        return None
    box = _in_tree(root_box, best)
    if box is None:
        return None
    balancing = _Balancing(box, box.style, len(pages), tall)
    box.style = box.style.copy()  # its own: the style may be shared with other paragraphs
    box.style["break_before"] = "column"
    return balancing


def _in_tree(root_box: Any, laid_out: Any) -> Any | None:
    """The box of the document's tree that ``laid_out`` was copied from: the one
    WeasyPrint lays out again."""
    for box in root_box.descendants():
        if box.element is laid_out.element and box.element_tag == laid_out.element_tag:
            return box if type(box) is type(laid_out) else None
    return None


def _kept(balancing: _Balancing, pages: list[Any]) -> bool:
    """Whether the page laid out again is as many pages and evener."""
    columns = _flow_columns(pages[-1])
    if len(pages) != balancing.pages or columns is None or columns[1] is None:
        return False
    first, second = columns
    top = first.content_box_y()
    return max(_bottom(first), _bottom(second)) - top < balancing.taller


def fill(page: Any) -> float | None:
    """How much of the last page's two columns the issue uses (0–1), or None
    where the page has no ``.flow`` columns: the build lays out a sparse last
    page tighter, to save it (``bulletin/build.py``)."""
    columns = _flow_columns(page)
    if columns is None:
        return None
    top = columns[0].content_box_y()
    height = page.content_box_y() + page.height - top  # down to the page's foot
    used = [_bottom(column) - top if column is not None else 0.0 for column in columns]
    return sum(max(0.0, min(u, height)) for u in used) / (2 * height) if height > 0 else None


def foot_blank(page: Any) -> float:
    """The share of the page's content box left blank under its lowest line or
    image (the running head and footer, in the margins, aside): the booklet's
    cover is laid out again when a photo that did not fit left its foot empty."""
    top, height = page.content_box_y(), page.height
    content = [box for box in page.children if type(box).__name__ != "MarginBox"]
    lowest = max((_bottom(box) for box in content), default=top)
    return max(0.0, min(1.0, (top + height - lowest) / height)) if height > 0 else 0.0


def _flow_columns(page: Any) -> tuple[Any, Any | None] | None:
    """The first two column boxes of the page's ``.flow`` container, if it has
    columns there (a one-column layout, or a page without the flow: None)."""
    for box in page.descendants():
        element = box.element
        classes = (element.get("class") or "").split() if element is not None else []
        if FLOW_CLASS in classes and box.style["column_count"] not in ("auto", 1):
            columns = [c for c in box.children if getattr(c, "is_column", False)]
            if columns and not getattr(box, "is_column", False):
                return columns[0], columns[1] if len(columns) > 1 else None
    return None


def _bottom(column: Any) -> float:
    """The foot of the column's ink: its lowest line or image (a block broken by
    a column break reaches down to the column's foot, empty)."""
    return max(
        (
            box.position_y + box.margin_height()
            for box in column.descendants()
            if type(box).__name__ in ("LineBox", "InlineReplacedBox", "BlockReplacedBox")
        ),
        default=0.0,
    )


def _breaks(column: Any) -> Iterator[Any]:
    """Blocks of the column (the articles, and the blocks in them) before which
    a column break is allowed: not the column's first, not one that asks to
    stay with what precedes it (a byline), not one under a
    block that asks to stay with what follows (a heading, a dateline), not one
    inside a block that must stay whole (the editorial box)."""
    inside = [c for c in column.children if c.style["break_inside"] not in AVOID]
    for parent in (column, *inside):
        children = [c for c in getattr(parent, "children", []) if c.is_in_normal_flow()]
        for previous, box in itertools.pairwise(children):
            if type(box).__name__ == "LineBox" or type(previous).__name__ == "LineBox":
                continue
            # The editorial box's "avoid" keeps it off a page of its own, not out
            # of the second column of its page: between articles, any break goes.
            if parent is not column and box.style["break_before"] in AVOID:
                continue
            if previous.style["break_after"] in AVOID:
                continue
            yield box
