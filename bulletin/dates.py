"""Dates in Vietnamese: found in article prose, printed in the decree's style.

Articles are left as written; only the bulletin's own dates (masthead, date
lines, table of contents) are formatted, following Nghị định 30/2020/NĐ-CP:
"ngày 06 tháng 11 năm 2023" — a leading zero for days below 10 and for
January and February, so that a handwritten digit cannot be added later.
"""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date

# A bracket holds a lunar date or an aside ("(tức ngày 9 tháng Giêng năm Quý Mão)"),
# never the article's own date: searched dates skip them.
_BRACKETS = re.compile(r"\([^()]*\)")
_FULL_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})(?!\d)")
_WORDS = re.compile(
    r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:năm|,|/)\s*(\d{4})(?!\d)", re.IGNORECASE
)
# "Ngày 25/8" with no year: only after the word "ngày", so "tháng 11/2023" is not a date.
_NO_YEAR = re.compile(r"ngày\s+(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?![\d/.\-]*\d)", re.IGNORECASE)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 31/02 and the like: an impossible date is no date
        return None


def find_date(text: str, default_year: int) -> date | None:
    """The first real date in ``text``; a date without a year takes ``default_year``."""
    text = _BRACKETS.sub(lambda m: " " * len(m.group()), text)
    found: list[tuple[int, date]] = []
    for match in _FULL_NUMERIC.finditer(text):
        day, _sep, month, year = match.groups()
        if (d := _safe_date(int(year), int(month), int(day))) is not None:
            found.append((match.start(), d))
    for match in _WORDS.finditer(text):
        day, month, year = match.groups()
        if (d := _safe_date(int(year), int(month), int(day))) is not None:
            found.append((match.start(), d))
    for match in _NO_YEAR.finditer(text):
        day, month = match.groups()
        if (d := _safe_date(default_year, int(month), int(day))) is not None:
            found.append((match.start(), d))
    return min(found, key=lambda item: item[0])[1] if found else None


def decree_date(d: date) -> str:
    """``ngày 06 tháng 11 năm 2023``, ``ngày 05 tháng 02 năm 2024``,
    ``ngày 15 tháng 3 năm 2023``."""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def weekday(d: date) -> str:
    """``Thứ Hai`` … ``Chủ Nhật``, from Babel's Vietnamese locale data."""
    return format_date(d, "EEEE", locale="vi")


def decree_date_with_weekday(d: date) -> str:
    """``Thứ Hai, ngày 06 tháng 11 năm 2023`` — an article's date line."""
    return f"{weekday(d)}, {decree_date(d)}"


def month_label(year: int, month: int) -> str:
    """``11/2023``, ``02/2024``: the bulletin's month as the masthead prints it."""
    return f"{month:02d}/{year}"


FILTERS = {
    "decree_date": decree_date,
    "weekday": weekday,
    "decree_date_with_weekday": decree_date_with_weekday,
}
