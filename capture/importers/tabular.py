"""CSV and .xlsx exports of form and polling tools: one note per row.

Columns are mapped by name (case and spacing ignored): text, id, table and author. Without
options, the usual headers of Google Forms, Slido and Mentimeter exports are recognised. The
id column, when there is one, becomes the note's `ref`. An entirely blank row is skipped; a row
with other cells filled but no text (a respondent who left an optional question blank) is
skipped and listed in `ImportedNotes.blank` (spreadsheet numbering: the header is row 1 in a file
without preamble rows), which the import's summary reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import zipfile
from dataclasses import dataclass

from capture.importers.base import ImportedNotes, ImportOptions, ParseError, clean, decode, library_reason
from capture.importers.package import budget_for, open_package
from capture.models import Note

# Recognised headers, most specific first (normalised: lower case, single spaces).
TEXT_HEADERS = ("text", "note", "notes", "comment", "comments", "your comment", "your note",
                "your notes", "feedback", "your feedback", "idea", "ideas", "your idea",
                "response", "responses", "answer", "answers", "content", "message",
                "question",  # Slido Q&A export: the audience question is the contribution
                "open ended response", "your answer")
ID_HEADERS = ("id", "ref", "note id", "response id", "question id", "respondent id",
              "submission id", "#")
TABLE_HEADERS = ("table", "table name", "table number", "which table are you at?",
                 "which table are you on?", "table no", "group", "breakout room", "room")
AUTHOR_HEADERS = ("author", "name", "your name", "your name (optional)", "name (optional)",
                  "submitted by", "participant", "participant name")
# Columns that are never the note text (used when guessing it).
META_HEADERS = {"timestamp", "email address", "email", "date", "time", "votes", "upvotes",
                "downvotes", "likes", "score", "labels", "highlighted", "archived", "anonymous",
                "event code", "session", "voter id", "created at", "submitted at", "status",
                *ID_HEADERS, *TABLE_HEADERS, *AUTHOR_HEADERS}
ANONYMOUS = {"anonymous", "anon", "n/a", "-", "none"}
# A form's question asking for the table in other words than the names above ("Which table were
# you at?", "What table are you sitting at?"): the table column, and never the note text.
TABLE_QUESTION = re.compile(r"^(which|what) (table|breakout room)\b")


def _meta(normal: str) -> bool:
    """Whether a (normalised) header names a column that is never the note text."""
    return normal in META_HEADERS or bool(TABLE_QUESTION.match(normal))


def _norm(header: str) -> str:
    return " ".join(str(header or "").replace("\ufeff", "").split()).casefold()


def _cell_text(value) -> str:
    """A spreadsheet cell as text: whole-number floats without '.0', dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return clean(str(value))


