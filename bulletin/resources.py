"""Where the built-in layouts and fonts are, installed or in a checkout.

The wheel carries ``layouts/`` and ``fonts/`` inside the package
(hatch force-include); a checkout or an editable install has them at the top
of the repository, beside the package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


LAYOUTS_DIR = _data_dir("layouts")
FONTS_DIR = _data_dir("fonts")
ENTRY_TEMPLATE = "bulletin.html.j2"  # a layout's document template


def available_layouts() -> list[str]:
    """The built-in layouts, by name."""
    return sorted(p.name for p in LAYOUTS_DIR.iterdir() if (p / ENTRY_TEMPLATE).is_file())


def layout_folders(root: Path, name: str) -> list[Path]:
    """Where a layout's files are looked for, the project's own ``layouts/<name>/``
    first; empty when there is no such layout."""
    return [folder for folder in (root / "layouts" / name, LAYOUTS_DIR / name) if folder.is_dir()]
