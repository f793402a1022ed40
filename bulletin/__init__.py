"""bulletin: a month's news articles in, a printed Vietnamese bulletin out.

The public names are few (as WeasyPrint's ``HTML``/``CSS``/``Document``); the
stages live in their own modules. They are imported on first use, so that
``bulletin --help`` never pays for the pipeline's imports.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "build": "bulletin.build",
    "check_month": "bulletin.check",
    "Article": "bulletin.model",
    "Figure": "bulletin.model",
    "Issue": "bulletin.model",
    "Settings": "bulletin.config",
    "load_settings": "bulletin.config",
    "BulletinError": "bulletin.errors",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'bulletin' has no attribute {name!r}")
