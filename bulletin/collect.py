"""Find the month's folder and the source files in it.

The folder is the month: every article in it goes into the bulletin. Photo
folders beside an article (``giao-ban/`` for ``giao-ban.txt``) are not
articles; files the office software leaves behind (``~$x.docx``, ``.DS_Store``,
``Thumbs.db``) are skipped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bulletin.errors import BulletinError, display_path
from bulletin.i18n import _

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_JUNK = re.compile(r"^(\.|~\$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month | None:
        match = MONTH_PATTERN.match(text.strip())
        return cls(int(match[1]), int(match[2])) if match else None

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def months_since(self, other: Month) -> int:
        return (self.year - other.year) * 12 + self.month - other.month


def parse_month_option(text: str | None) -> Month | None:
    """``--month YYYY-MM`` checked, or None when not given."""
    if text is None:
        return None
    month = Month.parse(text)
    if month is None:
        raise BulletinError(_("--month must look like 2023-11, not '{value}'").format(value=text))
    return month


def month_folders(articles_root: Path) -> list[Path]:
    """Every ``YYYY-MM`` folder under the articles folder, oldest first."""
    if not articles_root.is_dir():
        return []
    return sorted(p for p in articles_root.iterdir() if p.is_dir() and Month.parse(p.name))


def find_month_folder(articles_root: Path, month: Month | None) -> Path:
    """``<articles>/YYYY-MM``: the one asked for, or the newest one present."""
    if not articles_root.is_dir():
        raise BulletinError(
            _("{path}: articles folder not found (run 'bulletin init' to create one)").format(
                path=display_path(articles_root)
            )
        )
    if month is not None:
        folder = articles_root / str(month)
        if not folder.is_dir():
            raise BulletinError(_missing_month(folder, month))
        return folder
    here = _month_folder_around(articles_root, Path.cwd())
    if here is not None:
        return here
    folders = month_folders(articles_root)
    if not folders:
        raise BulletinError(
            _("{path}: holds no month folder named like 2023-11").format(
                path=display_path(articles_root)
            )
        )
    return folders[-1]


def _missing_month(folder: Path, month: Month) -> str:
    """No folder for the month asked: say which months there are."""
    present = [p.name for p in month_folders(folder.parent)]
    message = _("{path}: no folder for month {month}").format(
        path=display_path(folder), month=month
    )
    if not present:
        return message
    return _("{message} (months present: {months})").format(
        message=message, months=", ".join(present)
    )


def _month_folder_around(articles_root: Path, working: Path) -> Path | None:
    """The month folder the user is working in (``cd articles/2023-11``), if any:
    the month they mean when they name none."""
    try:
        inside = working.resolve().relative_to(articles_root.resolve())
    except (ValueError, OSError):
        return None
    if not inside.parts or not Month.parse(inside.parts[0]):
        return None
    folder = articles_root / inside.parts[0]
    return folder if folder.is_dir() else None


def check_folder(folder: Path) -> Path:
    """A folder given with ``--articles``: it must exist and be a folder."""
    if not folder.exists():
        raise BulletinError(_("{path}: folder not found").format(path=display_path(folder)))
    if not folder.is_dir():
        raise BulletinError(_("{path}: is not a folder").format(path=display_path(folder)))
    return folder


def source_files(folder: Path) -> list[Path]:
    """The month's files, by name; sub-folders (photo folders) are not articles,
    nor are symlinks leading out of the folder (see ``links_out``)."""
    return sorted(
        (
            p
            for p in folder.iterdir()
            if p.is_file() and not _JUNK.match(p.name) and _inside(folder, p)
        ),
        key=lambda p: p.name,
    )


def links_out(folder: Path) -> list[Path]:
    """The month's symlinks that lead out of it (``giao-ban.txt`` → ``/etc/passwd``):
    never read, named in a warning."""
    return sorted(
        (p for p in folder.iterdir() if p.is_symlink() and not _inside(folder, p)),
        key=lambda p: p.name,
    )


def _inside(folder: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a loop of symlinks
        return False
