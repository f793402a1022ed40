"""Test helpers: encode Unicode text in the legacy encodings the tool must read."""

from __future__ import annotations

import unicodedata

from bulletin import encodings

_TONE_TO_VIQR = {v: k for k, v in encodings._VIQR_TONES.items()}
_SHAPE_TO_VIQR = {v: k for k, v in encodings._VIQR_SHAPES.items()}


def tcvn3(text: str) -> bytes:
    table = {v: chr(k) for k, v in encodings._TCVN3.items()}
    # TCVN3 has no capitals with tones: they are written with the lower-case codes.
    out = []
    for char in text:
        if char in table:
            out.append(table[char])
        elif char.lower() in table and char.lower() != char:
            out.append(table[char.lower()])
        else:
            out.append(char)
    return "".join(out).encode("latin-1")


def vni(text: str) -> bytes:
    table = {v: k for k, v in encodings._VNI.items()}
    return "".join(table.get(char, char) for char in text).encode("cp1252")


def cp1258(text: str) -> bytes:
    """Windows-1258 as Word wrote it: a precomposed base letter, then a combining tone."""
    out = bytearray()
    for char in text:
        base, *marks = unicodedata.normalize("NFD", char)
        # compose the shape mark (â, ơ …) with the base when possible, keep the tone apart
        choices = [marks[:i] + marks[i + 1 :] for i in range(len(marks))] + [marks, []]
        for kept in sorted(choices, key=len, reverse=True):
            rest = [m for m in marks if m not in kept]
            head = unicodedata.normalize("NFC", base + "".join(kept))
            try:
                out += (head + "".join(rest)).encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise UnicodeEncodeError("cp1258", char, 0, 1, "no Windows-1258 form")
    return bytes(out)


def viqr(text: str) -> bytes:
    out = []
    for char in text:
        if char in "đĐ":
            out.append("dd" if char == "đ" else "DD")
            continue
        base, *marks = unicodedata.normalize("NFD", char)
        shape = "".join(_SHAPE_TO_VIQR.get(m, "") for m in marks)
        tone = "".join(_TONE_TO_VIQR.get(m, "") for m in marks)
        out.append(base + shape + tone)
    return "".join(out).encode("ascii")
