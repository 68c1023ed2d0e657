"""Live view and moderation: approve, hide, edit (original kept), bulk actions, the setting, the log."""

from __future__ import annotations

import re

from capture.models import Note
from capture.store import add_notes, get_event, get_note, list_notes, open_db
from tests.web_helpers import csrf, errors, login, seed_event, text


def _seed_notes(db_path, texts=("Alpha note", "Beta note", "Gamma note"), status="pending"):
    event, tables = seed_event(db_path)
    db = open_db(db_path)
    notes = [Note(text=t, table=tables[i % 2].name, status=status, source="form")
             for i, t in enumerate(texts)]
    added, _ = add_notes(db, event, notes, skip_existing=False)
    db.conn.close()
    return [n.id for n in added]


def _status(db_path, note_id):
    return get_note(open_db(db_path), note_id).status


def _moderate(client, data, query=""):
    token = csrf(client, "/events/round-2026/moderate")
    return client.post("/events/round-2026/moderate" + query, data={"csrf_token": token, **data})


def test_live_view_groups_notes_by_table_and_polls_without_inline_script(app, client, db_path):
    _seed_notes(db_path)
    login(client)
    page = client.get("/events/round-2026/live")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index("Table 1") < html.index("Alpha note") < html.index("Table 2") < html.index("Beta note")
    assert '<script src="/static/live.js" defer></script>' in html
    assert 'data-feed="/events/round-2026/notes.json"' in html
    # Without JavaScript: a refresh link, and a meta refresh inside <noscript>.
    assert 'href="/events/round-2026/live">Refresh</a>' in html
    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in html
    assert client.get("/static/live.js").status_code == 200


def test_notes_json_returns_only_newer_notes(app, client, db_path):
    ids = _seed_notes(db_path)
    login(client)
    everything = client.get("/events/round-2026/notes.json").get_json()
    assert [n["text"] for n in everything["notes"]] == ["Alpha note", "Beta note", "Gamma note"]
    assert everything["last_id"] == ids[-1]
    newer = client.get(f"/events/round-2026/notes.json?since={ids[0]}").get_json()
    assert [n["id"] for n in newer["notes"]] == ids[1:]
    none = client.get(f"/events/round-2026/notes.json?since={ids[-1]}").get_json()
    assert none == {"notes": [], "last_id": ids[-1], "more": False}
    for bad in ("abc", "-1", "²", "99999999999999999999999"):  # the last is past SQLite's integers
        refused = client.get(f"/events/round-2026/notes.json?since={bad}")
        assert refused.status_code == 400 and refused.get_json()["error"].startswith("since must be")


def test_queue_filters_by_status_and_table(app, client, db_path):
    ids = _seed_notes(db_path)
    db = open_db(db_path)
    from capture.store import set_note_status

    set_note_status(db, ids[0], "approved")
    login(client)
    pending = text(client.get("/events/round-2026/moderate?status=pending"))
    assert "Alpha note" not in pending and "Beta note" in pending and "Gamma note" in pending
    table2 = text(client.get("/events/round-2026/moderate?table=Table 2"))
    assert "Beta note" in table2 and "Alpha note" not in table2 and "Gamma note" not in table2
    assert client.get("/events/round-2026/moderate?status=bogus").status_code == 400


def test_approve_and_hide_one_note(app, client, db_path):
    ids = _seed_notes(db_path)
    login(client)
    assert _moderate(client, {"action": f"approve:{ids[0]}"}).status_code == 302
    assert _moderate(client, {"action": f"hide:{ids[1]}"}).status_code == 302
    assert [_status(db_path, i) for i in ids] == ["approved", "hidden", "pending"]


