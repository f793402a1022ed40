"""``bulletin collect``: the month from a website (issue 13).

A real HTTP server on 127.0.0.1 plays the institute's WordPress site (REST
API with pagination, or only its RSS feed) and a unit's non-WordPress site,
and serves the photos; some photos misbehave on purpose.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import io
import json
import re
import socket
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from bulletin.cli import main
from bulletin.web import client

from .conftest import pdf_text

PAGE_SIZE = 2  # the test site's largest page: five posts make three pages


def jpeg(colour: tuple[int, int, int], size: tuple[int, int] = (320, 240)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def giant_jpeg() -> bytes:
    """A small file whose header says 12000 × 9000 px (108 megapixels)."""
    data = bytearray(jpeg((10, 10, 10), (16, 16)))
    at = data.index(b"\xff\xc0") + 5
    data[at : at + 4] = (9000).to_bytes(2, "big") + (12000).to_bytes(2, "big")
    return bytes(data)


@dataclass
class Post:
    id: int
    date: str  # the site's local time, as WordPress gives it
    gmt_offset_hours: int
    slug: str
    title: str
    content: str
    modified: str = "2023-11-25T08:00:00"

    @property
    def date_gmt(self) -> dt.datetime:
        local = dt.datetime.fromisoformat(self.date)
        return local - dt.timedelta(hours=self.gmt_offset_hours)


@dataclass
class FakeSite:
    """What the test server serves; tests change it between runs."""

    base: str = ""
    posts: list[Post] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)
    photos: dict[str, bytes] = field(default_factory=dict)
    api_closed: bool = False
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, user agent)
    queries: list[dict[str, str]] = field(default_factory=list)  # of the posts listing
    active: int = 0
    most_at_once: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hits(self, fragment: str) -> int:
        return sum(fragment in path for path, _agent in self.requests)


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        site = self.server.site
        with site.lock:
            site.requests.append((self.path, self.headers.get("User-Agent", "")))
            site.active += 1
            site.most_at_once = max(site.most_at_once, site.active)
        try:
            self.route(site)
        finally:
            with site.lock:
                site.active -= 1

    def route(self, site: FakeSite) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        if path == "/wp-json/wp/v2/posts":
            self.posts(site, query)
        elif path == "/wp-json/wp/v2/categories":
            found = [{"id": 7, "slug": "tin-tuc"}] if query.get("slug") == "tin-tuc" else []
            self.send(200, json.dumps(found).encode(), "application/json")
        elif path == "/feed/":
            self.feed(site, int(query.get("paged", "1")))
        elif path == "/tin-tuc/trang-cu-7.htm":  # an old site: windows-1258, no charset header
            self.send(200, cp1258(LEGACY_PAGE), "text/html")
        elif path.startswith("/tin-tuc/") and path in site.pages:
            self.send(200, site.pages[path].encode(), "text/html; charset=utf-8")
        elif path.startswith("/anh/"):
            self.photo(site, path.removeprefix("/anh/"))
        else:
            self.send(404, b"not found", "text/plain")

    def posts(self, site: FakeSite, query: dict[str, str]) -> None:
        if site.api_closed:
            self.send(404, b'{"code":"rest_no_route"}', "application/json")
            return
        site.queries.append(query)
        chosen = sorted(
            (p for p in site.posts if query["after"] < p.date < query["before"]),
            key=lambda p: p.date,
        )
        if query.get("categories") == "7":
            chosen = [p for p in chosen if p.id in (101, 103)]
        size = min(int(query.get("per_page", "10")), PAGE_SIZE)
        pages = max(1, -(-len(chosen) // size))
        page = int(query.get("page", "1"))
        if page > pages:
            self.send(400, b'{"code":"rest_post_invalid_page_number"}', "application/json")
            return
        items = [self.post_json(site, p) for p in chosen[(page - 1) * size : page * size]]
        headers = {"X-WP-Total": str(len(chosen)), "X-WP-TotalPages": str(pages)}
        self.send(200, json.dumps(items).encode(), "application/json", headers)

    def post_json(self, site: FakeSite, post: Post) -> dict[str, object]:
        return {
            "id": post.id,
            "date": post.date,
            "date_gmt": post.date_gmt.isoformat(),
            "modified_gmt": post.modified,
            "slug": post.slug,
            "link": f"{site.base}/{post.slug}/",
            "title": {"rendered": post.title},
            "content": {"rendered": post.content},
            "_embedded": {
                "author": [{"name": "admin"}],
                "wp:term": [[{"taxonomy": "category", "name": "Tin hoạt động"}]],
            },
        }

    def feed(self, site: FakeSite, page: int) -> None:
        newest_first = sorted(site.posts, key=lambda p: p.date_gmt, reverse=True)
        chunk = newest_first[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        if not chunk:
            self.send(404, b"not found", "text/html")
            return
        items = "".join(
            f"""<item><title>{p.title}</title><link>{site.base}/{p.slug}/</link>
            <guid isPermaLink="false">{site.base}/?p={p.id}</guid>
            <pubDate>{email.utils.format_datetime(p.date_gmt.replace(tzinfo=dt.UTC))}</pubDate>
            <category><![CDATA[Tin hoạt động]]></category>
            <content:encoded><![CDATA[{p.content}]]></content:encoded></item>"""
            for p in chunk
        )
        rss = f"""<?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
        <channel><title>Viện</title>{items}</channel></rss>"""
        self.send(200, rss.encode(), "application/rss+xml; charset=UTF-8")

    def photo(self, site: FakeSite, name: str) -> None:
        port = self.server.server_address[1]
        if name == "loi.jpg":
            self.send(500, b"server error", "text/plain")
        elif name == "chuyen.jpg":
            target = f"http://localhost:{port}/anh/ngoai.jpg"
            self.send(302, b"", "text/plain", {"Location": target})
        elif name == "cham.jpg":
            time.sleep(2)
            self.send(200, jpeg((0, 0, 0)), "image/jpeg")
        elif name == "nho-giot.jpg":  # a byte at a time: each wait is short, the whole is not
            data = jpeg((0, 0, 0))
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            for byte in data[:40]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
        elif name == "to.jpg":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(31 * 1024 * 1024))
            self.end_headers()
            self.wfile.write(b"\xff\xd8" + bytes(1000))
        elif name == "ban.jpg" and site.hits("/anh/ban.jpg") == 1:
            self.send(429, b"slow down", "text/plain", {"Retry-After": "0"})
        elif name.startswith("nhom-"):
            time.sleep(0.2)
            self.send(200, jpeg((int(name[5]) * 25, 90, 90)), "image/jpeg")
        elif name in site.photos:
            self.send(200, site.photos[name], "image/jpeg")
        else:
            self.send(404, b"not found", "text/plain")

    def send(
        self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (the timeout test) is not the test's failure."""

    def __init__(self, site: FakeSite) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.site = site


