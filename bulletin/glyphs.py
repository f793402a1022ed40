"""Check every character of the month against the bundled fonts.

Rendering sees only the bundled fonts (see ``render``), so a character none of
them covers — a Chinese name in a delegation report, an emoji, a Thai word —
would print as an empty box. It is named in a warning before rendering (an
error with ``--strict``) instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import unicodedata
from collections.abc import Iterable
from functools import cache

from bulletin.errors import Problem
from bulletin.i18n import _
from bulletin.model import Article
from bulletin.private import read_private, write_private
from bulletin.resources import FONTS_DIR

# Characters that are never drawn: line ends, tabs, and the invisible formatting
# characters (zero-width spaces and joiners, soft hyphens).
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}


@cache
def covered() -> frozenset[int]:
    """Code points that at least one bundled font can draw.

    Reading six character maps takes 0.1 s: the result is kept in a cache file
    named after the fonts' names, sizes and dates, and read back in a millisecond.
    It lives in the user's private cache folder (``bulletin/private.py``): a file
    another user could plant would only hide missing glyphs, but it is not theirs to plant."""
    fonts = sorted(FONTS_DIR.glob("*.[ot]tf"))
    stamp = repr([(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in fonts])
    key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    name = f"coverage-{key}.txt"
    with contextlib.suppress(ValueError):
        if (text := read_private(name)) is not None:
            return frozenset(int(item, 16) for item in text.split())
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for path in fonts:
        font = TTFont(path, lazy=True)
        points.update(font.getBestCmap())
        font.close()
    with contextlib.suppress(OSError):
        write_private(name, " ".join(f"{p:x}" for p in sorted(points)))
    return frozenset(points)


def uncovered(text: str) -> list[str]:
    """The characters of ``text`` no bundled font has, each once, in order."""
    fonts = covered()
    seen: dict[str, None] = {}
    for char in text:
        if ord(char) not in fonts and unicodedata.category(char) not in _INVISIBLE:
            seen.setdefault(char)
    return list(seen)


def check_glyphs(articles: Iterable[Article], strict: bool = False) -> list[Problem]:
    """One problem per article listing the characters the fonts lack."""
    problems = []
    for article in articles:
        missing = uncovered(article.text)
        if missing:
            listed = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:10])
            more = len(missing) - 10
            if more > 0:
                listed += _(" and {n} more").format(n=more)
            message = _(
                "characters not in the bundled fonts, they would print as empty boxes: {chars}"
            ).format(chars=listed)
            problems.append(
                Problem(article.source, message, None, "error" if strict else "warning")
            )
    return problems
