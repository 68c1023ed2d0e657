"""Open the database and read or write events, tables and notes.

Plain functions over a sqlite-utils `Database`; errors are `capture.errors` exceptions with a
message a person can act on. The schema lives in `capture.migrations` and is applied on open.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlite_utils import Database

from capture.errors import HarvestError, NotFound, ValidationError
from capture.migrations import migrations
from capture.models import NOTE_ROLES, NOTE_STATUSES, Event, Note, Table
from capture.names import clean_name, clean_text

DEFAULT_DB = "harvest.db"
BUSY_TIMEOUT_MS = 10_000
MAX_NOTE_CHARS = 20_000
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def default_db_path() -> str:
    """The database path: $HARVEST_DB, else ./harvest.db."""
    return os.environ.get("HARVEST_DB") or DEFAULT_DB


def open_db(path: str | os.PathLike | None = None, *, memory: bool = False) -> Database:
    """Open (creating if needed) a Harvest database: WAL, busy timeout, migrations applied."""
    if memory:
        conn = sqlite3.connect(":memory:", check_same_thread=False)
    else:
        target = Path(path or default_db_path())
        if target.is_dir():
            raise HarvestError(f"Cannot open database {target}: it is a directory. Give a file path.")
        if not target.parent.exists():
            raise HarvestError(
                f"Cannot open database {target}: folder {target.parent} does not exist."
            )
        try:
            conn = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_MS / 1000,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit survives the
            # process being killed (it is in the WAL, in the OS's cache); only a power cut can lose
            # the last ones. FULL made every attendee's note wait for an fsync.
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise HarvestError(
                f"Cannot open database {target}: {exc}. Check the path and its permissions."
            ) from None
    conn.execute("PRAGMA foreign_keys = ON")
    db = Database(conn)
    try:
        migrations.apply(db)
    except sqlite3.OperationalError as exc:
        raise HarvestError(
            f"Cannot write to database {path or default_db_path()}: {exc}. "
            "Check that the file and its folder are writable."
        ) from None
    return db


def text_hash(text: str) -> str:
    """A stable hash of a text, used to skip notes already imported and to key embeddings."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextmanager
def atomic(db: Database) -> Iterator[Database]:
    """One transaction: everything inside is written, or nothing is. Nests as a savepoint."""
    conn = db.conn
    if conn.in_transaction:
        name = f"sp_{secrets.token_hex(4)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield db
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
    else:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def insert(db: Database, table: str, row: dict) -> int:
    """Insert one row without committing (sqlite-utils' insert commits); returns its id."""
    cols = ", ".join(f'"{c}"' for c in row)
    marks = ", ".join("?" for _ in row)
    cur = db.conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(row.values()))
    return cur.lastrowid


def update(db: Database, table: str, row_id: int, changes: dict) -> None:
    """Update one row by id without committing."""
    if not changes:
        return
    sets = ", ".join(f'"{c}" = ?' for c in changes)
    db.conn.execute(f'UPDATE "{table}" SET {sets} WHERE id = ?', [*changes.values(), row_id])


# --- events -----------------------------------------------------------------------------------

def _event_from_row(row: dict) -> Event:
    return Event(
        id=row["id"], slug=row["slug"], title=row["title"], date=row["date"],
        venue=row["venue"], description=row["description"],
        questions=json.loads(row["questions"] or "[]"),
        chatham_house=bool(row["chatham_house"]), status=row["status"],
        approve_by_default=bool(row["approve_by_default"]),
    )


def check_slug(slug: str) -> str:
    """Return the slug if valid, else raise ValidationError saying what a slug may contain."""
    if not SLUG_RE.match(slug or ""):
        raise ValidationError(
            f"Invalid event slug {slug!r}: use lower-case letters, digits and hyphens "
            "(for example seee-2026-10), at most 80 characters."
        )
    return slug


def get_event(db: Database, slug: str) -> Event:
    """The event with this slug, or NotFound."""
    rows = list(db.query("SELECT * FROM event WHERE slug = ?", [slug]))
    if not rows:
        raise NotFound(f"No event {slug!r}. List events with `harvest events`.")
    return _event_from_row(rows[0])


