"""Print variants: poster, booklet, archive copy, page sizes — checked from the PDFs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pypdfium2
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from bulletin.cli import main
from bulletin.impose import booklet_order
from bulletin.resources import LAYOUTS_DIR

from .conftest import pdf_text
from .pagefill import printed_text

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
    result = CliRunner().invoke(main, ["make", "--booklet"])
    assert result.exit_code == 0, result.output
    booklet = project / "out" / "ban-tin-2023-11-booklet.pdf"
    sides = len(PdfReader(booklet).pages)
    assert f"({sides} mặt A4: cuốn {2 * sides} trang A5, " in result.stderr.splitlines()[-1]
    sizes = set(page_sizes_mm(booklet))
    assert sizes == {(297, 210)}  # true A4 landscape, two A5 pages (148 mm) centred
    sides = footer_numbers(booklet)
    total = 2 * len(sides)  # A5 pages: a multiple of four
    assert total % 4 == 0
    text = pdf_text(booklet)
    assert f"Trang {total}/{total}" in text[0]  # the footer counts the booklet's pages
    expected = [tuple(i + 1 for i in pair) for pair in booklet_order(total)]
    for printed, wanted in zip(sides, expected, strict=True):
        for number, page in zip(printed, wanted, strict=True):
            assert number in (page, None)  # a blank pad page carries no number
    assert sides[0] == (total, 1) and sides[1][0] == 2  # sheet 1: back cover and page 1
    # the back cover (left half of the first side) is the editorial box
    pdf = pypdfium2.PdfDocument(booklet)
    width, height = pdf[0].get_size()
    back = re.sub(r"\s+", " ", pdf[0].get_textpage().get_text_bounded(0, 0, width / 2, height))
    pdf.close()
    assert "Chịu trách nhiệm xuất bản" in back and "Trang" in back
    blanks = [n for side in sides for n in side if n is None]
    # The example month needs 10 pages: laid out roomier, it leaves one blank
    # page (the inside back cover) where it left two and a page of three lines.
    assert len(blanks) <= 1
    assert sides[1] == (2, None)  # the blank page is the last before the back cover


def _booklet_choice(
    monkeypatch: pytest.MonkeyPatch, first: int, spreads: dict[int, int]
) -> list[tuple[int, int]]:
    """The renders ``_fill_booklet`` asks for, as (spread, pad), when the plain
    layout gave ``first`` pages and each spread the pages given."""
    from bulletin import build
    from bulletin.worker import Result

    asked: list[tuple[int, int]] = []

    def html_for(spread: int = 0, pad_pages: int = 0) -> str:
        asked.append((spread, pad_pages))
        return f"{spread} {pad_pages}"

    def rerun(job: object, html: str, root: object) -> Result:
        spread, pad = map(int, html.split())
        pages = (spreads[spread] if spread else first) + pad
        return Result(pdf=b"", pages=pages)

    with monkeypatch.context() as patched:
        patched.setattr(build, "_rerun", rerun)
        result = build._fill_booklet(first, None, None, html_for)  # type: ignore[arg-type]
    assert result.pages % 4 == 0
    return asked


def test_a_booklet_is_laid_out_roomier_before_it_is_padded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # two blank pages to fill: the roomiest layout that fits wins
    assert _booklet_choice(monkeypatch, 10, {2: 12, 1: 11}) == [(2, 0)]
    assert _booklet_choice(monkeypatch, 10, {2: 13, 1: 11}) == [(2, 0), (1, 0), (1, 1)]
    # no roomier layout needs fewer blank pages: the plain one, padded
    assert _booklet_choice(monkeypatch, 9, {2: 13, 1: 9}) == [(2, 0), (1, 0), (0, 3)]
    # one blank page (the inside back cover) is left as it is, with no extra render
    assert _booklet_choice(monkeypatch, 11, {2: 12, 1: 12}) == [(0, 1)]


# WeasyPrint 70 leaves its sRGB profile file open when writing PDF/A.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_archive_is_pdf_a3b_with_the_sources(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The month's files, and the project's that shape the issue (bulletin.toml,
    the logo, its own layouts): the archive alone rebuilds the issue."""
    import base64

    (project / "logo.png").write_bytes(
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
        )
    )
    config = project / "bulletin.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "[bulletin]\n", '[bulletin]\nlogo = "logo.png"\n'
        ),
        encoding="utf-8",
    )
    own = project / "layouts" / "classic" / "print.css"
    own.parent.mkdir(parents=True)
    own.write_text(
        (LAYOUTS_DIR / "classic" / "print.css")
        .read_text(encoding="utf-8")
        .replace("--accent:", "--accent: #005a9c; --unused:"),
        encoding="utf-8",
    )
    make("--archive")
    archive = project / "out" / "ban-tin-2023-11-archive.pdf"
    reader = PdfReader(archive)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp) and re.search(r"pdfaid:conformance(>|=\")B", xmp)
    month = project / "articles" / "2023-11"
    sources = {
        p.relative_to(month).as_posix(): p.read_bytes() for p in month.rglob("*") if p.is_file()
    }
    sources |= {name: (project / name).read_bytes() for name in ("bulletin.toml", "logo.png")}
    sources["layouts/classic/print.css"] = own.read_bytes()
    attached = {name: data[0] for name, data in reader.attachments.items()}
    assert attached == sources
    assert "/OutputIntents" in reader.trailer["/Root"]
    # Rebuilt from the attachments alone, elsewhere: the same issue.
    again = tmp_path_factory.mktemp("rebuilt")
    for name, data in attached.items():
        inside = (
            name
            if name in ("bulletin.toml", "logo.png") or name.startswith("layouts/")
            else f"articles/2023-11/{name}"
        )
        (again / inside).parent.mkdir(parents=True, exist_ok=True)
        (again / inside).write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "bulletin", "make", "-q", "--archive"],
        cwd=again,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    rebuilt = again / "out" / "ban-tin-2023-11-archive.pdf"
    assert pdf_text(rebuilt) == pdf_text(archive)


