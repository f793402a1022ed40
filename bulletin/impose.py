"""Booklet imposition: A5 pages two-up on A4 landscape sheets, saddle-stitch order.

Printed duplex (flip on the short edge), stacked and folded in the middle, the
sheets read 1, 2, 3 … N. Sheet k (from 0) carries on its front pages N-2k and
2k+1, on its back 2k+2 and N-2k-1 (left, right; numbered from 1). N is a
multiple of 4: the build pads the issue with blank pages before its back cover
(the editorial box); a PDF that is not padded gets blank sides here.
"""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter, Transformation


def booklet_order(pages: int) -> list[tuple[int | None, int | None]]:
    """Pairs of page indexes (from 0; None = blank) for each sheet side, in order."""
    total = -(-pages // 4) * 4

    def page(index: int) -> int | None:
        return index if index < pages else None

    sides = []
    for sheet in range(total // 4):
        sides.append((page(total - 1 - 2 * sheet), page(2 * sheet)))  # front
        sides.append((page(2 * sheet + 1), page(total - 2 - 2 * sheet)))  # back
    return sides


A4_LANDSCAPE = (297 * 72 / 25.4, 210 * 72 / 25.4)  # in points


def impose(pdf: bytes) -> bytes:
    """The booklet: each side a true A4 landscape sheet (297 × 210 mm) holding two
    A5 pages (148 × 210 mm) side by side, centred on the fold: the half millimetre
    left over is shared by the outer edges, never the fold."""
    reader = PdfReader(io.BytesIO(pdf))
    width = float(reader.pages[0].mediabox.width)
    height = float(reader.pages[0].mediabox.height)
    sheet_width, sheet_height = max(A4_LANDSCAPE[0], 2 * width), max(A4_LANDSCAPE[1], height)
    left_x = sheet_width / 2 - width
    bottom = (sheet_height - height) / 2
    writer = PdfWriter()
    for left, right in booklet_order(len(reader.pages)):
        sheet = PageObject.create_blank_page(width=sheet_width, height=sheet_height)
        for index, offset in ((left, left_x), (right, sheet_width / 2)):
            if index is not None:
                sheet.merge_transformed_page(
                    reader.pages[index], Transformation().translate(offset, bottom)
                )
        writer.add_page(sheet)
    writer.add_metadata({k: v for k, v in (reader.metadata or {}).items() if isinstance(v, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
