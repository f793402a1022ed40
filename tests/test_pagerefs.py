"""The contents' page numbers written by bulletin (bulletin/pagerefs.py): the same
page as CSS counting gives, page 1 laid out once when the guess is right, and an
error rather than a wrong number."""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from bulletin import pagerefs
from bulletin.errors import BulletinError
from bulletin.private import private_dir

from .conftest import EXAMPLE_MONTH, write

pytestmark = pytest.mark.skipif(not pagerefs.active(), reason="WeasyPrint counts here")

SENTENCE = "Đoàn công tác của Viện đã kiểm tra hiện trường và làm việc với Công ty. "


def _long_month(folder: Path, count: int = 14) -> None:
    """Articles long enough for the contents to point to many pages."""
    for number in range(1, count + 1):
        body = "\n\n".join(SENTENCE * (4 + number % 5) for _ in range(2 + number % 3))
        write(
            folder / f"{number:02d}-bai.md",
            f"---\ntitle: Bài số {number}\ndate: 2023-11-{number:02d}\n---\n\n{body}\n",
        )


def _make(project: Path, out: Path, *options: str, counted: bool = False) -> Path:
    env = {**os.environ, "BULLETIN_NO_SERVER": "1"}
    env.pop(pagerefs.OFF_ENV, None)
    if counted:
        env[pagerefs.OFF_ENV] = "1"
    env["PYTHONPATH"] = str(Path(pagerefs.__file__).resolve().parent.parent)
    command = [sys.executable, "-m", "bulletin", "make", "-q", "--articles", "2023-11", *options]
    subprocess.run([*command, "--out", str(out)], cwd=project, env=env, check=True)
    return out


def _characters(pdf: Path) -> list[list[tuple[str, tuple[float, ...]]]]:
    """Every character of every page, with its box: the page as a reader sees it."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = []
        for page in document:
            text = page.get_textpage()
            pages.append(
                [
                    (text.get_text_range(i, 1), tuple(round(x, 2) for x in text.get_charbox(i)))
                    for i in range(text.count_chars())
                ]
            )
        return pages
    finally:
        document.close()


def _outline(pdf: Path) -> list[tuple[str, int]]:
    reader = PdfReader(pdf)
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


@pytest.mark.parametrize(
    ("month", "options"),
    [
        ("example", ()),
        ("long", ()),
        ("long", ("--layout", "report")),
        ("long", ("--booklet",)),
    ],
)
def test_same_pages_as_css_counting(tmp_path: Path, month: str, options: tuple[str, ...]) -> None:
    """Each character where CSS ``target-counter()`` puts it, the same fonts and
    outline: the numbers bulletin writes are the numbers CSS counted."""
    if month == "example":
        shutil.copytree(EXAMPLE_MONTH, tmp_path / "2023-11")
    else:
        _long_month(tmp_path / "2023-11")
    written = _make(tmp_path, tmp_path / "written.pdf", *options)
    counted = _make(tmp_path, tmp_path / "counted.pdf", *options, counted=True)
    assert _characters(written) == _characters(counted)
    assert _outline(written) == _outline(counted)
    fonts = [
        sorted(str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values())
        for page in PdfReader(written).pages
    ]
    assert fonts == [
        sorted(str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values())
        for page in PdfReader(counted).pages
    ]
    if month == "long" and "--booklet" not in options:
        assert len(_characters(written)) >= 5, "the contents point to several pages"


def _html(tmp_path: Path) -> str:
    """A month's HTML as ``bulletin make --keep-html`` writes it."""
    _long_month(tmp_path / "2023-11")
    _make(tmp_path, tmp_path / "out.pdf", "--keep-html")
    return (tmp_path / "out.html").read_text(encoding="utf-8")


