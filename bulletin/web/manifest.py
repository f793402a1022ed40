"""What ``bulletin collect`` wrote into a month folder, so a rerun is safe.

A hidden JSON file in the month folder (the month's file listing skips dot
files, so it is never read as an article) records, per post: its key and URL,
the site's modified time, a fingerprint of what the site had, the article file
written, the hash of that file as written, and its photos. A file whose hash
has changed since was edited by the staff and is left alone.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bulletin.errors import BulletinError, display_path
from bulletin.i18n import _
from bulletin.output import atomic_output

NAME = ".bulletin-collect.json"
VERSION = 1


@dataclass
class Entry:
    url: str
    file: str  # the article's name in the month folder
    sha256: str  # of the article file as written
    fingerprint: str  # of the post as the site had it
    modified: str | None = None
    photos: list[str] = field(default_factory=list)  # relative to the month folder
    complete: bool = True  # False: a photo failed; the next run tries again
    listed: bool = True  # found by listing the site (not a single page)


@dataclass
class Manifest:
    path: Path
    posts: dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        path = folder / NAME
        if not path.is_file():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            posts = {key: Entry(**entry) for key, entry in data["posts"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            raise BulletinError(
                _("{path}: the collect record is damaged; move it away to start afresh").format(
                    path=display_path(path)
                )
            ) from None
        return cls(path, posts)

    def save(self) -> None:
        data = {"version": VERSION, "posts": {k: asdict(v) for k, v in self.posts.items()}}
        with atomic_output(self.path) as temporary:
            temporary.write_text(
                json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )

    def owner_of(self, file: str) -> str | None:
        return next((key for key, entry in self.posts.items() if entry.file == file), None)


def file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
