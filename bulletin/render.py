"""HTML to PDF with WeasyPrint: locked fetching and the bundled fonts only.

WeasyPrint is imported here only, and only when a PDF is made, so that
``bulletin --help`` stays fast. Before the import, fontconfig is pointed at a
configuration that knows the bundled fonts only: a PDF built on any machine
embeds the same files, whatever is installed there.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname
from xml.sax.saxutils import escape

from bulletin.errors import BulletinError
from bulletin.i18n import _
from bulletin.private import private_dir, read_private, write_private
from bulletin.resources import FONTS_DIR

if TYPE_CHECKING:
    from weasyprint import Document


def use_bundled_fonts_only() -> None:
    """Point fontconfig at ``fonts/`` alone, before WeasyPrint loads it. The
    configuration and fontconfig's cache live in the user's private folder
    (``bulletin/private.py``), never at a name in /tmp another user could own.
    WeasyPrint reads ``FONTCONFIG_FILE`` at every render: a process that takes
    another environment (the render server's build, ``serve.forward``) calls
    this again."""
    if "BULLETIN_SYSTEM_FONTS" in os.environ:
        return
    cache = private_dir() / "fontconfig"
    cache.mkdir(mode=0o700, exist_ok=True)
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{escape(str(FONTS_DIR))}</dir>\n  <cachedir>{escape(str(cache))}</cachedir>\n"
        "</fontconfig>\n"
    )
    conf = private_dir() / "fonts.conf"
    if read_private("fonts.conf") != text:
        conf = write_private("fonts.conf", text)
    os.environ["FONTCONFIG_FILE"] = str(conf)


@contextmanager
def _no_library_search() -> Iterator[None]:
    """While WeasyPrint loads its libraries, on Linux, look them up by file name only.

    WeasyPrint tries each library under several names, Windows and short ones
    first; cffi hands a short name to ``ctypes.util.find_library``, which on Linux
    runs ``ldconfig -p`` and then ``gcc`` (about forty programs per build) to find
    a file. The file names WeasyPrint tries next (``libpango-1.0.so.0``) are found
    by the dynamic loader itself: no program needs to run."""
    import ctypes.util

    if not sys.platform.startswith("linux"):
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = original


def _subset_module_on_demand() -> None:
    """Load ``fontTools.subset`` only if something uses it (75 ms of imports).

    WeasyPrint imports it at start-up but subsets with HarfBuzz whenever
    ``libharfbuzz-subset`` is installed; fontTools is its fallback. The module is
    registered with the standard library's ``LazyLoader``: the first attribute
    used (by that fallback) runs the real import, so nothing changes but the time."""
    import importlib.util

    if "fontTools.subset" in sys.modules:
        return
    spec = importlib.util.find_spec("fontTools.subset")
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["fontTools.subset"] = module
    spec.loader.exec_module(module)
    # ``from fontTools import subset`` takes the attribute, which the import
    # system would otherwise look up by loading the module.
    sys.modules["fontTools"].subset = module  # type: ignore[attr-defined]


use_bundled_fonts_only()

with _no_library_search():
    _subset_module_on_demand()
    import weasyprint  # fontconfig must be configured first
from weasyprint.urls import FatalURLFetchingError, URLFetcher  # noqa: E402

from bulletin import columns, lastpage, pagerefs, pagereuse  # noqa: E402
from bulletin.archive import archive_files  # noqa: E402

columns.install()  # one layout pass for columns filled in order
pagereuse.install()  # the pages an edit did not reach taken from the last render
pagerefs.install()  # the contents' page numbers without repaginating page 1
lastpage.install()  # the last page's columns balanced (after the numbers settled)


Served = tuple[Path, os.stat_result | None]  # a file read, as it was (a link itself, not followed)


def _status(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except OSError:
        return None


class RefusedURL(FatalURLFetchingError):
    """A document asked for something outside the project: stop the render."""


class LockedFetcher(URLFetcher):
    """Serves ``data:`` URLs and files inside the allowed folders; refuses the
    network, other files and symlinks leading out (the target is checked), and
    any ``file:`` URL naming a host (``file://host/…`` would be a network path)."""

    def __init__(self, allowed: Sequence[Path]) -> None:
        super().__init__(
            allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True
        )
        self.allowed = [folder.resolve() for folder in allowed]
        self.served: list[Served] = []  # every file the document used, for the render cache

    def fetch(self, url: str, headers: Any = None) -> Any:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and not urlsplit(url).netloc:
            asked = Path(url2pathname(unquote(urlsplit(url).path)))
            path = asked.resolve()
            if any(path.is_relative_to(folder) for folder in self.allowed):
                # As they are before the read: a change during it is seen later.
                self.served.extend((name, _status(name)) for name in dict.fromkeys([asked, path]))
                return super().fetch(url, headers)
        raise RefusedURL(url)


def render(
    html: str,
    base: Path,
    allowed: Sequence[Path],
    served: list[Served] | None = None,
    page_guesses: dict[str, int] | None = None,
) -> Document:
    """Lay out the HTML; the Document can be inspected before it is written.
    ``served``, when given, receives every file the document used (the path asked
    for and the file it leads to), each with its status when it was read.
    ``page_guesses`` are the contents' page numbers to try first
    (``bulletin/pagerefs.py``): right, they spare laying page 1 out again."""
    fetcher = LockedFetcher([*allowed, FONTS_DIR])
    if served is not None:
        fetcher.served = served
    fonts = weasyprint.CSS(filename=str(FONTS_DIR / "fonts.css"), url_fetcher=fetcher)
    pagerefs.begin(page_guesses)
    pagereuse.begin(lambda: _inputs_key(html, fetcher.served))
    try:
        document = weasyprint.HTML(
            string=html, base_url=str(base) + os.sep, url_fetcher=fetcher
        ).render(stylesheets=[fonts])
    except BaseException as failed:
        pagereuse.forget()  # a render that failed leaves no layout to take pages from
        if isinstance(failed, RefusedURL):
            message = _("Refused to load {url}: only files of the project may be used")
            raise BulletinError(message.format(url=failed.args[0])) from None
        raise
    _check_page_numbers()
    pagereuse.keep()
    return document


def _inputs_key(html: str, served: list[Served]) -> str:
    """What every page of a render depends on besides its boxes: the document's
    head (its styles) and each file read (stylesheets, photos), as it was read.
    Empty (nothing is reused) where a stylesheet uses ``:has()``: an element's
    style could then hang on what an edit changed anywhere inside it."""
    head = html[: html.find("<body")]
    digest = hashlib.sha256(head.encode("utf-8", "surrogatepass"))
    styles = [head.encode("utf-8", "surrogatepass")]
    for path, status in sorted(served, key=lambda item: str(item[0])):
        stamp = (status.st_mtime_ns, status.st_size, status.st_ino) if status else None
        digest.update(f"{path}\0{stamp}\0".encode("utf-8", "surrogateescape"))
        if path.suffix.lower() == ".css":
            with contextlib.suppress(OSError):
                styles.append(path.read_bytes())
    return "" if any(b":has(" in style for style in styles) else digest.hexdigest()


def _check_page_numbers() -> None:
    """Never a contents box with a wrong number: one pointing nowhere, or numbers
    still moving when WeasyPrint stopped laying out, stop the build."""
    pages, settled = pagerefs.outcome()
    nowhere = sorted(anchor for anchor, page in pages.items() if page is None)
    if nowhere:
        raise BulletinError(
            _("The layout gives a page number for #{anchor}, which is not in the bulletin").format(
                anchor=nowhere[0]
            )
        )
    if not settled:
        raise BulletinError(_("The contents' page numbers did not settle; please report this"))


def source_attachments(
    folder: Path, project: Sequence[tuple[Path, str]] = ()
) -> list[weasyprint.Attachment]:
    """Every file of the month folder (articles and photos), named by their path in
    the folder, and the project's files that shape the issue (``project``: its
    bulletin.toml, logo and own layouts, named by their path in the project), for
    the archive copy: the PDF alone is enough to rebuild the issue."""
    attachments = []
    for path, name in [*archive_files(folder), *project]:
        # Read here, without following a symlink swapped in since the listing.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as stream:
            info = os.fstat(stream.fileno())
            data = stream.read() if stat.S_ISREG(info.st_mode) else b""
        attachments.append(
            weasyprint.Attachment(
                file_obj=io.BytesIO(data),
                name=name,
                relationship="Source",
                created=datetime.fromtimestamp(info.st_ctime),
                modified=datetime.fromtimestamp(info.st_mtime),
            )
        )
    return attachments
