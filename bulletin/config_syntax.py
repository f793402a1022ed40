"""A TOML syntax error in ``bulletin.toml`` told in the user's language.

``tomllib`` (Python 3.11–3.13) says where in English inside its message
("Invalid value (at line 3, column 8)"); from 3.14 it also carries ``lineno``
and ``colno``. Its reasons are a short fixed list, translated here, and the
usual causes of an office user's mistake get a hint: quotes that Word turned
curly, a missing ``=``, a quote left open, a Windows path with backslashes.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from bulletin.errors import Problem
from bulletin.i18n import N_, _

_WHERE = re.compile(
    r"^(?P<reason>.*?) \(at (line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$"
)
_CURLY = "“”‘’„«»"
_LEFT_OPEN = ("Unterminated string", "Unclosed array", "Unclosed inline table")

# tomllib's reasons (Lib/tomllib/_parser.py), each with our words for it.
_REASONS = [
    (re.compile(r"Illegal character '\\n'"), N_("the line ends inside a quoted text")),
    (
        re.compile(r"(Illegal|Found invalid) character (?P<char>.+)"),
        N_("character {char} is not allowed here"),
    ),
    (re.compile(r"Unterminated string"), N_("a quoted text is never closed")),
    (re.compile(r"Invalid value"), N_("the value is not valid")),
    (re.compile(r"Expected '=' after a key"), N_("'=' is missing after the key")),
    (
        re.compile(r"Expected newline or end of document"),
        N_("something follows the value on its line"),
    ),
    (
        re.compile(r"Expected '\]' at the end of a table"),
        N_("']' is missing at the end of the table name"),
    ),
    (
        re.compile(r"Expected '\]\]' at the end of an array"),
        N_("']]' is missing at the end of the table name"),
    ),
    (
        re.compile(r"Cannot overwrite a value|Cannot declare .* twice|Duplicate inline table key"),
        N_("this key is given twice"),
    ),
    (re.compile(r"Invalid statement"), N_("the line is neither 'key = value' nor '[table]'")),
    (
        re.compile(r"Invalid initial character for a key part"),
        N_("a key must begin with a letter or digit"),
    ),
    (re.compile(r"Unclosed array"), N_("a list opened with '[' is never closed with ']'")),
    (
        re.compile(r"Unclosed inline table"),
        N_("a table opened with '{{' is never closed with '}}'"),
    ),
    (re.compile(r"Invalid date or datetime"), N_("the date is not valid")),
    (
        re.compile(r"Unescaped '\\' in a string|Invalid hex value"),
        N_("a backslash '\\' starts an unknown escape"),
    ),
]


def syntax_problem(path: Path, text: str, error: tomllib.TOMLDecodeError) -> Problem:
    """One line naming the file, the line and the column, with a hint when one fits."""
    match = _WHERE.match(str(error))
    reason = match["reason"] if match else str(error)
    line = getattr(error, "lineno", None) or (
        int(match["line"]) if match and match["line"] else None
    )
    column = getattr(error, "colno", None) or (
        int(match["column"]) if match and match["column"] else None
    )
    if line is None or reason.startswith(_LEFT_OPEN):  # found where it ended, not where it began
        line = _opened_line(text, line)
    if column is None:
        message = _("TOML syntax error at the end of the file: {reason}").format(
            reason=_reason(reason)
        )
    else:
        message = _("TOML syntax error at column {column}: {reason}").format(
            column=column, reason=_reason(reason)
        )
    source = text.splitlines()[line - 1] if line and line <= len(text.splitlines()) else ""
    hint = _hint(reason, source)
    return Problem(path, f"{message}. {hint}" if hint else message, line)


def _reason(reason: str) -> str:
    for pattern, words in _REASONS:
        found = pattern.match(reason)
        if found:
            return _(words).format(**found.groupdict())
    return reason


def _hint(reason: str, source: str) -> str | None:
    if any(mark in source for mark in _CURLY):
        return _('Word turned the quotes curly (“ ”): type straight quotes " instead')
    if reason.startswith("Expected '=' after a key"):
        return _('Each setting is written key = value, e.g. place = "Hanoi"')
    if reason in ("Illegal character '\\n'", "Unterminated string") or source.count('"') % 2:
        return _('Close the text with a straight quote " on the same line')
    if reason.startswith(("Unescaped '\\'", "Invalid hex value")):
        return _('Write each backslash twice inside "…" (C:\\\\Ban tin), or use single quotes')
    if reason == "Invalid value":
        return _('Text goes between straight quotes, e.g. place = "Hanoi"')
    return None


def _opened_line(text: str, end: int | None) -> int | None:
    """The line where a quote or a list is left open, at or before line ``end``
    (tomllib finds the mistake where the file or the list ends)."""
    lines = [re.sub(r"\"[^\"]*\"|'[^']*'", "", s).split("#", 1)[0] for s in text.splitlines()]
    lines = lines[:end]
    for number, code in enumerate(lines, 1):
        if '"' in code or "'" in code:
            return number
    for number in range(len(lines), 0, -1):
        code = lines[number - 1]
        if "=" in code and code.count("[") + code.count("{") > code.count("]") + code.count("}"):
            return number
    return len(lines) or None
