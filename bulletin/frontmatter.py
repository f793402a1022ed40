"""YAML front matter read safely: small, shallow, no aliases, values as written.

PyYAML's safe loader still expands aliases (a "billion laughs" front matter of
a few lines grows to gigabytes), recurses once per nesting level (500 levels
end in ``RecursionError``), turns ``title: yes`` into ``True`` (YAML 1.1) and
raises plain ``ValueError`` on ``date: 2023-02-30`` or ``!!int 'abc'``. The
loader here refuses aliases and deep nesting, reads only ``true``/``false`` as
yes-or-no (YAML 1.2), leaves dates as text for the reader to check, and turns
every failure into one message in the user's language with its line.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bulletin.i18n import N_, _

MAX_BYTES = 64 * 1024  # a front matter is a dozen short lines
MAX_DEPTH = 20  # images: [{src:, caption:}] is three levels


class FrontMatterError(ValueError):
    """A front matter that cannot be read: the message and its line in the block."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases, deep nesting, YAML 1.1 booleans or timestamps."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(_("aliases (*name) are not allowed"), event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(_("nested too deeply"), self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError):  # !!int 'abc', !!timestamp 2023-02-30
            raise _Refused(
                _("'{value}' is not a valid value").format(value=node.value), node.start_mark
            ) from None


class _Refused(yaml.MarkedYAMLError):
    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(problem=message, problem_mark=mark)


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

# PyYAML's own explanations, in English, for the mistakes people make by hand.
_EXPLAINED = (
    ("could not find expected ':'", N_("a line is not 'key: value' (is a ':' missing?)")),
    ("mapping values are not allowed here", N_("a ':' inside a value: put the value in quotes")),
    ("found character '\\t'", N_("a tab: indent with spaces")),
    ("found unexpected end of stream", N_("a quote is not closed")),
    ("found undefined alias", N_("aliases (*name) are not allowed")),
)


def load(text: str, first_line: int) -> Any:
    """The front matter's value; ``first_line`` is the line of the file it starts on."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise FrontMatterError(
            _("front matter over {size} KB: it is for short 'key: value' lines").format(
                size=MAX_BYTES // 1024
            ),
            first_line,
        )
    try:
        return yaml.load(text, Loader=_Loader)  # a safe loader, made stricter
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        if getattr(error, "context", None) == "while scanning a simple key":
            mark = error.context_mark  # the line missing its ':', not the next one
        line = first_line + mark.line if mark is not None else None
        raise FrontMatterError(_reason(error), line) from None
    except RecursionError:
        raise FrontMatterError(_("nested too deeply"), first_line) from None


def _reason(error: yaml.YAMLError) -> str:
    if isinstance(error, _Refused):
        return str(error.problem)
    problem = str(getattr(error, "problem", "") or "")
    for english, explained in _EXPLAINED:
        if problem.startswith(english):
            return _(explained)
    return _("not valid 'key: value' lines")
