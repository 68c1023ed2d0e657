"""Pages bound what one answer holds (issue 15, finding 7): the moderation queue, the live view and
the notes JSON (live polling and the API) of an event with many notes."""

from __future__ import annotations

from capture.models import Note
from capture.store import add_notes, open_db
from tests.web_helpers import login, seed_event


def _many(db_path, count: int):
    event, tables = seed_event(db_path)
    db = open_db(db_path)
    add_notes(db, event, [Note(text=f"Note {i} about core funding", table=tables[i % 2].name,
                               status="pending") for i in range(count)], skip_existing=False)
    db.conn.close()
    return event


def test_moderation_queue_is_paged(app, client, db_path):
    _many(db_path, 610)
    login(client)
    first = client.get("/events/round-2026/moderate").get_data(as_text=True)
    assert first.count('<article class="card note') == 200
    assert "Notes 1–200 of 610 (page 1 of 4)" in first and 'rel="next"' in first and 'rel="prev"' not in first
    last = client.get("/events/round-2026/moderate?page=4").get_data(as_text=True)
    assert last.count('<article class="card note') == 10 and "Notes 601–610 of 610" in last
    assert "Note 609 about core funding" in last and 'rel="next"' not in last
    filtered = client.get("/events/round-2026/moderate?table=Table+2&page=2").get_data(as_text=True)
    assert "Notes 201–305 of 305" in filtered
    for bad in ("0", "x", "-1", "99999999999999999999"):
        assert client.get(f"/events/round-2026/moderate?page={bad}").status_code == 400, bad


def test_live_view_shows_the_latest_notes_only(app, client, db_path):
    _many(db_path, 610)
    login(client)
    page = client.get("/events/round-2026/live").get_data(as_text=True)
    assert page.count('<li class="note') == 500
    assert "Showing the latest 500 of 610 notes" in page
    assert "Note 609 about core funding" in page and ">Note 109 about core funding<" not in page


def test_notes_json_and_api_come_in_pages(app, client, db_path):
    _many(db_path, 1200)
    login(client)
    for url in ("/events/round-2026/notes.json", "/api/events/round-2026/notes"):
        default = client.get(url).get_json()
        assert len(default["notes"]) == 500 and default["more"] is True
        seen, since = [], 0
        while True:
            page = client.get(f"{url}?since={since}&limit=1000").get_json()
            seen += [n["text"] for n in page["notes"]]
            since = page["last_id"]
            if not page["more"]:
                break
        assert len(seen) == 1200 and len(set(seen)) == 1200
        assert client.get(f"{url}?since={since}").get_json() == {
            **({"event": {"slug": "round-2026", "title": "Round tables 2026"}} if "api" in url else {}),
            "notes": [], "last_id": since, "more": False}
        for bad in ("0", "1001", "x"):
            answer = client.get(f"{url}?limit={bad}")
            assert answer.status_code == 400 and "limit must be" in answer.get_json()["error"]
