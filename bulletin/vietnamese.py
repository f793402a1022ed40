"""What Vietnamese text looks like: syllables, tone marks, plausibility.

Used by the encoding detector to tell a right decoding from mojibake: in
Vietnamese almost every word is one valid syllable, and about half of them
carry a diacritic. A wrong code page yields impossible syllables ("viÖt")
or stray symbols ("B¶o").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Academic and professional titles written before a name with a full stop
# ("TS. Nguyễn Văn An", "PGS.TS. Trần Thị Bình"): that stop ends no sentence.
TITLE_ABBREVIATIONS = ("PGS", "GS", "TSKH", "TS", "ThS", "KS", "CN", "BS", "NCS")
TITLE = rf"(?<!\w)(?:{'|'.join(TITLE_ABBREVIATIONS)})\."
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_ONSET = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
_NUCLEUS = (
    "uyê|uya|uyu|ươi|ươu|iêu|yêu|oai|oay|oao|oeo|uây|uôi|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|oo|ôi|ơi|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê|"
    "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)
_CODA = "ch|ng|nh|c|m|n|p|t"
_SYLLABLE = re.compile(rf"^({_ONSET})?({_NUCLEUS})({_CODA})?$")
_WORD = re.compile(r"[^\W\d_]+")
_VIETNAMESE_LETTERS = set("aăâbcdđeêghiklmnoôơpqrstuưvxy")
_MARKED = set("ăâđêôơư")


@dataclass(frozen=True)
class Plausibility:
    score: float  # share of words that are Vietnamese syllables, less a penalty for junk
    diacritics: float  # share of words carrying a Vietnamese diacritic


def base_syllable(word: str) -> tuple[str, int]:
    """The word in lower case without its tone mark, and how many tone marks it had."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for c in decomposed if c in TONE_MARKS)
    bare = "".join(c for c in decomposed if c not in TONE_MARKS)
    return unicodedata.normalize("NFC", bare), tones


def is_syllable(word: str) -> bool:
    bare, tones = base_syllable(word)
    return tones <= 1 and bool(_SYLLABLE.match(bare))


def plausibility(text: str) -> Plausibility:
    """How much ``text`` looks like Vietnamese (0 to 1)."""
    words = _WORD.findall(text)
    if not words:
        return Plausibility(0.0, 0.0)
    valid = sum(1 for w in words if is_syllable(w))
    marked = sum(1 for w in words if _has_diacritic(w))
    letters = [c for c in text if c.isalpha()]
    junk = sum(1 for c in letters if base_syllable(c)[0] not in _VIETNAMESE_LETTERS)
    junk += sum(1 for c in text if unicodedata.category(c) in ("So", "Sk", "Co", "Cn"))
    junk += text.count("\ufffd") * 5
    score = valid / len(words) - 3 * junk / max(len(letters), 1)
    return Plausibility(max(score, 0.0), marked / len(words))


def _has_diacritic(word: str) -> bool:
    bare, tones = base_syllable(word)
    return tones > 0 or any(c in _MARKED for c in bare)
