"""Plain text: title, headings, paragraphs, list items and speaker turns (Markdown: markdown.py).

Paragraphs are separated by blank lines (hard-wrapped lines are joined); a list item is a note
of its own; a line starting a "Name:" turn starts a new paragraph. A heading is a line underlined
with === or ---, or a short numbered agenda item with the discussion on the next line.
"""

from __future__ import annotations

import re

from capture.importers.base import ImportedNotes, ImportOptions, clean, decode
from capture.importers.turns import Block, notes_from_blocks, split_turn_lines

BULLET = re.compile(r"^\s*(?:[-*+•‣◦▪–]|\d{1,3}[.)])\s+(?P<text>.*)$")
# Minutes number their agenda items: "2. Winter pressures and loneliness", then the discussion on the
# next line. A short numbered line without closing punctuation, followed by an unindented line, is such
# a heading, not a list item that goes on (a hard-wrapped item is longer, or its next line indented).
NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(?P<text>[^.!?:;,]+)$")
NUMBERED_HEADING_WORDS = 8
UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")


def _blocks(text: str) -> list[Block]:
    """Split a document into blocks."""
    lines = text.split("\n")
    blocks: list[Block] = []
    para: list[str] = []
    para_line = 0
    kind = "para"

    def flush() -> None:
        nonlocal para, kind
        if para:
            for group in split_turn_lines(para):
                blocks.append(Block(kind, clean(" ".join(group)), line=para_line))
                kind = "para"
        para, kind = [], "para"

    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        if para and UNDERLINE.match(line) and len(para) == 1:
            level = 1 if line.strip().startswith("=") else 2
            blocks.append(Block("heading", clean(para[0]), level=level, line=para_line))
            para, kind = [], "para"
            continue
        bullet = BULLET.match(line)
        if bullet:
            flush()
            para, para_line, kind = [bullet.group("text")], number, "item"
            continue
        if kind == "item" and len(para) == 1 and not line[:1].isspace():
            numbered = NUMBERED.match(lines[para_line - 1])
            if numbered and len(numbered.group("text").split()) <= NUMBERED_HEADING_WORDS:
                blocks.append(Block("heading", clean(para[0]), level=3, line=para_line))
                para, kind = [], "para"
        if not para:
            para_line = number
        para.append(line)
    flush()
    return blocks


def parse_text(data: bytes, options: ImportOptions) -> ImportedNotes:
    """Parse a plain-text document into notes."""
    return notes_from_blocks(_blocks(decode(data)), default_table=options.table)
