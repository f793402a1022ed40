"""What every reader shares: the read context, decoding, and photo paths.

The web-copy rules (captions, bylines, leftovers) shared by the plain-text
and Word readers live in ``readers/webcopy.py`` and ``readers/chrome.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from bulletin.encodings import DecodeError, decode_text, nfc
from bulletin.errors import Level, Problem, SourceError
from bulletin.i18n import _


@dataclass
class ReadContext:
    """What a reader may know beyond its file: the month's year, and where to
    put warnings (a reader never prints)."""

    year: int
    problems: list[Problem] = field(default_factory=list)

    def warn(self, path: Path, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(path, message, line, "warning"))

    def note(self, path: Path, message: str, line: int | None = None) -> None:
        """Worth knowing, not wrong: shown with -v and by ``bulletin check``."""
        self.problems.append(Problem(path, message, line, "note"))

    def report(self, path: Path, message: str, line: int | None, level: Level) -> None:
        self.problems.append(Problem(path, message, line, level))


def fail(path: Path, message: str, line: int | None = None) -> SourceError:
    """The error a reader raises when the file cannot become an article."""
    return SourceError(Problem(path, message, line))


def read_text_file(path: Path, context: ReadContext) -> str:
    """The file's text, decoded and NFC; a clear error for unreadable files."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(
            path, _("cannot read the file ({reason})").format(reason=exc.strerror or exc)
        ) from None
    try:
        decoded = decode_text(data)
    except DecodeError:
        raise fail(path, _("not readable as text: unknown encoding or binary file")) from None
    if decoded.legacy:
        context.note(path, _("read as {encoding}").format(encoding=decoded.encoding))
    text = decoded.text
    if not text.strip():
        raise fail(path, _("the file is empty"))
    return text


PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff"}

def photo_path(article: Path, reference: str, line: int | None = None) -> Path:
    """The photo an article names, relative to the article; it must exist there."""
    name = nfc(unquote(reference.strip()))
    if not name or "://" in name or name.startswith(("/", "\\", "file:", "data:")):
        raise fail(
            article,
            _("photo '{name}' must be a file beside the article").format(name=reference),
            line,
        )
    photo = article.parent / name
    if not photo.is_file():
        photo = _same_name_in_any_normal_form(photo) or photo
    if not photo.is_file():
        raise fail(article, _("photo not found: {name}").format(name=name), line)
    return photo


def _same_name_in_any_normal_form(path: Path) -> Path | None:
    """Photos named on a Mac are stored NFD; the article names them NFC."""
    folder = path.parent
    if not folder.is_dir():
        return None
    wanted = nfc(path.name)
    return next((p for p in folder.iterdir() if nfc(p.name) == wanted), None)
