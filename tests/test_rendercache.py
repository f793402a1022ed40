"""The render server's cache of finished PDFs: what makes an entry stale."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulletin import rendercache
from bulletin.private import private_dir
from bulletin.worker import Job, Result


@pytest.fixture(autouse=True)
def own_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = Path(tempfile.mkdtemp(prefix="brc-"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("BULLETIN_SYSTEM_FONTS", raising=False)
    private_dir.cache_clear()
    yield home
    private_dir.cache_clear()
    shutil.rmtree(home, ignore_errors=True)


def job(tmp_path: Path, html: str = "<p>Bản tin</p>", **changes: object) -> Job:
    fields: dict[str, object] = {
        "html": html,
        "base": tmp_path,
        "allowed": (tmp_path,),
        "language": "vi",
    }
    fields.update(changes)
    return Job(**fields)  # type: ignore[arg-type]


def test_the_key_names_everything_the_page_depends_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    (fonts / "A.ttf").write_bytes(b"font")
    monkeypatch.setattr(rendercache, "FONTS_DIR", fonts)
    plain = rendercache.key(job(tmp_path), "code-1")
    assert plain == rendercache.key(job(tmp_path), "code-1")
    others = {
        rendercache.key(job(tmp_path, "<p>Bản tin số 2</p>"), "code-1"),
        rendercache.key(job(tmp_path), "code-2"),
        rendercache.key(job(tmp_path, language="en"), "code-1"),
        rendercache.key(job(tmp_path, booklet=True), "code-1"),
        rendercache.key(job(tmp_path, allowed=(tmp_path, fonts)), "code-1"),
    }
    assert plain not in others and len(others) == 5
    (fonts / "A.ttf").write_bytes(b"another font")
    assert rendercache.key(job(tmp_path), "code-1") != plain


def test_archives_and_system_fonts_are_never_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert rendercache.key(job(tmp_path, archive_of=tmp_path), "code") is None
    monkeypatch.setenv("BULLETIN_SYSTEM_FONTS", "1")
    assert rendercache.key(job(tmp_path), "code") is None


def read(path: Path) -> tuple[Path, os.stat_result | None]:
    """A file as the fetcher records it when the render reads it."""
    try:
        return path, path.lstat()
    except OSError:
        return path, None


def test_an_entry_holds_while_the_files_it_used_are_unchanged(tmp_path: Path) -> None:
    photo = tmp_path / "anh.jpg"
    photo.write_bytes(b"jpeg")
    name = rendercache.key(job(tmp_path), "code")
    assert name and rendercache.lookup(name) is None
    rendercache.store(name, Result(pdf=b"%PDF-1.7 one", pages=3), [read(photo), read(photo)])
    found = rendercache.lookup(name)
    assert found == Result(pdf=b"%PDF-1.7 one", pages=3)
    os.utime(photo, ns=(1, 1))
    assert rendercache.lookup(name) is None
    rendercache.store(name, Result(pdf=b"%PDF-1.7 two", pages=3), [read(photo)])
    assert rendercache.lookup(name) is not None
    photo.unlink()
    assert rendercache.lookup(name) is None


def test_a_file_rewritten_with_its_old_times_is_seen(tmp_path: Path) -> None:
    """Same size, same modification time put back (``touch -r``): the change time
    cannot be put back."""
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"red!")
    before = logo.stat()
    name = rendercache.key(job(tmp_path), "code")
    assert name
    rendercache.store(name, Result(pdf=b"%PDF red", pages=1), [read(logo)])
    time.sleep(0.01)
    logo.write_bytes(b"blue")
    os.utime(logo, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert rendercache.lookup(name) is None


def test_a_file_changed_while_it_was_laid_out_is_not_kept(tmp_path: Path) -> None:
    """The PDF may hold the old bytes: no stamp of today describes it."""
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"red!")
    as_read = read(logo)
    time.sleep(0.01)
    logo.write_bytes(b"blue, longer")
    name = rendercache.key(job(tmp_path), "code")
    assert name
    rendercache.store(name, Result(pdf=b"%PDF red", pages=1), [as_read])
    assert rendercache.lookup(name) is None
    gone = tmp_path / "gone.png"
    rendercache.store(name, Result(pdf=b"%PDF red", pages=1), [read(gone)])
    assert rendercache.lookup(name) is None


def test_a_link_pointed_elsewhere_is_seen(tmp_path: Path) -> None:
    (tmp_path / "red.png").write_bytes(b"red!")
    (tmp_path / "blue.png").write_bytes(b"blue")
    link = tmp_path / "logo.png"
    link.symlink_to("red.png")
    name = rendercache.key(job(tmp_path), "code")
    assert name
    files = [read(link), read(link.resolve())]
    rendercache.store(name, Result(pdf=b"%PDF red", pages=1), files)
    assert rendercache.lookup(name) is not None
    link.unlink()
    link.symlink_to("blue.png")
    assert rendercache.lookup(name) is None


def test_a_damaged_or_failed_entry_is_not_used(tmp_path: Path) -> None:
    name = rendercache.key(job(tmp_path), "code")
    assert name
    rendercache.store(name, Result(error="Bài hỏng"), [])
    assert rendercache.lookup(name) is None
    rendercache.store(name, Result(pdf=b"%PDF-1.7 whole", pages=1), [])
    folder = private_dir() / "renders"
    (folder / f"{name}.pdf").write_bytes(b"%PDF-1.7 cut sh")
    assert rendercache.lookup(name) is None
    (folder / f"{name}.json").write_text("{not json")
    assert rendercache.lookup(name) is None
    assert oct(folder.stat().st_mode & 0o777) == "0o700"


def test_the_newest_entries_are_kept(tmp_path: Path) -> None:
    names = []
    for number in range(rendercache.KEEP + 3):
        name = rendercache.key(job(tmp_path, f"<p>{number}</p>"), "code")
        assert name
        rendercache.store(name, Result(pdf=b"%PDF " + bytes([number]), pages=1), [])
        os.utime(private_dir() / "renders" / f"{name}.json", ns=(number * 10**9, number * 10**9))
        names.append(name)
    rendercache.store(names[-1], Result(pdf=b"%PDF last", pages=1), [])  # prunes
    kept = {path.stem for path in (private_dir() / "renders").glob("*.json")}
    assert len(kept) == rendercache.KEEP
    assert names[0] not in kept and names[-1] in kept
    assert len(list((private_dir() / "renders").glob("*.pdf"))) == rendercache.KEEP