def font_sizes(path: Path) -> list[float]:
    """The size, in points, of every piece of text printed on the PDF's pages."""
    return [size for page in printed_text(path) for size, _font, text in page if text.strip()]


def test_poster_is_one_a3_page_readable_from_afar(project: Path) -> None:
    make("--layout", "poster")
    poster = project / "out" / "ban-tin-2023-11-a3.pdf"
    assert page_sizes_mm(poster) == [(297, 420)]
    text = pdf_text(poster)[0]
    assert "B Ả N T I N" in text and "Số 11 · Tháng 11/2023" in text
    # the lead story (lead: true) first, then the next articles in order, as many as fit
    outline = [item.title for item in PdfReader(poster).outline]
    assert outline[:3] == [
        "Nghiệm thu đề tài cấp Tập đoàn về chống lò bằng vì neo cho đường lò đá",
        "Kỷ niệm 87 năm Ngày truyền thống công nhân vùng mỏ",
        "Viện Khoa học Công nghệ Mỏ: Họp giao ban điều hành tháng 11/2023",
    ]
    assert 4 <= len(outline) < 6  # not all six: the sixth would need a second page
    assert "Hội đồng nghiệm thu cấp Tập đoàn đánh giá" in text  # front-matter summary
    assert round(min(font_sizes(poster)), 1) >= 16  # every text, dates and captions too
    assert len(PdfReader(poster).pages[0].images) == 3  # lead photos of the cards shown
    assert "Đọc bản đầy đủ" in text  # the QR code's caption (website is set)


def test_poster_pick_asks_for_a_second_page_with_the_masthead(project: Path) -> None:
    make("--layout", "poster", "--pick", "6")
    pages = pdf_text(project / "out" / "ban-tin-2023-11-a3.pdf")
    assert len(pages) == 2
    for page in pages:
        assert "Thông tin Khoa học Công nghệ Mỏ" in page and "Số 11 · Tháng 11/2023" in page
    assert "Hội thảo khoa học về an toàn" in pages[1]


def test_poster_front_matter_chooses_the_articles(project: Path) -> None:
    month = project / "articles" / "2023-11"
    docs = month / "04-giai-bong-ban.md"
    docs.write_text(
        docs.read_text(encoding="utf-8").replace("---\n", "---\nposter: true\n", 1),
        encoding="utf-8",
    )
    make("--layout", "poster")
    outline = [item.title for item in PdfReader(project / "out" / "ban-tin-2023-11-a3.pdf").outline]
    assert len(outline) == 2 and outline[0].startswith("Nghiệm thu đề tài")
    assert outline[1].startswith("Sôi nổi Giải bóng bàn")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--booklet", "--layout", "poster"], "--booklet và --layout poster"),
        (["--archive", "--booklet"], "--archive"),
        (["--archive", "--layout", "poster"], "--archive"),
        (["--pick", "3"], "--pick"),
    ],
)
def test_incompatible_options_are_refused(project: Path, options: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["make", "-q", *options])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not list((project / "out").glob("*.pdf"))


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


def test_a_booklet_cover_whose_lead_photo_does_not_fit_is_filled_with_text(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long contents box left no room for the lead photo under the sapo: the
    photo went over the page and left the cover's foot empty (a new user's trial,
    a third of the page). The photo now follows the first paragraph there."""
    from bulletin import build as building
    from bulletin.config import find_config, load_settings

    from .pagefill import column_blanks

    month = project / "articles" / "2023-11"
    for number in range(1, 5):
        (month / f"them-{number}.md").write_text(
            f"---\ntitle: Hội nghị tổng kết khoa học công nghệ của các đơn vị số {number}\n"
            f"date: 2023-11-2{number}\n---\n\n"
            + "Viện tổ chức hội nghị tổng kết công tác khoa học công nghệ năm 2023. "
            * 6,
            encoding="utf-8",
        )
    settings = load_settings(find_config(project))
    filled = building.build(settings, out=project / "out" / "filled.pdf", booklet=True).pdf
    monkeypatch.setattr(building, "COVER_GAP", 1.0)  # never laid out again
    plain = building.build(settings, out=project / "out" / "plain.pdf", booklet=True).pdf

    def cover_blank(pdf: Path) -> float:  # page 1 is the right half of the first side
        return column_blanks(pdf, top_mm=14, bottom_mm=16, columns=2)[0][1]

    assert cover_blank(plain) > 0.08  # the hole this is about
    assert cover_blank(filled) <= 0.08
    images = [sum(len(p.images) for p in PdfReader(pdf).pages) for pdf in (filled, plain)]
    assert images[0] == images[1]  # the lead photo is still printed
    assert len(PdfReader(filled).pages) == len(PdfReader(plain).pages)


def test_the_poster_says_how_many_articles_it_left_out(project: Path) -> None:
    """As many cards as fit on the A3 page: the rest were left out without a word."""
    result = CliRunner().invoke(main, ["make", "--layout", "poster"])
    assert result.exit_code == 0, result.output
    shown = len(PdfReader(project / "out" / "ban-tin-2023-11-a3.pdf").outline)
    total = 6  # the example month's articles
    assert shown < total
    assert (
        f"Cảnh báo: Áp phích in {shown} trong số {total} bài của tháng: chọn bài bằng --pick N"
        in result.stderr
    )
    picked = CliRunner().invoke(main, ["make", "--layout", "poster", "--pick", str(total)])
    assert "Áp phích in" not in picked.stderr