def find_event(db: Database, slug: str) -> Event | None:
    """The event with this slug, or None."""
    try:
        return get_event(db, slug)
    except NotFound:
        return None


def list_events(db: Database) -> list[Event]:
    """All events, newest date first."""
    rows = db.query("SELECT * FROM event ORDER BY coalesce(date, created_at) DESC, id DESC")
    return [_event_from_row(r) for r in rows]


EVENT_FIELDS = ("title", "date", "venue", "description", "questions", "chatham_house",
                "status", "approve_by_default")


def save_event(db: Database, slug: str, **changes) -> Event:
    """Create the event if it does not exist, else update the fields given (None = unchanged)."""
    check_slug(slug)
    changes = {k: v for k, v in changes.items() if v is not None}
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown event field(s): {', '.join(sorted(unknown))}")
    if "date" in changes and changes["date"]:
        check_date(changes["date"])
    if "status" in changes and changes["status"] not in ("draft", "open", "closed", "published"):
        raise ValidationError(f"Invalid status {changes['status']!r}.")
    for field in ("title", "venue"):  # shown on every page of the event and in its digest
        if isinstance(changes.get(field), str):
            changes[field] = clean_name(changes[field])
    if "title" in changes and not changes["title"]:
        raise ValidationError("The title is empty (letters, digits or other visible characters).")
    if "questions" in changes:
        changes["questions"] = json.dumps([q for q in map(clean_name, changes["questions"]) if q])
    for flag in ("chatham_house", "approve_by_default"):
        if flag in changes:
            changes[flag] = int(bool(changes[flag]))
    existing = find_event(db, slug)
    with atomic(db):
        if existing is None:
            changes.setdefault("title", slug.replace("-", " ").capitalize())
            insert(db, "event", {"slug": slug, **changes})
        else:
            update(db, "event", existing.id, changes)
    return get_event(db, slug)


def check_date(text: str) -> None:
    """Raise ValidationError unless `text` is a real calendar date written YYYY-MM-DD."""
    try:
        ok = bool(re.match(r"^\d{4}-\d{2}-\d{2}$", text)) and bool(date.fromisoformat(text))
    except ValueError:
        ok = False
    if not ok:
        raise ValidationError(f"Invalid date {text!r}: use YYYY-MM-DD.")


# --- tables -----------------------------------------------------------------------------------

def _table_from_row(row: dict) -> Table:
    return Table(id=row["id"], event_id=row["event_id"], name=row["name"],
                 question=row["question"], host=row["host"], token=row["token"])


def new_token() -> str:
    """An unguessable token for an attendee link (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def add_table(db: Database, event: Event, name: str, question: str | None = None,
              host: str | None = None) -> Table:
    """Add a table to an event (or update its question and host if the name exists).

    Bidi and control characters are dropped from the name, question and host (`capture.names`)."""
    name = clean_name(name) or ""
    question, host = clean_name(question), clean_name(host)
    if not name:
        raise ValidationError("A table needs a name or number (letters, digits or other visible "
                              "characters).")
    existing = find_table(db, event, name)
    with atomic(db):
        if existing:
            changes = {k: v for k, v in {"question": question, "host": host}.items() if v is not None}
            update(db, "event_table", existing.id, changes)
        else:
            insert(db, "event_table", {"event_id": event.id, "name": name, "question": question,
                                       "host": host, "token": new_token()})
    return find_table(db, event, name)  # type: ignore[return-value]


def find_table(db: Database, event: Event, name: str) -> Table | None:
    """The table of this event with this name, or None."""
    rows = list(db.query("SELECT * FROM event_table WHERE event_id = ? AND name = ?",
                         [event.id, name]))
    return _table_from_row(rows[0]) if rows else None


def list_tables(db: Database, event: Event) -> list[Table]:
    """The event's tables in the order they were added."""
    return [_table_from_row(r) for r in select_rows(
        db, "SELECT * FROM event_table WHERE event_id = ? ORDER BY id", [event.id])]


