"""Website leftovers as data: what a pasted web page carries that is not the article.

Every pattern matches a *whole line* (after white space is folded), never the
start of a paragraph: "Chia sẻ" alone is a share button, "Chia sẻ với đoàn
công tác, …" is body text. Each pattern says where it may apply:

- ``anywhere``: shapes no article line ever has (a view counter, a shortcode,
  a photo's file name, a share button);
- ``head``: before the article's first paragraph (a menu, a breadcrumb);
- ``tail``: after the article's last paragraph (a site footer);
- ``list``: a heading that opens the page's list of other articles ("Tin
  khác", "Các mục khác"): it and everything after it are the page's tail.

Each row carries an example that its test reads, and the reason ``bulletin
read`` prints for a dropped line. A new leftover is one new row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bulletin.i18n import N_

Where = Literal["anywhere", "head", "tail", "list"]


@dataclass(frozen=True)
class Leftover:
    """One kind of website leftover: its whole-line pattern, where it may stand,
    why it is dropped (a message id), and an example line."""

    name: str
    pattern: re.Pattern[str]
    where: Where
    why: str
    example: str

    def matches(self, line: str) -> bool:
        return bool(self.pattern.fullmatch(line))


def _line(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_SHARE_WORDS = (
    r"share|chia sẻ|chia sẻ bài viết|tweet|like|thích|facebook|zalo|twitter|linkedin|"
    r"e-?mail|gửi email|gửi bài viết|in|in bài|in bài viết|in trang|bản in|print|"
    r"video|audio|nghe bài viết|nghe đọc bài|lưu bài|lưu tin|bookmark|copy link|sao chép liên kết"
)
_MENU_WORDS = (
    r"trang chủ|home|giới thiệu|tin tức|tin tức - sự kiện|tin tức sự kiện|liên hệ|"
    r"sơ đồ (?:site|trang|website)|đăng nhập|đăng ký|tìm kiếm|english|tiếng việt|menu|"
    r"thư viện ảnh|thư viện video|văn bản|hỏi đáp|sản phẩm|dịch vụ|hoạt động|đoàn thể|"
    r"khoa học công nghệ|tin trong ngành|tin hoạt động|tin viện"
)
_LIST_HEADINGS = (
    r"các mục khác|tin khác|các tin khác|bài viết liên quan|tin liên quan|tin bài liên quan|"
    r"bài liên quan|tin cùng chuyên mục|bài cùng chuyên mục|bài viết khác|tin bài khác|"
    r"tin đã đưa|các tin đã đưa|tin mới hơn|tin cũ hơn|tin mới|tin mới nhất|tin đọc nhiều|"
    r"đọc nhiều nhất|xem nhiều nhất|bình luận|ý kiến bạn đọc|gửi ý kiến|gửi bình luận|"
    r"tags?|từ khóa|từ khoá"
)

LEFTOVERS: tuple[Leftover, ...] = (
    Leftover(
        "view-counter",
        _line(r"(?:lượt xem|số lượt xem|lượt đọc|đã xem|views?|lượt truy cập)\s*:?\s*[\d.,]+"),
        "anywhere",
        N_("view counter of the web page"),
        "Lượt xem: 1.024",
    ),
    Leftover(
        "bare-number",
        _line(r"[\d][\d.,]*"),
        "anywhere",
        N_("a number alone on a line (a view counter or page number of the web page)"),
        "87",
    ),
    Leftover(
        "share",
        _line(rf"(?:{_SHARE_WORDS})\s*(?:\(\s*\d+\s*\)|:)?"),
        "anywhere",
        N_("share, print or media button of the web page"),
        "In bài viết",
    ),
    Leftover(
        "shortcode",
        _line(r"\[/?[a-z][\w-]*(?:\s[^\]]*)?\](?:\s*\[/?[a-z][\w-]*(?:\s[^\]]*)?\])*"),
        "anywhere",
        N_("website shortcode that was not turned into a picture"),
        '[source url="http://example.vn/a.pdf" button="Tải về"]',
    ),
    Leftover(
        "image-file",
        _line(r"[\w\-. ()]{1,120}\.(?:jpe?g|png|gif|webp|heic|heif|bmp|tiff?)"),
        "anywhere",
        N_("file name of a photo that did not come with the copy"),
        "IMG_20231106_093512.jpg",
    ),
    Leftover(
        "loading",
        _line(r"(?:loading|đang tải|please wait|vui lòng chờ)\s*(?:\.{2,}|…)?"),
        "anywhere",
        N_("web page's loading message"),
        "Loading...",
    ),
    Leftover(
        "link-only",
        _line(r"(?:https?://|www\.)\S+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org)(?:/\S*)?"),
        "anywhere",
        N_("a web address alone on a line"),
        "www.vinacomin.vn",
    ),
    Leftover(
        "navigation",
        _line(
            r"(?:[«‹<>»›]+\s*)?(?:bài trước|bài sau|tin trước|tin sau|bài tiếp theo|tin tiếp theo|"
            r"quay lại|trở về|trở lại|về đầu trang|lên đầu trang|xem tiếp|đọc tiếp|xem thêm|"
            r"xem chi tiết|chi tiết|previous|next|back)?(?:\s*[«‹<>»›]+)?"
        ),
        "anywhere",
        N_("navigation link of the web page"),
        "« Quay lại",
    ),
    Leftover(
        "related-link",
        _line(r"(?:xem thêm|đọc thêm|tin liên quan|bài liên quan|mời xem)\s*:\s*[^.!?…]{3,160}"),
        "anywhere",
        N_("link to another article of the web page"),
        "Xem thêm: Công ty tổ chức huấn luyện an toàn cho công nhân mới",
    ),
    Leftover(
        "breadcrumb",
        _line(
            r"(?:trang chủ|home)(?:\s*[»›>/|]\s*[^»›>|]{1,40}){1,6}"
            r"|[^»›]{1,40}(?:\s[»›]\s[^»›]{1,40}){1,6}"
        ),
        "head",
        N_("breadcrumb of the web page"),
        "Trang chủ » Tin tức » Hoạt động",
    ),
    Leftover(
        "menu",
        _line(rf"(?:{_MENU_WORDS})(?:\s*[|/]\s*(?:{_MENU_WORDS}))*"),
        "head",
        N_("menu of the web site"),
        "Giới thiệu",
    ),
    Leftover(
        "footer",
        _line(
            r"(?=.{1,100}$)(?:bản quyền|copyright|©|địa chỉ\s*:|điện thoại\s*:|đt\s*:|tel\s*:|"
            r"fax\s*:|email\s*:|website\s*:|thiết kế bởi|designed by|giấy phép|chịu trách nhiệm|"
            r"ghi rõ nguồn|phát triển bởi|powered by).*"
        ),
        "tail",
        N_("footer of the web site"),
        "Bản quyền © 2023 Viện Khoa học Công nghệ Mỏ",
    ),
    Leftover(
        "list-heading",
        _line(rf"(?:{_LIST_HEADINGS})\s*:?"),
        "list",
        N_("the web page's list of other articles"),
        "Các mục khácViện Khoa học Công nghệ Mỏ: Họp giao ban tháng 10/2023",
    ),
)


def leftover(line: str, where: Where) -> Leftover | None:
    """The first pattern of kind ``where`` (or ``anywhere``) that matches the whole line."""
    for row in LEFTOVERS:
        if row.where in (where, "anywhere") and row.matches(line):
            return row
    return None


_GLUED = _line(rf"(?:{_LIST_HEADINGS})(?=\S)")


def list_heading(line: str) -> Leftover | None:
    """A heading that opens the page's list of other articles: alone on its
    line, or glued to the first listed title ("Các mục khácViện …"), as a
    select-all copy joins them. A paragraph that merely begins with the same
    words ("Tin khác cho biết …") has a space and a small letter after them."""
    row = next(r for r in LEFTOVERS if r.where == "list")
    if row.matches(line):
        return row
    glued = _GLUED.match(line)
    if glued and line[glued.end()].isupper():
        return row
    return None


# Shortcodes left inside a caption line: "[caption id=… align=…]Toàn cảnh[/caption]".
INLINE_SHORTCODE = re.compile(r"\[/?(?:caption|wp_caption|gallery|embed|video|audio)\b[^\]]*\]")
