"""Photos: upright, RGB, no metadata, at the resolution the page needs — cached.

A phone photo is 4000×3000 pixels and 4 MB; printed 14 cm wide at 300 dpi it
needs 1654 pixels, and on screen at 150 dpi half that. Each photo is decoded
at a reduced scale where JPEG allows (Pillow's draft mode), turned upright
(EXIF orientation), converted to RGB, fitted into the box the layout gives it,
and written without metadata to ``out/.cache/photos/`` under a name made of
its content hash and the target: an unchanged photo is never processed twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import os
import stat
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from bulletin.config import Photos as PhotoSettings
from bulletin.errors import BulletinError, Problem, ProblemsError, display_path
from bulletin.i18n import _
from bulletin.model import Article, EmbeddedImage, Photo
from bulletin.worker import usable_cpus

MM_PER_INCH = 25.4
# A month's photos together must not exhaust memory: pictures beyond 100
# megapixels (a 60-megapixel scan is fine) are refused from their header, before
# decoding. Pillow's own guard stays on at the same limit, its warning made an
# error, for the formats whose true size shows only while decoding.
MAX_PIXELS = 100_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
# The formats a bulletin's photos come in. Never EPS/PS/PDF (Pillow would start
# Ghostscript on them, and a PostScript loop hangs it), nor ICO and the other
# containers whose header does not tell the size of what they hold.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP")
# No photo of a bulletin is this big as a file; reading one would only fill memory.
MAX_FILE_BYTES = 150 * 1024 * 1024
# Decoded pictures held at once, in bytes: photos are decoded in parallel only as
# far as this allows (one at a time if each is huge), whatever the number of cores.
MEMORY_BUDGET = 768 * 1024 * 1024
_BYTES_PER_PIXEL = 8  # the decoded picture plus its RGB conversion
_TOO_LARGE = (Image.DecompressionBombError, Image.DecompressionBombWarning)


class TooLarge(ValueError):
    """More pixels than any printed photo could need."""


class CacheError(Exception):
    """The photo cache cannot be written (disk full, read-only folder): the
    photo is not to blame."""

    def __init__(self, folder: Path, error: OSError) -> None:
        super().__init__(folder, error)
        self.folder = folder
        self.error = error


class Stopped(Exception):
    """The build was interrupted: photos not yet started are left alone."""


class MemoryBudget:
    """How many decoded bytes may be held at once; a photo waits for room (one
    photo alone may always go, however large: its size was checked already)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.stopped = False
        self._room = threading.Condition()

    @contextlib.contextmanager
    def hold(self, size: int) -> Iterator[None]:
        with self._room:
            while self.used and self.used + size > self.limit and not self.stopped:
                self._room.wait()
            if self.stopped:
                raise Stopped
            self.used += size
        try:
            yield
        finally:
            with self._room:
                self.used -= size
                self._room.notify_all()

    def stop(self) -> None:
        with self._room:
            self.stopped = True
            self._room.notify_all()


@dataclass(frozen=True)
class Target:
    """The box a photo is printed in, and how finely."""

    width_mm: float
    height_mm: float
    dpi: int
    quality: int

    def pixels(self) -> tuple[int, int]:
        return (
            round(self.width_mm / MM_PER_INCH * self.dpi),
            round(self.height_mm / MM_PER_INCH * self.dpi),
        )

    def key(self) -> str:
        width, height = self.pixels()
        return f"{width}x{height}q{self.quality}"


def target_for(settings: PhotoSettings, variant: str, width_mm: float, height_mm: float) -> Target:
    """Print: 300 dpi at the printed size; email: 150 dpi and stronger compression."""
    if variant == "email":
        return Target(width_mm, height_mm, settings.email_dpi, settings.email_quality)
    return Target(width_mm, height_mm, settings.print_dpi, settings.print_quality)


