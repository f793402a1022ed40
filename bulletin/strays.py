"""Photos in the month's folder that no article uses, and why.

A photo is silently left out when its folder is named unlike its article
(``giao-ban-anh/`` beside ``giao-ban.txt``), when it is in a format the
bulletin does not read (``.heic`` from a phone), or when nothing names it.
``check`` names each one, so the staff learn why a photo is missing from
the page before they print it.
"""

from __future__ import annotations

from collections.abc import Collection
from difflib import get_close_matches
from pathlib import Path

from bulletin.errors import Problem
from bulletin.i18n import _
from bulletin.model import Article
from bulletin.readers.base import PHOTO_SUFFIXES

PHONE_FORMATS = {".heic", ".heif"}


def stray_photos(
    folder: Path, articles: list[Article], unreadable: Collection[Path] = ()
) -> list[Problem]:
    """A warning for every photo in ``folder`` (or one level below) that no
    article uses, grouped by folder where a whole folder is unused. The photos
    of an article that could not be read (``unreadable``: its folder, or a name
    its text mentions) are its own: its error is the news, not "delete them"."""
    used = {_key(f.photo) for a in articles for f in a.figures if isinstance(f.photo, Path)}
    stems = {a.source.stem for a in articles if a.source.suffix.lower() == ".txt"}
    waiting = {path.stem for path in unreadable}
    mentioned = _mentioned(unreadable)
    problems = [_phone_photo(p) for p in _photos(folder, PHONE_FORMATS)]
    loose = [
        p
        for p in _photos(folder, PHOTO_SUFFIXES)
        if _key(p) not in used and p.name.lower() not in mentioned
    ]
    for sub in sorted(p for p in folder.iterdir() if _visible_dir(p) and p.name not in waiting):
        inside = [p for p in _photos(sub, PHOTO_SUFFIXES) if _key(p) not in used]
        problems += [_phone_photo(p) for p in _photos(sub, PHONE_FORMATS)]
        if inside and sub.name not in stems:
            problems.append(_unmatched_folder(sub, len(inside), sorted(stems)))
        elif inside:
            loose += inside
    problems += [
        Problem(
            photo,
            _("photo not used by any article: name it in an article, or delete it"),
            None,
            "warning",
        )
        for photo in loose
    ]
    return problems


def _mentioned(articles: Collection[Path]) -> str:
    """The text of the unreadable articles, lower case, to look photo names up in
    (bytes decoded loosely: the file may be unreadable for its encoding)."""
    texts = []
    for path in articles:
        try:
            texts.append(path.read_bytes()[:2_000_000].decode("utf-8", "replace").lower())
        except OSError:
            continue
    return "\n".join(texts)


def _key(path: Path) -> Path:
    return path.resolve()


def _visible_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and not path.name.startswith((".", "_"))


def _photos(folder: Path, suffixes: set[str]) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in suffixes
    )


def _phone_photo(photo: Path) -> Problem:
    return Problem(
        photo,
        _("phone photo format {suffix} is not read: save it as .jpg").format(
            suffix=photo.suffix.lower()
        ),
        None,
        "warning",
    )


def _unmatched_folder(sub: Path, count: int, stems: list[str]) -> Problem:
    """A folder of photos named unlike every article: say which article it likely
    belongs to, and how to name it."""
    guess = get_close_matches(sub.name, stems, n=1, cutoff=0.5)
    guess += [s for s in stems if sub.name.startswith(s) or s.startswith(sub.name)]
    if guess:
        message = _(
            "{count} photos in a folder named unlike any article: rename the folder "
            "to {name}/ to go with {name}.txt"
        ).format(count=count, name=guess[0])
    else:
        message = _(
            "{count} photos in a folder named unlike any article: name the folder like "
            "its article (giao-ban.txt and giao-ban/)"
        ).format(count=count)
    return Problem(sub, message, None, "warning")
