"""What every reader shares: the read context, decoding, and photo paths.

The web-copy rules (captions, bylines, leftovers) shared by the plain-text
and Word readers live in ``readers/webcopy.py`` and ``readers/chrome.py``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from urllib.parse import unquote

from bulletin.encodings import DecodeError, decode_text, nfc
from bulletin.errors import Level, Problem, SourceError, printable
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


# An article is a few pages: 2 MB of text is a book. A bigger file is a mistake
# (a log, a dump, a database export), and reading it would take minutes.
MAX_ARTICLE_BYTES = 2 * 1024 * 1024


def read_text_file(path: Path, context: ReadContext) -> str:
    """The file's text, decoded and NFC; a clear error for unreadable files, files
    that are not regular (a FIFO would hang the build), and files over 2 MB."""
    try:
        with open(path, "rb", opener=_open_no_block) as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise fail(path, _("not a regular file"))
            data = stream.read(MAX_ARTICLE_BYTES + 1)
    except OSError as exc:
        raise fail(
            path, _("cannot read the file ({reason})").format(reason=exc.strerror or exc)
        ) from None
    if len(data) > MAX_ARTICLE_BYTES:
        raise fail(
            path,
            _("over {size} MB: too large for an article (is it the right file?)").format(
                size=MAX_ARTICLE_BYTES // (1024 * 1024)
            ),
        )
    try:
        decoded = decode_text(data)
    except DecodeError:
        raise fail(path, _("not readable as text: unknown encoding or binary file")) from None
    if decoded.legacy:
        context.note(path, _("read as {encoding}").format(encoding=decoded.encoding))
    if decoded.capitalised:
        message = _(
            "{n} letters with tones put back in capitals at the start of a sentence "
            "(TCVN3 has no such capitals): check them"
        )
        context.note(path, message.format(n=decoded.capitalised))
    text = decoded.text
    if not text.strip():
        raise fail(path, _("the file is empty"))
    return text


def _open_no_block(name: str, flags: int) -> int:
    """Open without waiting: a FIFO named like an article must not hang the build."""
    return os.open(name, flags | os.O_NONBLOCK)


PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff"}


def photo_path(article: Path, reference: str, line: int | None = None) -> Path:
    """The photo an article names, relative to the article; it must exist there,
    inside the article's folder (no ``../``, ``%2e%2e/``, or symlink leading out)
    and not in a hidden folder such as ``.git/``."""
    name = nfc(unquote(reference.strip()))
    if not name or "://" in name or name.startswith(("/", "\\", "file:", "data:")):
        raise fail(
            article,
            _("photo '{name}' must be a file beside the article").format(name=printable(reference)),
            line,
        )
    folder = article.parent
    photo = folder / name
    if not within(folder, photo) or any(part.startswith(".") for part in Path(name).parts):
        raise fail(
            article,
            _("photo '{name}' is outside the month folder or hidden: not used").format(
                name=printable(name)
            ),
            line,
        )
    try:
        if not photo.is_file():
            photo = _same_name_in_any_normal_form(photo) or photo
        found = photo.is_file()
    except OSError as exc:  # a name over 255 bytes, a loop of symlinks
        raise fail(
            article,
            _("photo '{name}' cannot be opened ({reason})").format(
                name=printable(name), reason=exc.strerror or exc
            ),
            line,
        ) from None
    if not found:
        near = _near_name(photo)
        message = (
            _("photo not found: {name} (did you mean {other}?)").format(
                name=printable(name), other=printable(near)
            )
            if near
            else _("photo not found: {name}").format(name=printable(name))
        )
        raise fail(article, message, line)
    if not within(folder, photo):  # the NFD twin found is a symlink leading out
        raise fail(
            article,
            _("photo '{name}' is outside the month folder or hidden: not used").format(
                name=printable(name)
            ),
            line,
        )
    return photo


def within(folder: Path, path: Path) -> bool:
    """True when ``path``, symlinks followed, is inside ``folder``."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a loop of symlinks
        return False


def _near_name(photo: Path) -> str | None:
    """The photo the article most likely means: the same name in other letter
    case (``anh-1.JPG`` for ``anh-1.jpg``), else a close one."""
    try:
        names = [p.name for p in photo.parent.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES]
    except OSError:
        return None
    same = [n for n in names if n.lower() == photo.name.lower()]
    close = get_close_matches(photo.name, names, n=1, cutoff=0.8)
    return next(iter(same or close), None)


def _same_name_in_any_normal_form(path: Path) -> Path | None:
    """Photos named on a Mac are stored NFD; the article names them NFC."""
    folder = path.parent
    if not folder.is_dir():
        return None
    wanted = nfc(path.name)
    return next((p for p in folder.iterdir() if nfc(p.name) == wanted), None)
