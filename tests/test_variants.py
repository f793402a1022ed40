"""Print variants: poster, booklet, archive copy, page sizes — checked from the PDFs."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from bulletin.cli import main
from bulletin.impose import booklet_order

from .conftest import pdf_text

MM = 72 / 25.4


def make(*args: str) -> None:
    result = CliRunner().invoke(main, ["make", "-q", *args])
    assert result.exit_code == 0, result.output


def page_sizes_mm(path: Path) -> list[tuple[int, int]]:
    return [
        (round(float(p.mediabox.width) / MM), round(float(p.mediabox.height) / MM))
        for p in PdfReader(path).pages
    ]


def test_booklet_order_for_eight_and_ten_pages() -> None:
    assert booklet_order(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]
    assert booklet_order(10) == [(None, 0), (1, None), (9, 2), (3, 8), (7, 4), (5, 6)]


def footer_numbers(path: Path) -> list[tuple[int | None, int | None]]:
    """The 'Trang X/Y' printed on the left and right half of each sheet side."""
    sides = []
    pdf = pypdfium2.PdfDocument(path)
    for page in pdf:
        width, height = page.get_size()
        text = page.get_textpage()
        halves = []
        for left in (0, width / 2):
            found = re.search(
                r"Trang (\d+)/", text.get_text_bounded(left, 0, left + width / 2, height)
            )
            halves.append(int(found[1]) if found else None)
        sides.append((halves[0], halves[1]))
    pdf.close()
    return sides


def test_booklet_is_imposed_in_saddle_stitch_order(project: Path) -> None:
    make("--booklet")
    booklet = project / "out" / "ban-tin-2023-11-booklet.pdf"
    sizes = set(page_sizes_mm(booklet))
    assert sizes == {(296, 210)}  # A4 landscape (two A5 pages of 148 mm)
    sides = footer_numbers(booklet)
    pages = max(n for side in sides for n in side if n)
    assert len(sides) == -(-pages // 4) * 2
    expected = [tuple(None if i is None else i + 1 for i in pair) for pair in booklet_order(pages)]
    assert sides == expected
    assert sides[0][1] == 1 and sides[1][0] == 2  # sheet 1: front N and 1, back 2 and N-1


# WeasyPrint 70 leaves its sRGB profile file open when writing PDF/A.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_archive_is_pdf_a3b_with_the_sources(project: Path) -> None:
    make("--archive")
    archive = project / "out" / "ban-tin-2023-11-archive.pdf"
    reader = PdfReader(archive)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp) and re.search(r"pdfaid:conformance(>|=\")B", xmp)
    month = project / "articles" / "2023-11"
    sources = {
        p.relative_to(month).as_posix(): p.read_bytes() for p in month.rglob("*") if p.is_file()
    }
    attached = {name: data[0] for name, data in reader.attachments.items()}
    assert attached == sources  # the archive alone can rebuild the issue
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_poster_is_one_a3_page_readable_from_afar(project: Path) -> None:
    make("--layout", "poster")
    poster = project / "out" / "ban-tin-2023-11-a3.pdf"
    assert page_sizes_mm(poster) == [(297, 420)]
    text = pdf_text(poster)[0]
    assert "B Ả N T I N" in text and "Số 11 · Tháng 11/2023" in text
    for title in ("Kỷ niệm 87 năm", "Nghiệm thu đề tài", "Hội thảo khoa học"):
        assert title in text
    assert "Hội đồng nghiệm thu cấp Tập đoàn đánh giá" in text  # front-matter summary
    pdf = pypdfium2.PdfDocument(poster)
    textpage = pdf[0].get_textpage()
    sizes = [textpage.get_charbox(i, loose=True) for i in range(textpage.count_chars())]
    pdf.close()
    body = [top - bottom for _l, bottom, _r, top in sizes if top - bottom > 0]
    assert sorted(body)[len(body) // 10] >= 16  # nine characters in ten are 16 pt or more
    images = PdfReader(poster).pages[0].images
    assert len(images) == 3  # the three articles with photos show their lead photo
    assert "Đọc bản đầy đủ" in text  # the QR code's caption (website is set)


@pytest.mark.parametrize(("size", "expected"), [("a5", (148, 210)), ("19x27cm", (190, 270))])
def test_page_size_setting(project: Path, size: str, expected: tuple[int, int]) -> None:
    config = project / "bulletin.toml"
    config.write_text(
        f'page_size = "{size}"\n' + config.read_text(encoding="utf-8"), encoding="utf-8"
    )
    make()
    assert set(page_sizes_mm(project / "out" / "ban-tin-2023-11.pdf")) == {expected}


def test_unknown_page_size_is_refused(project: Path) -> None:
    config = project / "bulletin.toml"
    config.write_text('page_size = "a3"\n' + config.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["make", "-q"])
    assert result.exit_code == 1
    assert "bulletin.toml:1: page_size phải là một trong a4, a5, 19x27cm" in result.output


def test_qr_code_encodes_the_website() -> None:
    import base64
    import urllib.parse

    from bulletin.layout import qr_code

    assert qr_code(None) is None
    uri = qr_code("http://intranet.example/ban-tin")
    assert uri is not None and uri.startswith("data:image/svg+xml")
    payload = uri.split(",", 1)[1]
    svg = (
        base64.b64decode(payload)
        if ";base64" in uri.split(",")[0]
        else urllib.parse.unquote(payload).encode()
    )
    assert b"<svg" in svg and b"<path" in svg
