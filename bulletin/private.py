"""A private folder of the user's own for small caches (fontconfig, glyph coverage).

A fixed name in the shared temporary folder (``/tmp/bulletin-<uid>``) can be
made first by another local user, as a symlink or a folder of theirs, and its
files then point anywhere: the build would overwrite a file of the user's
choosing or read a poisoned cache. The folder used here lives in the user's
cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``) and is used only when it is
a real folder (not a symlink) owned by the user and closed to everyone else;
otherwise a fresh folder is made with ``mkdtemp`` (mode 0700) for this run, and
removed when the process ends.
Files in it are written with ``O_NOFOLLOW`` and renamed into place.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import stat
import tempfile
from functools import cache
from pathlib import Path


def is_private(folder: Path) -> bool:
    """A real folder (not a symlink) of this user that nobody else may write or read."""
    try:
        info = folder.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) == 0
    )


def _cache_home() -> Path:
    configured = os.environ.get("XDG_CACHE_HOME", "")
    return Path(configured) if os.path.isabs(configured) else Path.home() / ".cache"


def lasting_dir() -> Path | None:
    """The user's private bulletin folder in their cache folder (made on first
    use), or None when it cannot be made or is not private. Only this folder
    outlives the process: what other processes must find (the render server's
    socket) can live nowhere else."""
    folder = _cache_home() / "bulletin"
    with contextlib.suppress(OSError, RuntimeError):
        folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    return folder if is_private(folder) else None


def lasting_dir_name() -> Path:
    """Where ``lasting_dir`` looks, to name it in a message."""
    return _cache_home() / "bulletin"


@cache
def private_dir() -> Path:
    """The user's private bulletin cache folder (made on first use)."""
    folder = lasting_dir()
    if folder is not None:
        return folder
    # No usable cache folder (read-only home, someone else's folder): one for this run,
    # removed at its end (a forked child ends with os._exit and leaves it to its parent).
    temporary = Path(tempfile.mkdtemp(prefix="bulletin-"))
    atexit.register(shutil.rmtree, temporary, ignore_errors=True)
    return temporary


def private_subdir(name: str) -> Path:
    """A folder inside the private one (made on first use, mode 0700)."""
    folder = private_dir() / name
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def read_private(name: str) -> str | None:
    """A cache file's text, or None when absent, unreadable or not a regular file."""
    data = read_private_bytes(private_dir() / name)
    try:
        return None if data is None else data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def read_private_bytes(path: Path) -> bytes | None:
    """A private file's bytes, or None when absent, unreadable or not a regular
    file (a symlink is never followed)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return None
        try:
            return stream.read()
        except OSError:
            return None


def write_private(name: str, data: str | bytes, folder: Path | None = None) -> Path:
    """Write a cache file atomically through a fresh temporary name (never followed),
    in the private folder or one of its ``private_subdir``s."""
    folder = folder or private_dir()
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temporary, folder / name)  # replaces a symlink itself, not its target
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return folder / name


def prune(folder: Path, keep: int, companions: tuple[str, ...] = ()) -> None:
    """Keep the newest ``keep`` ``*.json`` entries of a private subfolder; an older
    entry goes with its companion files (the same name with these suffixes)."""
    entries = sorted(folder.glob("*.json"), key=_age)
    for old in entries[keep:]:
        for path in (old, *(old.with_suffix(suffix) for suffix in companions)):
            with contextlib.suppress(OSError):
                os.unlink(path)


def _age(path: Path) -> int:
    """Newest first; an entry another build just removed sorts last."""
    with contextlib.suppress(OSError):
        return -path.stat().st_mtime_ns
    return 0