def _delimiter(text: str) -> str:
    """The separator the header line uses most: comma, semicolon (European Excel) or tab.

    csv.Sniffer guesses from the whole sample and is fooled by commas inside unquoted answers;
    the header line is what the exporting tool wrote itself.
    """
    header = next((line for line in text.split("\n") if line.strip()), "")
    header = re.sub(r'"[^"]*"', "", header)
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    text = decode(data)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    try:
        return [(number, [clean(c) for c in row]) for number, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise ParseError(f"this is not valid CSV ({exc})", line=reader.line_num) from None


def _read_xlsx(data: bytes, wanted: str | None, max_bytes: int) -> list[tuple[int, list[str]]]:
    import openpyxl  # imported here so the text importers load without it

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ParseError("this is not an Excel .xlsx file (an old .xls? Save it as .xlsx or CSV)")
    budget = budget_for(max_bytes)
    open_package(data, "Excel .xlsx", budget).close()  # a zip bomb stops here, before openpyxl
    try:
        # read_only streams the sheets (damage can then surface while iterating, not only on load).
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = [_sheet_rows(sheet, budget.cells) for sheet in book.worksheets]
        book.close()
    except ParseError:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ParseError(f"this .xlsx file could not be read ({library_reason(exc)}). "
                         "Open it in Excel or LibreOffice and save it again.") from None
    # Exports with one sheet per question (Mentimeter) or a summary sheet first: take the first
    # sheet whose header has the text column.
    for rows in sheets:
        if _find_header(rows, wanted) is not None:
            return rows
    return sheets[0] if sheets else []


def _sheet_rows(sheet, max_cells: int) -> list[tuple[int, list[str]]]:
    """A sheet's rows as text, stopping with ParseError past `max_cells` cells (padding included:
    a sheet whose stated size is A1:XFD1048576 would otherwise be padded without end)."""
    rows: list[tuple[int, list[str]]] = []
    cells = 0
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells += len(row)
        if cells > max_cells:
            raise ParseError(f"sheet {sheet.title!r} has more than {max_cells:,} cells (by row {number:,}). "
                             "Export only the columns and rows of notes, or split the file.")
        rows.append((number, [_cell_text(v) for v in row]))
    return rows


def _find_header(rows: list[tuple[int, list[str]]], wanted: str | None) -> int | None:
    """Index of the header row among the first ten (exports may put a title above it)."""
    names = (_norm(wanted),) if wanted else TEXT_HEADERS
    for i, (_, cells) in enumerate(rows[:10]):
        if any(_norm(c) in names for c in cells):
            return i
    return None


def _column(header: list[str], given: str | None, defaults: tuple[str, ...], option: str,
            required: bool = False) -> int | None:
    normal = [_norm(h) for h in header]
    if given:
        if _norm(given) in normal:
            return normal.index(_norm(given))
        close = difflib.get_close_matches(given, [h for h in header if h], n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ParseError(f"there is no column {given!r} (the columns are: {_list(header)}).{hint} "
                         f"Give the right name with {option}.", row=None)
    for name in defaults:
        if name in normal:
            return normal.index(name)
    if defaults is TABLE_HEADERS:
        asked = [i for i, h in enumerate(normal) if TABLE_QUESTION.match(h)]
        if asked:
            return asked[0]
    if required:
        # Google Forms: a Timestamp column and one question; or a sheet of one column.
        candidates = [i for i, h in enumerate(normal) if h and not _meta(h)]
        if len(candidates) == 1:
            return candidates[0]
        raise ParseError(f"cannot tell which column holds the note text (the columns are: "
                         f"{_list(header)}). Choose one with {option}.")
    return None


def _list(header: list[str]) -> str:
    return ", ".join(repr(h) for h in header if h) or "none"


def parse_rows(rows: list[tuple[int, list[str]]], options: ImportOptions) -> ImportedNotes:
    """Notes from spreadsheet rows (row number, cells), the header among the first rows."""
    rows = [(n, cells) for n, cells in rows if any(cells)] if rows else []
    if not rows:
        raise ParseError("there are no rows in this spreadsheet")
    start = _find_header(rows, options.text_column) or 0
    header_number, header = rows[start]
    text_i = _column(header, options.text_column, TEXT_HEADERS, "--text-column", required=True)
    id_i = _column(header, options.id_column, ID_HEADERS, "--id-column")
    table_i = _column(header, options.table_column, TABLE_HEADERS, "--table-column")
    author_i = _column(header, options.author_column, AUTHOR_HEADERS, "--author-column")
    text_name = header[text_i]

    def get(cells: list[str], i: int | None) -> str:
        return cells[i].strip() if i is not None and i < len(cells) else ""

    parsed = ImportedNotes()
    ids: dict[str, int] = {}
    for number, cells in rows[start + 1:]:
        if any(cells[len(header):]):
            raise ParseError(f"this row has {len(cells)} cells but the header has {len(header)} "
                             "(a separator inside an answer that is not in quotes?). Quote the "
                             "answer or remove the extra cells.", row=number)
        text, ref = get(cells, text_i), get(cells, id_i)
        if not text:
            # A form's optional question left blank: nothing was said, so no note; listed, not lost.
            parsed.blank.append(f"row {number}" + (f" (id {ref!r})" if ref else ""))
            continue
        if ref:
            if ref in ids:
                raise ParseError(f"id {ref!r} appears twice (also row {ids[ref]}); ids must be unique.",
                                 row=number)
            ids[ref] = number
        author = get(cells, author_i)
        parsed.notes.append(Note(
            text=text, ref=ref or None,
            table=get(cells, table_i) or options.table,
            author=None if author.casefold() in ANONYMOUS else author or None,
            role="attendee", location=f"row {number}",
        ))
    if not parsed.notes:
        blank = f" (the {text_name!r} column is empty in every row)" if parsed.blank else ""
        raise ParseError(f"there is a header row (row {header_number}) but no rows of notes under it{blank}")
    return parsed


def parse_csv(data: bytes, options: ImportOptions) -> ImportedNotes:
    """Parse a CSV (comma, semicolon or tab separated) export into notes."""
    return parse_rows(_read_csv(data), options)


def parse_xlsx(data: bytes, options: ImportOptions) -> ImportedNotes:
    """Parse an Excel .xlsx export into notes."""
    return parse_rows(_read_xlsx(data, options.text_column, options.max_bytes), options)


@dataclass
class Preview:
    """A spreadsheet's header and first rows, with the columns Harvest would use for each role
    (an index into `header`, or None): what the web upload shows so the organiser picks columns."""

    header: list[str]
    rows: list[list[str]]
    guesses: dict[str, int | None]
    total: int


def preview(data: bytes, suffix: str, options: ImportOptions | None = None, limit: int = 5) -> Preview:
    """The header, the first `limit` rows and the guessed text/id/table/author columns of a CSV or
    .xlsx file (raises ParseError when it cannot be read). Never refuses for a column it cannot
    guess: the organiser chooses."""
    options = options or ImportOptions()
    rows = _read_xlsx(data, None, options.max_bytes) if suffix == ".xlsx" else _read_csv(data)
    rows = [(n, cells) for n, cells in rows if any(cells)]
    if not rows:
        raise ParseError("there are no rows in this spreadsheet")
    start = _find_header(rows, None) or 0
    header = rows[start][1]
    body = [cells + [""] * (len(header) - len(cells)) for _, cells in rows[start + 1:]]
    guesses = {"id": _column(header, None, ID_HEADERS, ""), "table": _column(header, None, TABLE_HEADERS, ""),
               "author": _column(header, None, AUTHOR_HEADERS, ""), "text": _guess_text(header, body)}
    return Preview(header=header, rows=[r[:len(header)] for r in body[:limit]], guesses=guesses,
                   total=len(body))


def _guess_text(header: list[str], body: list[list[str]]) -> int | None:
    """The text column: a known name, else the one free-text column, else the longest answers."""
    try:
        return _column(header, None, TEXT_HEADERS, "", required=True)
    except ParseError:
        pass
    candidates = [i for i, h in enumerate(header) if h and not _meta(_norm(h))]
    if not candidates:
        return None

    def mean_length(i: int) -> float:
        cells = [r[i] for r in body if i < len(r) and r[i]]
        return sum(len(c) for c in cells) / len(cells) if cells else 0.0

    return max(candidates, key=mean_length)
