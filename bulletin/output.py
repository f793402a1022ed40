"""Atomic writes: a file appears under its final name complete, or not at all.

Every output goes to a unique temporary file beside its target and is renamed
onto it at the end (``os.replace`` is atomic on one file system), so a failed
or killed run never leaves a half-written PDF, and two runs at once never
write into the same file. Temporary files a killed run left behind are removed
by the next run once they are an hour old (a running build's are younger).

A rename replaces whatever has the target's name, so it is refused when that is
not a regular file (a device, a pipe, a link, a folder), and ``check_pdf_target``
refuses an ``--out`` that names one of the user's own sources: an output can
never destroy what it was made from.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from bulletin.errors import BulletinError, display_path
from bulletin.i18n import _

STALE_SECONDS = 3600


def describe(exc: OSError) -> str:
    """The reason of an OS error in the user's language (``strerror`` is English)."""
    reasons = {
        errno.EACCES: _("no permission to write there"),
        errno.EPERM: _("no permission to write there"),
        errno.EROFS: _("the disk is read-only"),
        errno.ENOSPC: _("the disk is full"),
        errno.EDQUOT: _("the disk quota is used up"),
        errno.ENOENT: _("the folder does not exist"),
        errno.ENOTDIR: _("part of the path is a file, not a folder"),
        errno.EISDIR: _("it is a folder"),
        errno.EEXIST: _("a file of that name is in the way"),
        errno.ENAMETOOLONG: _("the name is too long"),
        errno.EXDEV: _("the folder is on another disk"),
    }
    return reasons.get(exc.errno or 0, _("system error {code}").format(code=exc.errno))


def _cannot_write(target: Path, exc: OSError) -> BulletinError:
    return BulletinError(
        _("{path}: cannot write ({reason})").format(path=display_path(target), reason=describe(exc))
    )


@contextlib.contextmanager
def atomic_output(target: Path, durable: bool = False) -> Iterator[Path]:
    """A temporary file beside ``target``, renamed onto it when the block ends well.

    ``durable``: the file's data and the rename are on the disk when the block
    returns (fsync), for records that must survive a crash (the send log)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BulletinError(
            _("{path}: cannot create the output folder ({reason})").format(
                path=display_path(target.parent), reason=describe(exc)
            )
        ) from None
    _refuse_non_regular(target)
    _remove_stale(target)
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name[:200]}.", suffix=".part", dir=target.parent
        )
        os.close(handle)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o644)
        if durable:
            _fsync(temporary)
        _refuse_non_regular(target)  # it may have appeared while the block ran
        os.replace(temporary, target)
        if durable:
            _fsync(target.parent)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    finally:
        temporary.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if path.is_dir() else 0)
    try:
        descriptor = os.open(path, flags)
    except (IsADirectoryError, PermissionError):  # a folder cannot be opened on Windows
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _refuse_non_regular(target: Path) -> None:
    """A rename would replace a device node, a pipe or a link with a plain file."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    if stat.S_ISDIR(mode):
        raise BulletinError(
            _("{path}: is a folder: give a file name ending in .pdf").format(
                path=display_path(target)
            )
        )
    if not stat.S_ISREG(mode):
        raise BulletinError(
            _("{path}: not a regular file (a device, pipe or link): not replaced").format(
                path=display_path(target)
            )
        )


def pdf_target(text: str) -> tuple[Path, bool]:
    """The ``--out`` the user typed as a PDF path, and whether ``.pdf`` was added.

    A name without any extension (``ketqua``) gets ``.pdf``: that is surely what
    was meant, and the caller says so. Any other extension is refused, since
    ``--out bai.txt`` may well be a slip that would overwrite something else."""
    if not text.strip():
        raise BulletinError(_("--out is empty: give a file name ending in .pdf"))
    path = Path(text)
    if text.endswith(("/", os.sep)) or path.name in ("", ".", "..") or path.is_dir():
        raise BulletinError(
            _("{path}: is a folder: give a file name ending in .pdf").format(path=text)
        )
    if path.suffix.lower() == ".pdf":
        return path, False
    if path.suffix and not path.suffix[1:].isdigit():
        raise BulletinError(
            _("{path}: an output must be a .pdf file: give a name ending in .pdf").format(path=text)
        )
    return path.with_name(path.name + ".pdf"), True


def check_pdf_target(target: Path, files: Iterable[Path], folders: Iterable[Path]) -> None:
    """Refuse an output that is one of ``files`` (the config), lies in one of
    ``folders`` (the month's sources, the layouts), or is not a regular file."""
    resolved = target.resolve()
    for protected in files:
        if protected.exists() and resolved == protected.resolve():
            raise BulletinError(
                _("{path}: this is the config file, not an output: choose another name").format(
                    path=display_path(target)
                )
            )
    for folder in folders:
        if resolved.is_relative_to(folder.resolve()):
            raise BulletinError(
                _(
                    "{path}: inside {folder}, among the sources: write the PDF elsewhere "
                    "(default: out/)"
                ).format(path=display_path(target), folder=display_path(folder))
            )
    _refuse_non_regular(target)


def _remove_stale(target: Path) -> None:
    limit = time.time() - STALE_SECONDS
    with contextlib.suppress(OSError):
        for leftover in target.parent.glob(f".{glob.escape(target.name[:200])}.*.part"):
            with contextlib.suppress(OSError):
                if leftover.stat().st_mtime < limit:
                    leftover.unlink()