# The month's posts on the institute's site, each with one of the caption markups.
FIGURE = """<p>Sáng ngày 01/11/2023, Viện Khoa học Công nghệ Mỏ họp giao ban điều hành tháng 11
để đánh giá kết quả tháng 10 và bàn kế hoạch công tác những tuần cuối năm.</p>
<figure class="wp-block-image size-large"><img src="/anh/giao-ban.jpg" alt=""
 srcset="/anh/giao-ban-300.jpg 300w, /anh/giao-ban.jpg 1024w"/>
<figcaption class="wp-element-caption">Viện trưởng phát biểu chỉ đạo tại cuộc họp</figcaption>
</figure>
<p>Các phòng báo cáo tiến độ đề tài cấp Bộ và các hợp đồng tư vấn với những công ty than.</p>"""

WP_CAPTION = """<p>Ngày 06/11/2023, Phòng Thí nghiệm Cơ học đá hoàn thành đợt hiệu chuẩn
máy nén ba trục phục vụ các đề tài nghiên cứu ổn định lò chợ.</p>
<div id="attachment_31" style="width: 610px" class="wp-caption aligncenter">
<a href="/anh/may-nen.jpg"><img class="size-medium wp-image-31" src="/anh/may-nen-600.jpg"
 width="600" height="400" /></a>
<p id="caption-attachment-31" class="wp-caption-text">Máy nén ba trục sau khi hiệu chuẩn</p>
</div>
<p>Kết quả hiệu chuẩn đạt yêu cầu của tiêu chuẩn quốc gia về thiết bị thử nghiệm.</p>"""

