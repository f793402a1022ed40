"""Vietnamese micro-typography: where a line must not break, in one filter.

Every layout runs its text through here (``{{ text | typeset }}``,
``{{ block.html | typeset_html }}``, ``{{ title | headline }}``), so that
"81 %", "TS. Hoàng", "ngày 06/11/2023", "Hà Nội" and the institute's name never
split across lines, and an en dash never opens one. The rules only add
no-break spaces (U+00A0): the words stay as written.

HTML blocks are changed in their text nodes only: tags and attributes are
copied through untouched, and each text node is unescaped, changed and escaped
again, so the result is exactly as safe as the sanitised input.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from bulletin.vietnamese import TITLE

NBSP = "\u00a0"

# A number and its unit: measures, money, people, time of day. Not "năm",
# "tháng", "ngày": dates are glued word by word below, so that a long date
# ("ngày 06 tháng 11 năm 2023") may still wrap between its parts.
_UNITS = (
    "%|‰|°C|°|mm|cm|dm|km|m²|m³|m2|m3|m|ha|kg|g|tấn|tạ|lít|l|kWh|kW|MWh|MW|kV|V|A|Hz|"
    "MPa|kPa|Pa|kJ|J|đồng|đ|VNĐ|VND|USD|triệu|tỷ|nghìn|ngàn|người|giờ|phút|giây"
)
_NUMBER_UNIT = re.compile(rf"(?<![\w.,])(\d[\d.,]*)[ \t]+({_UNITS})(?!\w)")
# A title or form of address before a name (a capital letter follows).
_TITLES = re.compile(
    rf"(?<!\w)((?:{TITLE})(?:\s?(?:TS|ThS|KS|TSKH)\.)?"
    r"|[Ôô]ng|[Bb]à|[Aa]nh|[Cc]hị|[Đđ]ồng chí)[ \t]+(?=[A-ZÀ-ỸĐ])"
)
# "ngày 06/11/2023", "ngày 06", "tháng 11", "năm 2023", "Quý IV".
_DATE_WORDS = re.compile(r"(?<!\w)([Nn]gày|[Tt]háng|[Nn]ăm|[Qq]uý)[ \t]+(?=\d|[IVX]+\b)")
# An en or em dash after a word stays on that word's line (not "– " starting a list).
_DASH = re.compile(r"(?<=\S)[ \t]+([–—])")
LONG_NAME = 20  # characters: a longer name is held together only at its ends
_NAMES = ("Hà Nội", "TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Quảng Ninh", "Việt Nam")
# HTML tokens: a tag (quoted attribute values may hold '>') or a run of text.
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
_RAW = ("code", "pre", "script", "style")
_CELL = re.compile(r"<(td|th)>(.*?)</\1>", re.DOTALL)
_TABLE = re.compile(r"<table>.*?</table>", re.DOTALL)
_ROW = re.compile(r"<tr>.*?</tr>", re.DOTALL)
_ANY_CELL = re.compile(r"<(td|th)( class=\"num\")?>(.*?)</\1>", re.DOTALL)
_NUMERIC = re.compile(r"[+\-−]?[\d.,  ]*\d[\d.,  ]*\s*(%|‰)?")


def _curly_quotes(text: str) -> str:
    """Straight double quotes as Vietnamese print sets them: “ opening a
    quotation, ” closing it. After a space or a bracket a quote opens; after a
    word it closes. At the edge of a text node (a quote beside a tag, as in
    ``"<b>Xuất sắc</b>"``) the side that is there decides."""
    if '"' not in text:
        return text
    out = list(text)
    for index, char in enumerate(text):
        if char != '"':
            continue
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if before:
            opens = before.isspace() or before in "([{–—“"
        else:
            opens = bool(after) and not after.isspace() and after not in ",.;:!?)]}"
        out[index] = "“" if opens else "”"
    return "".join(out)


def _glue(text: str) -> str:
    return text.replace(" ", NBSP)


def _glue_name(name: str) -> str:
    """A short name held whole ("Hà Nội"); a long one ("Viện Khoa học Công nghệ
    Mỏ") only at its ends, so that no line ends on "Viện" nor starts with "Mỏ":
    held whole, 26 characters that cannot break open wide gaps in a justified
    50-character line. A dash inside stays on the word before it and may always
    end a line ("… Mỏ – Vinacomin")."""
    parts = re.split(r" ([–—]) ", name)
    pieces = []
    for part in parts[::2]:
        words = part.split(" ")
        if len(part) <= LONG_NAME or len(words) < 5:
            pieces.append(_glue(part))
        else:
            pieces.append(
                " ".join([_glue(" ".join(words[:2])), *words[2:-2], _glue(" ".join(words[-2:]))])
            )
    dashes = parts[1::2]
    glued = pieces[0]
    for dash, piece in zip(dashes, pieces[1:], strict=True):
        glued += f"{NBSP}{dash} {piece}"
    return glued


def typeset(text: str | None, names: Iterable[str] = ()) -> str:
    """Plain text with no-break spaces where Vietnamese typography wants them.

    ``names``: more phrases never to split (the institute's name from the config);
    a dash inside a name may still end a line, so a long name can wrap after it."""
    if not text:
        return text or ""
    for name in (*_NAMES, *names):
        if name and name in text:
            text = text.replace(name, _glue_name(name))
    text = _curly_quotes(text)
    text = _NUMBER_UNIT.sub(lambda m: f"{m[1]}{NBSP}{m[2]}", text)
    text = _TITLES.sub(lambda m: m[1].replace(" ", NBSP) + NBSP, text)
    text = _DATE_WORDS.sub(lambda m: m[1] + NBSP, text)
    return _DASH.sub(lambda m: NBSP + m[1], text)


def typeset_html(fragment: str, names: Iterable[str] = ()) -> Markup:
    """``typeset`` on the text nodes of a safe HTML fragment; numeric table cells
    are marked ``class="num"`` (right-aligned by the layouts)."""
    names = tuple(names)
    out: list[str] = []
    raw_depth = 0
    position = 0
    for match in _TAG.finditer(fragment):
        out.append(_text_node(fragment[position : match.start()], names, raw_depth))
        tag = match[0]
        name = re.match(r"</?\s*([a-zA-Z0-9]+)", tag)
        if name and name[1].lower() in _RAW:
            raw_depth += -1 if tag.startswith("</") else 1
            raw_depth = max(raw_depth, 0)
        out.append(tag)
        position = match.end()
    out.append(_text_node(fragment[position:], names, raw_depth))
    marked = _CELL.sub(_mark_numeric_cell, "".join(out))
    return Markup(_TABLE.sub(_align_numeric_headers, marked))


def _text_node(text: str, names: tuple[str, ...], raw_depth: int) -> str:
    if not text or raw_depth:
        return text
    return html.escape(typeset(html.unescape(text), names), quote=False)


def _mark_numeric_cell(cell: re.Match[str]) -> str:
    inner = html.unescape(_TAG.sub("", cell[2])).strip()
    if inner and _NUMERIC.fullmatch(inner):
        return f'<{cell[1]} class="num">{cell[2]}</{cell[1]}>'
    return cell[0]


def _align_numeric_headers(table: re.Match[str]) -> str:
    """A header stands over its numbers: right-aligned when every filled body
    cell of its column is a number. The header is the row of ``<th>`` cells, or,
    in a Word table (all ``<td>``), its first row when none of it is a number."""
    rows = _ROW.findall(table[0])
    cells = [_ANY_CELL.findall(row) for row in rows]
    heads = [i for i, row in enumerate(rows) if "<td" not in row]
    if not heads and len(rows) > 1 and not any(c[1] for c in cells[0]):
        heads = [0]
    body = [row for i, row in enumerate(cells) if i not in heads]
    numeric = set()
    for column in range(max((len(row) for row in body), default=0)):
        filled = [row[column] for row in body if column < len(row) and _filled(row[column])]
        if filled and all(cell[1] for cell in filled):
            numeric.add(column)
    index = itertools.count()

    def header_row(row: re.Match[str]) -> str:
        if next(index) not in heads:
            return row[0]
        column = itertools.count()
        return re.sub(
            r"<(t[hd])>",
            lambda cell: f'<{cell[1]} class="num">' if next(column) in numeric else cell[0],
            row[0],
        )

    return _ROW.sub(header_row, table[0])


def _filled(cell: tuple[str, str, str]) -> bool:
    return bool(_TAG.sub("", cell[2]).strip())


def headline(title: str | None, names: Iterable[str] = (), tail: int = 14) -> Markup:
    """A title as safe HTML whose last line is never one short word.

    WeasyPrint 70 has no ``text-wrap: balance``; instead the last words are kept
    together until they make at least ``tail`` characters. Phrases that must not
    split are wrapped in ``<span class="nw">`` (white-space: nowrap) rather than
    joined by no-break spaces, so the title's text — which the PDF bookmark and
    the contents copy — keeps ordinary spaces. Plain words before such a span sit
    in a span of their own: bare text with a comma before a nowrap span made
    WeasyPrint 70 break after the first word ("Khen / thưởng các tập thể, …")."""
    words = typeset(title or "", names).split(" ")
    kept = [words.pop()] if words else []
    while words and len(" ".join(kept)) < tail and len(words) > 2:
        kept.insert(0, words.pop())
    groups = [*words, " ".join(kept)] if kept else words
    parts: list[Markup] = []
    run: list[str] = []  # plain words, each run in a span of its own (see below)
    for group in groups:
        if NBSP in group or " " in group:
            if run:
                parts.append(Markup("<span>{}</span>").format(" ".join(run)))
                run = []
            plain = group.replace(NBSP, " ")
            parts.append(Markup('<span class="nw">{}</span>').format(plain))
        else:
            run.append(group)
    if run:
        parts.append(
            Markup("<span>{}</span>").format(" ".join(run)) if parts else escape(" ".join(run))
        )
    return Markup(" ").join(parts)


FILTERS = {"typeset": typeset, "typeset_html": typeset_html, "headline": headline}
