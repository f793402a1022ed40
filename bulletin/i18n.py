"""The tool's messages, in Vietnamese by default and English on request.

Messages are written in English in the source (the gettext msgid) and
translated through the catalog in ``bulletin/locale/vi``. Vietnamese is the
default because the users are Vietnamese office staff; English is chosen by
``--lang en``, ``BULLETIN_LANG=en`` or an English ``LC_ALL``/``LC_MESSAGES``/``LANG``.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "bulletin"
LANGUAGES = ("vi", "en")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def language_from_environment(environ: dict[str, str] | None = None) -> str:
    """The language the environment asks for: ``en`` only if it says English."""
    env = os.environ if environ is None else environ
    for name in ("BULLETIN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "vi"
    return "vi"


def set_language(language: str | None = None) -> None:
    """Switch every later message to ``language`` (``vi`` or ``en``)."""
    global _translation, _language
    _language = language or language_from_environment()
    if _language == "en":
        _translation = gettext.NullTranslations()
    else:
        _translation = gettext.translation(DOMAIN, LOCALE_DIR, [_language], fallback=True)


def current_language() -> str:
    return _language


def N_(message: str) -> str:
    """Mark ``message`` for extraction, to be translated later, when shown."""
    return message


def localise_click() -> None:
    """Let Click's own words ("Usage:", "Show this message and exit.") follow
    the tool's language. Click calls the stdlib's global ``gettext`` through a
    module-level ``_``/``ngettext`` name; point those at this catalog."""
    import importlib

    for name in (
        "core",
        "decorators",
        "exceptions",
        "formatting",
        "parser",
        "termui",
        "types",
        "utils",
    ):
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


set_language()
