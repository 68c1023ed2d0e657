"""Markdown, read by markdown-it-py (CommonMark, with GitHub's tables and strikethrough).

The parser gives the blocks (headings, paragraphs, list items, table rows, quotes) and the inline
text, so links keep their words whatever their address holds ("[report](https://x.org/a_(b))"),
code spans keep their characters (`*args` stays `*args`), entities are decoded ("&amp;" -> "&")
and emphasis marks go. Then the prose rules of `turns.py` apply, as for plain text: headings set
the table, "Name:" lines start speaker turns, a list item is a note of its own.

What is not the notes' words is left out: front matter (its `title:` is the title), fenced code,
HTML comments, images and thematic breaks. Each body row of a table is a note, its cells as
"Header: cell; Header: cell". Paragraphs indented four spaces (a code block to CommonMark) are
read as paragraphs: in notes that indentation is accidental, not code.
"""

from __future__ import annotations

import html
import re

from capture.importers.base import ImportedNotes, ImportOptions, clean, decode
from capture.importers.turns import Block, notes_from_blocks, split_turn_lines

# Bullets CommonMark does not know but notes pasted from Word use: each starts a list item.
LOOSE_BULLET = re.compile(r"^\s*[•‣◦▪–]\s+(?P<text>.*)$")
_TAG = re.compile(r"<[^>]*>")


def _front_matter(lines: list[str]) -> tuple[int, str | None]:
    """(number of lines the YAML front matter takes, its title) -- (0, None) when there is none."""
    if not lines or lines[0].strip() != "---":
        return 0, None
    for i in range(1, min(len(lines), 60)):
        if lines[i].strip() in ("---", "..."):
            title = None
            for meta in lines[1:i]:
                if meta.lower().startswith("title:"):
                    title = clean(meta.split(":", 1)[1]).strip("\"'")
            return i + 1, title
    return 0, None


def _inline_lines(inline) -> list[str]:
    """An inline token's text as plain words, one string per source line (soft and hard breaks)."""
    lines = [""]
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            lines[-1] += child.content
        elif child.type in ("softbreak", "hardbreak"):
            lines.append("")
        # link, emphasis, strikethrough marks: their text is in the children between them;
        # images and inline HTML (<br>, <span>) are not words of the note.
    return lines


def _paragraph_blocks(lines: list[str], first_line: int, kind: str) -> list[Block]:
    """A paragraph's blocks: split where a line starts a speaker turn or a loose bullet."""
    out: list[Block] = []
    groups: list[tuple[int, str, list[str]]] = []  # (line number, kind, lines)
    for offset, line in enumerate(lines):
        bullet = LOOSE_BULLET.match(line)
        if bullet:
            groups.append((first_line + offset, "item", [bullet.group("text")]))
        elif not groups:
            groups.append((first_line + offset, kind, [line]))
        else:
            groups[-1][2].append(line)
    for number, group_kind, group in groups:
        for turn_lines in split_turn_lines(group):
            out.append(Block(group_kind, clean(" ".join(turn_lines)), line=number))
            number += len(turn_lines)
            group_kind = "para"  # what follows a turn inside an item is that turn's paragraph
    return out


def _table_rows(tokens, start: int) -> tuple[list[Block], int]:
    """The body rows of the table opening at tokens[start], as blocks; and the index after it."""
    headers: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    i = start
    while tokens[i].type != "table_close":
        token = tokens[i]
        if token.type == "tr_open":
            rows.append(((token.map or [0])[0], []))
        elif token.type == "inline":
            cell = clean(" ".join(_inline_lines(token)))
            if tokens[i - 1].type == "th_open":
                headers.append(cell)
            else:
                rows[-1][1].append(cell)
        i += 1
    blocks = []
    for line, cells in rows:
        if not cells:
            continue  # the header row
        parts = [f"{headers[n]}: {cell}" if n < len(headers) and headers[n] else cell
                 for n, cell in enumerate(cells) if cell]
        if parts:
            blocks.append(Block("row", "; ".join(parts), line=line + 1))
    return blocks, i + 1


def markdown_blocks(text: str) -> tuple[list[Block], str | None]:
    """The document's blocks in reading order, and the front matter's title if it has one."""
    from markdown_it import MarkdownIt  # imported when a Markdown file is read, not with the CLI

    lines = text.split("\n")
    skip, title = _front_matter(lines)
    # Front matter as blank lines, so the parser's line numbers stay the file's.
    source = "\n" * skip + "\n".join(lines[skip:])
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(source)
    blocks: list[Block] = []
    in_item = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        line = (token.map or [0])[0] + 1
        if token.type == "list_item_open":
            in_item += 1
        elif token.type == "list_item_close":
            in_item -= 1
        elif token.type == "heading_open":
            words = clean(" ".join(_inline_lines(tokens[i + 1])))
            blocks.append(Block("heading", words, level=int(token.tag[1]), line=line))
            i += 2
        elif token.type == "paragraph_open":
            kind = "item" if in_item else "para"
            blocks += _paragraph_blocks(_inline_lines(tokens[i + 1]), line, kind)
            i += 2
        elif token.type == "table_open":
            rows, i = _table_rows(tokens, i)
            blocks += rows
            continue
        elif token.type == "code_block":
            blocks += _paragraph_blocks(token.content.rstrip("\n").split("\n"), line, "para")
        elif token.type == "html_block" and not token.content.lstrip().startswith("<!--"):
            words = clean(html.unescape(_TAG.sub(" ", token.content)))
            if words:
                blocks.append(Block("para", words, line=line))
        i += 1
    return blocks, title


def parse_markdown(data: bytes, options: ImportOptions) -> ImportedNotes:
    """Parse a Markdown document into notes."""
    blocks, title = markdown_blocks(decode(data))
    if title:
        blocks.insert(0, Block("title", title))
    return notes_from_blocks(blocks, default_table=options.table)
