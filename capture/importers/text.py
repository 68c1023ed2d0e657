"""Plain text: title, headings, paragraphs, list items and speaker turns (Markdown: markdown.py).

Paragraphs are separated by blank lines (hard-wrapped lines are joined); a list item is a note
of its own, and a line after it that starts a point of its own is not the item's; a line
starting a "Name:" turn starts a new paragraph. A heading is a line underlined
with === or ---, or a short numbered agenda item with the discussion on the next line.

A scribe often writes one point per line with no blank line between: a line that ends a sentence,
or a short line with no closing punctuation that is not a heading (the document's title, a date
and venue line), followed by a line starting with a capital, starts a new paragraph. A heading
stays joined to its paragraph, where the synthesis reads it as the topic; within a speaker's turn
the lines are the speaker's. A hard-wrapped line runs close to the width and stops mid-sentence,
so it is still joined to the next.
"""

from __future__ import annotations

import re

from capture.importers.base import ImportedNotes, ImportOptions, clean, decode
from capture.importers.turns import (
    REPORTED,
    Block,
    interrupts_turn,
    is_detail_line,
    match_turn,
    notes_from_blocks,
    split_turn_lines,
)

BULLET = re.compile(r"^\s*(?:[-*+•‣◦▪–]|\d{1,3}[.)])\s+(?P<text>.*)$")
# Minutes number their agenda items: "2. Winter pressures and loneliness", then the discussion on the
# next line. A short numbered line without closing punctuation, followed by an unindented line, is such
# a heading, not a list item that goes on (a hard-wrapped item is longer, or its next line indented).
NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(?P<text>[^.!?:;,]+)$")
NUMBERED_HEADING_WORDS = 8
UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")
# A line shorter than this that stops without punctuation is not hard-wrapped (wrapping is at 60
# to 80 columns): "prevention (this was the longest bit)", a title, "Karen Mills (Chair)".
WRAPPED_AT_LEAST = 60
HEADING_WORDS = 8
_ENDS_SENTENCE = re.compile(r"[.!?][\"'’”)\]]*$")


def _heading_line(text: str) -> bool:
    """A line on its own above the text it heads: short, no closing punctuation, no figures
    ("Intro / why we're here", "TEMPORARY ACCOMMODATION"; not "12/02, Town Hall")."""
    text = clean(text)
    return (0 < len(text.split()) <= HEADING_WORDS and not re.search(r"[\d.!?:;,]$|\d", text)
            and not is_detail_line(text))


def _own_line(previous: str, line: str) -> bool:
    """Whether `line` starts a point of its own rather than continuing `previous` (see above)."""
    first = line.lstrip()[:1]
    if not (first.isupper() or first.isdigit() or first in "\"'“‘("):
        return False  # a lower-case start continues the sentence
    previous = previous.rstrip()
    return bool(_ENDS_SENTENCE.search(previous)) or len(previous) < WRAPPED_AT_LEAST


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
        # Within a speaker's turn ("Kemi:" and the lines after it) the lines are the speaker's,
        # but for a line reporting someone else ("Priya said ...") or the scribe's aside or agenda
        # time ("(ran out of time)", "11.15 - break"): turns.py decides whose they are.
        # A heading line stays joined to the paragraph under it: the synthesis reads it there as
        # the paragraph's topic. The document's first line is its title, on its own.
        in_turn = bool(para) and bool(match_turn(clean(para[0])))
        if para and kind == "para" and _own_line(para[-1], line) and (
                (not in_turn and not (len(para) == 1 and blocks and _heading_line(para[0])))
                or (in_turn and (REPORTED.match(clean(line)) or interrupts_turn(line)))):
            flush()
        elif para and kind == "item" and not line[:1].isspace() and _own_line(para[-1], line):
            # A line after a list item, not indented, that starts a point of its own (the item
            # ended a sentence, or is short): not the item's ("- no cooking at the hostel" then
            # "Waiting lists are long."). A wrapped item goes on in lower case or runs long.
            flush()
        if not para:
            para_line = number
        para.append(line)
    flush()
    return blocks


def parse_text(data: bytes, options: ImportOptions) -> ImportedNotes:
    """Parse a plain-text document into notes."""
    return notes_from_blocks(_blocks(decode(data)), default_table=options.table)
