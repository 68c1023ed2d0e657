"""Upload through the shared importers (errors on the page, nothing written) and the JSON API."""

from __future__ import annotations

import io

from capture.store import get_event, list_notes, open_db
from tests.conftest import SEEE
from tests.web_helpers import count_notes, csrf, errors, login, seed_event, text


def _upload(client, filename: str, data: bytes, **fields):
    token = csrf(client, "/events/round-2026/upload")
    return client.post("/events/round-2026/upload", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(data), filename), **fields})


def test_upload_page_offers_the_column_options(app, client, db_path):
    seed_event(db_path)
    login(client)
    body = text(client.get("/events/round-2026/upload"))
    for label in ("Text column", "Id column", "Table column", "Author column", "Table these notes"):
        assert label in body


def test_upload_the_seee_transcript(app, client, db_path):
    seed_event(db_path)
    login(client)
    response = _upload(client, SEEE.name, SEEE.read_bytes(), table="Table 1")
    assert response.status_code == 302
    assert response.location == "/events/round-2026/moderate"
    notes = list_notes(open_db(db_path), get_event(open_db(db_path), "round-2026"))
    assert len(notes) > 5
    assert {n.status for n in notes} == {"approved"} and {n.table for n in notes} == {"Table 1"}
    assert any("Alison Reid" in (n.attribution or n.author or "") for n in notes)
    assert f"{SEEE.name}: {len(notes)} notes added" in text(client.get(response.location))
    # The same file again adds nothing, and says so.
    again = _upload(client, SEEE.name, SEEE.read_bytes(), table="Table 1")
    assert f"{len(notes)} unchanged (already imported)" in text(client.get(again.location))
    assert count_notes(db_path) == len(notes)


def test_upload_a_spreadsheet_with_column_options(app, client, db_path):
    seed_event(db_path)
    login(client)
    csv = (b"Response ID,What did your table discuss?,Table\n"
           b"r1,Small charities lose out on big contracts,A\n"
           b"r2,There is no money for convening partners,B\n")
    response = _upload(client, "form.csv", csv, text_column="What did your table discuss?",
                       id_column="Response ID", table_column="Table")
    assert response.status_code == 302
    notes = list_notes(open_db(db_path), get_event(open_db(db_path), "round-2026"))
    assert [(n.ref, n.table) for n in notes] == [("r1", "A"), ("r2", "B")]


def test_upload_keeps_only_the_file_name_as_the_source(app, client, db_path):
    seed_event(db_path)
    login(client)
    for sent in ("../../../tmp/evil.md", "/home/ann/evil.md"):
        assert _upload(client, sent, f"A note from {sent[:2]}.".encode()).status_code == 302
    notes = list_notes(open_db(db_path), get_event(open_db(db_path), "round-2026"))
    assert [n.source for n in notes] == ["evil.md", "evil.md"]


def test_upload_errors_are_shown_and_nothing_is_written(app, client, db_path):
    seed_event(db_path)
    login(client)
    cases = [
        ("empty.txt", b"", "Cannot import empty.txt"),
        ("form.csv", b"Name,Answer\nAnn,Yes\n", "Cannot import form.csv"),
        ("data.bin", b"\x00\x01\x02PDF", "Cannot import data.bin"),
    ]
    for filename, data, message in cases:
        response = _upload(client, filename, data, text_column="Missing column")
        assert response.status_code == 400, filename
        shown = errors(response.get_data(as_text=True))
        assert any(message in e for e in shown), (filename, shown)
    assert count_notes(db_path) == 0


def test_upload_without_a_file_asks_for_one(app, client, db_path):
    seed_event(db_path)
    login(client)
    token = csrf(client, "/events/round-2026/upload")
    response = client.post("/events/round-2026/upload", data={"csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a file to upload." in errors(response.get_data(as_text=True))


def test_upload_over_the_size_limit_is_refused(app, client, db_path):
    seed_event(db_path)
    app.config["MAX_UPLOAD_BYTES"] = 1000
    login(client)
    response = _upload(client, "big.txt", b"Long minutes.\n\n" * 200)
    assert response.status_code == 400
    assert any("big.txt" in e for e in errors(response.get_data(as_text=True)))
    app.config["MAX_CONTENT_LENGTH"] = 2000
    too_big = _upload(client, "huge.txt", b"x" * 5000)
    assert too_big.status_code == 413
    assert count_notes(db_path) == 0


# --- JSON API ---------------------------------------------------------------------------------

def test_api_refuses_anonymous_requests_with_401_json(app, client, db_path):
    seed_event(db_path)
    for path in ("/api/events/round-2026/notes", "/api/events/round-2026/synthesis"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.get_json() == {"error": "Log in as an organiser to use the API."}


def test_api_notes_with_filters(app, client, db_path):
    from capture.models import Note
    from capture.store import add_notes

    event, tables = seed_event(db_path)
    db = open_db(db_path)
    add_notes(db, event, [Note(text="one", table="Table 1", status="approved", ref="a1"),
                          Note(text="two", table="Table 2", status="pending", ref="a2", author="Kim")])
    login(client)
    data = client.get("/api/events/round-2026/notes").get_json()
    assert data["event"] == {"slug": "round-2026", "title": "Round tables 2026"}
    assert [(n["ref"], n["table"], n["status"]) for n in data["notes"]] == [
        ("a1", "Table 1", "approved"), ("a2", "Table 2", "pending")]
    assert data["notes"][1]["author"] == "Kim"
    approved = client.get("/api/events/round-2026/notes?status=approved").get_json()["notes"]
    assert [n["ref"] for n in approved] == ["a1"]
    by_table = client.get("/api/events/round-2026/notes?table=Table 2").get_json()["notes"]
    assert [n["ref"] for n in by_table] == ["a2"]
    assert client.get("/api/events/round-2026/notes?status=nope").status_code == 400
    assert client.get("/api/events/round-2026/notes?since=x").status_code == 400


def test_api_unknown_event_and_no_synthesis_yet(app, client, db_path):
    seed_event(db_path)
    login(client)
    missing = client.get("/api/events/nope/notes")
    assert missing.status_code == 404 and missing.get_json() == {"error": "No event 'nope'."}
    assert client.get("/api/events/nope/synthesis").status_code == 404
    none_yet = client.get("/api/events/round-2026/synthesis")
    assert none_yet.status_code == 404
    assert "no synthesis yet" in none_yet.get_json()["error"]