def _source_bytes(photo: Photo) -> bytes:
    if isinstance(photo, EmbeddedImage):
        return photo.data
    with photo.open("rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnidentifiedImageError(photo)
        if info.st_size > MAX_FILE_BYTES:
            raise TooLarge
        return stream.read()


def prepare(photo: Photo, target: Target, cache: Path, budget: MemoryBudget | None = None) -> Path:
    """The processed photo's file, made now or found in the cache."""
    data = _source_bytes(photo)
    digest = hashlib.sha256(data).hexdigest()[:24]
    for suffix in (".jpg", ".png"):
        cached = cache / f"{digest}-{target.key()}{suffix}"
        if cached.is_file():
            return cached
    opened = _header(io.BytesIO(data))
    if opened.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 scale
        opened.draft("RGB", _needed_size(opened, target.pixels()))
    with (budget or MemoryBudget(MEMORY_BUDGET)).hold(_decoded_bytes(opened)):
        image, line_art = _decode(opened)
        # After draft decoding at most a 2x reduction is left, and Pillow's bilinear
        # filter widens with the reduction (it antialiases): against Lanczos it differs
        # by 1.7/255 on average, below the JPEG encoding's own error, in 40 % less time.
        image.thumbnail(target.pixels(), Image.Resampling.BILINEAR)
    suffix = ".png" if line_art else ".jpg"
    cached = cache / f"{digest}-{target.key()}{suffix}"
    buffer = io.BytesIO()
    if line_art:
        image.save(buffer, "PNG", optimize=True)
    else:
        # Baseline, not progressive: a PDF viewer decodes the whole image anyway, and
        # progressive encoding took twice as long for the same size.
        image.save(buffer, "JPEG", quality=target.quality, optimize=True)
    _write_atomically(cached, buffer.getvalue())
    return cached


def _header(source: io.BytesIO | Path) -> ImageFile.ImageFile:
    """The picture opened from its header only, in an allowed format and size."""
    # WeasyPrint, once imported (``preview --watch``, the in-process render), turns
    # on Pillow's "load truncated images" for the whole process: a photo with
    # broken data would then pass here and print grey. Ours are decoded strictly.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    opened = Image.open(source, formats=FORMATS)
    if opened.width * opened.height > MAX_PIXELS:
        opened.close()
        raise TooLarge
    return opened  # type: ignore[return-value]


def _decoded_bytes(image: Image.Image) -> int:
    return image.width * image.height * _BYTES_PER_PIXEL


def _decode(opened: Image.Image) -> tuple[Image.Image, bool]:
    """Decode upright and in RGB; True when it is line art worth keeping as PNG."""
    line_art = opened.format in ("PNG", "GIF") and opened.mode in ("P", "L", "1", "LA")
    # Turning upright copies the picture: only when the EXIF orientation asks for it.
    upright = opened.getexif().get(0x0112, 1) in (1, None)
    image: Image.Image = opened if upright else ImageOps.exif_transpose(opened)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")  # CMYK, palette, grey
    return image, line_art


def _needed_size(image: Image.Image, box: tuple[int, int]) -> tuple[int, int]:
    """The stored (not yet rotated) size the photo will have once fitted in ``box``."""
    rotated = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
    width, height = (image.height, image.width) if rotated else image.size
    scale = min(box[0] / width, box[1] / height, 1.0)
    needed = (math.ceil(width * scale), math.ceil(height * scale))
    return (needed[1], needed[0]) if rotated else needed


def _write_atomically(path: Path, data: bytes) -> None:
    """Each writer its own temporary file (two threads may write the same photo at
    once), renamed into place; nothing is left behind when the disk is full."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as error:
        raise CacheError(path.parent, error) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(name, path)
    except OSError as error:
        raise CacheError(path.parent, error) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def _label(photo: Photo) -> str:
    return photo.name if isinstance(photo, EmbeddedImage) else display_path(photo)


def prepare_all(
    articles: Iterable[Article],
    target: Target,
    cache: Path,
    progress: Callable[[int, int], None] | None = None,
) -> dict[Photo, str]:
    """Every photo of the month processed, as file URLs for the layout; a
    ProblemsError names each bad one. Photos are processed in threads, one per core
    and as many as the memory budget allows: Pillow releases the GIL while decoding,
    resizing and encoding, and the render worker is loading WeasyPrint on its own
    meanwhile (bulletin/worker.py). Ctrl+C cancels the photos not yet started."""
    owners: dict[Photo, Article] = {}
    for article in articles:
        for figure in article.figures:
            if figure.photo is not None:
                owners.setdefault(figure.photo, article)
    budget = MemoryBudget(MEMORY_BUDGET)
    workers = max(1, min(len(owners), usable_cpus()))
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = [pool.submit(_prepare_checked, photo, target, cache, budget) for photo in owners]
        results = []
        for future in futures:  # in order: the count moves as each next photo is ready
            results.append(future.result())
            if progress is not None:
                progress(len(results), len(futures))
    except BaseException:
        budget.stop()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    urls: dict[Photo, str] = {}
    problems = []
    for (photo, owner), result in zip(owners.items(), results, strict=True):
        if isinstance(result, CacheError):
            raise BulletinError(
                _("Cannot write the photo cache {path} ({reason})").format(
                    path=display_path(result.folder),
                    reason=result.error.strerror or result.error,
                )
            )
        if isinstance(result, str):
            problems.append(Problem(owner.source, result.format(photo=_label(photo))))
        else:
            urls[photo] = result.resolve().as_uri()
    if problems:
        raise ProblemsError(problems)
    return urls


def inspect(photo: Photo, decode: bool = False) -> str | None:
    """Why ``photo`` cannot be used; None when it looks fine. From its header alone
    (a file is opened by path: Pillow reads the header, not the 4 MB behind it), or,
    with ``decode``, decoded whole as ``make`` would (``bulletin check``: a PNG with
    damaged data has a sound header). JPEGs decode at 1/8 scale, as fast as a header."""
    try:
        if isinstance(photo, EmbeddedImage):
            source: io.BytesIO | Path = io.BytesIO(photo.data)
        else:
            info = photo.stat()
            if not stat.S_ISREG(info.st_mode):
                raise UnidentifiedImageError(photo)
            if info.st_size > MAX_FILE_BYTES:
                raise TooLarge
            source = photo
        with _header(source) as image:
            image.verify()
        if decode:
            with _header(source) as image:
                if image.format == "JPEG":
                    image.draft("RGB", (image.width // 8 or 1, image.height // 8 or 1))
                with MemoryBudget(MEMORY_BUDGET).hold(_decoded_bytes(image)):
                    image.load()
    except (TooLarge, *_TOO_LARGE):
        return _("photo {photo} is too large (over 100 megapixels): scale it down first").format(
            photo=_label(photo)
        )
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return _("photo {photo} is damaged or not a picture").format(photo=_label(photo))
    return None


def _prepare_checked(
    photo: Photo, target: Target, cache: Path, budget: MemoryBudget
) -> Path | str | CacheError:
    """The processed photo, or the message explaining why it cannot be used (or the
    cache's failure, which is not the photo's)."""
    try:
        return prepare(photo, target, cache, budget)
    except CacheError as error:
        return error
    except (TooLarge, *_TOO_LARGE):
        return _("photo {photo} is too large (over 100 megapixels): scale it down first")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return _("photo {photo} is damaged or not a picture")
