"""Write a synthetic month: N articles in the web-copy and Markdown shapes, in
Vietnamese (sentences of the example month), each with a phone-sized photo.

    python benchmarks/generate.py DIR --articles 20 [--no-photos]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from synthetic import photo

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "articles" / "2023-11"


def sentences() -> list[str]:
    """Every sentence of the example month's prose."""
    found: list[str] = []
    for path in sorted(EXAMPLES.glob("*.txt")) + sorted(EXAMPLES.glob("*.md")):
        text = re.sub(r"^---.*?---", "", path.read_text(encoding="utf-8"), flags=re.S)
        for line in text.splitlines():
            line = re.sub(r"[*_#|]", "", line).strip()
            if len(line) > 60 and line.endswith((".", ";")):
                found += [s.strip() for s in re.split(r"(?<=[.;])\s+", line) if len(s) > 30]
    return found


def paragraph(rng: random.Random, pool: list[str]) -> str:
    return " ".join(rng.sample(pool, 4))


def _write_photo(job: tuple[Path, int]) -> None:
    path, seed = job
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(photo(seed=seed))


def write_month(folder: Path, count: int, photos: bool, seed: int = 0) -> None:
    """The articles, then their photos (in parallel: they are the slow part)."""
    rng = random.Random(seed)
    jobs: list[tuple[Path, int]] = []
    pool = sentences()
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        day = 1 + number % 28
        title = f"Bài số {number}: {rng.choice(pool)[:70].rstrip(' ,;.')}"
        body = [paragraph(rng, pool) for _ in range(5)]
        body[0] = f"Ngày {day:02d}/11/2023, {body[0][0].lower()}{body[0][1:]}"
        if number % 2:
            name = f"{number:03d}-web.txt"
            text = f"{title}\n\n{body[0]}\n\nToàn cảnh buổi làm việc\n\n" + "\n\n".join(body[1:])
            (folder / name).write_text(text + "\n\nĐ.L\n\nCác mục khác\n", encoding="utf-8")
            if photos:
                jobs.append((folder / name.removesuffix(".txt") / "01.jpg", number))
        else:
            name = f"{number:03d}-bai.md"
            image = f"image: {{src: anh-{number:03d}.jpg, caption: Toàn cảnh}}\n" if photos else ""
            quoted = json.dumps(title, ensure_ascii=False)
            front = (
                f"---\ntitle: {quoted}\ndate: 2023-11-{day:02d}\nauthor: Văn phòng\n{image}---\n"
            )
            (folder / name).write_text(front + "\n" + "\n\n".join(body) + "\n", encoding="utf-8")
            if photos:
                jobs.append((folder / f"anh-{number:03d}.jpg", number))
    with ProcessPoolExecutor() as pool:
        list(pool.map(_write_photo, jobs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--no-photos", action="store_true")
    args = parser.parse_args()
    write_month(args.folder, args.articles, not args.no_photos)


if __name__ == "__main__":
    main()
