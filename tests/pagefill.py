"""How full each page of a PDF is: the blank left at the foot of its text area.

For each page, the lowest text or image (pypdfium2's page objects) inside the
content box is compared with the box's bottom, column by column where the page
has columns; the running head and the page number, in the margins, are left
out. Used by tests/test_layout_newsletter.py, and on its own:

    python -m tests.pagefill out/ban-tin-2023-11.pdf     # classic A4 margins
"""

from __future__ import annotations

import sys
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c

MM = 72 / 25.4
KINDS = (pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_IMAGE)


def foot_blanks(
    pdf: Path, top_mm: float = 17, bottom_mm: float = 18, columns: int = 1
) -> list[float]:
    """For every page, the share (0–1) of the content box's height left blank at
    its foot; ``top_mm``/``bottom_mm`` are the layout's page margins. With
    ``columns=2`` each half of the page is measured on its own and the emptier one
    counts: a short second column is a hole a reader sees, though the first
    column's text reaches the foot."""
    return [max(page) for page in column_blanks(pdf, top_mm, bottom_mm, columns)]


def column_blanks(
    pdf: Path, top_mm: float = 17, bottom_mm: float = 18, columns: int = 2
) -> list[list[float]]:
    """For every page, each column's blank share at its foot (1.0: an empty column)."""
    blanks = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for page in document:
            width, height = page.get_width(), page.get_height()
            box_bottom, box_top = bottom_mm * MM, height - top_mm * MM
            lowest = [box_top] * columns
            for item in page.get_objects(filter=KINDS, max_depth=4):
                left, bottom, right, top = item.get_bounds()
                if top > box_bottom + 1 and bottom < box_top - 1:  # inside the text area
                    for column in range(columns):  # every column the object reaches into
                        if (
                            left < width * (column + 1) / columns
                            and right > width * column / columns
                        ):
                            lowest[column] = min(lowest[column], max(bottom, box_bottom))
            blanks.append([(low - box_bottom) / (box_top - box_bottom) for low in lowest])
    finally:
        document.close()
    return blanks


def printed_text(pdf: Path) -> list[list[tuple[float, str, str]]]:
    """For every page, each text object's size in points, font name and text.

    WeasyPrint sets text in CSS pixels under a 0.75 scale: the size a reader
    sees is the font size times the object's matrix scale."""
    pages = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for page in document:
            found = []
            textpage = page.get_textpage()
            kinds = (pdfium_c.FPDF_PAGEOBJ_TEXT,)
            for item in page.get_objects(filter=kinds, max_depth=4, textpage=textpage):
                a, b, c, d, _e, _f = item.get_matrix().get()
                size = item.get_font_size() * abs(a * d - b * c) ** 0.5
                try:
                    text = item.extract()
                except pypdfium2.PdfiumError:  # an object drawing no character
                    text = ""
                found.append((size, item.get_font().get_base_name(), text))
            pages.append(found)
    finally:
        document.close()
    return pages


def report(pdf: Path) -> str:
    blanks = foot_blanks(pdf, columns=2)
    body = blanks[:-1] or [0.0]
    pages = " ".join(f"{b:.0%}" for b in blanks)
    return (
        f"{pdf}: {len(blanks)} pages; blank at the foot of the emptier column: {pages}; "
        f"all but the last: max {max(body):.0%}, mean {sum(body) / len(body):.1%}"
    )


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(report(Path(name)))
