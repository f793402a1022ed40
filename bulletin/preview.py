"""``bulletin preview``: the PDF's pages as PNG images and a contact sheet.

pypdfium2 renders the pages (no system tool needed); ``index.html`` shows
them side by side, each linked to its full-size image, so the staff can look
over the whole issue in a browser before printing.
"""

from __future__ import annotations

import html
import shutil
from collections.abc import Callable
from pathlib import Path

from bulletin.i18n import _
from bulletin.output import atomic_output

DPI = 110


def write_preview(pdf: Path, folder: Path, dpi: int = DPI) -> Path:
    """``folder/trang-01.png`` … and ``folder/index.html``; returns the index."""
    import pypdfium2

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    document = pypdfium2.PdfDocument(pdf)
    names = []
    try:
        for number, page in enumerate(document, 1):
            name = f"trang-{number:02d}.png"
            page.render(scale=dpi / 72).to_pil().save(folder / name, optimize=True)
            names.append(name)
    finally:
        document.close()
    index = folder / "index.html"
    with atomic_output(index) as temporary:
        temporary.write_text(_contact_sheet(pdf.name, names), encoding="utf-8")
    return index


def _contact_sheet(title: str, names: list[str]) -> str:
    pages = "\n".join(
        f'<a href="{n}"><img src="{n}" alt="{_("Page {n}").format(n=i)}"><span>{i}</span></a>'
        for i, n in enumerate(names, 1)
    )
    return (
        f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>{html.escape(title)}</title>'
        "<style>body{font-family:sans-serif;background:#ddd;margin:1em}"
        "main{display:flex;flex-wrap:wrap;gap:1em}a{text-align:center;color:#333}"
        "img{display:block;width:260px;background:#fff;box-shadow:0 1px 4px #0005}</style>"
        f"<h1>{html.escape(title)}</h1><main>{pages}</main></html>\n"
    )


def watch(paths: list[Path], rebuild: Callable[[], None], stop_event: object | None = None) -> None:
    """Call ``rebuild`` after each change under ``paths`` (articles, layouts, config),
    in this process, so WeasyPrint stays imported and each rebuild skips its start-up."""
    from watchfiles import watch as watch_changes

    for _changes in watch_changes(*paths, stop_event=stop_event, debounce=400):  # type: ignore[arg-type]
        rebuild()