CENTRED = """<p>Trong hai ngày 14 và 15/11/2023, Đoàn thanh niên Viện tổ chức chuyến thực địa
tại mỏ than Hà Lầm cho các kỹ sư trẻ mới tuyển dụng.</p>
<p style="text-align: center;"><img src="/anh/thuc-dia.jpg" /></p>
<p style="text-align: center;"><em>Các kỹ sư trẻ nghe giới thiệu về dây chuyền khai thác</em></p>
<p>Chuyến đi giúp các đoàn viên hiểu rõ hơn công nghệ cơ giới hóa đang áp dụng ở mỏ.</p>
<p style="text-align: right;"><strong>Phạm Thu Hà</strong></p>"""

SHORTCODE = """<p>Ngày 20/11/2023, Công đoàn Viện tổ chức gặp mặt kỷ niệm Ngày Nhà giáo
Việt Nam, tri ân các thầy cô đang hướng dẫn nghiên cứu sinh của Viện.</p>
<p>[caption id="attachment_40" align="aligncenter" width="640"]<img src="/anh/nha-giao.jpg"
 width="640" height="427" /> Tặng hoa các thầy cô giáo tại buổi gặp mặt[/caption]</p>
<p>Buổi gặp mặt diễn ra trong không khí ấm cúng và thân tình.</p>"""

LAST_DAY = """<p>Tối 30/11/2023, Viện hoàn thành nghiệm thu cơ sở đề tài về thông gió
mỏ hầm lò sâu, kịp tiến độ báo cáo Tập đoàn trong tháng.</p>"""

OTHER_MONTHS = "<p>Bài của tháng khác, không được lấy về.</p>"

CAPTIONS = [
    "Viện trưởng phát biểu chỉ đạo tại cuộc họp",
    "Máy nén ba trục sau khi hiệu chuẩn",
    "Các kỹ sư trẻ nghe giới thiệu về dây chuyền khai thác",
    "Tặng hoa các thầy cô giáo tại buổi gặp mặt",
]


def month_posts() -> list[Post]:
    """Five posts of November 2023 in the site's time (UTC+7), and two just
    outside it whose GMT date falls inside: a client judging the month in GMT
    would take the wrong ones."""
    return [
        Post(99, "2023-10-31T23:00:00", 7, "bai-thang-10", "Bài tháng trước", OTHER_MONTHS),
        Post(
            101, "2023-11-01T00:30:00", 7, "hop-giao-ban-thang-11", "Họp giao ban tháng 11", FIGURE
        ),
        Post(
            102,
            "2023-11-06T08:00:00",
            7,
            "hieu-chuan-may-nen",
            "Hiệu chuẩn máy nén ba trục",
            WP_CAPTION,
        ),
        Post(
            103,
            "2023-11-15T09:00:00",
            7,
            "thuc-dia-ha-lam",
            "Kỹ sư trẻ thực địa tại Hà Lầm",
            CENTRED,
        ),
        Post(
            104,
            "2023-11-20T14:00:00",
            7,
            "ngay-nha-giao",
            "Gặp mặt Ngày Nhà giáo &#8211; 20/11",
            SHORTCODE,
        ),
        Post(
            105,
            "2023-11-30T23:30:00",
            7,
            "nghiem-thu-de-tai",
            "Nghiệm thu đề tài thông gió",
            LAST_DAY,
        ),
        Post(106, "2023-12-01T01:00:00", 7, "bai-thang-12", "Bài tháng sau", OTHER_MONTHS),
    ]


