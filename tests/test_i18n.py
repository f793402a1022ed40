"""Every message the tool prints has a Vietnamese translation, compiled and shipped."""

from __future__ import annotations

import gettext
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
