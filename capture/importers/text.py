"""Plain text and Markdown: title, headings, paragraphs, list items and speaker turns.

Paragraphs are separated by blank lines (hard-wrapped lines are joined); a list item is a note
of its own; a line starting a "Name:" turn starts a new paragraph. In plain text a heading is a
line underlined with === or ---; in Markdown also `#` headings, and front matter `title:`.
"""

from __future__ import annotations

import re

from capture.importers.base import ImportedNotes, ImportOptions, clean, decode
from capture.importers.turns import Block, notes_from_blocks, split_turn_lines

BULLET = re.compile(r"^\s*(?:[-*+•‣◦▪–]|\d{1,3}[.)])\s+(?P<text>.*)$")
UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")
ATX = re.compile(r"^\s{0,3}(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def _strip_markdown(text: str) -> str:
    """Inline Markdown to plain words: links keep their text, emphasis and code marks go."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])", r"\2", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    text = re.sub(r"^\s{0,3}>\s?", "", text)
    return text


def _blocks(text: str, markdown: bool) -> tuple[list[Block], str | None]:
    """Split a document into blocks; returns them and a front-matter title, if any."""
    lines = text.split("\n")
    front_title = None
    start = 0
    if markdown and lines and lines[0].strip() == "---":
        for i in range(1, min(len(lines), 60)):
            if lines[i].strip() in ("---", "..."):
                for meta in lines[1:i]:
                    if meta.lower().startswith("title:"):
                        front_title = clean(meta.split(":", 1)[1]).strip("\"'")
                start = i + 1
                break
    blocks: list[Block] = []
    para: list[str] = []
    para_line = 0
    kind = "para"
    in_fence = False
    text_of = _strip_markdown if markdown else (lambda s: s)

    def flush() -> None:
        nonlocal para, kind
        if para:
            for group in split_turn_lines(para):
                blocks.append(Block(kind, clean(" ".join(text_of(g) for g in group)), line=para_line))
                kind = "para"
        para, kind = [], "para"

    for number, raw in enumerate(lines[start:], start=start + 1):
        line = raw.rstrip()
        if markdown and FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence or (markdown and line.strip().startswith("<!--")):
            continue
        if not line.strip():
            flush()
            continue
        if para and UNDERLINE.match(line) and len(para) == 1:
            level = 1 if line.strip().startswith("=") else 2
            blocks.append(Block("heading", clean(text_of(para[0])), level=level, line=para_line))
            para, kind = [], "para"
            continue
        if markdown:
            heading = ATX.match(line)
            if heading:
                flush()
                blocks.append(Block("heading", clean(text_of(heading.group("text"))),
                                    level=len(heading.group("hashes")), line=number))
                continue
            if RULE.match(line):
                flush()
                continue
        bullet = BULLET.match(line)
        if bullet and not (markdown and line.lstrip().startswith("|")):
            flush()
            para, para_line, kind = [bullet.group("text")], number, "item"
            continue
        if not para:
            para_line = number
        para.append(line)
    flush()
    return blocks, front_title


def parse_text(data: bytes, options: ImportOptions, *, markdown: bool = False) -> ImportedNotes:
    """Parse a plain-text (or, with markdown=True, Markdown) document into notes."""
    blocks, front_title = _blocks(decode(data), markdown)
    if front_title:
        blocks.insert(0, Block("title", front_title))
    return notes_from_blocks(blocks, default_table=options.table)


def parse_markdown(data: bytes, options: ImportOptions) -> ImportedNotes:
    """Parse a Markdown document into notes."""
    return parse_text(data, options, markdown=True)
