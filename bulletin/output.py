"""Atomic writes: a file appears under its final name complete, or not at all.

Every output goes to a unique temporary file beside its target and is renamed
onto it at the end (``os.replace`` is atomic on one file system), so a failed
or killed run never leaves a half-written PDF, and two runs at once never
write into the same file. Temporary files a killed run left behind are removed
by the next run once they are an hour old (a running build's are younger).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bulletin.errors import BulletinError, display_path
from bulletin.i18n import _

STALE_SECONDS = 3600


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target``, renamed onto it when the block ends well."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BulletinError(
            _("{path}: cannot create the output folder ({reason})").format(
                path=display_path(target.parent), reason=exc.strerror
            )
        ) from None
    _remove_stale(target)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _remove_stale(target: Path) -> None:
    limit = time.time() - STALE_SECONDS
    for leftover in target.parent.glob(f".{target.name}.*.part"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < limit:
                leftover.unlink()
