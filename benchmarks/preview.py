"""The preview's page images (``bulletin/preview.py``), before and after (issue 16).

    python benchmarks/preview.py [ROUNDS]     # default 5 rounds, about a minute

The 21-article text month is built once, then an article is edited at its end (a
sentence added to the last article in the bulletin) and it is built again. Timed,
the median of the rounds: the pages drawn by pdfium and saved as Pillow's
``optimize`` PNG (how ``write_preview`` did it before), and ``write_preview``
itself: into an empty folder, over the same PDF's preview (nothing changed), and
over the preview of the month before the edit.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2
from warm import month

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bulletin.cli import main as bulletin_main
from bulletin.preview import DPI, write_preview


def build(project: Path, name: str) -> Path:
    pdf = project / name
    bulletin_main(["make", "-q", "--articles", "2023-11", "--out", str(pdf)], standalone_mode=False)
    return pdf


def before(pdf: Path, folder: Path) -> None:
    """The old way: every page drawn and saved with ``optimize=True``."""
    document = pypdfium2.PdfDocument(pdf)
    for number, page in enumerate(document, 1):
        image = page.render(scale=DPI / 72).to_pil()
        image.save(folder / f"trang-{number:02d}.png", format="PNG", optimize=True)
    document.close()


def timed(rounds: int, prepare: Callable[[], None], run: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        prepare()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    work = Path(tempfile.mkdtemp(prefix="bulletin-preview-"))
    project = month(21, work)
    os.chdir(project)
    first = build(project, "first.pdf")
    last = sorted((project / "2023-11").glob("*.md"))[-1]
    last.write_text(last.read_text(encoding="utf-8") + "\nMột câu thêm.\n", encoding="utf-8")
    edited = build(project, "edited.pdf")
    pages = len(pypdfium2.PdfDocument(first))
    folder = work / "preview"

    def empty() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()

    def made_from(pdf: Path) -> Callable[[], None]:
        def prepare() -> None:
            empty()
            write_preview(pdf, folder)

        return prepare

    old = timed(rounds, empty, lambda: before(first, folder))
    old_kb = sum(f.stat().st_size for f in folder.glob("*.png")) // 1024
    fresh = timed(rounds, empty, lambda: write_preview(first, folder))
    new_kb = sum(f.stat().st_size for f in folder.glob("*.png")) // 1024
    same = timed(rounds, made_from(first), lambda: write_preview(first, folder))
    made_from(first)()
    drawn = write_preview(edited, folder).drawn
    after_edit = timed(rounds, made_from(first), lambda: write_preview(edited, folder))
    print(f"21 articles, {pages} pages at {DPI} dpi; median of {rounds} rounds")
    for what, seconds, note in [
        ("before: every page, optimize=True", old, f"{old_kb} KB"),
        ("write_preview, empty folder", fresh, f"{new_kb} KB"),
        ("write_preview, nothing changed", same, f"0 of {pages} pages drawn"),
        ("write_preview, last article edited", after_edit, f"{drawn} of {pages} pages drawn"),
    ]:
        print(f"{what:36s} {seconds:5.2f} s   {note}")


if __name__ == "__main__":
    main()
