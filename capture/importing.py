"""Import a file of notes into an event, in one transaction: the entry point for CLI and web.

    report = import_file(db, "minutes.md", event="seee-2015")
    report = import_file(db, uploaded_bytes, filename="votes.csv", event="seee-2015",
                         options=ImportOptions(text_column="Comment"))

The importer is chosen by suffix (see `capture.importers.IMPORTERS`). The bytes are checked
(size, empty, binary), decoded (UTF-8 with or without BOM, else Windows-1252) and parsed into
notes; then the event (created if missing) and the notes are written in one transaction, so a
file that fails leaves the database exactly as it was. Any problem raises `ImportFailed` whose
message names the file, the line or row, and what to do.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from capture.errors import HarvestError, ImportFailed
from capture.importers import ADVICE, IMPORTERS, PACKAGED, ImportedNotes, ImportOptions, ParseError
from capture.models import Note
from capture.sources import store_from_source
from capture.store import atomic, check_slug, find_event, get_event, save_event

DEFAULT_MAX_BYTES = ImportOptions().max_bytes
MAGIC = {b"%PDF": "a PDF", b"PK\x03\x04": "a zip package (Word, Excel or similar)",
         b"\xd0\xcf\x11\xe0": "an old Office document (.doc or .xls)", b"\x89PNG": "a PNG image",
         b"\xff\xd8\xff": "a JPEG image", b"SQLite format 3": "a SQLite database"}


@dataclass
class ImportReport:
    """What an import did: notes added, unchanged (already imported) and changed since, the event.

    `skipped` counts every note not written (unchanged + changed); `changed` names the changed
    ones by where they are in the file and their id ("row 4 (id '3')").
    """

    filename: str
    event: str
    added: int
    skipped: int
    event_created: bool = False
    title: str | None = None
    changed: list[str] = field(default_factory=list)
    source: str | None = None
    blank: list[str] = field(default_factory=list)  # rows without an answer: "row 4 (id '3')"

    @property
    def unchanged(self) -> int:
        """Notes of the file already in the event with the same words."""
        return self.skipped - len(self.changed)

    def summary(self) -> str:
        """One line for people: '<file>: 3 notes added, 1 changed (...), 10 unchanged -> event x'."""
        text = f"{self.filename}: {self.added} note{'s' if self.added != 1 else ''} added"
        if self.changed:
            shown = ", ".join(self.changed[:10]) + (f" and {len(self.changed) - 10} more"
                                                    if len(self.changed) > 10 else "")
            text += (f", {len(self.changed)} changed since imported ({shown}; the stored notes are kept: "
                     "edit them in moderation)")
        text += f", {self.unchanged} unchanged (already imported)" if self.unchanged else ""
        if self.blank:
            shown = ", ".join(self.blank[:10]) + (f" and {len(self.blank) - 10} more"
                                                  if len(self.blank) > 10 else "")
            rows = f"{len(self.blank)} row{'s' if len(self.blank) != 1 else ''}"
            text += f", {rows} without an answer ({shown})"
        text += f" -> event {self.event}" + (" (created)" if self.event_created else "")
        return text


def _fail(filename: str, reason: str, where: str = "") -> ImportFailed:
    return ImportFailed(f"Cannot import {filename}{where}: {reason}")


def read_source(source: str | os.PathLike | bytes, filename: str | None,
                max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str]:
    """The file's bytes and display name, after the size check (before reading, for a path)."""
    if isinstance(source, bytes | bytearray):
        name = filename or "upload"
        if len(source) > max_bytes:
            raise _fail(name, _too_big(len(source), max_bytes))
        return bytes(source), name
    path = Path(source)
    name = filename or path.name
    if not path.exists():
        raise _fail(str(path), "the file does not exist. Check the path.")
    if path.is_dir():
        raise _fail(str(path), "it is a folder. Give the files inside it instead.")
    size = path.stat().st_size
    if size > max_bytes:
        raise _fail(name, _too_big(size, max_bytes))
    try:
        return path.read_bytes(), name
    except OSError as exc:
        raise _fail(name, f"the file cannot be read ({exc.strerror}).") from None


def _too_big(size: int, limit: int) -> str:
    return (f"the file is {size / 1_048_576:.1f} MB, over the {limit / 1_048_576:g} MB limit. "
            "Split it, or raise the limit with --max-size.")


