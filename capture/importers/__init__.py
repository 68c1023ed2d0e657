"""One importer per format, chosen by file suffix: see `capture.importing` for the entry point."""

from __future__ import annotations

from collections.abc import Callable

from capture.importers.base import ImportedNotes, ImportOptions, ParseError
from capture.importers.captions import parse_srt, parse_vtt
from capture.importers.docx import parse_docx
from capture.importers.markdown import parse_markdown
from capture.importers.tabular import parse_csv, parse_xlsx
from capture.importers.text import parse_text

Importer = Callable[[bytes, ImportOptions], ImportedNotes]

IMPORTERS: dict[str, Importer] = {
    ".txt": parse_text,
    ".text": parse_text,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".docx": parse_docx,
    ".csv": parse_csv,
    ".tsv": parse_csv,
    ".xlsx": parse_xlsx,
    ".vtt": parse_vtt,
    ".srt": parse_srt,
}
# Formats whose bytes are a zip package rather than text.
PACKAGED = {".docx", ".xlsx"}
# Formats people often have instead, and what to do about them.
ADVICE = {
    ".doc": "save it from Word or LibreOffice as .docx",
    ".xls": "save it from Excel or LibreOffice as .xlsx or CSV",
    ".pdf": "copy the text into a .txt or .md file",
    ".rtf": "save it as .docx or plain text",
    ".odt": "save it as .docx",
    ".ods": "save it as .xlsx or CSV",
    ".pages": "export it as .docx",
    ".numbers": "export it as .xlsx or CSV",
}

__all__ = ["ADVICE", "IMPORTERS", "PACKAGED", "ImportOptions", "ImportedNotes", "ParseError"]
