"""Photos and Word documents: read, processed to the page's needs, cached, printed."""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from click.testing import CliRunner
from PIL import Image

from bulletin import photos
from bulletin.cli import main
from bulletin.config import Photos
from bulletin.errors import ProblemsError, SourceError
from bulletin.model import EmbeddedImage, Figure, Html
from bulletin.readers.base import ReadContext
from bulletin.readers.docx import read as read_docx
from bulletin.readers.markdown import read as read_markdown
from bulletin.readers.text import read as read_text

from .conftest import write
from .make_docx import write_docx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synthetic import photo, rotated_photo

PARAGRAPHS = [
    "Ngày 23/11/2023, Viện tổ chức Hội thảo khoa học về an toàn khai thác than hầm lò.",
    "Hội thảo đã nghe **12 báo cáo** của các nhà khoa học và kỹ sư.",
]


def context() -> ReadContext:
    return ReadContext(year=2023)


def test_docx_reads_into_an_article(tmp_path: Path) -> None:
    picture = photo(800, 600, seed=1)
    path = write_docx(
        tmp_path / "hoi-thao.docx",
        title="Hội thảo an toàn hầm lò",
        paragraphs=PARAGRAPHS,
        picture=picture,
        caption="Toàn cảnh Hội thảo",
        byline="Phòng Quản lý Khoa học",
    )
    article = read_docx(path, context())
    assert article.title == "Hội thảo an toàn hầm lò"
    assert article.date == date(2023, 11, 23)
    assert article.author == "Phòng Quản lý Khoa học"
    kinds = [type(b).__name__ for b in article.body]
    assert kinds == ["Html", "Figure", "Html"]
    figure = article.body[1]
    assert isinstance(figure, Figure) and figure.caption == "Toàn cảnh Hội thảo"
    assert isinstance(figure.photo, EmbeddedImage) and figure.photo.data == picture
    second = article.body[2]
    assert isinstance(second, Html) and "<strong>12 báo cáo</strong>" in second.html


