"""Import identity per source (issue 15, finding 1): an imported id is unique within its file or a
named source, so two exports that both number their rows 1, 2, 3 both land in one event."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from capture.importing import ImportOptions, import_file
from capture.migrations import migrations
from capture.store import get_event, list_notes, open_db, text_hash
from web.cli import cli

A_TEXTS = ["Funding is always short term", "Volunteers are burnt out", "Trust the small groups"]
B_TEXTS = ["Commissioners need more time", "Tenders are too quick", "Pay for core costs"]
FORM_A = "Response ID,Your comment\n" + "".join(f"{i},{t}\n" for i, t in enumerate(A_TEXTS, 1))
FORM_B = "Response ID,Your comment\n" + "".join(f"{i},{t}\n" for i, t in enumerate(B_TEXTS, 1))


def note_count(db) -> int:
    return db.execute("SELECT count(*) FROM note").fetchone()[0]


def test_two_exports_numbering_rows_alike_both_land(db, tmp_path):
    (tmp_path / "form-a.csv").write_text(FORM_A, encoding="utf-8")
    (tmp_path / "form-b.csv").write_text(FORM_B, encoding="utf-8")
    first = import_file(db, tmp_path / "form-a.csv", event="room")
    second = import_file(db, tmp_path / "form-b.csv", event="room")
    assert (first.added, second.added, second.skipped) == (3, 3, 0)
    notes = list_notes(db, get_event(db, "room"))
    assert len(notes) == 6
    assert len({n.ref for n in notes}) == 6, "refs stay unique within the event"
    assert [n.ref for n in notes[:3]] == ["1", "2", "3"]
    assert [n.ref for n in notes[3:]] == ["form-b.csv#1", "form-b.csv#2", "form-b.csv#3"]
    assert {n.source_ref for n in notes} == {"1", "2", "3"}
    # Re-importing either file adds nothing.
    for name in ("form-a.csv", "form-b.csv"):
        again = import_file(db, tmp_path / name, event="room")
        assert (again.added, again.skipped, again.changed) == (0, 3, [])
    assert note_count(db) == 6


def test_reimport_of_changed_content_says_what_changed_and_keeps_the_stored_note(db, tmp_path):
    path = tmp_path / "form.csv"
    path.write_text(FORM_A, encoding="utf-8")
    import_file(db, path, event="room")
    path.write_text("Response ID,Your comment\n1,Funding is always short term\n"
                    "2,Volunteers are exhausted\n3,Trust the small groups\n4,A new answer\n",
                    encoding="utf-8")
    report = import_file(db, path, event="room")
    assert (report.added, report.unchanged, report.changed) == (1, 2, ["row 3 (id '2')"])
    summary = report.summary()
    assert "1 note added, 1 changed since imported (row 3 (id '2')" in summary
    assert "2 unchanged (already imported)" in summary
    texts = [n.text for n in list_notes(db, get_event(db, "room"))]
    assert "Volunteers are burnt out" in texts and "Volunteers are exhausted" not in texts
    assert texts[-1] == "A new answer"


def test_named_source_tells_two_files_of_one_name_apart(db, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "responses.csv").write_text(FORM_A, encoding="utf-8")
    (b / "responses.csv").write_text(FORM_B, encoding="utf-8")
    import_file(db, a / "responses.csv", event="room", options=ImportOptions(source="morning"))
    report = import_file(db, b / "responses.csv", event="room", options=ImportOptions(source="afternoon"))
    assert (report.added, report.source) == (3, "afternoon")
    notes = list_notes(db, get_event(db, "room"))
    assert {n.source for n in notes} == {"morning", "afternoon"}
    # Under the same (default) source the second file's rows would be changes, not new notes.
    same = import_file(db, b / "responses.csv", event="room", options=ImportOptions(source="morning"))
    assert (same.added, len(same.changed)) == (0, 3)
    assert note_count(db) == 6


def test_cli_source_option_and_report(runner, db_path, tmp_path):
    (tmp_path / "x.csv").write_text(FORM_A, encoding="utf-8")
    (tmp_path / "y.csv").write_text(FORM_B, encoding="utf-8")
    out = runner.invoke(cli, ["--db", str(db_path), "import", str(tmp_path / "x.csv"), "--event", "room",
                              "--source", "session-1"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(cli, ["--db", str(db_path), "import", str(tmp_path / "y.csv"), "--event", "room",
                              "--source", "session-1"])
    assert out.exit_code == 0, out.output
    rows = "row 2 (id '1'), row 3 (id '2'), row 4 (id '3')"
    assert f"0 notes added, 3 changed since imported ({rows}" in out.output
    both = runner.invoke(cli, ["--db", str(db_path), "import", str(tmp_path / "x.csv"),
                               str(tmp_path / "y.csv"), "--event", "room", "--source", "s"])
    assert both.exit_code == 2 and "--source names one source" in both.output


def test_migration_keeps_earlier_imports_known(tmp_path):
    """A database whose notes were imported before the migration: a re-import still adds nothing."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    old = Database(conn)
    migrations.apply(old, stop_before="m006_note_identity_per_source")
    conn.execute("INSERT INTO event (slug, title) VALUES ('room', 'Room')")
    conn.executemany("INSERT INTO note (event_id, ref, text, source, status, content_hash) "
                     "VALUES (1, ?, ?, 'form-a.csv', 'approved', ?)",
                     [(str(i), t, text_hash("\x00" + t)) for i, t in enumerate(A_TEXTS, start=1)])
    conn.commit()
    conn.close()
    db = open_db(path)
    assert [r["source_ref"] for r in db.query("SELECT source_ref FROM note ORDER BY id")] == ["1", "2", "3"]
    (tmp_path / "form-a.csv").write_text(FORM_A, encoding="utf-8")
    report = import_file(db, tmp_path / "form-a.csv", event="room")
    assert (report.added, report.unchanged, report.changed) == (0, 3, [])
    assert note_count(db) == 3
