"""End to end: the example month built to a PDF, inspected with pypdf."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from bulletin.build import build
from bulletin.config import find_config, load_settings
from bulletin.edition import arrange
from bulletin.readers import read_articles

from .conftest import EXAMPLE_MONTH, pdf_text

BUNDLED = {
    "NotoSerif-Regular",
    "NotoSerif-Bold",
    "NotoSerif-Italic",
    "NotoSerif-BoldItalic",
    "NotoSans-Regular",
    "NotoSans-Bold",
}


@pytest.fixture(scope="module")
def example_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os

    os.environ["SOURCE_DATE_EPOCH"] = "1700611200"
    out = tmp_path_factory.mktemp("pdf") / "ban-tin.pdf"
    settings = load_settings(find_config(Path(__file__).resolve().parent.parent))
    build(settings, out=out)
    return out


@pytest.fixture(scope="module")
def titles() -> list[str]:
    """In printed order: the lead story (``lead: true``) first."""
    articles, _ = read_articles(sorted(EXAMPLE_MONTH.iterdir()), 2023)
    settings = load_settings(find_config(Path(__file__).resolve().parent.parent))
    return [a.title for a in arrange(articles, settings, EXAMPLE_MONTH)]


def test_every_title_appears_exactly(example_pdf: Path, titles: list[str]) -> None:
    text = " ".join(pdf_text(example_pdf))
    for title in titles:
        assert unicodedata.is_normalized("NFC", title)
        assert text.count(title) >= 2, title  # in the table of contents and as the heading


def test_toc_page_numbers_are_where_articles_start(example_pdf: Path, titles: list[str]) -> None:
    pages = pdf_text(example_pdf)
    reader = PdfReader(example_pdf)
    starts = {item.title: reader.get_destination_page_number(item) + 1 for item in reader.outline}
    toc = pages[0]
    for title in titles:
        printed = re.search(re.escape(title) + r"[ .]*?(\d+)\b", toc)
        assert printed, title
        heading_page = next(
            n for n, page in enumerate(pages, 1) if page.count(title) - (1 if n == 1 else 0) > 0
        )
        assert int(printed[1]) == heading_page == starts[title]


def test_one_bookmark_per_article(example_pdf: Path, titles: list[str]) -> None:
    outline = PdfReader(example_pdf).outline
    assert [item.title for item in outline] == titles


def test_only_bundled_fonts_are_embedded(example_pdf: Path) -> None:
    fonts = set()
    for page in PdfReader(example_pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor  # embedded TrueType
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[1])

    def key(name: str) -> str:
        return name.replace("-", "").replace("Regular", "")

    assert {key(name) for name in fonts} <= {key(name) for name in BUNDLED}
    assert {"NotoSerif", "NotoSansBold"} <= {key(name) for name in fonts}


def test_metadata(example_pdf: Path) -> None:
    reader = PdfReader(example_pdf)
    assert reader.metadata.title == "Thông tin Khoa học Công nghệ Mỏ – Số 11 – Tháng 11/2023"
    assert reader.metadata.author == "Viện Khoa học Công nghệ Mỏ – Vinacomin"
    assert reader.trailer["/Root"]["/Lang"] == "vi"


def test_page_one_and_last_page(example_pdf: Path) -> None:
    pages = pdf_text(example_pdf)
    first = pages[0]
    for expected in (
        "B Ả N T I N",
        "Thông tin Khoa học Công nghệ Mỏ",
        "Viện Khoa học Công nghệ Mỏ – Vinacomin".upper(),
        "Số 11 · Tháng 11/2023",
        "LƯU HÀNH NỘI BỘ",
        "Hà Nội, ngày 22 tháng 11 năm 2023",
    ):
        assert expected in first
    last = pages[-1]
    for expected in (
        "Chịu trách nhiệm xuất bản",
        "TS. Trần Minh Đức – Viện trưởng",
        "Ban biên tập",
        "Số lượng in",
        "60 bản",
        "Giấy phép xuất bản",
    ):
        assert expected in last
    for number, page in enumerate(pages, 1):
        assert f"Trang {number}/{len(pages)}" in page
        if number > 1:
            assert "Thông tin Khoa học Công nghệ Mỏ Số 11 · Tháng 11/2023" in page  # running head


def test_articles_are_set_as_described(example_pdf: Path) -> None:
    text = " ".join(pdf_text(example_pdf))
    assert "Thứ Hai, ngày 06 tháng 11 năm 2023" in text  # date line, decree style
    assert "Toàn cảnh cuộc họp" in text  # a caption kept as a caption
    assert "Các mục khác" not in text and "Bài trước" not in text  # website leftovers
    assert "Tin Văn phòng" in text and "Đ.L" in text  # bylines


def test_a_page_never_ends_with_a_title(example_pdf: Path, titles: list[str]) -> None:
    for page in pdf_text(example_pdf):
        body = page.rsplit("Trang", 1)[0].rstrip()
        assert not any(body.endswith(title) for title in titles)


def test_line_measure_is_readable(example_pdf: Path) -> None:
    """Body lines hold 45–75 characters: the measure typographers recommend."""
    reader = PdfReader(example_pdf)
    lines = [line for page in reader.pages[1:4] for line in page.extract_text().split("\n")]
    body = sorted(len(line) for line in lines if len(line) > 40)  # skip short last lines
    median = body[len(body) // 2]
    assert 45 <= median <= 75, median


def test_a_full_month_starts_its_contents_on_the_first_page(project: Path) -> None:
    """Twenty articles (a real month): the contents list starts under the masthead,
    one line per short title with its page number, and may go on to page 2; it
    never leaves the masthead alone on page 1."""
    month = project / "articles" / "2023-11"
    for index in range(1, 15):
        day = f"{index + 1:02d}"
        (month / f"them-{index:02d}.md").write_text(
            f"---\ntitle: Tin ngắn số {index}\ndate: 2023-11-{day}\n---\n\n"
            + "Viện Khoa học Công nghệ Mỏ tổ chức họp giao ban tháng. " * 40,
            encoding="utf-8",
        )
    settings = load_settings(find_config(project))
    pdf = build(settings, out=project / "out" / "full.pdf").pdf
    pages = pdf_text(pdf)
    assert "Trong số này".upper() in pages[0].upper()
    first = pages[0]
    assert re.search(r"Tin ngắn số 1[ .]*\d+", first)  # an entry, with its page, on page 1
    assert len(PdfReader(pdf).outline) == 20
    lines = PdfReader(pdf).pages[0].extract_text().splitlines()
    entry = next(
        line
        for line in lines
        if line.startswith("Tin ngắn số 1 ") or line.startswith("Tin ngắn số 1.")
    )
    assert re.fullmatch(r"Tin ngắn số 1[ .]*\d+", entry.strip()), entry  # one line


def test_rendering_restores_the_garbage_collector_rhythm(tmp_path: Path) -> None:
    import gc

    from bulletin.worker import Job, make_pdf

    before = gc.get_threshold()
    job = Job("<p>Xin chào</p>", base=tmp_path, allowed=(tmp_path,), language="vi")
    assert make_pdf(job).pages == 1
    assert gc.get_threshold() == before


def test_a_photo_inside_a_sentence_is_printed_with_its_caption(project: Path) -> None:
    """The README's own Markdown example puts an image inside a sentence."""
    from PIL import Image

    month = project / "articles" / "2023-11"
    Image.new("RGB", (400, 300), (30, 90, 140)).save(month / "giua-cau.jpg")
    (month / "anh-giua-cau.md").write_text(
        "---\ntitle: Bài có ảnh giữa câu\ndate: 2023-11-20\n---\n\n"
        "Buổi lễ diễn ra trang trọng ![Lễ kết nạp đảng viên mới](giua-cau.jpg) tại hội trường.\n",
        encoding="utf-8",
    )
    settings = load_settings(find_config(project))
    pdf = build(settings, out=project / "out" / "giua-cau.pdf").pdf
    reader = PdfReader(pdf)
    page = next(i for i, text in enumerate(pdf_text(pdf)) if "trang trọng" in text)
    text = pdf_text(pdf)[page]
    assert "trang trọng tại hội trường" in text
    assert "Lễ kết nạp đảng viên mới" in text
    assert any(image.image.size[0] >= 300 for image in reader.pages[page].images)


def test_quotes_are_printed_curly(project: Path) -> None:
    month = project / "articles" / "2023-11"
    (month / "khau-hieu.md").write_text(
        '---\ntitle: Phát động phong trào "Lao động sáng tạo"\ndate: 2023-11-21\n---\n\n'
        'Công đoàn Viện phát động phong trào thi đua với khẩu hiệu "An toàn là trên hết".\n',
        encoding="utf-8",
    )
    pdf = build(load_settings(find_config(project)), out=project / "out" / "q.pdf").pdf
    text = " ".join(pdf_text(pdf))
    assert "khẩu hiệu “An toàn là trên hết”." in text
    assert "phong trào “Lao động sáng tạo”" in text
    assert '"' not in text
    titles = [item.title for item in PdfReader(pdf).outline]
    assert "Phát động phong trào “Lao động sáng tạo”" in titles