def test_bulk_approve_selected_and_all_pending(app, client, db_path):
    ids = _seed_notes(db_path, ("a one", "b two", "c three", "d four"))
    login(client)
    response = _moderate(client, {"action": "approve:selected", "ids": [str(ids[0]), str(ids[2])]})
    assert response.status_code == 302
    assert [_status(db_path, i) for i in ids] == ["approved", "pending", "approved", "pending"]
    assert "2 notes set to approved." in text(client.get(response.location))
    _moderate(client, {"action": "hide:selected", "ids": [str(ids[1])]})
    _moderate(client, {"action": "approve:all-pending", "shown": _shown_pending(client)})
    assert [_status(db_path, i) for i in ids] == ["approved", "hidden", "approved", "approved"]


def _shown_pending(client, query=""):
    """The pending notes the queue page shows, as its form posts them."""
    page = client.get("/events/round-2026/moderate" + query).get_data(as_text=True)
    return re.findall(r'name="shown" value="(\d+)"', page)


def test_approve_all_pending_approves_only_the_notes_the_page_showed(app, client, db_path):
    """Walk-throughs F18 and N1: filtered to Table 1, "Approve all pending" approved unread notes
    at every table; then one that arrived while the page was open. It approves what was shown."""
    ids = _seed_notes(db_path, ("a one", "b two", "c three", "d four"))
    first_table = get_note(open_db(db_path), ids[0]).table
    login(client)
    query = f"?table={first_table}"
    page = text(client.get("/events/round-2026/moderate" + query))
    assert f"Approve the 2 pending notes shown at {first_table}" in page
    shown = _shown_pending(client, query)
    assert sorted(map(int, shown)) == [ids[0], ids[2]]
    # A note arrives at Table 1 after the page loaded: not approved by that click.
    db = open_db(db_path)
    [late], _ = add_notes(db, get_event(db, "round-2026"),
                          [Note(text="e five", table=first_table, status="pending", source="form")])
    response = _moderate(client, {"action": "approve:all-pending", "shown": shown}, query=query)
    assert "2 notes set to approved." in text(client.get(response.location))
    assert [_status(db_path, i) for i in [*ids, late.id]] == ["approved", "pending", "approved", "pending",
                                                              "pending"]
    assert "No pending notes were shown" in text(client.get(
        _moderate(client, {"action": "approve:all-pending"}).location))
    _moderate(client, {"action": "approve:all-pending", "shown": _shown_pending(client)})
    assert {_status(db_path, i) for i in [*ids, late.id]} == {"approved"}
    assert "Approve the" not in text(client.get("/events/round-2026/moderate"))  # none left


def test_bulk_with_nothing_selected_changes_nothing(app, client, db_path):
    ids = _seed_notes(db_path)
    login(client)
    response = _moderate(client, {"action": "approve:selected"})
    assert "Nothing selected" in text(client.get(response.location))
    assert {_status(db_path, i) for i in ids} == {"pending"}


def test_unknown_action_and_foreign_note_are_refused(app, client, db_path):
    ids = _seed_notes(db_path)
    other, _ = seed_event(db_path, "other-event", tables=("X",))
    db = open_db(db_path)
    [foreign], _ = add_notes(db, other, [Note(text="elsewhere", status="pending")])
    login(client)
    assert _moderate(client, {"action": "delete:all"}).status_code == 400
    assert _moderate(client, {"action": f"approve:{foreign.id}"}).status_code == 404
    assert _status(db_path, foreign.id) == "pending"
    # Digits int() cannot read ("²" passes str.isdigit) are refused, not a server error.
    assert _moderate(client, {"action": "approve:²"}).status_code == 400
    odd = _moderate(client, {"action": "hide:selected", "ids": ["²", "١", "x"]})
    assert odd.status_code == 302 and "Nothing selected" in text(client.get(odd.location))
    assert {_status(db_path, i) for i in ids} == {"pending"}


