"""The render server's memory of finished PDFs: a rebuild of what did not change is
the PDF already made, not a second layout.

A render is a pure function of its job (the HTML, which carries the layout's CSS
inline and names every photo by the content hash of its processed copy; the
folders, the language, the variant), of the code and fonts (``serve.fingerprint``),
and of the files the document fetched while it was laid out (the logo, photos,
``fonts.css``). The key hashes the first two; the entry lists the third, each file
(and each symlink leading to one) with its size, modification and change times,
inode and kind as they were when the render read it, and is used only while every
one of them is unchanged. An entry is not kept when a file changed during its
render. A changed article changes the HTML, a replaced logo its file: either way
the job renders anew. The bundled fonts, which fontconfig loads without the
fetcher, are in the key by their files' stamps.

Entries live in the user's private folder (``bulletin/private.py``: mode 0700,
written atomically, never through a symlink), the newest ``KEEP`` of them. The
archive variant is never cached: it carries the month's source files.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin.private import private_subdir, prune, read_private_bytes, write_private
from bulletin.resources import FONTS_DIR
from bulletin.worker import Job, Result

if TYPE_CHECKING:
    from bulletin.render import Served

KEEP = 12  # entries kept (a month's print, email and booklet, for a few months)


def key(job: Job, fingerprint: str) -> str | None:
    """The job's cache key, or None for a job that is never cached."""
    if job.archive_of is not None or "BULLETIN_SYSTEM_FONTS" in os.environ:
        return None  # the sources are carried; the system's fonts may change under us
    record = [
        fingerprint,
        _font_stamps(),
        job.html,
        str(job.base.resolve()),
        [str(path.resolve()) for path in job.allowed],
        job.language,
        job.booklet,
    ]
    return hashlib.sha256(json.dumps(record, ensure_ascii=False).encode("utf-8")).hexdigest()


def _font_stamps() -> list[tuple[str, list[int] | None]]:
    """The bundled fonts as files: fontconfig loads them, not the fetcher."""
    files = sorted(path for path in FONTS_DIR.rglob("*") if path.is_file())
    return [(path.name, _stamp(path)) for path in files]


def _stamp_of(status: os.stat_result) -> list[int]:
    """A file as it is: size, times (the change time cannot be set back), inode, kind."""
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_mode]


def _stamp(path: Path) -> list[int] | None:
    """The file (a symlink itself, not followed) as it is now; None when gone."""
    try:
        return _stamp_of(path.lstat())
    except OSError:
        return None


def lookup(name: str) -> Result | None:
    """The PDF made for this key, if every file it used is as it was then."""
    folder = private_subdir("renders")
    entry = read_private_bytes(folder / f"{name}.json")
    if entry is None:
        return None
    try:
        record = json.loads(entry)
        files = [(Path(path), stamp) for path, stamp in record["files"]]
        pages = int(record["pages"])
        last_fill, cover_blank = (
            float(value) if value is not None else None
            for value in (record.get("last_fill"), record.get("cover_blank"))
        )
    except (ValueError, KeyError, TypeError):
        return None
    if any(_stamp(path) != stamp for path, stamp in files):
        return None
    pdf = read_private_bytes(folder / f"{name}.pdf")
    if pdf is None or hashlib.sha256(pdf).hexdigest() != record.get("sha256"):
        return None
    return Result(pdf=pdf, pages=pages, last_fill=last_fill, cover_blank=cover_blank)


def store(name: str, result: Result, served: list[Served]) -> None:
    """Keep a finished PDF with the files it used, as they were when read; the
    oldest entries go. Not kept when a file changed or went since it was read:
    the PDF may hold its old bytes, which no stamp of today describes."""
    if result.error or result.crash or not result.pdf:
        return
    files = []
    for path, status in dict(served).items():
        if status is None or _stamp(path) != _stamp_of(status):
            return
        files.append([str(path), _stamp_of(status)])
    record = {
        "pages": result.pages,
        "last_fill": result.last_fill,  # the build may lay the issue out again after these
        "cover_blank": result.cover_blank,
        "files": files,
        "sha256": hashlib.sha256(result.pdf).hexdigest(),
    }
    folder = private_subdir("renders")
    write_private(f"{name}.pdf", result.pdf, folder)
    write_private(f"{name}.json", json.dumps(record), folder)  # last: the entry is complete
    prune(folder, KEEP, companions=(".pdf",))
