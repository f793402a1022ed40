"""Dates in Vietnamese: found in article prose, printed in the decree's style.

Articles are left as written; only the bulletin's own dates (masthead, date
lines, table of contents) are formatted, following Nghị định 30/2020/NĐ-CP:
"ngày 06 tháng 11 năm 2023" — a leading zero for days below 10 and for
January and February, so that a handwritten digit cannot be added later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
# A range gives its first day: "từ 19 – 20/11/2023", "18 và 19/11/2023", "từ 19/11 đến 20/11/2023".
_DAY_RANGE = re.compile(
    r"(?<![\d/.])(\d{1,2})\s*(?:[–—-]|đến|tới|và)\s*(?:ngày\s+)?\d{1,2}\s*/\s*(\d{1,2})\s*/\s*"
    r"(\d{4})(?!\d)",
    re.IGNORECASE,
)
_DATE_RANGE = re.compile(
    r"(?<![\d/.])(\d{1,2})\s*/\s*(\d{1,2})\s*(?:[–—-]|đến|tới)\s*(?:ngày\s+)?"
    r"\d{1,2}\s*/\s*\d{1,2}\s*/\s*(\d{4})(?!\d)",
    re.IGNORECASE,
)
# A date that belongs to a document ("Quyết định số 1520/QĐ-VKHCNM ngày 02/10/2023")
# is a reference, not the day of the event: the clause before it names the document.
_REFERENCE = re.compile(
    r"(?:\bsố\s+\S+|quyết định|kế hoạch|công văn|thông báo|nghị quyết|chỉ thị|thông tư|"
    r"nghị định|hướng dẫn|tờ trình|báo cáo|căn cứ|ban hành|hợp đồng|giấy phép)"
    r"[^,;.]{0,80}?(?:ngày\s*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FoundDate:
    """A date found in prose, with where it stood and how sure the reading is."""

    date: date
    start: int
    year_assumed: bool = False  # "ngày 25/11": the year came from the month's folder
    reference: bool = False  # the date of a document the sentence cites


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 31/02 and the like: an impossible date is no date
        return None


def find_dates(text: str, default_year: int) -> list[FoundDate]:
    """Every real date in ``text``, in reading order (one per place)."""
    text = _BRACKETS.sub(lambda m: " " * len(m.group()), text)
    found: list[FoundDate] = []
    spans: list[tuple[int, int]] = []

    def add(match: re.Match[str], d: date | None, assumed: bool = False) -> None:
        """Keep a date unless a range or a fuller date already covers its place
        (a range's second day, "ngày 19/11" inside "19/11 đến 20/11/2023")."""
        start, end = match.span()
        if d is None or any(start < e and s < end for s, e in spans):
            return
        spans.append((start, end))
        reference = bool(_REFERENCE.search(text[max(0, start - 120) : start]))
        found.append(FoundDate(d, start, assumed, reference))

    for match in _DATE_RANGE.finditer(text):
        day, month, year = match.groups()
        add(match, _safe_date(int(year), int(month), int(day)))
    for match in _DAY_RANGE.finditer(text):
        day, month, year = match.groups()
        add(match, _safe_date(int(year), int(month), int(day)))
    for match in _FULL_NUMERIC.finditer(text):
        day, _sep, month, year = match.groups()
        add(match, _safe_date(int(year), int(month), int(day)))
    for match in _WORDS.finditer(text):
        day, month, year = match.groups()
        add(match, _safe_date(int(year), int(month), int(day)))
    for match in _NO_YEAR.finditer(text):
        day, month = match.groups()
        add(match, _safe_date(default_year, int(month), int(day)), assumed=True)
    return sorted(found, key=lambda f: f.start)


def event_date(text: str, default_year: int) -> FoundDate | None:
    """The date of what the text reports: the first date that is not a
    document's reference, else the first date at all."""
    dates = find_dates(text, default_year)
    return next((d for d in dates if not d.reference), dates[0] if dates else None)


def find_date(text: str, default_year: int) -> date | None:
    """The event date in ``text``; a date without a year takes ``default_year``."""
    found = event_date(text, default_year)
    return found.date if found else None


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
