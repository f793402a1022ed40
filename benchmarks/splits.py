"""Where could a month be cut into chunks laid out apart (issue 16)? The figures behind
benchmarks/README.md's "Parallel chunks: not built".

    python benchmarks/splits.py [N]      # a text-only synthetic month, default N = 21

1. Exact places: articles that start at the top of a page in the whole issue's
   layout (read from the PDF's bookmarks), where a chunk would change nothing.
2. Chosen places: for every article after the first, the same HTML with the flow
   cut before it and the rest started on a new page, as a chunk would be; the
   blank at the foot of the page before the cut (``tests/pagefill.py``'s measure).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from pypdf import PdfReader
from warm import month

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bulletin import render
from bulletin.cli import main as bulletin_main
from bulletin.resources import LAYOUTS_DIR
from tests.pagefill import foot_blanks

MM = 72 / 25.4
TOP_MARGIN_MM = 17  # the classic layout's page margins
FLOW = '<main class="flow">'


def page_tops(pdf: Path) -> list[tuple[int, int]]:
    """(article, page) of the articles whose title opens a page's first column."""
    reader = PdfReader(pdf)
    height = float(reader.pages[0].mediabox.height)
    found = []
    for number, item in enumerate(reader.outline, start=1):
        below_top = (height - float(item.top)) / MM - TOP_MARGIN_MM
        if below_top < 9 and float(item.left) / MM < 20:
            found.append((number, reader.get_destination_page_number(item) + 1))
    return found


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    work = Path(tempfile.mkdtemp(prefix="bulletin-splits-"))
    project = month(count, work)
    whole = project / "whole.pdf"
    os.chdir(project)
    bulletin_main(
        ["make", "-q", "--articles", "2023-11", "--out", str(whole), "--keep-html"],
        standalone_mode=False,
    )
    html = whole.with_suffix(".html").read_text(encoding="utf-8")
    pages = len(PdfReader(whole).pages)
    tops = page_tops(whole)
    print(f"{count} articles, {pages} pages; articles opening a page: {tops}")
    base = LAYOUTS_DIR / "classic"
    allowed = [project / "2023-11", base]
    holes = []
    for number in range(2, count + 1):
        marker = f'<article class="article" id="bai-{number}">'
        cut = html.replace(marker, f'</main><main class="flow" style="break-before: page">{marker}')
        assert FLOW in html and cut != html, marker
        part = work / f"cut-{number}.pdf"
        part.write_bytes(render.render(cut, base, allowed).write_pdf())
        page_blank = max(foot_blanks(part)[:-1])
        column_blank = max(foot_blanks(part, columns=2)[:-1])
        holes.append(column_blank)
        print(
            f"cut before article {number:3d}: worst blank {page_blank:4.0%} at a page's foot, "
            f"{column_blank:4.0%} at a column's"
        )
    bad = sum(hole > 0.20 for hole in holes)
    print(f"{bad} of {len(holes)} cuts leave a column more than 20 % blank at its foot")


if __name__ == "__main__":
    main()
