"""Synthetic photos that compress like real ones (for examples and benchmarks).

A meeting-room scene: a graded wall, a table, blurred heads and shoulders,
a banner, and sensor noise — the noise is what makes a 4000×3000 JPEG weigh
3–5 MB like a phone photo, instead of the few kilobytes of a flat picture.
"""

from __future__ import annotations

import functools
import io
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter


def photo(width: int = 4000, height: int = 3000, seed: int = 0, quality: int = 90) -> bytes:
    """A JPEG of ``width``×``height`` pixels (3–5 MB at 4000×3000)."""
    rng = random.Random(seed)
    small = (max(width // 4, 8), max(height // 4, 8))  # draw small, then enlarge: fast
    hue = rng.randrange(120, 200)
    image = Image.linear_gradient("L").resize(small).convert("RGB")
    image = Image.merge(
        "RGB",
        [
            ch.point(lambda v, k=k: int(hue * 0.4 + v * (0.35 + 0.1 * k)))
            for k, ch in enumerate(image.split())
        ],
    )
    draw = ImageDraw.Draw(image)
    w, h = small
    draw.rectangle((0, int(h * 0.08), w, int(h * 0.2)), fill=(150, 20, 30))
    draw.rectangle((0, int(h * 0.62), w, h), fill=(110, 72, 40))
    for _ in range(9):
        x = rng.randrange(0, w)
        y = int(h * rng.uniform(0.35, 0.5))
        r = int(h * rng.uniform(0.05, 0.08))
        skin = (rng.randrange(180, 230), rng.randrange(140, 180), rng.randrange(110, 150))
        suit = tuple(rng.randrange(20, 90) for _ in range(3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=skin)
        draw.rounded_rectangle((x - 2 * r, y + r, x + 2 * r, y + 5 * r), radius=r, fill=suit)
    image = image.filter(ImageFilter.GaussianBlur(1)).resize((width, height), Image.BICUBIC)
    grain = _grain(width, height).crop((0, 0, width, height))
    image = ImageChops.add(image, ImageChops.offset(grain, rng.randrange(width), 0), 1, -128)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@functools.cache
def _grain(width: int, height: int) -> Image.Image:
    """Sensor noise, made once per size (it is the slow part)."""
    return Image.effect_noise((width, height), 8).convert("RGB")


def rotated_photo(width: int = 1600, height: int = 1200, seed: int = 0) -> bytes:
    """A JPEG stored sideways with EXIF orientation 6, as phones save portraits."""
    upright = Image.open(io.BytesIO(photo(height, width, seed)))
    draw = ImageDraw.Draw(upright)
    draw.polygon(
        [(height // 2, 20), (height // 2 - 80, 160), (height // 2 + 80, 160)], fill=(255, 255, 0)
    )  # an arrow pointing up, to check orientation by eye
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # orientation 6 turns it back
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()
