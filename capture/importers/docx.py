"""Word .docx documents: headings by paragraph style, then the same rules as plain text."""

from __future__ import annotations

import io
import zipfile

from capture.importers.base import ImportedNotes, ImportOptions, ParseError, clean, library_reason
from capture.importers.turns import Block, notes_from_blocks, split_turn_lines


def _style_kind(style_name: str) -> tuple[str, int]:
    name = (style_name or "").lower()
    if name == "title":
        return "title", 0
    if name.startswith("heading"):
        digits = "".join(c for c in name if c.isdigit())
        return "heading", int(digits) if digits else 1
    if name.startswith("list") or "bullet" in name:
        return "item", 0
    return "para", 0


def parse_docx(data: bytes, options: ImportOptions) -> ImportedNotes:
    """Parse a Word document into notes: one per paragraph, list item or speaker turn."""
    import docx  # python-docx; imported here so the text importers load without it

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ParseError("this is not a Word .docx file (an old .doc? Open it in Word or LibreOffice "
                         "and save it as .docx)")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a damaged package
        raise ParseError(f"this .docx file could not be read ({library_reason(exc)}). "
                         "Open it in Word or LibreOffice and save it again.") from None
    blocks: list[Block] = []
    for number, paragraph in enumerate(document.paragraphs, start=1):
        text = paragraph.text.replace("\v", "\n")
        if not text.strip():
            continue
        kind, level = _style_kind(paragraph.style.name if paragraph.style is not None else "")
        if kind in ("title", "heading"):
            blocks.append(Block(kind, clean(text.replace("\n", " ")), level=level, line=number))
            continue
        for group in split_turn_lines(text.split("\n")):
            blocks.append(Block(kind, clean(" ".join(group)), line=number))
    return notes_from_blocks(blocks, default_table=options.table, unit="paragraph")