NEWS_PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Khánh thành xưởng cơ khí mới tại mỏ Hà Lầm - Công ty Than Hà Lầm</title></head><body>
<div id="menu"><ul><li><a href="/">Trang chủ</a></li><li><a href="/tin-tuc/">Tin tức</a></li>
<li><a href="/gioi-thieu/">Giới thiệu</a></li><li><a href="/lien-he/">Liên hệ</a></li></ul></div>
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/tin-tuc/">Tin tức sự kiện</a></div>
<div class="main"><div class="news-detail">
<h1 class="news-title">Khánh thành xưởng cơ khí mới tại mỏ Hà Lầm</h1>
<div class="news-date">Thứ Tư, ngày 14/03/2018</div>
<div class="share-tools"><a href="#">Chia sẻ Facebook</a> <a href="#">In bài viết</a></div>
<div class="news-content">
<p>Sáng ngày 13/3/2018, Công ty Than Hà Lầm đã tổ chức lễ khánh thành xưởng cơ khí mới với
tổng diện tích hơn 2.000 mét vuông, đáp ứng nhu cầu sửa chữa thiết bị cho toàn mỏ.</p>
<figure><img src="/anh/xuong-1.jpg" alt="xuong"><figcaption>Lãnh đạo Công ty cắt băng
khánh thành xưởng cơ khí</figcaption></figure>
<p>Xưởng được trang bị máy tiện, máy phay điều khiển số và cầu trục 10 tấn, giúp rút ngắn
thời gian sửa chữa các thiết bị lớn của mỏ hầm lò.</p>
<p style="text-align:center"><img src="/anh/xuong-2.jpg"></p>
<p style="text-align:center"><em>Công nhân vận hành máy tiện điều khiển số</em></p>
<p>Phát biểu tại buổi lễ, Giám đốc Công ty đề nghị các phân xưởng sử dụng hiệu quả xưởng
mới và giữ gìn an toàn lao động.</p>
<p style="text-align:right"><strong>Hoàng Minh</strong></p>
</div>
<div class="other-news"><h3>Tin khác</h3><ul>
<li><a href="/tin-tuc/tong-ket-2017-100.htm"><img src="/anh/tin-khac.jpg">Hội nghị tổng kết
công tác năm 2017 của Công ty</a></li>
<li><a href="/tin-tuc/bong-da-101.htm">Giải bóng đá công nhân mỏ mừng Xuân Mậu Tuất</a></li>
</ul></div></div></div>
<div id="footer">Bản quyền thuộc Công ty Than Hà Lầm. Địa chỉ: phường Hà Lầm, TP Hạ Long.</div>
</body></html>"""


LEGACY_PAGE = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">
<title>Hội thảo an toàn mỏ</title></head><body><div id="menu"><a href="/">Trang chủ</a></div>
<div class="noidung"><h1>Hội thảo an toàn mỏ hầm lò năm 2018</h1>
<p>Ngày 20/3/2018, Công ty tổ chức hội thảo về an toàn trong khai thác hầm lò với sự tham dự của
các chuyên gia đầu ngành và đại diện các phân xưởng khai thác.</p>
<p>Hội thảo thống nhất nhiều giải pháp phòng ngừa sự cố khí mê-tan và bục nước trong lò.</p>
</div><div id="footer">Bản quyền thuộc Công ty.</div></body></html>"""


