"""One layout pass, not two, for CSS columns filled in order (``column-fill: auto``).

WeasyPrint lays out a multi-column container's content on every page twice: a
trial pass that measures the columns (and, for each column that does not hold
the rest, the next box at an infinite height, to know by how much to grow a
*balanced* column), then the real pass. With ``column-fill: auto`` and no set
height the trial decides nothing: the columns take the page's whole height, as
the real pass finds by itself. The classic layout puts every article in one
such container, so the trial was a third of a build (the 21-article month: 0.7–0.9 s
of layout instead of 1.1–1.3 s; benchmarks/README.md).

``install()`` replaces WeasyPrint's ``columns_layout`` with ``one_pass_columns``,
which does the real pass alone when it can tell that the trial is idle and hands
every other case (balanced columns, a set height, spanning children, footnotes
or notes, columns inside columns, right-to-left, positioned containers) to
WeasyPrint's own function untouched. The PDFs are byte for byte the same
(``tests/test_columns.py`` compares them, on 120-odd shapes in review).

The function it stands in for is WeasyPrint's internals: it is installed only on
the WeasyPrint version it was written and checked against (``CHECKED``);
any other version keeps its own code, only slower. ``BULLETIN_PLAIN_COLUMNS=1``
keeps WeasyPrint's function too (for comparing).
"""

from __future__ import annotations

import os
from math import floor
from typing import Any

CHECKED = ("70.",)  # WeasyPrint versions whose columns_layout this was checked against
_original: Any = None


def installable(version: str) -> bool:
    return version.startswith(CHECKED) and not os.environ.get("BULLETIN_PLAIN_COLUMNS")


def install() -> bool:
    """Put ``one_pass_columns`` in WeasyPrint's place; False when it keeps its own."""
    global _original
    import weasyprint
    from weasyprint.layout import block, column

    if _original is not None:
        return True
    if not installable(weasyprint.__version__):
        return False
    _original = column.columns_layout
    column.columns_layout = block.columns_layout = one_pass_columns
    return True


def _trial_is_idle(context: Any, box: Any) -> bool:
    """True when WeasyPrint's trial pass cannot change the result: columns filled
    in order to the page's foot (no height set, by the style or by a flex parent),
    nothing spanning them, no footnote to make room for, and nothing inside that
    the trial would leave its traces on (``_inside_needs_trial``)."""
    style = box.style
    return (
        style["column_fill"] == "auto"
        and style["height"] == "auto"
        and box.height == "auto"
        and style["position"] != "relative"
        and style["direction"] != "rtl"
        and bool(box.children)
        and not context.current_page_footnotes
        and context.current_footnote_area.height == "auto"
        and all(child.style["column_span"] != "all" for child in box.children)
        and not _inside_needs_trial(context, box)
    )


def _inside_needs_trial(context: Any, box: Any) -> bool:
    """Whether the container holds footnotes, notes or columns of its own: the
    trial pass makes room for the first, links the second and, laying out the
    third, changes how WeasyPrint treats a later column break. Looked up once per
    container and render (the answer is kept on the layout's context)."""
    known = context.__dict__.setdefault("bulletin_needs_trial", {})
    key = id(box.element) if box.element is not None else id(box)
    if key not in known:
        known[key] = any(
            inner is not box
            and (
                inner.footnote is not None
                or inner.note is not None
                or inner.is_footnote()
                or inner.is_note()
                or inner.style["column_width"] != "auto"
                or inner.style["column_count"] != "auto"
            )
            for inner in box.descendants()
        )
    return bool(known[key])


def one_pass_columns(
    context: Any,
    box: Any,
    bottom_space: float,
    skip_stack: dict[int, Any] | None,
    containing_block: Any,
    page_is_empty: bool,
    absolute_boxes: list[Any],
    fixed_boxes: list[Any],
    adjoining_margins: list[float],
    first_letter_style: Any,
    first_line_style: Any,
) -> tuple[Any, ...]:
    """WeasyPrint's ``columns_layout``, less the trial pass when it is idle: the
    same arguments, the same result (WeasyPrint's real pass, as it writes it)."""
    if not _trial_is_idle(context, box):
        return _original(  # type: ignore[no-any-return]
            context, box, bottom_space, skip_stack, containing_block, page_is_empty,
            absolute_boxes, fixed_boxes, adjoining_margins, first_letter_style,
            first_line_style,
        )  # fmt: skip
    from weasyprint.layout.block import block_box_layout, block_level_width, collapse_margin
    from weasyprint.layout.column import _create_column_box

    context.in_column = True
    box = box.copy_with_children(box.children)
    box.position_y += collapse_margin(adjoining_margins)
    block_level_width(box, containing_block)
    width, count, gap = _column_sizes(box)

    skip = next(iter(skip_stack)) if skip_stack else 0
    children = [child.copy() for child in box.children[skip:]]
    column_skip_stack = {0: skip_stack[skip]} if skip_stack else None
    top = box.content_box_y()
    next_page: dict[str, Any] = {"break": "any", "page": None}
    columns: list[Any] = []
    for index in range(count):
        column_box = _create_column_box(box, containing_block, children, width, top)
        column_box.position_x += index * (width + gap)
        column, column_skip_stack, next_page, *_ = block_box_layout(
            context, column_box, bottom_space, column_skip_stack, containing_block,
            page_is_empty, absolute_boxes, fixed_boxes, None, first_letter_style,
            first_line_style, discard=False, max_lines=None,
        )  # fmt: skip
        if column is None:  # nothing fits on this page: the container moves on
            context.in_column = False
            return None, (0, None), {"break": "any", "page": None}, [], False
        columns.append(column)
        if column_skip_stack is None:
            break

    tallest = max(column.margin_height() for column in columns)
    for column in columns:
        column.height = tallest
    box.children = columns
    box.height = min(context.page_bottom - top - bottom_space, tallest)
    if box.min_height != "auto" and box.min_height > box.height:
        for column in columns:
            column.height += box.min_height - box.height
        box.height = box.min_height
    resume_at = None
    if column_skip_stack:
        ((at, rest),) = column_skip_stack.items()
        resume_at = {skip + at: rest}
    context.in_column = False
    return box, resume_at, next_page, [], False


def _column_sizes(box: Any) -> tuple[float, int, float]:
    """Each column's width, their count and the gap, as WeasyPrint computes them."""
    from weasyprint.layout.percent import percentage

    style = box.style
    width, count = style["column_width"], style["column_count"]
    if style["column_gap"] == "normal":
        gap = style["font_size"]
    else:
        gap = percentage(style["column_gap"], box.style, box.width)
    if width == "auto" and count != "auto":
        width = max(0, box.width - (count - 1) * gap) / count
    elif width != "auto" and count == "auto":
        count = max(1, floor((box.width + gap) / (width + gap)))
        width = (box.width + gap) / count - gap
    else:
        count = max(1, min(count, floor((box.width + gap) / (width + gap))))
        width = (box.width + gap) / count - gap
    return width, count, gap
