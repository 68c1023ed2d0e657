"""Organiser pages for events and tables: create, edit, tables, attendee links, QR codes, cards."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from capture.store import get_event, list_tables, open_db
from tests.web_helpers import csrf, errors, login, seed_event, text


def test_events_index_lists_events(app, client, db_path):
    seed_event(db_path, "alpha", title="Alpha <gathering>")
    login(client)
    page = client.get("/events/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Alpha &lt;gathering&gt;" in html
    assert 'href="/events/alpha"' in html


def test_create_event_from_the_page(app, client, db_path):
    login(client)
    token = csrf(client, "/events/new")
    response = client.post("/events/new", data={
        "csrf_token": token, "title": "Partnership structures", "date": "2026-10-14",
        "venue": "Sheffield", "questions": "How do we bid together?\n\nWho convenes?\n",
        "chatham_house": "y", "status": "open"})
    assert response.status_code == 302
    assert response.location == "/events/partnership-structures-2026-10-14"
    event = get_event(open_db(db_path), "partnership-structures-2026-10-14")
    assert event.title == "Partnership structures"
    assert event.questions == ["How do we bid together?", "Who convenes?"]
    assert event.chatham_house is True and event.approve_by_default is False
    assert event.venue == "Sheffield" and event.status == "open"


def test_create_event_with_bad_date_shows_the_reason_and_stores_nothing(app, client, db_path):
    login(client)
    token = csrf(client, "/events/new")
    response = client.post("/events/new", data={"csrf_token": token, "title": "X", "slug": "x-1",
                                                 "date": "14/10/2026", "status": "open"})
    assert response.status_code == 400
    assert any("use YYYY-MM-DD" in e for e in errors(response.get_data(as_text=True)))
    assert open_db(db_path).execute("SELECT count(*) FROM event").fetchone()[0] == 0


def test_create_event_refuses_a_taken_short_name_and_a_missing_title(app, client, db_path):
    seed_event(db_path, "taken")
    login(client)
    token = csrf(client, "/events/new")
    taken = client.post("/events/new", data={"csrf_token": token, "title": "Other", "slug": "taken",
                                              "status": "open"})
    assert taken.status_code == 400
    assert any("exists already" in e for e in errors(taken.get_data(as_text=True)))
    untitled = client.post("/events/new", data={"csrf_token": token, "title": "", "status": "open"})
    assert untitled.status_code == 400
    bad_slug = client.post("/events/new", data={"csrf_token": token, "title": "T", "slug": "Not OK!",
                                                 "status": "open"})
    assert bad_slug.status_code == 400
    assert any("Invalid event slug" in e for e in errors(bad_slug.get_data(as_text=True)))
    assert get_event(open_db(db_path), "taken").title == "Round tables 2026"


def test_edit_event_changes_fields_and_can_close_it(app, client, db_path):
    seed_event(db_path, "ev", questions=["Old question"])
    login(client)
    page = client.get("/events/ev/edit")
    assert page.status_code == 200
    assert "Old question" in page.get_data(as_text=True)
    token = csrf(client, "/events/ev/edit")
    response = client.post("/events/ev/edit", data={
        "csrf_token": token, "title": "Renamed", "date": "2026-01-02", "venue": "Leeds",
        "questions": "New one", "status": "closed", "approve_by_default": "y"})
    assert response.status_code == 302
    event = get_event(open_db(db_path), "ev")
    assert (event.title, event.status, event.venue, event.questions) == ("Renamed", "closed", "Leeds",
                                                                          ["New one"])
    assert event.approve_by_default is True and event.chatham_house is False


def test_unknown_event_is_a_friendly_404(app, client):
    login(client)
    response = client.get("/events/no-such-event")
    assert response.status_code == 404
    assert "There is no event 'no-such-event'." in text(response)


def test_add_tables_from_the_page_gives_unguessable_links(app, client, db_path):
    seed_event(db_path, "ev", tables=())
    login(client)
    token = csrf(client, "/events/ev")
    for name in ("Table A", "Table B"):
        response = client.post("/events/ev/tables", data={"csrf_token": token, "name": name,
                                                           "question": f"{name} question", "host": "Sam"})
        assert response.status_code == 302 and response.location == "/events/ev#add-table"
    db = open_db(db_path)
    tables = list_tables(db, get_event(db, "ev"))
    assert [t.name for t in tables] == ["Table A", "Table B"]
    assert tables[0].host == "Sam" and tables[1].question == "Table B question"
    tokens = [t.token for t in tables]
    assert len(set(tokens)) == 2 and all(len(t) >= 22 for t in tokens)  # 128 random bits
    html = client.get("/events/ev").get_data(as_text=True)
    for t in tables:
        assert f"http://localhost/t/{t.token}" in html
        assert f'/events/ev/tables/{t.id}/qr.svg' in html


def test_add_table_without_a_name_is_refused(app, client, db_path):
    seed_event(db_path, "ev", tables=())
    login(client)
    token = csrf(client, "/events/ev")
    response = client.post("/events/ev/tables", data={"csrf_token": token, "name": "  "})
    assert response.status_code == 400
    assert list_tables(open_db(db_path), get_event(open_db(db_path), "ev")) == []


def test_public_url_setting_is_used_for_attendee_links(app, client, db_path):
    app.config["PUBLIC_URL"] = "https://harvest.example.org/"
    _, tables = seed_event(db_path, "ev", tables=("T1",))
    login(client)
    html = client.get("/events/ev").get_data(as_text=True)
    assert f"https://harvest.example.org/t/{tables[0].token}" in html


def test_links_to_this_computer_are_flagged_before_cards_are_printed(app, client, db_path):
    seed_event(db_path, "ev", tables=("T1",))
    login(client)
    warning = "These links point at this computer, so phones at the venue cannot open them."
    for url in ("/events/ev", "/events/ev/cards"):
        assert warning in text(client.get(url))  # the test client is "localhost"
    from web.views.events import links_are_local

    for base, local in (("http://127.0.0.1:5000", True), ("http://[::1]:8000", True),
                        ("http://localhost", True), ("https://harvest.example.org", False),
                        ("http://192.168.1.20:5000", False)):
        with app.test_request_context("/events/ev", base_url=base):
            assert links_are_local() is local, base
    app.config["PUBLIC_URL"] = "https://harvest.example.org"
    assert warning not in text(client.get("/events/ev/cards"))


def test_qr_code_is_an_svg_of_the_attendee_link(app, client, db_path):
    _, tables = seed_event(db_path, "ev", tables=("T1",))
    login(client)
    response = client.get(f"/events/ev/tables/{tables[0].id}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.tag.endswith("svg") and "http://www.w3.org/2000/svg" in root.tag
    assert client.get("/events/ev/tables/99999/qr.svg").status_code == 404


def test_table_cards_page_has_each_table_name_question_and_code(app, client, db_path):
    _, tables = seed_event(db_path, "ev", tables=("Table 1", "Table 2"), chatham_house=True)
    login(client)
    html = client.get("/events/ev/cards").get_data(as_text=True)
    assert html.count('class="print-card"') == 2
    for t in tables:
        assert t.name in html and t.question in html
        assert f"/events/ev/tables/{t.id}/qr.svg" in html
    assert "Chatham House" in html
    assert re.search(r'<link rel="stylesheet" href="/static/cards.css">', html)