@pytest.fixture
def page_one_layouts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times WeasyPrint laid out page 1, render by render."""
    # bulletin.render first: it sets up fontconfig and the hooks before WeasyPrint loads.
    from bulletin import render  # noqa: F401, I001
    from weasyprint.layout import page

    counts: list[int] = []
    original = page.remake_page

    def counted(index: int, *args: object) -> object:
        if index == 0:
            counts[-1] += 1
        return original(index, *args)

    monkeypatch.setattr(page, "remake_page", counted)
    return counts


def test_right_guesses_lay_page_one_out_once(tmp_path: Path, page_one_layouts: list[int]) -> None:
    """No guess: page 1 twice (placeholders, then numbers). The right guess:
    once. A wrong one: twice again. The PDF is the same byte for byte."""
    from bulletin import render

    html = _html(tmp_path)
    allowed = [tmp_path, Path(render.__file__).resolve().parent.parent / "layouts"]

    def pdf(guesses: dict[str, int] | None) -> bytes:
        page_one_layouts.append(0)
        return render.render(html, tmp_path, allowed, page_guesses=guesses).write_pdf()

    cold = pdf(None)
    found, settled = pagerefs.outcome()
    assert settled and len(found) == 14
    page_one_layouts.append(0)
    document = render.render(html, tmp_path, allowed)
    first_pages = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            first_pages.setdefault(anchor, index + 1)
    assert found == {anchor: first_pages[anchor] for anchor in found}
    assert max(found.values()) >= 4
    right = pdf({anchor: page or 0 for anchor, page in found.items()})
    wrong = pdf({anchor: (page or 0) + 1 for anchor, page in found.items()})
    assert page_one_layouts == [2, 2, 1, 2]
    assert cold == right == wrong


def test_a_number_for_no_article_is_an_error(tmp_path: Path) -> None:
    from bulletin import render

    html = '<p><a href="#nowhere" data-page-of="nowhere">0</a></p><h2 id="here">Bài</h2>'
    with pytest.raises(BulletinError, match="#nowhere"):
        render.render(html, tmp_path, [tmp_path])


def test_numbers_that_do_not_settle_stop_the_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint given a single pass cannot lay page 1 out again: the placeholders
    would be printed, so the render stops instead."""
    from bulletin import render  # noqa: I001  (before WeasyPrint: fontconfig, hooks)
    from weasyprint import document

    html = _html(tmp_path)
    allowed = [tmp_path, Path(render.__file__).resolve().parent.parent / "layouts"]
    monkeypatch.setattr(
        document, "layout_document", functools.partial(document.layout_document, max_loops=1)
    )
    with pytest.raises(BulletinError, match="không ổn định"):
        render.render(html, tmp_path, allowed)


def test_a_build_remembers_its_numbers(tmp_path: Path) -> None:
    """The next build of the same output starts from this build's numbers."""
    _long_month(tmp_path / "2023-11")
    out = _make(tmp_path, tmp_path / "b.pdf")
    remembered = dict(pagerefs.remembered(str(out.resolve())))
    outline = _outline(out)
    assert [remembered[f"bai-{n}"] for n in range(1, 15)] == [page + 1 for _, page in outline]