def _check_bytes(data: bytes, name: str, suffix: str) -> None:
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise _fail(name, "the file is empty. Export the notes again and check the file has text.")
    if suffix in PACKAGED:
        return
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 text holds NUL bytes by design
    head = data[:8192]
    kind = next((what for magic, what in MAGIC.items() if head.startswith(magic)), None)
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if kind or b"\x00" in head or controls > len(head) // 20:
        looks = f" (it looks like {kind})" if kind else ""
        raise _fail(name, f"this is a binary file, not {suffix} text{looks}. "
                    "Check you chose the right file.")


def check_file(data: bytes, filename: str) -> None:
    """Raise ImportFailed for a file that is empty or binary (what `parse_file` checks first); the
    web upload calls it before showing a spreadsheet's columns."""
    _check_bytes(data, filename, Path(filename).suffix.lower())


def parse_file(data: bytes, filename: str, options: ImportOptions | None = None) -> ImportedNotes:
    """Parse a file's bytes into notes without touching a database (raises ImportFailed)."""
    options = options or ImportOptions()
    suffix = Path(filename).suffix.lower()
    if suffix not in IMPORTERS:
        advice = f" ({ADVICE[suffix]})" if suffix in ADVICE else ""
        known = ", ".join(sorted(IMPORTERS))
        raise _fail(filename, f"unknown format {suffix or '(no suffix)'!r}{advice}. "
                    f"Harvest imports {known}.")
    _check_bytes(data, filename, suffix)
    try:
        parsed = IMPORTERS[suffix](data, options)
    except ParseError as exc:
        raise _fail(filename, exc.reason, exc.where()) from None
    if not parsed.notes:
        raise _fail(filename, "no notes were found in it (only a title, headings or blank lines).")
    _check_note_sizes(parsed.notes, filename, options.max_note_chars)
    _give_refs(parsed.notes, options.source or filename)
    return parsed


def _check_note_sizes(notes: list[Note], filename: str, limit: int) -> None:
    for number, note in enumerate(notes, start=1):
        if len(note.text) > limit:
            where = note.location or f"note {number}"
            raise _fail(filename, f"the note at {where} is {len(note.text):,} characters long; the limit "
                        f"is {limit:,} (as in the attendee form). Split it into paragraphs, or raise the "
                        "limit with --max-note-chars. Nothing was imported.")


def _give_refs(notes: list[Note], source: str) -> None:
    """Each note's source, and deterministic refs for notes without an id of their own.

    A note's own id is unique within its source (`source_ref`). The ref of a note without one
    hashes what it says, who said it and where (not the file name, so the same minutes imported
    as .md and as .docx are not doubled); a repeat within one file is numbered.
    """
    seen: dict[str, int] = {}
    for note in notes:
        note.source = source
        note.status = "approved"
        if note.ref:
            note.source_ref = note.ref
            continue
        key = "\x00".join([note.table or "", note.attribution or "", note.text])
        ref = "i" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
        seen[ref] = seen.get(ref, 0) + 1
        note.ref = ref if seen[ref] == 1 else f"{ref}-{seen[ref]}"


def import_file(db: Database, source: str | os.PathLike | bytes, *, event: str,
                filename: str | None = None, title: str | None = None,
                options: ImportOptions | None = None) -> ImportReport:
    """Import one file (a path, or bytes plus `filename`) into event `event`, all or nothing.

    The event is created if missing (titled `title`, else the document's title, else from the
    slug); `title` also renames an existing event. Notes already imported are skipped and
    counted. Raises ImportFailed (or ValidationError for a bad slug); nothing is then written.
    """
    options = options or ImportOptions()
    check_slug(event)
    data, name = read_source(source, filename, options.max_bytes)
    parsed = parse_file(data, name, options)
    created = find_event(db, event) is None
    try:
        with atomic(db):
            if created:
                save_event(db, event, title=title or parsed.title)
            elif title:
                save_event(db, event, title=title)
            record = get_event(db, event)
            outcome = store_from_source(db, record, parsed.notes)
    except HarvestError as exc:
        raise _fail(name, str(exc)) from None
    except sqlite3.Error as exc:
        raise _fail(name, f"the database could not be written ({exc}): {_db_file(db)}. "
                    "Check that the file and its folder are writable. Nothing was imported.") from None
    changed = [f"{n.location or 'a note'} (id {n.source_ref!r})" for n in outcome.changed]
    return ImportReport(filename=name, event=event, added=len(outcome.added),
                        skipped=outcome.unchanged + len(changed), event_created=created,
                        title=record.title, changed=changed, source=options.source or name,
                        blank=parsed.blank)


def _db_file(db: Database) -> str:
    try:
        rows = db.conn.execute("PRAGMA database_list").fetchall()
        return next((r[2] for r in rows if r[1] == "main"), "") or "(in memory)"
    except sqlite3.Error:
        return "(unknown)"
