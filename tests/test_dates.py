from datetime import date

import pytest

from bulletin.dates import decree_date, decree_date_with_weekday, find_date, weekday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ngày 06/11/2023, Viện đã tổ chức", date(2023, 11, 6)),
        ("Sáng ngày 12/6/2023, Đảng bộ Viện", date(2023, 6, 12)),
        ("Ngày 17 tháng 10 năm 2022, Chi bộ", date(2022, 10, 17)),
        ("Ngày 25/8, Công đoàn", date(2023, 8, 25)),
        ("hôm 06-11-2023 vừa qua", date(2023, 11, 6)),
        ("ngày 6 tháng 11 năm 2023", date(2023, 11, 6)),
        ("Họp giao ban tháng 11/2023", None),
        ("Ngày 31/02/2023 là ngày không có thật", None),
        ("Ngày 31/02/2023, rồi ngày 03/03/2023", date(2023, 3, 3)),
        ("Ngày 5/2 (tức ngày 15 tháng Giêng năm Quý Mão)", date(2023, 2, 5)),
        ("(tức ngày 9/1/2023) ngày 30/1/2023", date(2023, 1, 30)),
        ("Không có ngày tháng nào.", None),
    ],
)
def test_find_date(text: str, expected: date | None) -> None:
    assert find_date(text, 2023) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 2, 5), "ngày 05 tháng 02 năm 2024"),
        (date(2023, 3, 15), "ngày 15 tháng 3 năm 2023"),
        (date(2023, 11, 6), "ngày 06 tháng 11 năm 2023"),
        (date(2023, 1, 31), "ngày 31 tháng 01 năm 2023"),
        (date(2023, 12, 9), "ngày 09 tháng 12 năm 2023"),
    ],
)
def test_decree_date(day: date, expected: str) -> None:
    assert decree_date(day) == expected


def test_weekday_names_come_from_babel() -> None:
    assert weekday(date(2023, 11, 6)) == "Thứ Hai"
    assert weekday(date(2023, 11, 12)) == "Chủ Nhật"
    assert decree_date_with_weekday(date(2023, 11, 6)) == "Thứ Hai, ngày 06 tháng 11 năm 2023"