def test_edit_keeps_the_original_text(app, client, db_path):
    ids = _seed_notes(db_path)
    login(client)
    page = client.get(f"/events/round-2026/notes/{ids[0]}/edit")
    assert page.status_code == 200 and "Alpha note" in text(page)
    token = csrf(client, f"/events/round-2026/notes/{ids[0]}/edit")
    response = client.post(f"/events/round-2026/notes/{ids[0]}/edit",
                           data={"csrf_token": token, "text": "Alpha, corrected"})
    assert response.status_code == 302
    token = csrf(client, f"/events/round-2026/notes/{ids[0]}/edit")
    client.post(f"/events/round-2026/notes/{ids[0]}/edit", data={"csrf_token": token, "text": "Alpha, v3"})
    note = get_note(open_db(db_path), ids[0])
    assert (note.text, note.original_text) == ("Alpha, v3", "Alpha note")
    queue = text(client.get("/events/round-2026/moderate"))
    assert "Alpha, v3" in queue and "Original text" in queue and "Alpha note" in queue


def test_edit_refuses_empty_or_too_long_text(app, client, db_path):
    ids = _seed_notes(db_path)
    login(client)
    url = f"/events/round-2026/notes/{ids[0]}/edit"
    for bad, message in (("", "The note is empty"), ("x" * 20_001, "the limit is 20,000")):
        response = client.post(url, data={"csrf_token": csrf(client, url), "text": bad})
        assert response.status_code == 400
        assert any(message in e for e in errors(response.get_data(as_text=True)))
    note = get_note(open_db(db_path), ids[0])
    assert (note.text, note.original_text) == ("Alpha note", None)


def test_edit_of_missing_or_foreign_note_is_404(app, client, db_path):
    _seed_notes(db_path)
    other, _ = seed_event(db_path, "other-event", tables=())
    [foreign], _ = add_notes(open_db(db_path), other, [Note(text="elsewhere")])
    login(client)
    assert client.get("/events/round-2026/notes/99999/edit").status_code == 404
    assert client.get(f"/events/round-2026/notes/{foreign.id}/edit").status_code == 404


def test_approve_by_default_setting_from_the_queue(app, client, db_path):
    _seed_notes(db_path)
    login(client)
    token = csrf(client, "/events/round-2026/moderate")
    client.post("/events/round-2026/approve-by-default", data={"csrf_token": token, "value": "on"})
    assert get_event(open_db(db_path), "round-2026").approve_by_default is True
    assert "approved on arrival" in text(client.get("/events/round-2026/moderate"))
    client.post("/events/round-2026/approve-by-default", data={"csrf_token": token, "value": "off"})
    assert get_event(open_db(db_path), "round-2026").approve_by_default is False


def test_moderation_log_records_who_did_what(app, client, db_path):
    ids = _seed_notes(db_path)
    login(client)
    _moderate(client, {"action": f"approve:{ids[0]}"})
    _moderate(client, {"action": f"hide:{ids[1]}"})
    url = f"/events/round-2026/notes/{ids[2]}/edit"
    client.post(url, data={"csrf_token": csrf(client, url), "text": "Gamma!"})
    page = client.get("/events/round-2026/log")
    assert page.status_code == 200
    body = text(page)
    assert body.count("organiser@example.org") == 3
    for action, ref in (("approved", "n1"), ("hidden", "n2"), ("edit", "n3")):
        assert f"<td>{ref}</td><td>{action}</td>" in body
    assert body.index("<td>n3</td>") < body.index("<td>n1</td>")  # newest first
    # Times as people read them, the stored UTC stamp kept for machines.
    stamp = open_db(db_path).execute("SELECT max(at) FROM moderation_log").fetchone()[0]
    from web import when

    assert f'<time datetime="{stamp}">{when(stamp)}</time>' in body
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC", when(stamp))
    assert len(list_notes(open_db(db_path), get_event(open_db(db_path), "round-2026"))) == 3


def test_when_filter_reads_stored_timestamps():
    from web import when

    assert when("2026-11-25T13:04:50.624Z") == "25 Nov 2026, 13:04 UTC"
    assert when("2026-04-02T09:00:00Z") == "2 Apr 2026, 09:00 UTC"
    assert when("not a time") == "not a time" and when(None) == ""
