"""Shared fixtures: the example month, a fixed 'today', PDF helpers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from bulletin.i18n import set_language

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_MONTH = ROOT / "examples" / "articles" / "2023-11"
FIXED_TODAY = "1700611200"  # 2023-11-22, so output is reproducible


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_TODAY)
    monkeypatch.setenv("BULLETIN_LANG", "vi")
    set_language()  # a test that ran `--lang en` in this process does not leak into the next


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding a copy of the example month, as the working folder."""
    shutil.copytree(EXAMPLE_MONTH, tmp_path / "articles" / "2023-11")
    shutil.copy(ROOT / "bulletin.toml", tmp_path / "bulletin.toml")
    config = (tmp_path / "bulletin.toml").read_text(encoding="utf-8")
    (tmp_path / "bulletin.toml").write_text(
        config.replace('articles_dir = "examples/articles"', 'articles_dir = "articles"'),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pdf_text(path: Path) -> list[str]:
    """Each page's text, whitespace runs collapsed (titles wrap across lines)."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(path).pages]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden images from this run (then look at them)",
    )