def test_docx_title_from_first_paragraph(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "a.docx",
        title="Tiêu đề không phải đầu mục",
        paragraphs=PARAGRAPHS,
        heading=False,
    )
    article = read_docx(path, context())
    assert article.title == "Tiêu đề không phải đầu mục"
    assert article.body[0].text.startswith("Ngày 23/11/2023")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "lưu thành .docx"),
        ("mat-khau.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "mật khẩu"),
        ("hong.docx", b"PK\x03\x04 this is not a zip at all", "tệp Word bị hỏng"),
        ("rong.docx", b"", "tệp Word bị hỏng"),
    ],
)
def test_bad_word_files(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    from bulletin.readers import reader_for

    path = tmp_path / name
    path.write_bytes(data)
    reader = reader_for(path)
    assert reader is not None
    with pytest.raises(SourceError) as error:
        reader(path, context())
    assert name in str(error.value) and message in str(error.value)


WEB_COPY = (
    "Giao ban tháng 11\n\nNgày 06/11/2023, Viện họp giao ban điều hành.\n\n"
    "Toàn cảnh cuộc họp\n\nViện trưởng phát biểu kết luận cuộc họp.\n\n"
    "Phó Viện trưởng báo cáo\n\nCuộc họp kết thúc lúc 11 giờ.\n\nĐ.L\n"
)


def test_photo_folder_goes_to_captions_in_order(tmp_path: Path) -> None:
    article_path = write(tmp_path / "giao-ban.txt", WEB_COPY)
    for name in ("01.jpg", "02.jpg", "03.jpg"):
        (tmp_path / "giao-ban" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "giao-ban" / name).write_bytes(photo(64, 48, seed=len(name)))
    article = read_text(article_path, context())
    figures = article.figures
    assert [(f.caption, f.photo.name if isinstance(f.photo, Path) else None) for f in figures] == [
        ("Toàn cảnh cuộc họp", "01.jpg"),
        ("Phó Viện trưởng báo cáo", "02.jpg"),
        ("", "03.jpg"),
    ]
    assert article.lead is figures[0]
    assert article.author == "Đ.L"


def test_extra_captions_stay_captions(tmp_path: Path) -> None:
    article_path = write(tmp_path / "giao-ban.txt", WEB_COPY)
    (tmp_path / "giao-ban").mkdir()
    (tmp_path / "giao-ban" / "01.jpg").write_bytes(photo(64, 48))
    figures = read_text(article_path, context()).figures
    assert [f.photo is None for f in figures] == [False, True]


def test_markdown_front_matter_images(tmp_path: Path) -> None:
    for name in ("dau.jpg", "them-1.jpg", "them-2.jpg", "giua.jpg"):
        (tmp_path / name).write_bytes(photo(64, 48))
    text = (
        "---\ntitle: T\nimage: {src: dau.jpg, caption: Ảnh đầu}\n"
        "images: [them-1.jpg, {src: them-2.jpg, caption: Ảnh thêm}]\n---\n\n"
        "Đoạn một.\n\n![Ảnh giữa bài](giua.jpg)\n"
    )
    article = read_markdown(write(tmp_path / "a.md", text), context())
    assert [(f.caption, f.photo.name) for f in article.figures if isinstance(f.photo, Path)] == [
        ("Ảnh đầu", "dau.jpg"),
        ("Ảnh giữa bài", "giua.jpg"),
        ("", "them-1.jpg"),
        ("Ảnh thêm", "them-2.jpg"),
    ]


def test_missing_photo_names_article_and_path(tmp_path: Path) -> None:
    text = "---\ntitle: T\nimage: anh/khong-co.jpg\n---\n\nĐoạn.\n"
    with pytest.raises(SourceError) as error:
        read_markdown(write(tmp_path / "bai.md", text), context())
    assert "bai.md" in str(error.value) and "anh/khong-co.jpg" in str(error.value)


TARGET = photos.Target(140, 105, 300, 88)


def test_pipeline_makes_rgb_upright_without_metadata(tmp_path: Path) -> None:
    source = tmp_path / "doc.jpg"
    source.write_bytes(rotated_photo(1600, 1200))
    with Image.open(photos.prepare(source, TARGET, tmp_path / "cache")) as out:
        assert out.mode == "RGB" and out.height > out.width  # stored sideways, comes out upright
        assert not out.getexif()
        assert out.height <= TARGET.pixels()[1]
        # the yellow arrow drawn at the top of the upright picture is at the top
        yellow = _yellow_rows(out)
    assert yellow and max(yellow) < out.height * 0.2


def _yellow_rows(image: Image.Image) -> list[int]:
    small = image.resize((image.width // 4, image.height // 4))
    return [
        y * 4
        for y in range(small.height)
        for x in range(small.width)
        if _is_yellow(small.getpixel((x, y)))
    ]


def _is_yellow(pixel: tuple[int, ...]) -> bool:
    red, green, blue = pixel[:3]
    return red > 200 and green > 200 and blue < 80


@pytest.mark.parametrize("mode", ["CMYK", "P", "LA", "RGBA"])
def test_colour_modes_become_rgb(tmp_path: Path, mode: str) -> None:
    image = Image.open(io.BytesIO(photo(320, 240))).convert(mode)
    source = tmp_path / f"anh.{'jpg' if mode == 'CMYK' else 'png'}"
    image.save(source)
    with Image.open(photos.prepare(source, TARGET, tmp_path / "cache")) as out:
        assert out.mode == "RGB"


def test_decompression_bombs_are_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bom.png"
    Image.new("1", (12_000, 10_000)).save(bomb)
    with pytest.raises(ProblemsError) as error:
        photos.prepare_all([_article_with(bomb)], TARGET, tmp_path / "cache")
    assert "quá lớn" in str(error.value) and "bai.txt" in str(error.value)


def test_damaged_photo_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "hong.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(ProblemsError) as error:
        photos.prepare_all([_article_with(broken)], TARGET, tmp_path / "cache")
    assert "bai.txt: ảnh" in str(error.value) and "hong.jpg bị hỏng" in str(error.value)


def _article_with(path: Path):  # type: ignore[no-untyped-def]
    from bulletin.model import Article

    return Article(
        source=path.parent / "bai.txt",
        title="T",
        body=(Html("<p>x</p>"), Figure(caption="", photo=path)),
    )


def test_target_for_variants() -> None:
    assert photos.target_for(Photos(), "print", 140, 105).pixels() == (1654, 1240)
    assert photos.target_for(Photos(), "email", 140, 105).pixels() == (827, 620)


@pytest.fixture(scope="module")
def photo_month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A month mixing .txt with a photo folder, .md and .docx, with phone-sized photos."""
    root = tmp_path_factory.mktemp("thang")
    month = root / "articles" / "2023-11"
    write(month / "giao-ban.txt", WEB_COPY)
    (month / "giao-ban").mkdir()
    (month / "giao-ban" / "01.jpg").write_bytes(photo(4000, 3000, seed=1))
    (month / "giao-ban" / "02.jpg").write_bytes(rotated_photo(2000, 1500, seed=2))
    (month / "nghiem-thu.jpg").write_bytes(photo(4000, 3000, seed=3))
    write(
        month / "nghiem-thu.md",
        "---\ntitle: Nghiệm thu đề tài\ndate: 2023-11-14\n"
        "image: {src: nghiem-thu.jpg, caption: Hội đồng nghiệm thu}\n---\n\nĐoạn văn.\n",
    )
    write_docx(
        month / "hoi-thao.docx",
        title="Hội thảo an toàn",
        paragraphs=PARAGRAPHS,
        picture=photo(3000, 2000, seed=4),
        caption="Toàn cảnh Hội thảo",
    )
    return root


def build(root: Path, *args: str) -> Path:
    import os

    cwd = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["make", "-q", *args])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    name = "ban-tin-2023-11-email.pdf" if "email" in args else "ban-tin-2023-11.pdf"
    return root / "out" / name


def placed_images(pdf_path: Path) -> list[tuple[int, int, float, float]]:
    """Each image on each page: pixel width and height, printed width and height (mm)."""
    found = []
    pdf = pypdfium2.PdfDocument(pdf_path)
    for page in pdf:
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
            width, height = obj.get_px_size()
            left, bottom, right, top = obj.get_bounds()
            found.append((width, height, (right - left) / 72 * 25.4, (top - bottom) / 72 * 25.4))
    pdf.close()
    return found


def test_print_photos_are_at_least_250_dpi(photo_month: Path) -> None:
    images = placed_images(build(photo_month))
    assert len(images) == 4
    for width, height, width_mm, height_mm in images:
        assert width / (width_mm / 25.4) >= 250
        assert height / (height_mm / 25.4) >= 250
        assert width_mm <= 140.5  # never wider than the column
        assert width <= 1654 and height <= 1240  # downscaled from 4000×3000


def test_email_photos_are_150_dpi_and_light(photo_month: Path) -> None:
    pdf = build(photo_month, "--for", "email")
    images = placed_images(pdf)
    assert len(images) == 4
    for width, _height, width_mm, _ in images:
        assert width <= 827
        assert width / (width_mm / 25.4) >= 140
    assert pdf.stat().st_size < 1_000_000


def test_every_photo_is_captioned_upright_in_the_pdf(photo_month: Path) -> None:
    from .conftest import pdf_text

    pdf = build(photo_month)
    text = " ".join(pdf_text(pdf))
    for caption in (
        "Toàn cảnh cuộc họp",
        "Phó Viện trưởng báo cáo",
        "Hội đồng nghiệm thu",
        "Toàn cảnh Hội thảo",
    ):
        assert caption in text
    portrait = [img for img in placed_images(pdf) if img[1] > img[0]]
    assert len(portrait) == 1  # the EXIF-rotated photo, upright


def test_second_build_processes_no_photo(
    photo_month: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(photo_month)
    calls = []
    original = photos._decode
    monkeypatch.setattr(photos, "_decode", lambda *a: calls.append(a) or original(*a))
    build(photo_month)
    assert calls == []
