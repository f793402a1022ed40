"""The Vietnamese micro-typography filter: where a line may not break."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup

from bulletin.typography import NBSP, headline, typeset, typeset_html

INSTITUTE = "Viện Khoa học Công nghệ Mỏ – Vinacomin"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("đạt 81 % kế hoạch", "đạt 81~% kế hoạch"),
        ("tăng 2,5 ‰", "tăng 2,5~‰"),
        ("dài 350 m đường lò", "dài 350~m đường lò"),
        ("12 km", "12~km"),
        ("1.250 tấn than", "1.250~tấn than"),
        ("3,5 tỷ đồng", "3,5~tỷ đồng"),
        ("45 người", "45~người"),
        ("lúc 8 giờ", "lúc 8~giờ"),
        ("87 năm Ngày truyền thống", "87 năm Ngày truyền thống"),  # dates glue word by word
        ("TS. Hoàng Văn Khởi", "TS.~Hoàng Văn Khởi"),
        ("ThS. Lê Thị Hồng Nhung", "ThS.~Lê Thị Hồng Nhung"),
        ("PGS.TS. Nguyễn Văn A", "PGS.TS.~Nguyễn Văn A"),
        ("PGS. TS. Nguyễn Văn A", "PGS.~TS.~Nguyễn Văn A"),
        ("KS. Đỗ Mạnh Tiến", "KS.~Đỗ Mạnh Tiến"),
        ("ông Trần Minh Đức", "ông~Trần Minh Đức"),
        ("Bà Lê Thu Hà", "Bà~Lê Thu Hà"),
        ("đồng chí Nguyễn Thị Thu Hà", "đồng~chí~Nguyễn Thị Thu Hà"),
        ("ông bà ta", "ông bà ta"),  # no name follows
        ("ngày 06/11/2023", "ngày~06/11/2023"),
        ("Ngày 06/11/2023, tại Hà Nội", "Ngày~06/11/2023, tại Hà~Nội"),
        ("ngày 06 tháng 11 năm 2023", "ngày~06 tháng~11 năm~2023"),
        ("Quý IV năm 2023", "Quý~IV năm~2023"),
        ("TP. Hồ Chí Minh", "TP.~Hồ~Chí~Minh"),
        ("từ 12/11/1936 – 12/11/2023", "từ 12/11/1936~– 12/11/2023"),
        ("vùng mỏ — ngành Than", "vùng mỏ~— ngành Than"),
        ("– một ý", "– một ý"),  # a dash opening a paragraph stays
        ("", ""),
    ],
)
def test_typeset(text: str, expected: str) -> None:
    assert typeset(text) == expected.replace("~", NBSP)


def test_a_long_name_is_held_together_only_at_its_ends() -> None:
    """Held whole, 26 characters that cannot break opened wide gaps in justified
    lines (a new user's trial); no line ends on "Viện" nor starts with "Mỏ"."""
    text = f"{INSTITUTE} tổ chức hội thảo"
    assert typeset(text, [INSTITUTE]) == (
        "Viện~Khoa học Công nghệ~Mỏ~– Vinacomin tổ chức hội thảo".replace("~", NBSP)
    )
    assert typeset("tại Hà Nội", ["Công đoàn Viện"]) == "tại Hà~Nội".replace("~", NBSP)
    assert typeset("Công đoàn Viện họp", ["Công đoàn Viện"]) == (
        "Công~đoàn~Viện họp".replace("~", NBSP)
    )


def test_words_are_never_changed() -> None:
    text = "Ngày 06/11/2023, TS. Hoàng đạt 81 % – Hà Nội, 350 m."
    assert typeset(text).replace(NBSP, " ") == text
    assert typeset(None) == ""


def test_html_text_nodes_only() -> None:
    fragment = '<p title="81 % ông Bình"><a href="/a b 5 m">đạt 5 m</a> &amp; TS. Hà</p>'
    out = typeset_html(fragment)
    assert isinstance(out, Markup)
    assert out == (
        f'<p title="81 % ông Bình"><a href="/a b 5 m">đạt 5{NBSP}m</a> &amp; TS.{NBSP}Hà</p>'
    )


def test_html_stays_escaped() -> None:
    fragment = "<p>a &lt;script&gt;alert(1)&lt;/script&gt; 5 % b</p>"
    out = typeset_html(fragment)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert f"5{NBSP}%" in out


def test_an_attribute_holding_a_bracket_is_left_whole() -> None:
    fragment = '<p><abbr title="a > 5 m">x</abbr> 5 m</p>'
    assert typeset_html(fragment) == f'<p><abbr title="a > 5 m">x</abbr> 5{NBSP}m</p>'


def test_code_is_left_alone() -> None:
    assert typeset_html("<pre><code>5 %</code></pre><p>5 %</p>") == (
        f"<pre><code>5 %</code></pre><p>5{NBSP}%</p>"
    )


def test_numeric_table_cells_are_marked() -> None:
    table = (
        "<table><tr><th>Chỉ tiêu</th><th>2023</th></tr>"
        "<tr><td>Tốc độ</td><td>1.234,5</td><td>81 %</td><td>−2</td><td>x 5</td></tr></table>"
    )
    out = typeset_html(table)
    assert '<th class="num">2023</th>' in out
    assert '<td class="num">1.234,5</td>' in out
    assert f'<td class="num">81{NBSP}%</td>' in out
    assert '<td class="num">−2</td>' in out
    assert "<td>Tốc độ</td>" in out and "<td>x 5</td>" in out


def test_headline_never_ends_on_one_short_word() -> None:
    out = headline("Kỷ niệm 87 năm Ngày truyền thống công nhân vùng mỏ")
    assert out.endswith('<span class="nw">công nhân vùng mỏ</span>')
    assert out.striptags() == "Kỷ niệm 87 năm Ngày truyền thống công nhân vùng mỏ"


def test_headline_escapes_and_keeps_plain_spaces() -> None:
    out = headline("Hội thảo <b> tại Hà Nội")
    assert "<b>" not in out and "&lt;b&gt;" in out
    assert NBSP not in out  # the bookmark and the contents copy the title's text
    assert headline("Giải bóng bàn") == "Giải bóng bàn"
    assert headline("") == ""


def test_a_header_over_a_column_of_numbers_is_right_aligned_with_them() -> None:
    """Markdown's header row over right-aligned numbers once stayed on the left."""
    table = (
        "<table><thead><tr><th>Đơn vị</th><th>Sản lượng (tấn)</th><th>Ghi chú</th></tr></thead>"
        "<tbody><tr><td>Mỏ A</td><td>1.200</td><td>tốt</td></tr>"
        "<tr><td>Mỏ B</td><td>950</td><td></td></tr></tbody></table>"
    )
    out = typeset_html(table)
    assert '<th class="num">Sản lượng (tấn)</th>' in out
    assert "<th>Đơn vị</th>" in out and "<th>Ghi chú</th>" in out
    mixed = table.replace("<td>950</td>", "<td>chưa có</td>")
    assert "<th>Sản lượng (tấn)</th>" in typeset_html(mixed)


@pytest.mark.parametrize(
    ("source", "printed"),
    [
        ('Ông nói: "Xin chào" rồi đi.', "Ông nói: “Xin chào” rồi đi."),
        (
            'Khẩu hiệu "An toàn là trên hết", "Năng suất".',
            "Khẩu hiệu “An toàn là trên hết”, “Năng suất”.",
        ),
        ('("Trích")', "(“Trích”)"),
    ],
)
def test_straight_quotes_are_printed_curly(source: str, printed: str) -> None:
    assert typeset(source) == printed


def test_quotes_around_a_tag_and_in_attributes() -> None:
    """Each text node is typeset alone: the side of the quote that is there decides;
    attribute values are never touched."""
    assert typeset_html('<p>Đạt "<b>Xuất sắc</b>".</p>') == "<p>Đạt “<b>Xuất sắc</b>”.</p>"
    assert typeset_html('<a title="a &quot;b&quot;">"Tên"</a>') == (
        '<a title="a &quot;b&quot;">“Tên”</a>'
    )


def test_a_headline_with_a_comma_does_not_leave_its_first_word_alone(tmp_path: Path) -> None:
    """Bare text with a comma before the nowrap tail made WeasyPrint 70 break after
    the first word ("Khen / thưởng các tập thể, cá nhân có / …" on the poster)."""
    from bulletin import render

    title = headline("Khen thưởng các tập thể, cá nhân có thành tích xuất sắc")
    html = (
        "<html><style>.nw { white-space: nowrap } h2 { width: 490px; margin: 0;"
        f' font: 700 20pt/1.2 "Noto Sans" }}</style><body><h2>{title}</h2></body></html>'
    )
    document = render.render(html, base=tmp_path, allowed=[tmp_path])
    lines = [
        "".join(getattr(text, "text", "") for text in box.descendants())
        for box in document.pages[0]._page_box.descendants()
        if type(box).__name__ == "LineBox"
    ]
    assert lines == ["Khen thưởng các tập thể, cá nhân có", "thành tích xuất sắc"]
