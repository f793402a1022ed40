"""What the archive copy carries beside the PDF: the month's files and the
project's files that shape the issue, so that the PDF alone rebuilds it.

Kept apart from ``bulletin/render.py`` so that the build can list the files
without importing WeasyPrint.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bulletin.resources import LAYOUTS_DIR


def project_files(root: Path, config: Path | None, logo: str | None) -> list[tuple[Path, str]]:
    """The project's files an archive carries beside the month: bulletin.toml, the
    logo and the project's own ``layouts/`` (regular files only, as the month's;
    not the built-in layouts, which a checkout keeps in its own ``layouts/``)."""
    named = [(config, config.name)] if config else []
    named += [(root / logo, Path(logo).as_posix())] if logo else []
    files = [(path, name) for path, name in named if _regular(path)]
    layouts = root / "layouts"
    if _own_folder(layouts) and layouts.resolve() != LAYOUTS_DIR.resolve():
        files += [(path, f"layouts/{name}") for path, name in archive_files(layouts)]
    return files


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _own_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def archive_files(folder: Path) -> list[tuple[Path, str]]:
    """The month's own regular files and their names in the archive. Hidden files
    and folders (``.git/``), symlinks and devices are left out: an archive must not
    carry a file that is not the month's. A name that is not UTF-8 is kept readable
    (its odd bytes as ``\\xff``) instead of failing the build."""
    found = []
    for top, folders, files in os.walk(folder):  # never follows symlinked folders
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(files):
            path = Path(top, name)
            if name.startswith(".") or not stat.S_ISREG(path.lstat().st_mode):
                continue
            relative = path.relative_to(folder).as_posix()
            printable = relative.encode("utf-8", "surrogateescape").decode(
                "utf-8", "backslashreplace"
            )
            found.append((path, printable))
    return found