def select_rows(db: Database, sql: str, params: Sequence = ()) -> list[dict]:
    """The rows of one SELECT as dicts, straight from the connection: for the attendee form's path,
    where sqlite-utils' query() (a savepoint around each) and db[table].get() (schema lookups:
    sqlite_master twice and table_info) cost more than the query itself."""
    cur = db.conn.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def table_by_token(db: Database, token: str) -> tuple[Event, Table]:
    """The event and table behind an attendee link, or NotFound."""
    found = select_rows(db, "SELECT * FROM event_table WHERE token = ?", [token])
    if not found:
        raise NotFound("This table link is not valid. Ask the organiser for the current one.")
    table = _table_from_row(found[0])
    return _event_from_row(select_rows(db, "SELECT * FROM event WHERE id = ?", [table.event_id])[0]), table


def _own_table(db: Database, event: Event, table_id: int) -> Table:
    for table in list_tables(db, event):
        if table.id == table_id:
            return table
    raise NotFound("This event has no such table. Reload the page.")


def rename_table(db: Database, event: Event, table_id: int, name: str) -> Table:
    """Give a table a new name (its notes and attendee link stay); refused if another table has it."""
    table = _own_table(db, event, table_id)
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ValidationError("A table needs a name or number of 1 to 100 characters.")
    other = find_table(db, event, name)
    if other is not None and other.id != table.id:
        raise ValidationError(f"There is a table {name!r} already: choose another name.")
    with atomic(db):
        update(db, "event_table", table.id, {"name": name})
    return _own_table(db, event, table_id)


def table_note_count(db: Database, table: Table) -> int:
    """How many notes (any status) a table holds."""
    return db.execute("SELECT count(*) FROM note WHERE table_id = ?", [table.id]).fetchone()[0]


def delete_table(db: Database, event: Event, table_id: int, move_notes: bool = False) -> int:
    """Delete a table; returns how many notes were moved to 'no table'. A table with notes is
    deleted only with `move_notes` (its notes stay in the event, without a table)."""
    table = _own_table(db, event, table_id)
    count = table_note_count(db, table)
    if count and not move_notes:
        raise ValidationError(f"{table.name} has {count} note{'' if count == 1 else 's'}: tick "
                              "'move its notes to no table' to delete it anyway.")
    with atomic(db):
        db.conn.execute("UPDATE note SET table_id = NULL WHERE table_id = ?", [table.id])
        db.conn.execute("DELETE FROM event_table WHERE id = ?", [table.id])
    return count


def renew_table_link(db: Database, event: Event, table_id: int) -> Table:
    """A new attendee link for a table: a new token, so the old link stops working."""
    table = _own_table(db, event, table_id)
    with atomic(db):
        update(db, "event_table", table.id, {"token": new_token()})
    return _own_table(db, event, table_id)


# --- notes ------------------------------------------------------------------------------------

NOTE_SELECT = """
    SELECT note.*, event_table.name AS table_name
    FROM note LEFT JOIN event_table ON event_table.id = note.table_id
"""


def _note_from_row(row: dict) -> Note:
    return Note(id=row["id"], event_id=row["event_id"], table_id=row["table_id"],
                table=row["table_name"], ref=row["ref"], text=row["text"],
                original_text=row["original_text"], author=row["author"], role=row["role"],
                attribution=row["attribution"], source=row["source"],
                source_ref=row.get("source_ref"), status=row["status"],
                created_at=row["created_at"], number=row.get("number"))


def _note_filter(event: Event, status: str | None, table: str | None, since_id: int) -> tuple[str, list]:
    sql = " WHERE note.event_id = ? AND note.id > ?"
    params: list = [event.id, since_id]
    if status:
        sql += " AND note.status = ?"
        params.append(status)
    if table:
        sql += " AND event_table.name = ?"
        params.append(table)
    return sql, params


def list_notes(db: Database, event: Event, status: str | None = None,
               table: str | None = None, since_id: int = 0, limit: int | None = None,
               offset: int = 0, newest_first: bool = False) -> list[Note]:
    """The event's notes in order, optionally only one status, one table, or newer than an id;
    `limit` and `offset` take one page of them (pages bound what a view renders)."""
    where, params = _note_filter(event, status, table, since_id)
    sql = NOTE_SELECT + where + (" ORDER BY note.id DESC" if newest_first else " ORDER BY note.id")
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [int(limit), int(offset)]
    return [_note_from_row(r) for r in db.query(sql, params)]


