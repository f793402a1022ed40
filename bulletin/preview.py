"""``bulletin preview``: the PDF's pages as PNG images and a contact sheet.

pypdfium2 renders the pages (no system tool needed); ``index.html`` shows
them side by side, each linked to its full-size image, with the month's
warnings beside them, so the staff can look over the whole issue in a browser
before printing. The preview's own PDF stays in the preview folder: the print
PDF under its usual name is only ever written by ``bulletin make``.

Encoding the PNG files is the slow part, not drawing the pages: Pillow's
``optimize`` took 3 s for 13 pages, zlib level 3 0.4 s for smaller files
(``benchmarks/preview.py``). Each image records a digest of its pixels, so a
page that looks as it did in the last preview is not encoded or written again;
the others are encoded on the free CPUs while pdfium draws the next page.

While ``--watch`` runs, the sheet reloads itself: each rebuild writes a new
number to ``version.js``, which the open page loads again every second (a
script element, since browsers refuse ``fetch`` on ``file://`` pages) and
compares with the number it was written with.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin.errors import BulletinError, display_path
from bulletin.i18n import _, current_language
from bulletin.output import atomic_output
from bulletin.worker import usable_cpus

if TYPE_CHECKING:
    from PIL import Image

DPI = 110
PDF_NAME = "ban-tin-xem-truoc.pdf"
PIXELS_KEY = "bulletin-pixels"  # a PNG text chunk: the digest of the page's pixels
COMPRESS_LEVEL = 3  # smaller and faster than 6 or 9 on these pages (benchmarks/preview.py)


@dataclass(frozen=True)
class Sheet:
    """A preview written: its contact sheet, its pages, and how many were drawn anew."""

    index: Path
    pages: int
    drawn: int


def preview_folder(out: Path, month: str) -> Path:
    """``out/preview-YYYY-MM/``, refused early when something else has its name."""
    folder = out / f"preview-{month}"
    _usable(folder)
    return folder


def _usable(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise BulletinError(
            _("{path}: a file has the preview folder's name: move it away or rename it").format(
                path=display_path(folder)
            )
        )


def write_preview(
    pdf: Path,
    folder: Path,
    dpi: int = DPI,
    *,
    title: str = "",
    warnings: list[str] | None = None,
    version: int | None = None,
) -> Sheet:
    """``folder/trang-01.png`` … and ``folder/index.html``.

    ``version``: watching; the sheet reloads itself when ``version.js`` changes.
    Each image is replaced atomically, so an open page never shows half a page;
    one whose pixels did not change is left as it is."""
    import pypdfium2

    _usable(folder)
    names = []
    sources = []  # each image's address carries its digest: never a stale one shown
    drawing: list[Future[None]] = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        cpus = usable_cpus()
        with ThreadPoolExecutor(max_workers=cpus) as encoders:
            for number, page in enumerate(document, 1):
                name = f"trang-{number:02d}.png"
                image = page.render(scale=dpi / 72).to_pil()
                digest = hashlib.blake2b(image.tobytes(), digest_size=16).hexdigest()
                digest = f"{image.mode} {image.width}x{image.height} {digest}"
                if _digest_of(folder / name) != digest:
                    # Pages wait in memory (3.5 MB each at 110 dpi): a few at most.
                    wait(drawing[: max(0, len(drawing) - 2 * cpus)])
                    drawing.append(encoders.submit(_save_png, image, folder / name, digest))
                names.append(name)
                sources.append(f"{name}?{digest.rsplit(' ', 1)[-1][:12]}")
            for job in drawing:
                job.result()  # a failure to write is the preview's failure
    finally:
        document.close()
    for old in folder.glob("trang-*.png"):
        if old.name not in names:
            old.unlink(missing_ok=True)
    index = folder / "index.html"
    sheet = _contact_sheet(title or pdf.name, sources, warnings or [], version)
    with atomic_output(index) as temporary:
        temporary.write_text(sheet, encoding="utf-8")
    if version is not None:
        with atomic_output(folder / "version.js") as temporary:
            temporary.write_text(f"window.previewVersion = {version};\n", encoding="utf-8")
    return Sheet(index, len(names), len(drawing))


def _digest_of(path: Path) -> str | None:
    """The pixel digest a page image was written with, if it is one of ours."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            found = image.info.get(PIXELS_KEY)  # read with the header: no decoding
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    return found if isinstance(found, str) else None


def _save_png(image: Image.Image, target: Path, digest: str) -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(PIXELS_KEY, digest)
    with atomic_output(target) as temporary:
        image.save(temporary, format="PNG", compress_level=COMPRESS_LEVEL, pnginfo=info)


# Loads version.js again every second; a different number means a rebuild happened.
RELOAD_SCRIPT = """<script>
const shown = %s;
setInterval(() => {
  const tag = document.createElement("script");
  tag.src = "version.js?" + Date.now();
  tag.onload = () => {
    tag.remove();
    if (window.previewVersion !== undefined && window.previewVersion !== shown) location.reload();
  };
  tag.onerror = () => tag.remove();
  document.head.appendChild(tag);
}, 1000);
</script>"""


def _contact_sheet(title: str, sources: list[str], warnings: list[str], version: int | None) -> str:
    """The sheet; ``sources`` are the images' addresses, ``trang-01.png?digest``: a
    page drawn anew has a new address, so a reloading browser never shows the old
    image from its cache, and takes the unchanged ones from it."""
    total = len(sources)
    pages = "\n".join(
        f'<a href="{s}"><img src="{s}" alt="{html.escape(_alt(i, total))}">'
        f"<span>{html.escape(_label(i))}</span></a>"
        for i, s in enumerate(sources, 1)
    )
    if warnings:
        heading = _("Warnings ({n})").format(n=len(warnings))
        items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
        notes = f"<h2>{html.escape(heading)}</h2><ul>{items}</ul>"
    else:
        notes = f"<p>{html.escape(_no_warnings())}</p>"
    script = RELOAD_SCRIPT % json.dumps(version) if version is not None else ""
    name = html.escape(title)
    return (
        f'<!doctype html><html lang="{current_language()}"><meta charset="utf-8">'
        f"<title>{name}</title>"
        "<style>body{font-family:sans-serif;background:#ddd;margin:1em;display:flex;gap:1.5em;"
        "align-items:flex-start}main{display:flex;flex-wrap:wrap;gap:1em;flex:1}"
        "a{text-align:center;color:#333}aside{width:22em;background:#fff;padding:.5em 1em;"
        "box-shadow:0 1px 4px #0005}aside li{margin:.4em 0}h1{font-size:1.3em}h2{font-size:1.1em}"
        "img{display:block;width:260px;background:#fff;box-shadow:0 1px 4px #0005}</style>"
        f"{script}<aside><h1>{name}</h1>{notes}</aside><main>{pages}</main></html>\n"
    )


def _no_warnings() -> str:
    return _("No warnings.")


def _label(number: int) -> str:
    return _("Page {n}").format(n=number)


def _alt(number: int, total: int) -> str:
    return _("Page {n} of {total} of the bulletin").format(n=number, total=total)


def watch(paths: list[Path], rebuild: Callable[[], None], stop_event: object | None = None) -> None:
    """Call ``rebuild`` after each change under ``paths`` (articles, layouts, config),
    in this process, so WeasyPrint stays imported and each rebuild skips its start-up."""
    from watchfiles import watch as watch_changes

    for _changes in watch_changes(*paths, stop_event=stop_event, debounce=400):  # type: ignore[arg-type]
        rebuild()
