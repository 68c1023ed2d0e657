"""The store on a real SQLite file: schema on open, WAL, events, tables, notes, atomic writes."""

from __future__ import annotations

import pytest

from capture.errors import HarvestError, NotFound, ValidationError
from capture.models import Note
from capture.store import (
    BUSY_TIMEOUT_MS,
    add_notes,
    add_table,
    atomic,
    get_event,
    insert,
    list_notes,
    list_tables,
    open_db,
    save_event,
    table_by_token,
)


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_open_applies_migrations_once_with_wal_and_busy_timeout(db_path):
    db = open_db(db_path)
    tables = set(db.table_names())
    assert {"event", "event_table", "note", "moderation_log", "synthesis_run", "digest"} <= tables
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
    applied = count(db, "_sqlite_migrations")
    assert applied >= 3  # capture, synthesis, publishing (and any added since)
    db.conn.close()
    again = open_db(db_path)
    assert count(again, "_sqlite_migrations") == applied


def test_open_refuses_a_folder_and_a_missing_folder(tmp_path):
    with pytest.raises(HarvestError, match="it is a directory"):
        open_db(tmp_path)
    with pytest.raises(HarvestError, match="does not exist"):
        open_db(tmp_path / "no" / "harvest.db")


def test_save_event_creates_then_updates_only_given_fields(db):
    created = save_event(db, "seee-2015", title="Partnership structures", date="2015-10-23")
    assert (created.title, created.date, created.chatham_house) == ("Partnership structures", "2015-10-23",
                                                                   False)
    updated = save_event(db, "seee-2015", chatham_house=True)
    assert (updated.title, updated.date, updated.chatham_house) == ("Partnership structures", "2015-10-23",
                                                                   True)
    assert count(db, "event") == 1


@pytest.mark.parametrize("slug", ["Has Spaces", "UPPER", "-leading", "", "x" * 81])
def test_bad_slugs_are_refused(db, slug):
    with pytest.raises(ValidationError, match="Invalid event slug"):
        save_event(db, slug)
    assert count(db, "event") == 0


def test_missing_event_is_not_found(db):
    with pytest.raises(NotFound, match="No event 'nope'"):
        get_event(db, "nope")


def test_tables_get_unguessable_distinct_tokens(db):
    event = save_event(db, "tabled")
    one = add_table(db, event, "Table 1", question="Who pays?")
    two = add_table(db, event, "Table 2")
    assert one.token != two.token and len(one.token) >= 20
    same = add_table(db, event, "Table 1", host="Sam")
    assert (same.id, same.token, same.question, same.host) == (one.id, one.token, "Who pays?", "Sam")
    assert table_by_token(db, two.token)[1].name == "Table 2"
    with pytest.raises(NotFound):
        table_by_token(db, "not-a-token")


def test_add_notes_skips_repeats_by_ref_or_by_text(db):
    event = save_event(db, "notes")
    added, skipped = add_notes(db, event, [Note(text="Funding is short term", table="Table 1"),
                                           Note(text="Same words", ref="r1"),
                                           Note(text="Same words", ref="r2")])
    assert (len(added), skipped) == (3, 0), "two ids with the same words are two notes"
    assert [t.name for t in list_tables(db, event)] == ["Table 1"]
    added, skipped = add_notes(db, event, [Note(text="Funding is short term"),
                                           Note(text="Changed words", ref="r1"),
                                           Note(text="New", ref="r3")])
    assert ([n.ref for n in added], skipped) == (["r3"], 2)
    assert count(db, "note") == 4
    generated = list_notes(db, event)[0].ref
    assert generated.startswith("n")


def test_add_notes_is_all_or_nothing(db):
    event = save_event(db, "atomic")
    with pytest.raises(ValidationError, match="empty"):
        add_notes(db, event, [Note(text="fine"), Note(text="   ")])
    with pytest.raises(ValidationError, match="Invalid role"):
        add_notes(db, event, [Note(text="fine"), Note(text="bad role", role="king")])
    assert count(db, "note") == 0


def test_atomic_rolls_back_everything_inside_it(db):
    with pytest.raises(RuntimeError):
        with atomic(db):
            event = save_event(db, "rolled-back")  # nested: a savepoint inside the transaction
            add_notes(db, event, [Note(text="written, then undone")])
            raise RuntimeError("boom")
    assert count(db, "event") == 0 and count(db, "note") == 0
    with atomic(db):
        insert(db, "event", {"slug": "kept", "title": "Kept"})
    assert count(db, "event") == 1


def test_note_counts_by_status_and_totals_by_event(db):
    from capture.store import note_counts, note_totals, set_note_status

    spring, autumn = save_event(db, "spring"), save_event(db, "autumn")
    empty = save_event(db, "empty")
    add_notes(db, spring, [Note(text=f"Spring idea {i}", status="pending") for i in range(3)])
    add_notes(db, autumn, [Note(text="Autumn idea")])
    first = list_notes(db, spring)[0]
    set_note_status(db, first.id, "approved")
    assert note_counts(db, spring) == {"pending": 2, "approved": 1, "hidden": 0}
    assert note_counts(db, empty) == {"pending": 0, "approved": 0, "hidden": 0}
    assert note_totals(db) == {spring.id: 3, autumn.id: 1}


def test_adding_a_note_does_not_read_the_whole_event(db):
    """One attendee's note costs the same in an event of 20,000 notes as in one of 10 (counted in
    SQLite virtual-machine steps, not time): only the new notes' refs and hashes are looked up."""
    def steps_to_add_one(event) -> int:
        counter = [0]

        def tick() -> int:
            counter[0] += 1
            return 0

        db.conn.set_progress_handler(tick, 100)
        try:
            add_notes(db, event, [Note(text="One more note about core funding", table="Table 1")],
                      skip_existing=False)
        finally:
            db.conn.set_progress_handler(None, 0)
        return counter[0]

    small, large = save_event(db, "small"), save_event(db, "large")
    for event, count in ((small, 10), (large, 20_000)):
        add_notes(db, event, [Note(text=f"note {i}", table="Table 1") for i in range(count)],
                  skip_existing=False)
    assert steps_to_add_one(large) < 3 * steps_to_add_one(small) + 50
