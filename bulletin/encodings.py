"""Bytes to Vietnamese text: detect the encoding, decode, normalise, NFC.

Staff bring files from the website (UTF-8), Notepad ("Unicode": UTF-16 with
a BOM), old Word exports (Windows-1258, whose tone marks are separate
combining characters) and the 8-bit font encodings of the 1990s still found
in archives: TCVN3 (ABC, the ``.VnTime`` fonts), VNI-Windows, and VIQR (RFC
1456, plain ASCII). No maintained Python library decodes TCVN3, VNI or VIQR,
so their tables live here.

Legacy bytes decode "successfully" under any 8-bit code page, so the choice
is made by scoring each candidate on Vietnamese plausibility — the share of
words that are valid Vietnamese syllables — and refusing when none is
convincing. Nothing half-decoded reaches the PDF.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from bulletin.vietnamese import TONE_MARKS, plausibility


class DecodeError(ValueError):
    """The bytes are not text the tool can read with confidence."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    capitalised: int = 0  # TCVN3: sentence-initial letters with tones put back in capitals

    @property
    def legacy(self) -> bool:
        """True for the encodings worth telling the user about."""
        return self.encoding in ("Windows-1258", "TCVN3", "VNI-Windows", "VIQR")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- TCVN3 (TCVN 5712:1993, "ABC"): one byte per letter, upper case only for
# the bare letters with a shape mark (capitals with tones use the .VnTimeH font).
_TCVN3_LETTERS = (
    "àµ á¸ ả¶ ã· ạ¹ ă¨ ằ» ắ¾ ẳ¼ ẵ½ ặÆ â© ầÇ ấÊ ẩÈ ẫÉ ậË đ® èÌ éÐ ẻÎ ẽÏ ẹÑ "
    "êª ềÒ ếÕ ểÓ ễÔ ệÖ ì× íÝ ỉØ ĩÜ ịÞ òß óã ỏá õâ ọä ô« ồå ốè ổæ ỗç ộé "
    "ơ¬ ờê ớí ởë ỡì ợî ùï úó ủñ ũò ụô ư\xad ừõ ứø ửö ữ÷ ựù ỳú ýý ỷû ỹü ỵþ "
    "Ă¡ Â¢ Ê£ Ô¤ Ơ¥ Ư¦ Đ§"
)
_TCVN3 = {ord(pair[1]): pair[0] for pair in _TCVN3_LETTERS.split()}

# --- VNI-Windows: a base letter followed by a mark byte (shown here as the
# Latin-1 character of that byte); a few letters are single bytes.
_VNI_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_CIRCUMFLEX = {
    "â": "",
    "á": "\u0301",
    "à": "\u0300",
    "å": "\u0309",
    "ã": "\u0303",
    "ä": "\u0323",
}
_VNI_BREVE = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
_VNI_SINGLE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}
# VNI spelling of the bases that take a tone byte (ơ and ư are single bytes).
_VNI_BASES = {"a": "a", "e": "e", "o": "o", "u": "u", "y": "y", "ô": "ơ", "ö": "ư"}


def _vni_table() -> dict[str, str]:
    """VNI byte sequences (as Latin-1 text) → Unicode letters, lower and upper case."""
    table = dict(_VNI_SINGLE)
    for spelled, letter in _VNI_BASES.items():
        for mark, tone in _VNI_TONES.items():
            table[spelled + mark] = letter + tone
    for base in "aeo":
        for mark, tone in _VNI_CIRCUMFLEX.items():
            table[base + mark] = base + "\u0302" + tone
    for mark, tone in _VNI_BREVE.items():
        table["a" + mark] = "a\u0306" + tone
    # Capitals: the base letter and the mark byte are both upper case in VNI.
    table.update({key.upper(): value.upper() for key, value in list(table.items())})
    return {key: nfc(value) for key, value in table.items()}


_VNI = _vni_table()
_VNI_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_VNI, key=len, reverse=True)))


def _decode_vni(data: bytes) -> str:
    text = data.decode("cp1252", errors="replace")
    return _VNI_PATTERN.sub(lambda m: _VNI[m.group()], text)


def _decode_tcvn3(data: bytes) -> str:
    return data.decode("latin-1").translate(_TCVN3)


# --- VIQR (RFC 1456): "Vie^.t Nam" — a vowel, then a shape mark, then a tone.
_VIQR_SHAPES = {"(": "\u0306", "^": "\u0302", "+": "\u031b"}
_VIQR_TONES = {"'": "\u0301", "`": "\u0300", "?": "\u0309", "~": "\u0303", ".": "\u0323"}
_VIQR_SHAPE_OK = {"\u0306": "aA", "\u0302": "aAeEoO", "\u031b": "oOuU"}
_VIQR_LETTER = re.compile(r"\\(.)|(dd|DD|Dd|d-|D-)|([aeiouyAEIOUY])([(^+]?)([`'?~.]?)", re.DOTALL)