def test_a_damaged_memo_is_no_guess(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    private_dir.cache_clear()
    try:
        _memo_round_trip(tmp_path)
    finally:
        private_dir.cache_clear()


def _memo_round_trip(tmp_path: Path) -> None:
    output = str(tmp_path / "x.pdf")
    assert pagerefs.remembered(output) == ()
    pagerefs.remember(output, (("bai-1", 1), ("bai-2", 3)))
    assert pagerefs.remembered(output) == (("bai-1", 1), ("bai-2", 3))
    for memo in (tmp_path / "bulletin" / "pages").glob("*.json"):
        memo.write_text('{"bai-1": "một"}')
    assert pagerefs.remembered(output) == ()


FILLER = "<p>" + "Đoàn công tác của Viện đã kiểm tra hiện trường. " * 40 + "</p>"


def _page_text(html: str, tmp_path: Path, guesses: dict[str, int] | None = None) -> list[str]:
    from bulletin import render

    pdf = render.render(html, tmp_path, [tmp_path], page_guesses=guesses).write_pdf()
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _document(refs: str, style: str = "") -> str:
    """A ref (or refs) on page 1, anchors #a and #b on pages 3 and 5 of A6."""
    body = FILLER * 2 + '<h2 id="a">A</h2>' + FILLER * 4 + '<h2 id="b">B</h2>' + FILLER
    return f"<style>@page {{ size: A6; margin: 10mm }} {style}</style>{refs}{body}"


@pytest.mark.parametrize(
    ("refs", "style", "shown"),
    [
        # A layout copied before bulletin wrote the numbers: CSS counts after it too.
        (
            '<p>Xem <a href="#a" data-page-of="a">0</a>.</p>',
            "a[href]::after { content: target-counter(attr(href), page) }",
            "Xem {a}.",
        ),
        (
            '<p>Xem <a data-page-of="a"><b>0</b></a> và tr. <i data-page-of="b">0</i></p>',
            "",
            "Xem {a} và tr. {b}",
        ),
        ('<p>Xem <a data-page-of="b">trang 0</a></p>', "", "Xem trang {b}"),
        (
            '<div class="box">Xem <span data-page-of="b">0</span></div><p>.</p>',
            ".box { position: absolute; top: 0; right: 0 }",
            "Xem {b}",
        ),
        (
            '<p>Chú thích<span class="note">xem <span data-page-of="b">0</span></span></p>',
            ".note { float: footnote }",
            "xem {b}",
        ),
        (
            '<div class="head">Xem <span data-page-of="b">0</span></div>',
            ".head { position: running(head) } @page { @top-center { content: element(head) } }",
            "Xem {b}",
        ),
    ],
)
def test_numbers_wherever_the_element_is(tmp_path: Path, refs: str, style: str, shown: str) -> None:
    """In the flow, in a positioned box, a footnote or a running head; the number
    in a child or after a word: its digits' place takes the
    page, printed once, whatever the guess."""
    from bulletin import render

    html = _document(refs, style)
    document = render.render(html, tmp_path, [tmp_path])
    at = {a: i + 1 for i, page in enumerate(document.pages) for a in page.anchors}
    assert at["a"] >= 3 and at["b"] >= 10
    expected = shown.format(a=at["a"], b=at["b"])
    pages = _page_text(html, tmp_path)
    assert expected in pages[0], pages[0]
    assert _page_text(html, tmp_path, {"a": 9, "b": 1}) == pages


def test_two_numbers_in_one_element_are_refused(tmp_path: Path) -> None:
    html = _document('<p><a data-page-of="a">0 hay 0</a></p>')
    with pytest.raises(BulletinError, match=r'data-page-of="a".*"0 hay 0"'):
        _page_text(html, tmp_path)


def test_a_table_around_the_numbers_is_laid_out_again_on_every_page(tmp_path: Path) -> None:
    """An auto-width table of numbers running over two pages: its columns are
    measured again with the right numbers on both, so the PDF is the one laid
    out with the right numbers from the start, whatever the guess."""
    from bulletin import render

    rows = "".join(
        f'<tr><td>Bài {n}</td><td><a data-page-of="{"ab"[n % 2]}">0</a></td><td>y</td></tr>'
        for n in range(60)
    )
    style = "table { table-layout: auto } td { padding: 0 2mm }"
    html = _document(f"<table>{rows}</table>", style)
    right = html.replace('">0</a>', '">X</a>')  # filled in below, from the first render
    found = {}
    for guesses in (None, {"a": 1, "b": 1}, {"a": 400, "b": 400}):
        pdf = render.render(html, tmp_path, [tmp_path], page_guesses=guesses).write_pdf()
        found[str(guesses)] = pdf
    numbers = pagerefs.outcome()[0]
    fresh_html = right
    for anchor in "ab":
        fresh_html = fresh_html.replace(
            f'data-page-of="{anchor}">X</a>', f'data-page-of="{anchor}">{numbers[anchor]}</a>'
        )
    fresh = render.render(fresh_html, tmp_path, [tmp_path], page_guesses=numbers).write_pdf()
    assert len(set(found.values())) == 1
    assert set(found.values()) == {fresh}
