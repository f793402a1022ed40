"""The README's Vietnamese routine tells office staff how to install the tool."""

from __future__ import annotations

from .conftest import ROOT


def vietnamese_routine() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Hướng dẫn hằng tháng")
    return text[start : text.index("\n## ", start + 1)]


def test_install_on_windows_follows_weasyprint_guide() -> None:
    routine = vietnamese_routine()
    install = routine[routine.index("### Cài đặt") : routine.index("### Mỗi tháng")]
    for step in (
        "python.org",
        "Add python.exe to PATH",
        "py -m pip install",
        "pipx install",
        "msys2.org",
        "pacman -S mingw-w64-x86_64-pango",
        "WEASYPRINT_DLL_DIRECTORIES C:\\msys64\\mingw64\\bin",
        "bulletin --version",
    ):
        assert step in install, step


def test_install_on_ubuntu_names_weasyprint_packages() -> None:
    install = vietnamese_routine().split("**Ubuntu", 1)[1]
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "pipx"):
        assert package in install, package
