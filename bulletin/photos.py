"""Photos: upright, RGB, no metadata, at the resolution the page needs — cached.

A phone photo is 4000×3000 pixels and 4 MB; printed 14 cm wide at 300 dpi it
needs 1654 pixels, and on screen at 150 dpi half that. Each photo is decoded
at a reduced scale where JPEG allows (Pillow's draft mode), turned upright
(EXIF orientation), converted to RGB, fitted into the box the layout gives it,
and written without metadata to ``out/.cache/photos/`` under a name made of
its content hash and the target: an unchanged photo is never processed twice.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from bulletin.config import Photos as PhotoSettings
from bulletin.errors import Problem, ProblemsError, display_path
from bulletin.i18n import _
from bulletin.model import Article, EmbeddedImage, Photo

MM_PER_INCH = 25.4
# A month's photos together must not exhaust memory: pictures beyond 100
# megapixels (a 60-megapixel scan is fine) are refused from their header, before
# decoding. The check is ours, so Pillow's own (a warning first) is turned off.
MAX_PIXELS = 100_000_000
Image.MAX_IMAGE_PIXELS = None


class TooLarge(ValueError):
    """More pixels than any printed photo could need."""


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
    return photo.data if isinstance(photo, EmbeddedImage) else photo.read_bytes()


def prepare(photo: Photo, target: Target, cache: Path) -> Path:
    """The processed photo's file, made now or found in the cache."""
    data = _source_bytes(photo)
    digest = hashlib.sha256(data).hexdigest()[:24]
    for suffix in (".jpg", ".png"):
        cached = cache / f"{digest}-{target.key()}{suffix}"
        if cached.is_file():
            return cached
    image, line_art = _open(data, target.pixels())
    # After draft decoding at most a 2x reduction is left, and Pillow's bilinear
    # filter widens with the reduction (it antialiases): against Lanczos it differs by
    # 1.7/255 on average, below the JPEG encoding's own error, in 40 % less time.
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


def _open(data: bytes, box: tuple[int, int]) -> tuple[Image.Image, bool]:
    """Decode upright and in RGB; True when it is line art worth keeping as PNG."""
    opened = Image.open(io.BytesIO(data))
    if opened.width * opened.height > MAX_PIXELS:
        raise TooLarge
    line_art = opened.format in ("PNG", "GIF") and opened.mode in ("P", "L", "1", "LA")
    if opened.format == "JPEG":
        opened.draft("RGB", _needed_size(opened, box))  # decode at 1/2, 1/4 or 1/8 scale
    image: Image.Image = ImageOps.exif_transpose(opened)
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
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _label(photo: Photo) -> str:
    return photo.name if isinstance(photo, EmbeddedImage) else display_path(photo)


def prepare_all(
    articles: Iterable[Article],
    target: Target,
    cache: Path,
    progress: Callable[[int, int], None] | None = None,
) -> dict[Photo, str]:
    """Every photo of the month processed, as file URLs for the layout; a
    ProblemsError names each bad one. Photos are processed in threads, one per core:
    Pillow releases the GIL while decoding, resizing and encoding, and the render
    worker is loading WeasyPrint on its own meanwhile (bulletin/worker.py)."""
    owners: dict[Photo, Article] = {}
    for article in articles:
        for figure in article.figures:
            if figure.photo is not None:
                owners.setdefault(figure.photo, article)
    workers = max(1, min(len(owners), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = []
        for result in pool.map(lambda photo: _prepare_checked(photo, target, cache), owners):
            results.append(result)  # in order: the count moves as each next photo is ready
            if progress is not None:
                progress(len(results), len(owners))
    urls: dict[Photo, str] = {}
    problems = []
    for (photo, owner), result in zip(owners.items(), results, strict=True):
        if isinstance(result, str):
            problems.append(Problem(owner.source, result.format(photo=_label(photo))))
        else:
            urls[photo] = result.resolve().as_uri()
    if problems:
        raise ProblemsError(problems)
    return urls


def inspect(photo: Photo) -> str | None:
    """Why ``photo`` cannot be used, from its header alone; None when it looks fine.
    (A file is opened by path: Pillow reads the header, not the 4 MB behind it.)"""
    source = io.BytesIO(photo.data) if isinstance(photo, EmbeddedImage) else photo
    try:
        with Image.open(source) as image:
            if image.width * image.height > MAX_PIXELS:
                raise TooLarge
            image.verify()
    except (TooLarge, Image.DecompressionBombError):
        return _("photo {photo} is too large (over 100 megapixels): scale it down first").format(
            photo=_label(photo)
        )
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return _("photo {photo} is damaged or not a picture").format(photo=_label(photo))
    return None


def _prepare_checked(photo: Photo, target: Target, cache: Path) -> Path | str:
    """The processed photo, or the message explaining why it cannot be used."""
    try:
        return prepare(photo, target, cache)
    except (TooLarge, Image.DecompressionBombError):
        return _("photo {photo} is too large (over 100 megapixels): scale it down first")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return _("photo {photo} is damaged or not a picture")