def count_notes(db: Database, event: Event, status: str | None = None, table: str | None = None,
                since_id: int = 0) -> int:
    """How many notes `list_notes` would give with these filters and no limit."""
    where, params = _note_filter(event, status, table, since_id)
    sql = "SELECT count(*) FROM note LEFT JOIN event_table ON event_table.id = note.table_id" + where
    return db.execute(sql, params).fetchone()[0]


def note_counts(db: Database, event: Event) -> dict[str, int]:
    """How many of the event's notes are in each status: {"pending": n, "approved": n, "hidden": n}."""
    counts = dict.fromkeys(NOTE_STATUSES, 0)
    counts.update({row["status"]: row["n"] for row in db.query(
        "SELECT status, count(*) AS n FROM note WHERE event_id = ? GROUP BY status", [event.id])})
    return counts


def note_totals(db: Database) -> dict[int, int]:
    """How many notes each event holds (all statuses), by event id; events without notes are absent."""
    return {row["event_id"]: row["n"]
            for row in db.query("SELECT event_id, count(*) AS n FROM note GROUP BY event_id")}


def approved_notes(db: Database, event: Event) -> list[Note]:
    """The notes synthesis reads: approved ones only."""
    return list_notes(db, event, status="approved")


def note_numbers(db: Database, event: Event) -> dict[str, int]:
    """Note ref -> the note's number in the event (what quotes cite and moderation shows)."""
    return {r["ref"]: r["number"] for r in db.query(
        "SELECT ref, number FROM note WHERE event_id = ?", [event.id])}


def get_note(db: Database, note_id: int) -> Note:
    """One note by id, or NotFound."""
    rows = list(db.query(NOTE_SELECT + " WHERE note.id = ?", [note_id]))
    if not rows:
        raise NotFound(f"No note {note_id}.")
    return _note_from_row(rows[0])


def find_note_by_source(db: Database, event: Event, source: str, source_ref: str) -> Note | None:
    """The event's note with this id in this source (an import's row id, a form's submission key)."""
    found = select_rows(db, NOTE_SELECT + " WHERE note.event_id = ? AND note.source = ? "
                        "AND note.source_ref = ?", [event.id, source, source_ref])
    return _note_from_row(found[0]) if found else None


def validate_note(note: Note, max_chars: int | None = None) -> None:
    """Raise ValidationError for a note that must not be stored.

    `max_chars` applies to notes typed into the form (MAX_NOTE_CHARS); imported minutes may hold
    longer paragraphs and are segmented like the rest.
    """
    if not note.text or not note.text.strip():
        raise ValidationError("The note is empty: write something before sending.")
    if max_chars is not None and len(note.text) > max_chars:
        raise ValidationError(
            f"The note is {len(note.text):,} characters long; the limit is {max_chars:,}. "
            "Split it into shorter notes."
        )
    if note.role is not None and note.role not in NOTE_ROLES:
        raise ValidationError(f"Invalid role {note.role!r}: use one of {', '.join(NOTE_ROLES)}.")
    if note.status not in NOTE_STATUSES:
        raise ValidationError(f"Invalid status {note.status!r}.")


def note_hash(note: Note) -> str:
    """What a note says and who said it, hashed: finds a repeat of a note, or a changed one."""
    return text_hash(f"{note.attribution or ''}\x00{note.text}")


