"""Build .docx files in tests (python-docx), as staff would write them in Word."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.shared import Cm


def write_docx(
    path: Path,
    *,
    title: str,
    paragraphs: list[str],
    picture: bytes | None = None,
    caption: str | None = None,
    byline: str | None = None,
    heading: bool = True,
) -> Path:
    """A Word article: a heading (or a plain first line), paragraphs with some bold,
    a picture with its caption after the first paragraph, a byline."""
    document = Document()
    if heading:
        document.add_heading(title, level=1)
    else:
        document.add_paragraph(title)
    for index, text in enumerate(paragraphs):
        paragraph = document.add_paragraph()
        if "**" in text:
            before, bold, after = text.split("**", 2)
            paragraph.add_run(before)
            paragraph.add_run(bold).bold = True
            paragraph.add_run(after)
        else:
            paragraph.add_run(text)
        if index == 0 and picture is not None:
            document.add_picture(io.BytesIO(picture), width=Cm(12))
            if caption:
                document.add_paragraph(caption)
    if byline:
        document.add_paragraph(byline)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
