"""Every message the tool prints has a Vietnamese translation, compiled and shipped."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bulletin import i18n

PACKAGE = Path(i18n.__file__).parent
PO = PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "bulletin.po"
MO = PO.with_suffix(".mo")


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")]
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_is_translated() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    translated = {
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in catalog
        if m.id and m.string and not m.fuzzy
    }
    missing = source_messages() - translated
    assert not missing, f"run pybabel extract/update and translate: {sorted(missing)}"


def test_compiled_catalog_matches_the_po_file() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in catalog:
        if message.id and not isinstance(message.id, tuple):
            assert compiled.gettext(message.id) == message.string, "run pybabel compile"


def test_language_from_environment() -> None:
    assert i18n.language_from_environment({}) == "vi"
    assert i18n.language_from_environment({"LANG": "en_US.UTF-8"}) == "en"
    assert i18n.language_from_environment({"LANG": "vi_VN.UTF-8"}) == "vi"
    assert i18n.language_from_environment({"LC_MESSAGES": "en_GB", "LANG": "vi_VN"}) == "en"
    assert i18n.language_from_environment({"BULLETIN_LANG": "vi", "LANG": "en_US"}) == "vi"


# A message begins with a capital letter, unless it begins with a name the user
# types or sees as is: a file or key (bulletin.toml, page_size), an option or a
# value (--month, print:), a placeholder ({path}) or an acronym (YAML, PDF).
NAME = re.compile(r"^(\S*[._\[{'\"/-]\S*|[a-z]+:|[A-Z0-9]{2,}\S*)(\s|$)")
# Calls whose text stands on its own line (fragments inside other messages and
# problems shown after "file:line:" are not whole messages).
WHOLE = {"echo", "secho", "stage", "prompt", "confirm", "BulletinError", "UsageError"}


def starts_lower(text: str) -> bool:
    return text[:1].isalpha() and text[:1].islower() and not NAME.match(text)


def whole_messages() -> dict[str, str]:
    """msgid → where, for every ``_()``/``N_()`` text shown as a message of its own:
    echoed, raised as an error, or a help text."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and _name(node.func) in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                continue
            top: ast.AST = node
            while isinstance(parents.get(top), ast.Attribute) and parents[top].attr == "format":
                top = parents[parents[top]]  # _("…").format(…)
            up = parents.get(top)
            if (isinstance(up, ast.keyword) and up.arg in ("help", "label")) or (
                isinstance(up, ast.Call) and top in up.args and _name(up.func) in WHOLE
            ):
                found[node.args[0].value] = f"{path.name}:{node.lineno}"
    return found


def _name(func: ast.expr) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def test_whole_messages_start_with_a_capital() -> None:
    messages = whole_messages()
    assert len(messages) > 50  # the scan does find the tool's messages
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    lower = [f"{where}: {text}" for text, where in messages.items() if starts_lower(text)]
    for text in messages:
        entry = catalog.get(text)
        translated = entry.string if entry is not None else ""
        translated = translated[0] if isinstance(translated, tuple) else translated
        if starts_lower(translated):
            lower.append(f"{messages[text]}: {translated}")
    assert not lower, "\n".join(lower)


def test_translations_keep_fragments_lower_case() -> None:
    """A fragment (a reason inside another message) is not made a sentence."""
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    for message in catalog:
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        msgstr = message.string[0] if isinstance(message.string, tuple) else message.string
        if msgid and msgstr and starts_lower(msgid):
            assert not (msgstr[:1].isupper() and not NAME.match(msgstr)), (msgid, msgstr)