def _present(db: Database, event: Event, column: str, values: set[str]) -> set[str]:
    """Which of `values` the event's notes already hold in `column` ('ref' or 'content_hash')."""
    found: set[str] = set()
    wanted = sorted(values)
    for start in range(0, len(wanted), 500):  # well under SQLite's limit of bound parameters
        chunk = wanted[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        found.update(r[0] for r in db.execute(
            f"SELECT {column} FROM note WHERE event_id = ? AND {column} IN ({marks})", [event.id, *chunk]))
    return found


def add_notes(db: Database, event: Event, notes: Iterable[Note], *,
              skip_existing: bool = True, max_chars: int | None = None) -> tuple[list[Note], int]:
    """Store notes in one transaction; returns (added, skipped).

    A note whose ref, or whose text (for notes without an id of their own), is already in the
    event is skipped, so re-importing a file never duplicates notes. The caller wraps this in
    its own transaction when it must be atomic with other writes.
    """
    notes = list(notes)
    for note in notes:
        # Names reach the pages, the digests and the QR codes: no bidi or control characters.
        note.table = clean_name(note.table) or None
        note.author = clean_name(note.author) or None
        note.attribution = clean_name(note.attribution) or None
        # Text reaches the quotes of the public digest: no controls that reorder or hide it.
        note.text = clean_text(note.text) if note.text else note.text
        validate_note(note, max_chars)
    # Only the refs and hashes of these notes are looked up (indexed): reading all of the event's
    # made each attendee's note cost time in proportion to the notes already stored.
    existing_refs = _present(db, event, "ref", {n.ref for n in notes if n.ref})
    existing_hashes = (_present(db, event, "content_hash", {note_hash(n) for n in notes if not n.ref})
                       if skip_existing else set())
    tables = {t.name: t for t in list_tables(db, event)}
    added: list[Note] = []
    skipped = 0
    with atomic(db):
        # Numbers are given inside the insert's transaction (BEGIN IMMEDIATE: no other writer can
        # take the same one), in the order stored, and never change: quotes cite them.
        number = db.conn.execute("SELECT coalesce(max(number), 0) FROM note WHERE event_id = ?",
                                 [event.id]).fetchone()[0]
        for note in notes:
            digest = note_hash(note)
            # A note with an id of its own is a duplicate only by that id: two form answers
            # with the same words are two voices, not one.
            seen = note.ref in existing_refs if note.ref else digest in existing_hashes
            if skip_existing and seen:
                skipped += 1
                continue
            table_id = None
            if note.table:
                if note.table not in tables:
                    insert(db, "event_table", {"event_id": event.id, "name": note.table,
                                               "token": new_token()})
                    tables[note.table] = find_table(db, event, note.table)
                table_id = tables[note.table].id
            row = {"event_id": event.id, "table_id": table_id, "ref": note.ref or "",
                   "text": note.text, "author": note.author, "role": note.role,
                   "attribution": note.attribution, "source": note.source,
                   "source_ref": note.source_ref, "status": note.status, "content_hash": digest,
                   "number": number + 1}
            if note.created_at:
                row["created_at"] = note.created_at
            if note.ref and note.ref in existing_refs:
                raise ValidationError(f"Note id {note.ref!r} appears twice.")
            note_id = insert(db, "note", row)
            number += 1
            note.number = number
            if not note.ref:
                # Generated refs are short, stable and unique within the event.
                note.ref = f"n{note_id}"
                update(db, "note", note_id, {"ref": note.ref})
            existing_refs.add(note.ref)
            existing_hashes.add(digest)
            note.id, note.event_id, note.table_id = note_id, event.id, table_id
            added.append(note)
    return added, skipped


def set_note_status(db: Database, note_id: int, status: str, actor: str | None = None) -> Note:
    """Approve, hide or return a note to pending, and log it."""
    if status not in NOTE_STATUSES:
        raise ValidationError(f"Invalid status {status!r}.")
    note = get_note(db, note_id)
    with atomic(db):
        update(db, "note", note_id, {"status": status})
        insert(db, "moderation_log", {"note_id": note_id, "actor": actor, "action": status,
                                      "detail": f"{note.status} -> {status}"})
    return get_note(db, note_id)


def edit_note_text(db: Database, note_id: int, text: str, actor: str | None = None) -> Note:
    """Change a note's text, keeping the first original, and log it."""
    note = get_note(db, note_id)
    text = clean_text(text)
    validate_note(Note(text=text), MAX_NOTE_CHARS)
    with atomic(db):
        update(db, "note", note_id, {"text": text,
                                     "original_text": note.original_text or note.text})
        insert(db, "moderation_log", {"note_id": note_id, "actor": actor, "action": "edit",
                                      "detail": f"{len(note.text)} -> {len(text)} characters"})
    return get_note(db, note_id)


def moderation_log(db: Database, event: Event, limit: int = 200) -> list[dict]:
    """The latest moderation actions on an event's notes, newest first."""
    return list(db.query(
        """SELECT moderation_log.*, note.ref FROM moderation_log
           JOIN note ON note.id = moderation_log.note_id
           WHERE note.event_id = ? ORDER BY moderation_log.id DESC LIMIT ?""",
        [event.id, limit]))