def cp1258(text: str) -> bytes:
    """Windows-1258 as old Vietnamese sites wrote it: tone marks as combining marks."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append((base + "".join(c for c in parts if c in tones)).encode("cp1258"))
    return b"".join(out)


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSite]:
    monkeypatch.setattr(client, "BACKOFF_SECONDS", 0.01)
    state = FakeSite(posts=month_posts())
    state.photos = {
        name: jpeg(colour)
        for name, colour in (
            ("giao-ban.jpg", (200, 40, 40)),
            ("may-nen.jpg", (40, 200, 40)),
            ("thuc-dia.jpg", (40, 40, 200)),
            ("nha-giao.jpg", (200, 200, 40)),
            ("ban.jpg", (40, 200, 200)),
            ("xuong-1.jpg", (120, 60, 20)),
            ("xuong-2.jpg", (20, 60, 120)),
            ("tin-khac.jpg", (0, 0, 0)),
            ("ngoai.jpg", (0, 0, 0)),
        )
    }
    state.photos["khong-lo.jpg"] = giant_jpeg()
    state.pages = {"/tin-tuc/khanh-thanh-xuong-co-khi-123.htm": NEWS_PAGE}
    server = Server(state)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, site: FakeSite) -> Path:
    (tmp_path / "bulletin.toml").write_text(
        f'articles_dir = "articles"\n\n[site]\nurl = "{site.base}"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def collect(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["collect", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def month_folder(project: Path) -> Path:
    return project / "articles" / "2023-11"


def articles(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}


def test_collects_exactly_the_month_with_photos_and_captions(project: Path, site: FakeSite) -> None:
    code, output = collect("--month", "2023-11")
    assert code == 0, output
    written = articles(month_folder(project))
    assert sorted(written) == [
        "hieu-chuan-may-nen.md",
        "hop-giao-ban-thang-11.md",
        "ngay-nha-giao.md",
        "nghiem-thu-de-tai.md",
        "thuc-dia-ha-lam.md",
    ]
    assert "bài 3/5: Kỹ sư trẻ thực địa tại Hà Lầm (1 ảnh)" in output
    assert "bài 5/5: Nghiệm thu đề tài thông gió\n" in output
    # every page of the listing was asked for, with the month in the site's time
    pages = [p for p, _agent in site.requests if p.startswith("/wp-json/wp/v2/posts")]
    assert [parse_qs(urlsplit(p).query)["page"] for p in pages] == [["1"], ["2"], ["3"]]
    query = parse_qs(urlsplit(pages[0]).query)
    assert query["after"] == ["2023-10-31T23:59:59"] and query["before"] == ["2023-12-01T00:00:00"]
    assert query["per_page"] == ["100"]
    assert all(agent.startswith("bulletin/") for _path, agent in site.requests)

    meeting = written["hop-giao-ban-thang-11.md"]
    assert "title: Họp giao ban tháng 11\n" in meeting
    assert "date: 2023-11-01\n" in meeting
    assert f"source: {site.base}/hop-giao-ban-thang-11/\n" in meeting
    assert "category: Tin hoạt động\n" in meeting
    assert "![Viện trưởng phát biểu chỉ đạo tại cuộc họp](hop-giao-ban-thang-11/01.jpg)" in meeting
    assert (
        "![Máy nén ba trục sau khi hiệu chuẩn](hieu-chuan-may-nen/01.jpg)"
        in (written["hieu-chuan-may-nen.md"])
    )
    field_trip = written["thuc-dia-ha-lam.md"]
    assert "![Các kỹ sư trẻ nghe giới thiệu về dây chuyền khai thác](thuc-dia-ha-lam/01.jpg)" in (
        field_trip
    )
    assert "author: Phạm Thu Hà\n" in field_trip
    assert "Phạm Thu Hà" not in field_trip.split("---", 2)[2]  # the byline left the body
    teachers = written["ngay-nha-giao.md"]
    assert "title: Gặp mặt Ngày Nhà giáo – 20/11\n" in teachers
    assert "![Tặng hoa các thầy cô giáo tại buổi gặp mặt](ngay-nha-giao/01.jpg)" in teachers
    assert "[caption" not in teachers
    # the largest version of each photo: the srcset's widest, the <a> to the full file
    folder = month_folder(project)
    assert (folder / "hop-giao-ban-thang-11" / "01.jpg").read_bytes() == site.photos["giao-ban.jpg"]
    assert (folder / "hieu-chuan-may-nen" / "01.jpg").read_bytes() == site.photos["may-nen.jpg"]


def test_rss_when_the_api_is_closed(project: Path, site: FakeSite) -> None:
    """The feed's dates are GMT: the month is still judged in the site's time."""
    site.api_closed = True
    code, output = collect("--month", "2023-11")
    assert code == 0, output
    assert sorted(articles(month_folder(project))) == [
        "hieu-chuan-may-nen.md",
        "hop-giao-ban-thang-11.md",
        "ngay-nha-giao.md",
        "nghiem-thu-de-tai.md",
        "thuc-dia-ha-lam.md",
    ]
    assert site.hits("/feed/?paged=2") == 1
    meeting = articles(month_folder(project))["hop-giao-ban-thang-11.md"]
    assert "date: 2023-11-01\n" in meeting
    assert "](hop-giao-ban-thang-11/01.jpg)" in meeting


def test_rerun_adds_updates_and_leaves_hand_edits(project: Path, site: FakeSite) -> None:
    assert collect("--month", "2023-11")[0] == 0
    folder = month_folder(project)
    edited = folder / "hieu-chuan-may-nen.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")
    hand_made = edited.read_text(encoding="utf-8")
    before = articles(folder)

    # unchanged site: nothing rewritten, nothing duplicated
    code, output = collect("--month", "2023-11")
    assert code == 0, output
    assert "0 mới, 0 cập nhật, 4 không đổi" in output
    assert articles(folder) == before
    assert output.count("hieu-chuan-may-nen.md: đã được sửa tay") == 1

    # the site edits two posts and adds one; one post is deleted from the site
    site.posts[1].content = FIGURE.replace("những tuần cuối năm", "tháng 12")
    site.posts[2].content = WP_CAPTION.replace("đạt yêu cầu", "đạt mọi yêu cầu")
    site.posts.append(
        Post(107, "2023-11-25T10:00:00", 7, "bai-moi", "Bài mới đăng", "<p>Nội dung mới.</p>")
    )
    site.posts = [p for p in site.posts if p.id != 105]
    code, output = collect("--month", "2023-11")
    assert code == 0, output
    assert "1 mới, 1 cập nhật" in output
    now = articles(folder)
    assert "tháng 12" in now["hop-giao-ban-thang-11.md"]
    assert now["hieu-chuan-may-nen.md"] == hand_made  # left alone, said once
    assert output.count("hieu-chuan-may-nen.md: đã được sửa tay") == 1
    assert f"{site.base}/nghiem-thu-de-tai/: không còn trên trang web" in output
    assert "nghiem-thu-de-tai.md" in now  # reported, not deleted
    assert len(now) == 6

    code, output = collect("--month", "2023-11", "--force")
    assert code == 0, output
    assert "đạt mọi yêu cầu" in articles(folder)["hieu-chuan-may-nen.md"]

    # an article the staff removed stays removed
    (folder / "thuc-dia-ha-lam.md").unlink()
    code, output = collect("--month", "2023-11")
    assert code == 0, output
    assert "thuc-dia-ha-lam.md: đã bị xoá tay, không ghi lại" in output
    assert not (folder / "thuc-dia-ha-lam.md").exists()


def test_failed_photos_are_named_and_the_rest_written(project: Path, site: FakeSite) -> None:
    site.posts[1].content = (
        FIGURE
        + '<figure><img src="/anh/loi.jpg"><figcaption>Ảnh lỗi máy chủ</figcaption></figure>'
        + '<p><img src="/anh/chuyen.jpg"></p>'
        + '<p><img src="/anh/to.jpg"></p><p><img src="/anh/khong-lo.jpg"></p>'
        + '<p><img src="file:///etc/passwd"></p><p><img src="/anh/ban.jpg"></p>'
        + '<p><img src="http://127.0.0.1:9/admin.jpg"></p>'
    )
    site.posts[5].content = '<div class="sharedaddy"><p>Chia sẻ</p></div>'  # no text left
    code, output = collect("--month", "2023-11")
    assert code == 1
    base = site.base
    assert f"{base}/anh/loi.jpg: máy chủ trả lời 500" in output
    assert f"{base}/anh/chuyen.jpg: bị chuyển sang máy chủ khác" in output
    assert "localhost" in output and site.hits("ngoai.jpg") == 0
    assert f"{base}/anh/to.jpg: lớn hơn 30 MB" in output
    assert f"{base}/anh/khong-lo.jpg: lớn hơn 100 megapixel" in output
    assert "file:///etc/passwd: chỉ lấy địa chỉ http và https" in output
    assert "http://127.0.0.1:9/admin.jpg: không phải cổng của trang web" in output
    assert f"{base}/nghiem-thu-de-tai/: không tìm thấy nội dung bài" in output
    assert site.hits("/anh/loi.jpg") == 1 + client.MAX_RETRIES  # bounded retries
    assert site.hits("/anh/ban.jpg") == 2  # 429, then the photo
    meeting = articles(month_folder(project))["hop-giao-ban-thang-11.md"]
    assert "Ảnh lỗi máy chủ" not in meeting and "loi.jpg" not in meeting
    assert "](hop-giao-ban-thang-11/07.jpg)" in meeting  # ban.jpg, after its retry
    assert len(articles(month_folder(project))) == 4  # every other post written
    # the next run tries the failed photos again
    code, _output = collect("--month", "2023-11")
    assert code == 1 and site.hits("/anh/loi.jpg") == 2 * (1 + client.MAX_RETRIES)


def test_photo_hosts_must_not_be_private(project: Path, site: FakeSite) -> None:
    """A host in [site] photo_hosts that is a private address is refused."""
    with open("bulletin.toml", "a", encoding="utf-8") as config:
        config.write('photo_hosts = ["localhost"]\n')
    site.posts[1].content = FIGURE + '<p><img src="/anh/chuyen.jpg"></p>'
    code, output = collect("--month", "2023-11")
    assert code == 1
    assert "ngoai.jpg: địa chỉ mạng nội bộ" in output
    assert site.hits("ngoai.jpg") == 0


def test_a_photo_host_that_turns_private_after_the_check_is_not_dialled(
    project: Path, site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: a photo host answers a public address to the check and the
    office's own address to the connection. The connection dials only what was
    checked, so the photo is refused and the local server never sees it."""
    with open("bulletin.toml", "a", encoding="utf-8") as config:
        config.write('photo_hosts = ["anh.example"]\n')
    port = site.base.rsplit(":", 1)[1]
    site.posts[1].content = FIGURE + f'<p><img src="http://anh.example:{port}/anh/ngoai.jpg"></p>'
    real_lookup = socket.getaddrinfo
    answers = iter(["93.184.216.34"])  # public once, then the loopback

    def rebinding(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != "anh.example":
            return real_lookup(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    code, output = collect("--month", "2023-11")
    assert code == 1
    assert f"http://anh.example:{port}/anh/ngoai.jpg: địa chỉ mạng nội bộ" in output
    assert site.hits("ngoai.jpg") == 0
    meeting = articles(month_folder(project))["hop-giao-ban-thang-11.md"]
    assert "ngoai.jpg" not in meeting and "Viện Khoa học Công nghệ Mỏ họp" in meeting


def test_slow_server_times_out(
    project: Path, site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "WHOLE_ANSWER_TIMEOUTS", 3)
    site.posts[1].content = FIGURE + '<p><img src="/anh/cham.jpg"></p>'
    site.posts[1].content += '<p><img src="/anh/nho-giot.jpg"></p>'
    start = time.monotonic()
    code, output = collect("--month", "2023-11", "--timeout", "0.3")
    assert code == 1
    assert f"{site.base}/anh/cham.jpg: không có trả lời sau 0.3 giây" in output
    assert f"{site.base}/anh/nho-giot.jpg: không có trả lời sau 0.3 giây" in output
    assert time.monotonic() - start < 10
    assert (
        "](hop-giao-ban-thang-11/01.jpg)"
        in articles(month_folder(project))["hop-giao-ban-thang-11.md"]
    )


def test_at_most_four_downloads_at_once(project: Path, site: FakeSite) -> None:
    site.posts[1].content = "".join(f'<p><img src="/anh/nhom-{i}.jpg"></p>' for i in range(8))
    site.posts[1].content += "<p>Tám ảnh của một bài.</p>"
    code, output = collect("--month", "2023-11")
    assert code == 0, output
    assert 2 <= site.most_at_once <= client.PARALLEL
    assert len(list((month_folder(project) / "hop-giao-ban-thang-11").glob("*.jpg"))) == 8


def test_category_and_language_of_the_site(project: Path, site: FakeSite) -> None:
    code, output = collect("--month", "2023-11", "--category", "tin-tuc", "--site-lang", "vi")
    assert code == 0, output
    assert sorted(articles(month_folder(project))) == [
        "hop-giao-ban-thang-11.md",
        "thuc-dia-ha-lam.md",
    ]
    assert site.queries[0]["categories"] == "7" and site.queries[0]["lang"] == "vi"
    code, output = collect("--month", "2023-11", "--category", "khong-co")
    assert code == 1
    assert "trang web không có chuyên mục 'khong-co'" in output


def test_unknown_site_is_one_clear_line(project: Path) -> None:
    code, output = collect("--site", "http://127.0.0.1:9", "--month", "2023-11")
    assert code == 1
    assert output.startswith("Lỗi: Không liệt kê được các bài của trang web")
    assert "Traceback" not in output


def test_single_page_of_a_non_wordpress_site(project: Path, site: FakeSite) -> None:
    url = f"{site.base}/tin-tuc/khanh-thanh-xuong-co-khi-123.htm"
    code, output = collect(url, "--month", "2018-03")
    assert code == 0, output
    written = articles(project / "articles" / "2018-03")
    assert list(written) == ["khanh-thanh-xuong-co-khi-123.md"]
    text = written["khanh-thanh-xuong-co-khi-123.md"]
    assert "title: Khánh thành xưởng cơ khí mới tại mỏ Hà Lầm\n" in text
    assert "date: 2018-03-14\n" in text
    assert "author: Hoàng Minh\n" in text
    assert (
        "![Lãnh đạo Công ty cắt băng khánh thành xưởng cơ khí](khanh-thanh-xuong-co-khi-123/01.jpg)"
        in text
    )
    assert (
        "![Công nhân vận hành máy tiện điều khiển số](khanh-thanh-xuong-co-khi-123/02.jpg)" in text
    )
    body = text.split("---", 2)[2]
    for chrome in ("Trang chủ", "Tin khác", "Chia sẻ", "In bài", "Bản quyền", "tổng kết",
                   "bóng đá", "Thứ Tư", "Hoàng Minh", "Khánh thành xưởng cơ khí mới"):  # fmt: skip
        assert chrome not in body, chrome
    assert "Xưởng được trang bị máy tiện" in body
    assert site.hits("tin-khac.jpg") == 0
    # a rerun duplicates nothing
    code, output = collect(url, "--month", "2018-03")
    assert code == 0 and "0 mới, 0 cập nhật, 1 không đổi" in output


def test_single_page_in_a_legacy_encoding(project: Path, site: FakeSite) -> None:
    code, output = collect(f"{site.base}/tin-tuc/trang-cu-7.htm", "--month", "2018-03")
    assert code == 0, output
    text = articles(project / "articles" / "2018-03")["trang-cu-7.md"]
    assert "title: Hội thảo an toàn mỏ hầm lò năm 2018\n" in text
    assert "khí mê-tan và bục nước" in text
    assert unicodedata.is_normalized("NFC", text)


def test_make_prints_every_photo_and_caption(project: Path, site: FakeSite) -> None:
    """Done when: the collected month builds, with every photo and caption and
    no site chrome."""
    assert collect("--month", "2023-11")[0] == 0
    url = f"{site.base}/tin-tuc/khanh-thanh-xuong-co-khi-123.htm"
    assert collect(url, "--month", "2023-11")[0] == 0
    result = CliRunner().invoke(main, ["make", "--month", "2023-11"])
    assert result.exit_code == 0, result.output
    assert "'source'" not in result.output  # a key the Markdown reader knows
    pdf = project / "out" / "ban-tin-2023-11.pdf"
    photos = 6  # four posts with one photo each, two on the page
    # WeasyPrint shares one resource dictionary between pages: count distinct images
    images = {image.name for page in PdfReader(pdf).pages for image in page.images}
    assert len(images) == photos
    text = " ".join(pdf_text(pdf))
    for caption in [*CAPTIONS, "Lãnh đạo Công ty cắt băng khánh thành xưởng cơ khí"]:
        assert caption in text, caption
    for chrome in ("Tin khác", "Chia sẻ", "Trang chủ", "Bản quyền", "[caption", "admin"):
        assert chrome not in text, chrome


def test_collect_is_the_only_command_loading_the_http_client() -> None:
    code = (
        "import sys; from bulletin.cli import main; "
        "import bulletin.build, bulletin.check; "
        "assert not any(m.split('.')[0] in ('httpx', 'trafilatura') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_markup_is_read_with_a_parser_not_patterns() -> None:
    """Odd but real markup: nested emphasis, a gallery, lazy-loaded images, icons."""
    from bulletin.web.markup import Photo, Text, from_html

    content = from_html(
        """<p><em>Chú thích <strong>đậm</strong> trong nghiêng</em></p>
        <figure class="wp-block-gallery"><figure><img data-src="/a.jpg" src="data:,">
        <figcaption>Ảnh A</figcaption></figure><figure><img src="/b.jpg">
        <figcaption>Ảnh B</figcaption></figure></figure>
        <p><img src="/smile.png" class="emoji" width="16"> Vui <b>*quá*</b></p>
        <p>1. Không phải danh sách</p>
        <p style="text-align:center"><img src="/c.jpg"><br><em>Ảnh C cùng đoạn</em></p>
        <table class="tplCaption"><tr><td><img src="/d.jpg"></td></tr>
        <tr><td class="image_desc">Ảnh D trong bảng</td></tr></table>
        <p><img src="/e.jpg"></p><p class="wp-caption-text">Ảnh E</p>""",
        "http://x.vn/bai/",
    )
    photos = [b for b in content.blocks if isinstance(b, Photo)]
    assert photos == [
        Photo("http://x.vn/a.jpg", "Ảnh A"),
        Photo("http://x.vn/b.jpg", "Ảnh B"),
        Photo("http://x.vn/c.jpg", "Ảnh C cùng đoạn"),
        Photo("http://x.vn/d.jpg", "Ảnh D trong bảng"),
        Photo("http://x.vn/e.jpg", "Ảnh E"),
    ]
    texts = [b.markdown for b in content.blocks if isinstance(b, Text)]
    assert texts == [
        "*Chú thích **đậm** trong nghiêng*",
        "Vui **\\*quá\\***",
        "1\\. Không phải danh sách",
    ]
    assert re.search(r"smile", str(content)) is None


def test_a_broken_install_is_named_not_a_traceback(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """lxml 6.2 dropped the extra jusText asks for: collect once died on an ImportError."""
    for name in [m for m in sys.modules if m.startswith("bulletin.web")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # makes `import trafilatura` fail
    result = CliRunner().invoke(main, ["collect", "--month", "2023-11"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Không chạy được bulletin collect" in result.output
    assert "pip install --force-reinstall" in result.output
