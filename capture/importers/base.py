"""What every importer shares: the parse result, the parse error, decoding and clean-up of text.

Importers are plain functions `parse(data: bytes, options) -> ImportedNotes`; they know nothing of the
database or of file names. They raise `ParseError` with the line or row; `capture.importing`
adds the file name and turns it into `ImportFailed`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from capture.models import Note

# Spaces that look like spaces but do not split words for tokenisers or for humans searching.
ODD_SPACES = "\u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u3000"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# Control characters (escape, bell...) have no place in a note, and XML outputs cannot carry them.
CONTROLS = [c for c in range(32) if chr(c) not in "\t\n\r\f"] + [0x7F]
_SPACE_TABLE = ({ord(c): " " for c in ODD_SPACES} | {ord(c): None for c in INVISIBLE}
                | {c: None for c in CONTROLS})
_RUNS_OF_SPACE = re.compile(r"[ \t\f\v]+")

# A well-formed multi-byte UTF-8 character.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# Windows-1252 leaves these five bytes undefined: a file holding them is not cp1252 either.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


@dataclass
class ImportOptions:
    """How to read a file: column mapping for spreadsheets, the default table, the size limit."""

    table: str | None = None
    text_column: str | None = None
    id_column: str | None = None
    table_column: str | None = None
    author_column: str | None = None
    max_bytes: int = 20 * 1024 * 1024
    # The source's name (default: the file name): an id is unique within its source.
    source: str | None = None
    # The longest note an import accepts, as the attendee form does (MAX_NOTE_CHARS).
    max_note_chars: int = 20_000


@dataclass
class ImportedNotes:
    """What an importer found: the document's title (if it has one) and its notes, in order."""

    notes: list[Note] = field(default_factory=list)
    title: str | None = None
    # Where a row had no answer in the text column (an optional question left blank): "row 4".
    blank: list[str] = field(default_factory=list)


class ParseError(Exception):
    """A problem at a place in the file; `capture.importing` adds the file name."""

    def __init__(self, reason: str, *, line: int | None = None, row: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.row = row

    def where(self) -> str:
        """', line 12' or ', row 7' or ''."""
        if self.line is not None:
            return f", line {self.line}"
        if self.row is not None:
            return f", row {self.row}"
        return ""


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252.

    Raises ParseError naming the line of the first byte that fits none of them. Newlines become
    "\\n" and odd spaces plain spaces; nothing else changes, so line numbers stay right.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(f"invalid encoding: it starts like UTF-16 but is not ({exc.reason})") from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            undefined = _CP1252_UNDEFINED.search(data)
            bad = undefined.start() if undefined else None
            if bad is not None:
                line = data.count(b"\n", 0, bad) + 1
                raise ParseError(
                    f"invalid encoding: byte 0x{data[bad]:02X} is neither UTF-8 nor Windows-1252 "
                    f"(first bad UTF-8 byte at offset {exc.start}). Save the file as UTF-8 and "
                    "import it again.",
                    line=line,
                ) from None
            utf8 = _UTF8_SEQUENCE.search(data)
            if utf8 is not None:
                # Part UTF-8, part something else: decoding it all as Windows-1252 would turn every
                # UTF-8 character into mojibake ("cafÃ©"), and decoding it as UTF-8 fails.
                utf8_line = data.count(b"\n", 0, utf8.start()) + 1
                raise ParseError(
                    f"invalid encoding: the file mixes UTF-8 (line {utf8_line}) "
                    f"with another encoding (byte 0x{data[exc.start]:02X}, Windows-1252?). Save the file "
                    "as UTF-8 and import it again.",
                    line=data.count(b"\n", 0, exc.start) + 1,
                ) from None
            text = data.decode("cp1252")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    nul = text.find("\x00")
    if nul >= 0:
        # Never dropped silently: a NUL in text means a damaged file or a binary one renamed.
        raise ParseError("the file holds a NUL byte (it is damaged, or not a text file). Remove it, "
                         "or export the notes again.", line=text.count("\n", 0, nul) + 1)
    return text.translate(_SPACE_TABLE)


def plain_spaces(text: str) -> str:
    """Odd spaces made plain; invisible (zero-width, BOM) and control characters dropped."""
    return text.translate(_SPACE_TABLE)


def clean(text: str) -> str:
    """One line of note text: odd and repeated spaces collapsed, ends stripped."""
    return _RUNS_OF_SPACE.sub(" ", text.translate(_SPACE_TABLE)).strip()


def title_case_if_shouted(name: str) -> str:
    """'ALISON REID' -> 'Alison Reid'; names already in mixed case are left as written."""
    if name.isupper():
        return " ".join(w.capitalize() if not w.startswith("MC") else "Mc" + w[2:].capitalize()
                        for w in name.split())
    return name


def library_reason(exc: Exception) -> str:
    """A library's exception as a short reason, without object reprs such as <_io.BytesIO ...>."""
    text = re.sub(r"(?:file )?'?<[^<>]* object at 0x[0-9a-f]+>'?", "the file", str(exc)).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
