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
