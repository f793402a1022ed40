"""The pages an edit did not reach, taken from the last render (bulletin/pagereuse.py):
taken where they cannot differ, and the PDF byte for byte what a whole layout gives."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from pypdf import PdfReader

from bulletin import pagereuse

from .test_pagerefs import _long_month

pytestmark = pytest.mark.skipif(
    not version("weasyprint").startswith(pagereuse.CHECKED),
    reason="page reuse is checked on WeasyPrint 70 only",
)


def _month(folder: Path) -> None:
    """Twenty-four articles: seven pages, the last ones past any edit's reach."""
    _long_month(folder, 24)


def _html(project: Path) -> str:
    """The month's HTML, as ``bulletin make --keep-html`` writes it."""
    env = {**os.environ, "BULLETIN_NO_SERVER": "1"}
    env["PYTHONPATH"] = str(Path(pagereuse.__file__).resolve().parent.parent)
    command = [sys.executable, "-m", "bulletin", "make", "-q", "--articles", "2023-11"]
    out = project / "out.pdf"
    subprocess.run([*command, "--keep-html", "--out", str(out)], cwd=project, env=env, check=True)
    return out.with_suffix(".html").read_text(encoding="utf-8")


@pytest.fixture
def renders(tmp_path: Path) -> Iterator[tuple[str, str, object]]:
    """The month's HTML, the same with a sentence added to its second article,
    and a function rendering HTML to PDF bytes in this process."""
    from bulletin import render
    from bulletin.resources import LAYOUTS_DIR

    _month(tmp_path / "2023-11")
    before = _html(tmp_path)
    article = tmp_path / "2023-11" / "02-bai.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")
    after = _html(tmp_path)
    allowed = [tmp_path / "2023-11", LAYOUTS_DIR]

    def pdf(html: str) -> bytes:
        return bytes(render.render(html, LAYOUTS_DIR / "classic", allowed).write_pdf())

    pagereuse.keep_layouts()  # as a job of bulletin serve does
    yield before, after, pdf
    pagereuse.keep_layouts(False)


def test_pages_after_an_edit_are_taken_and_the_pdf_is_the_same(renders: tuple) -> None:
    before, after, pdf = renders
    pagereuse.forget()
    whole = pdf(after)  # laid out from the first page to the last
    assert pagereuse.reused() == 0
    pdf(before)
    reused = pdf(after)
    pages = len(PdfReader(io.BytesIO(reused)).pages)
    assert pages >= 4, "a month long enough for pages after the edit"
    assert 0 < pagereuse.reused() < pages
    assert reused == whole


def test_nothing_is_taken_when_turned_off(renders: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    before, after, pdf = renders
    pdf(before)
    monkeypatch.setenv(pagereuse.OFF_ENV, "1")
    pdf(after)
    assert pagereuse.reused() == 0


def test_another_stylesheet_lays_every_page_out(renders: tuple) -> None:
    """The head (its styles) is part of what every page depends on."""
    before, after, pdf = renders
    pdf(before)
    tighter = after.replace("</head>", "<style>p { line-height: 1.2 }</style></head>", 1)
    assert tighter != after
    made = pdf(tighter)
    assert pagereuse.reused() == 0
    pagereuse.forget()
    assert made == pdf(tighter)


def test_generated_numbers_after_the_edit_are_laid_out_again(renders: tuple) -> None:
    """A counter the edit moves changes the text of later pages, though they start
    where they did: those pages are made again, never taken with old numbers."""
    before, _after, pdf = renders
    style = (
        "<style>body { counter-reset: para } .article p { counter-increment: para }"
        " .article p::before { content: counter(para) '. ' }</style></head>"
    )
    numbered = before.replace("</head>", style, 1)
    first = numbered.index("Đoàn công tác", numbered.index('class="article"'))
    # A paragraph split in two in the first article: the later numbers move by one.
    split = numbered[:first] + "Mở đầu.</p><p>" + numbered[first:]
    pdf(numbered)
    made = pdf(split)
    pagereuse.forget()
    whole = pdf(split)
    assert made == whole
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(made)).pages)
    numbers = [int(number) for number in re.findall(r"(?m)^(\d+)\. ", text)]
    assert len(numbers) > 50 and "Mở đầu." in text
    assert numbers == sorted(set(numbers)), "every page numbered anew"


def test_kept_layout_is_let_go_when_a_render_fails(renders: tuple) -> None:
    from bulletin.errors import BulletinError

    before, _after, pdf = renders
    pdf(before)
    assert pagereuse.holding()
    with pytest.raises(BulletinError):
        pdf(before.replace("</body>", '<img src="/etc/passwd"></body>', 1))
    assert not pagereuse.holding()


def test_a_stylesheet_with_has_lays_every_page_out(renders: tuple) -> None:
    """``:has()`` can style a page by what an edit changed anywhere inside an
    element that spans it: nothing is taken where a stylesheet uses it."""
    before, after, pdf = renders
    style = "<style>main:has(.nothing) p { color: black }</style></head>"
    pdf(before.replace("</head>", style, 1))
    pdf(after.replace("</head>", style, 1))
    assert pagereuse.reused() == 0
    pdf(after.replace("</head>", style, 1))  # the same again: still nothing taken
    assert pagereuse.reused() == 0


def test_a_page_drawn_again_keeps_its_shaped_lines(renders: tuple) -> None:
    """Drawing leaves each line shaped (``pagereuse.draw_text``): a document drawn
    a second time, as a kept page is by the next render, gives the same bytes."""
    from bulletin import render
    from bulletin.resources import LAYOUTS_DIR

    before, _after, pdf = renders
    document = render.render(before, LAYOUTS_DIR / "classic", [LAYOUTS_DIR])
    first = document.write_pdf()
    texts = [box.pango_layout for page in document.pages for box in _text_boxes(page)]
    assert texts and all(text.__dict__.get("bulletin_shaped") for text in texts)
    assert document.write_pdf() == first == pdf(before)


def _text_boxes(page: object) -> list:
    from weasyprint.formatting_structure import boxes

    root = page._page_box  # type: ignore[attr-defined]
    return [box for box in root.descendants() if isinstance(box, boxes.TextBox)]


def test_a_process_that_renders_once_keeps_nothing(renders: tuple) -> None:
    """A build's own process (or its worker) ends with its render: it keeps no
    layout, and its drawn lines let their shaping go, as WeasyPrint does."""
    before, _after, pdf = renders
    pagereuse.keep_layouts(False)
    pdf(before)
    assert not pagereuse.holding()
