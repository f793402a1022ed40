"""Bytes to Vietnamese text: decode, normalise line ends, NFC.

Everything the readers see has passed through ``decode_text``: no reader
handles bytes, BOMs or NFD on its own.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass


class DecodeError(ValueError):
    """The bytes are not text the tool can read with confidence."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def decode_text(data: bytes) -> Decoded:
    """Decode ``data``; raise DecodeError when it is not confidently text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(_clean(data.decode(encoding, errors="strict")), encoding)
    if b"\x00" in data:
        raise DecodeError("binary")
    try:
        return Decoded(_clean(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError:
        raise DecodeError("unknown encoding") from None


def _clean(text: str) -> str:
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))
