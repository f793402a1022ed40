"""``bulletin init``: a commented config and a first month folder to start from."""

from __future__ import annotations

from pathlib import Path

from bulletin.build import today
from bulletin.config import CONFIG_NAME
from bulletin.errors import BulletinError, display_path
from bulletin.i18n import _

CONFIG_TEXT = """\
# Cấu hình bản tin — mọi dòng đều có thể bỏ đi: khi đó dùng giá trị mặc định.
# Đường dẫn tính từ thư mục chứa tệp này.

articles_dir = "articles"   # thư mục chứa các tháng: articles/2023-11/, articles/2023-12/ …
out_dir = "out"             # nơi ghi tệp PDF
layout = "classic"          # mẫu trình bày (thư mục layouts/<tên>/ bên cạnh tệp này được ưu tiên)

[bulletin]
name = "Thông tin Khoa học Công nghệ Mỏ"               # tên bản tin
institute = "Viện Khoa học Công nghệ Mỏ – Vinacomin"   # cơ quan xuất bản
parent = "Tập đoàn Công nghiệp Than – Khoáng sản Việt Nam"  # cơ quan chủ quản
place = "Hà Nội"                                       # nơi phát hành, in cạnh ngày
# first_month = "2023-01"   # tháng của số 1; bỏ trống: đếm từ thư mục tháng cũ nhất
# first_number = 1
# website = "http://intranet.example/ban-tin"          # địa chỉ trang tin nội bộ

[editorial]                 # hộp thông tin ở trang cuối (Luật Báo chí 2016, Điều 34)
responsible = "Viện trưởng"                            # chịu trách nhiệm xuất bản
board = ["Văn phòng Viện"]                             # ban biên tập
address = "Số 3 Phan Đình Giót, Thanh Xuân, Hà Nội"
# phone = "024 0000 0000"
# email = "vanphong@example.vn"
# licence = "Giấy phép xuất bản số …/GP-… ngày …"
# printer = "Phòng Hành chính"
# print_run = 50
interval = "Hằng tháng"

# Gửi bản tin qua thư điện tử (lệnh bulletin send): bỏ dấu # ở đầu các dòng dưới đây
# rồi sửa cho đúng. Mật khẩu không ghi ở đây: lệnh sẽ hỏi khi gửi.
# [email]
# host = "mail.example.vn"          # máy chủ thư của Viện
# port = 587
# security = "auto"     # auto: mã hóa (STARTTLS) khi máy chủ hỗ trợ; hoặc starttls, ssl, none
# sender = "vanphong@example.vn"    # địa chỉ gửi đi
# username = "vanphong" # tên đăng nhập: khi có, bắt buộc mã hóa trừ khi ghi security = "none"
# max_attachment_mb = 10            # tệp PDF lớn hơn thì không gửi
#
# [[units]]                         # mỗi đơn vị nhận bản tin là một bảng [[units]]
# name = "Phòng Kinh tế Dự án"
# email = "kinhte@example.vn"       # một địa chỉ
#
# [[units]]
# name = "Phòng Công nghệ Khai thác"
# email = ["khaithac@example.vn", "truongphong@example.vn"]   # hoặc một danh sách
"""

EXAMPLE_ARTICLE = """\
---
title: Bài viết mẫu của bản tin
date: {date}
author: Văn phòng Viện
category: Tin hoạt động
draft: true   # bài nháp: không được in. Xóa dòng này nếu muốn in bài
---

Đây là một bài viết mẫu. Mỗi tháng, hãy chép các bài viết vào thư mục
`articles/{month}/`: tệp văn bản (.txt) chép từ trang tin, tệp Markdown (.md)
như tệp này, hoặc tệp Word (.docx).

Sau đó chạy lệnh `bulletin make` để tạo tệp PDF trong thư mục `out/`.
Bài mẫu này là bài nháp (`draft: true`) nên không được in; có thể xóa tệp.
"""


def create_project(directory: Path) -> list[Path]:
    """Write ``bulletin.toml`` and ``articles/YYYY-MM/bai-mau.md``; never overwrite."""
    config = directory / CONFIG_NAME
    if config.exists():
        raise BulletinError(
            _("{path}: already exists, not overwritten").format(path=display_path(config))
        )
    now = today()
    month = f"{now.year:04d}-{now.month:02d}"
    article = directory / "articles" / month / "bai-mau.md"
    try:
        article.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(CONFIG_TEXT, encoding="utf-8")
        if not article.exists():
            article.write_text(
                EXAMPLE_ARTICLE.format(date=now.isoformat(), month=month), encoding="utf-8"
            )
    except OSError as exc:
        raise BulletinError(
            _("{path}: cannot write ({reason})").format(
                path=display_path(directory), reason=exc.strerror
            )
        ) from None
    return [config, article]
