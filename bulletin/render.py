"""HTML to PDF with WeasyPrint: locked fetching and the bundled fonts only.

WeasyPrint is imported here only, and only when a PDF is made, so that
``bulletin --help`` stays fast. Before the import, fontconfig is pointed at a
configuration that knows the bundled fonts only: a PDF built on any machine
embeds the same files, whatever is installed there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from bulletin.errors import BulletinError
from bulletin.i18n import _
from bulletin.resources import FONTS_DIR

if TYPE_CHECKING:
    from weasyprint import Document


def _use_bundled_fonts_only() -> None:
    """Point fontconfig at ``fonts/`` alone, before WeasyPrint loads it."""
    if "BULLETIN_SYSTEM_FONTS" in os.environ:
        return
    cache = Path(tempfile.gettempdir()) / f"bulletin-fontconfig-{os.getuid()}"
    cache.mkdir(exist_ok=True)
    conf = cache / "fonts.conf"
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{FONTS_DIR}</dir>\n  <cachedir>{cache}</cachedir>\n</fontconfig>\n"
    )
    if not conf.is_file() or conf.read_text() != text:
        conf.write_text(text)
    os.environ["FONTCONFIG_FILE"] = str(conf)


_use_bundled_fonts_only()

import weasyprint  # noqa: E402  (fontconfig must be configured first)
from weasyprint.urls import FatalURLFetchingError, URLFetcher  # noqa: E402


class RefusedURL(FatalURLFetchingError):
    """A document asked for something outside the project: stop the render."""


class LockedFetcher(URLFetcher):
    """Serves ``data:`` URLs and files inside the allowed folders; refuses the
    network, other files and symlinks leading out (the target is checked)."""

    def __init__(self, allowed: Sequence[Path]) -> None:
        super().__init__(
            allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True
        )
        self.allowed = [folder.resolve() for folder in allowed]

    def fetch(self, url: str, headers: Any = None) -> Any:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
            if any(path.is_relative_to(folder) for folder in self.allowed):
                return super().fetch(url, headers)
        raise RefusedURL(url)


def render(html: str, base: Path, allowed: Sequence[Path]) -> Document:
    """Lay out the HTML; the Document can be inspected before it is written."""
    fetcher = LockedFetcher([*allowed, FONTS_DIR])
    fonts = weasyprint.CSS(filename=str(FONTS_DIR / "fonts.css"), url_fetcher=fetcher)
    try:
        document = weasyprint.HTML(
            string=html, base_url=str(base) + os.sep, url_fetcher=fetcher
        ).render(stylesheets=[fonts])
    except RefusedURL as refused:
        raise BulletinError(
            _("Refused to load {url}: only files of the project may be used").format(
                url=refused.args[0]
            )
        ) from None
    return document


def source_attachments(folder: Path) -> list[weasyprint.Attachment]:
    """Every file of the month folder (articles and photos), for the archive copy:
    the PDF alone is enough to rebuild the issue. Named by their path in the folder."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [
        weasyprint.Attachment(
            filename=str(p), name=p.relative_to(folder).as_posix(), relationship="Source"
        )
        for p in files
    ]