def _viqr_word(word: str, at_line_end: bool) -> str:
    """One whitespace-free run of VIQR. A tone character in a word that has a tone
    already, or a "." ending a paragraph, is punctuation: "No^.i." is "Nội." (RFC 1456
    wants "\\." there, but people rarely escape)."""
    out: list[str] = []
    has_tone = False
    position = 0
    for match in _VIQR_LETTER.finditer(word):
        out.append(word[position : match.start()])
        position = match.end()
        escaped, dee, vowel, shape, tone = match.groups()
        if escaped is not None:
            out.append(escaped)
            continue
        if dee is not None:
            out.append("Đ" if dee[0] == "D" else "đ")
            continue
        mark = _VIQR_SHAPES.get(shape, "")
        if mark and vowel not in _VIQR_SHAPE_OK[mark]:  # "i^" is no letter: leave it
            out.append(match.group())
            continue
        if tone and (has_tone or (tone == "." and match.end() == len(word) and at_line_end)):
            out.append(nfc(vowel + mark) + tone)  # a full stop or a question mark
            continue
        has_tone = has_tone or bool(tone)
        out.append(nfc(vowel + mark + _VIQR_TONES.get(tone, "")))
    out.append(word[position:])
    return "".join(out)


def _decode_viqr(data: bytes) -> str:
    """Line by line, word by word: linear in the text's length."""
    return "\n".join(_viqr_line(line) for line in data.decode("ascii").split("\n"))


def _viqr_line(line: str) -> str:
    """Only the line's last word may end with a full stop rather than a dot-below
    tone, and only on a sentence-like line: a paragraph ends with a full stop, while
    titles and captions (short, unpunctuated) may end with a dot-below tone."""
    words = list(re.finditer(r"\S+", line))
    sentence = len(words) > _SHORT_LINE_WORDS
    out, position = [], 0
    for index, match in enumerate(words):
        out.append(line[position : match.start()])
        out.append(_viqr_word(match.group(), sentence and index == len(words) - 1))
        position = match.end()
    out.append(line[position:])
    return "".join(out)


_SHORT_LINE_WORDS = 12


def _decode_cp1258(data: bytes) -> str:
    return nfc(data.decode("cp1258", errors="strict"))


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_LEGACY = (
    ("Windows-1258", _decode_cp1258),
    ("TCVN3", _decode_tcvn3),
    ("VNI-Windows", _decode_vni),
)
_CONVINCING = 0.75


def decode_text(data: bytes) -> Decoded:
    """Decode ``data`` as the most plausible Vietnamese; DecodeError if none is."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(_clean(data.decode(codec)), name)
            except UnicodeDecodeError:
                raise DecodeError(name) from None
    if _looks_binary(data):
        raise DecodeError("binary")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _best_legacy(data)
    if text.isascii() and _VIQR_HINT.search(text):
        # English has "don't" and "e.g.": VIQR only when the result reads as Vietnamese.
        viqr = _decode_viqr(data)
        read_as_viqr = plausibility(viqr)
        if (
            read_as_viqr.score >= _CONVINCING
            and read_as_viqr.diacritics > plausibility(text).diacritics + 0.05
        ):
            return Decoded(_clean(viqr), "VIQR")
    return Decoded(_clean(text), "UTF-8")


_VIQR_HINT = re.compile(r"[aeoAEO]\^|[ouOU]\+|[aA]\(|\b[dD][dD]|[aeiouy][`'?~.][a-z]")


def _best_legacy(data: bytes) -> Decoded:
    scored = []
    for name, decode in _LEGACY:
        try:
            text = decode(data)
        except UnicodeDecodeError:
            continue
        scored.append((plausibility(text).score, name, text))
    if not scored:
        raise DecodeError("unknown")
    score, name, text = max(scored)
    if score < _CONVINCING:
        raise DecodeError("unknown")
    if name == "TCVN3":
        text, count = capitalise_sentence_starts(_clean(text))
        return Decoded(text, name, count)
    return Decoded(_clean(text), name)


# A sentence's first letter: at a line's start or after . ! ? … and a space.
_SENTENCE_START = re.compile(r"(^[ \t\"“(]*|[.!?…][\"”)]*[ \t]+[\"“(]*)([^\W\d_])", re.MULTILINE)


def capitalise_sentence_starts(text: str) -> tuple[str, int]:
    """TCVN3 has no capitals with tones (old files took them from the .VnTimeH
    font), so "Ứng viên" at a sentence's start arrives as "ứng viên": such a
    letter, lower case with a tone mark, is put back in capitals there. Returns
    the text and how many letters changed (the reader says so)."""
    count = 0

    def capital(match: re.Match[str]) -> str:
        nonlocal count
        letter = match[2]
        toned = any(mark in unicodedata.normalize("NFD", letter) for mark in TONE_MARKS)
        if letter.islower() and toned:
            count += 1
            return match[1] + letter.upper()
        return match[0]

    return _SENTENCE_START.sub(capital, text), count


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return b"\x00" in sample or controls > len(sample) // 100


def _clean(text: str) -> str:
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))
