"""The web upload reads a spreadsheet's headers and lets the organiser pick the columns, the file kept
server-side meanwhile (issue 13, finding 8): a typical Google Forms export imports through it."""

from __future__ import annotations

import io
import re

import pytest
from web_helpers import count_notes, csrf, login, seed_event, text

from capture.store import get_event, list_notes, open_db
from web.upload_stash import STASH_TTL, drop, stash, unstash

GOOGLE_FORMS = (b'Timestamp,What did your table discuss?,Table number,Your name (optional)\n'
                b'2026/10/23 10:01:02 AM GMT+1,"Contracts are too big for small charities, so we bid '
                b'together.",3,Ann Lee\n'
                b'2026/10/23 10:02:40 AM GMT+1,Funders should pay for the time convening takes.,1,\n'
                b'2026/10/23 10:03:10 AM GMT+1,Tender windows of six weeks shut small groups out.,3,Raj\n'
                )


def _upload(client, filename, data, **fields):
    token = csrf(client, "/events/round-2026/upload")
    return client.post("/events/round-2026/upload", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(data), filename), **fields})


def _stash_token(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_a_google_forms_csv_imports_through_the_column_picker(app, client, db_path):
    seed_event(db_path)
    login(client)
    res = _upload(client, "responses.csv", GOOGLE_FORMS)
    page = text(res)
    assert res.status_code == 200 and "Choose the columns: responses.csv" in page
    assert '<option value="What did your table discuss?" selected>' in page  # the guesses preselected
    assert '<option value="Table number" selected>' in page
    assert '<option value="Your name (optional)" selected>' in page
    assert "<td>Funders should pay for the time convening takes.</td>" in page  # a preview of the rows
    assert count_notes(db_path) == 0
    token = _stash_token(page)
    res = client.post("/events/round-2026/upload/columns", data={
        "csrf_token": csrf(client, "/events/round-2026/upload"), "token": token,
        "text_column": "What did your table discuss?", "table_column": "Table number",
        "author_column": "Your name (optional)", "id_column": ""})
    assert res.status_code == 302 and res.location.endswith("/events/round-2026/moderate")
    db = open_db(db_path)
    notes = list_notes(db, get_event(db, "round-2026"))
    assert [(n.text[:9], n.table, n.author) for n in notes] == [
        ("Contracts", "3", "Ann Lee"), ("Funders s", "1", None), ("Tender wi", "3", "Raj")]
    assert db.execute("SELECT count(*) FROM upload_stash").fetchone()[0] == 0  # dropped once imported


def test_a_wrong_choice_is_shown_on_the_column_page_with_the_choices_kept(app, client, db_path):
    seed_event(db_path)
    login(client)
    token = _stash_token(text(_upload(client, "responses.csv", GOOGLE_FORMS)))
    form_token = csrf(client, "/events/round-2026/upload")
    res = client.post("/events/round-2026/upload/columns", data={
        "csrf_token": form_token, "token": token, "text_column": "", "table_column": "Table number"})
    page = text(res)
    assert res.status_code == 400 and "Choose the column that holds the notes' text." in page
    assert '<option value="Table number" selected>' in page
    # A column the file does not have (a stale page): refused beside the choices, nothing written,
    # the file still kept.
    res = client.post("/events/round-2026/upload/columns", data={
        "csrf_token": form_token, "token": token, "text_column": "Missing"})
    assert res.status_code == 400 and "there is no column 'Missing'" in text(res)
    assert count_notes(db_path) == 0
    assert _stash_token(text(res)) == token


def test_a_stashed_file_belongs_to_its_organiser_and_expires(app, db):
    from capture.store import save_event

    event = save_event(db, "stash-test")
    other = save_event(db, "other-event")
    token = stash(db, event, 1, "a.csv", b"text\nx\n", now=1000.0)
    assert unstash(db, event, 1, token, now=1000.0 + STASH_TTL - 1) == ("a.csv", b"text\nx\n")
    for who, where in ((2, event), (1, other)):
        with pytest.raises(Exception, match="no longer kept"):
            unstash(db, where, who, token, now=1001.0)
    with pytest.raises(Exception, match="Choose it again"):
        unstash(db, event, 1, token, now=1000.0 + STASH_TTL + 1)
    stash(db, event, 1, "b.csv", b"x", now=1000.0 + STASH_TTL + 2)  # clears what expired
    assert db.execute("SELECT count(*) FROM upload_stash").fetchone()[0] == 1
    drop(db, token)


def test_the_stash_is_bounded_in_size(app, db, monkeypatch):
    import web.upload_stash as s
    from capture.store import save_event

    monkeypatch.setattr(s, "STASH_MAX_BYTES", 10)
    event = save_event(db, "bounded")
    first = stash(db, event, 1, "a.csv", b"123456", now=1.0)
    second = stash(db, event, 1, "b.csv", b"123456", now=2.0)
    assert unstash(db, event, 1, second, now=3.0)[0] == "b.csv"
    with pytest.raises(Exception, match="no longer kept"):
        unstash(db, event, 1, first, now=3.0)


def test_an_expired_file_asks_for_the_file_again(app, client, db_path):
    seed_event(db_path)
    login(client)
    res = client.post("/events/round-2026/upload/columns", data={
        "csrf_token": csrf(client, "/events/round-2026/upload"), "token": "made-up",
        "text_column": "What did your table discuss?"})
    assert res.status_code == 400 and "Choose it again." in text(res) and 'type="file"' in text(res)
