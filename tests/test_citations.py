"""Citations a reader understands (issue 12, point 6): every note has a number in its event, given
when stored and never changed; quotes cite "Table 2, note 5" (or "note 5"), the number moderation
shows, in the result, the digest, the CLI and quotes made by review edits. Fast: fake embedder."""

from __future__ import annotations

import re
import sqlite3

from sqlite_utils import Database

from capture.migrations import migrations
from capture.models import Note
from capture.store import add_notes, get_event, list_notes, note_numbers, open_db, save_event, set_note_status
from synthesis import runs
from synthesis.citation import cite, quote_from_segment
from synthesis.embed import FakeEmbedder
from synthesis.pipeline import synthesise
from web.cli.synthesis_cmds import format_summary
from web.publish.digest import compose_markdown
from web.review import edited_result, record_edit, segment_key

SENTENCES = [
    "Uniforms reduce bullying because poorer pupils do not stand out from richer pupils.",
    "Without uniforms the bullying about clothes and brands gets much worse for pupils.",
    "Bullying over clothes disappears when every pupil wears the same uniform.",
    "Uniforms are expensive for parents and the cost of uniforms adds up every year.",
    "Parents pay a high cost for uniforms from a single expensive supplier.",
    "The cost of uniforms is a burden for parents on low incomes.",
    "Children cannot express their identity and personality when forced into uniforms.",
    "Uniforms stop children from expressing their personality through their own style.",
    "Personal style and identity matter to children and uniforms take that expression away.",
]


def test_cite_reads_as_a_reader_would_say_it():
    assert cite(5, "Table 2") == "Table 2, note 5"
    assert cite(5) == "note 5" and cite(None) == ""


def test_notes_are_numbered_per_event_in_the_order_stored(db):
    one, two = save_event(db, "one", title="One"), save_event(db, "two", title="Two")
    add_notes(db, one, [Note(text="First."), Note(text="Second.")])
    add_notes(db, two, [Note(text="Elsewhere.")])
    add_notes(db, one, [Note(text="Third."), Note(text="First.")])  # a repeat is skipped: no number
    set_note_status(db, list_notes(db, one)[0].id, "hidden")
    assert [(n.text, n.number) for n in list_notes(db, one)] == [("First.", 1), ("Second.", 2), ("Third.", 3)]
    assert [n.number for n in list_notes(db, two)] == [1]
    assert note_numbers(db, one) == {n.ref: n.number for n in list_notes(db, one)}
    # Two notes of one event can never share a number.
    row = db.query("SELECT * FROM note WHERE event_id = ? LIMIT 1", [one.id]).__next__()
    try:
        db.conn.execute("UPDATE note SET number = 2 WHERE id = ?", [row["id"]])
        raise AssertionError("a repeated number was stored")
    except sqlite3.IntegrityError:
        db.conn.rollback()


def test_the_migration_numbers_existing_notes_in_id_order(tmp_path):
    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m012_capture_note_number")
    for slug in ("a", "b"):
        db.conn.execute("INSERT INTO event (slug, title) VALUES (?, ?)", [slug, slug])
    rows = [(1, "x1"), (2, "y1"), (1, "x2"), (1, "x3"), (2, "y2")]
    for event_id, text in rows:
        db.conn.execute("INSERT INTO note (event_id, ref, text, status, content_hash) VALUES (?, ?, ?, ?, ?)",
                        [event_id, text, text, "approved", text])
    db.conn.commit()
    db.conn.close()
    db = open_db(tmp_path / "old.db")  # applies the rest
    got = [(r["event_id"], r["text"], r["number"]) for r in db.query("SELECT * FROM note ORDER BY id")]
    assert got == [(1, "x1", 1), (2, "y1", 1), (1, "x2", 2), (1, "x3", 3), (2, "y2", 2)]
    add_notes(db, get_event(db, "a"), [Note(text="x4")])  # the next number after the backfill
    assert [n.number for n in list_notes(db, get_event(db, "a"))] == [1, 2, 3, 4]


def _event(db, tables=True):
    event = save_event(db, "uniforms", title="School uniforms")
    add_notes(db, event, [Note(text="Present: Ann Lee, Bo Chen")] + [
        Note(text=t, ref=f"r{i}", table=f"Table {1 + i % 2}" if tables else None)
        for i, t in enumerate(SENTENCES)])
    return event


def _quotes(result):
    return [q for t in result["themes"] for q in t["quotes"] + t.get("summary_quotes", [])]


def test_quotes_cite_the_notes_moderation_number_stable_across_runs(db, nlp):
    event = _event(db)
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    first = runs.latest_result(db, event)
    notes = {n.ref: n for n in list_notes(db, event)}
    assert _quotes(first)
    for quote in _quotes(first):
        note = notes[quote["note"]]
        assert quote["number"] == note.number
        assert quote["cite"] == f"{note.table}, note {note.number}"
    # Another note arrives and one is hidden: every note keeps its number, and quotes cite it.
    before = note_numbers(db, event)
    add_notes(db, event, [Note(text="Uniform grants for families on low incomes would help.", ref="late")])
    set_note_status(db, notes["r0"].id, "hidden")
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    after = note_numbers(db, event)
    assert after == {**before, "late": max(before.values()) + 1}
    again = runs.latest_result(db, event)
    for quote in _quotes(again):
        assert quote["number"] == after[quote["note"]]
    kept = {q["note"]: q["number"] for q in _quotes(first)}
    assert all(kept[ref] == number for ref, number in
               ((q["note"], q["number"]) for q in _quotes(again)) if ref in kept)


def test_quotes_without_tables_cite_just_the_note(db, nlp):
    event = _event(db, tables=False)
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    for quote in _quotes(runs.latest_result(db, event)):
        assert re.fullmatch(r"note \d+", quote["cite"])


def test_digest_cli_and_moderation_show_the_same_number(app, client, db, nlp):
    from web_helpers import login

    event = _event(db)
    run_id = synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    result = runs.latest_result(db, event)
    quote = result["themes"][0]["quotes"][0]
    md = compose_markdown(db, event)
    assert f"— *{quote['cite']}*" in md
    assert not [ref for ref in note_numbers(db, event) if f"note {ref}" in md]  # never the ref
    assert f"[{quote['cite']}]" in " ".join(format_summary(result, run_id).split())
    login(client)
    page = client.get(f"/events/{event.slug}/moderate").get_data(as_text=True)
    number = quote["number"]
    note_id = next(n.id for n in list_notes(db, event) if n.ref == quote["note"])
    card = page[page.index(f'id="note-{note_id}"'):]
    assert f"Note {number}</strong>" in card[:800]


def test_a_quote_made_by_a_split_carries_its_citation(db, nlp):
    event = _event(db)
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    theme = edited_result(db, event)["themes"][0]
    moving = [segment_key(s) for s in theme["segments"][:1]]
    record_edit(db, event, "split", theme=theme["id"], segments=moving, label="Moved out")
    new = next(t for t in edited_result(db, event)["themes"] if t["label"] == "Moved out")
    numbers = note_numbers(db, event)
    assert new["quotes"] == [quote_from_segment(new["segments"][0], numbers)]
    assert new["quotes"][0]["cite"].endswith(f"note {numbers[new['segments'][0]['note']]}")
