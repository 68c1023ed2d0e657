"""The attendee form is rendered once per table and state and served from memory (issue 15, speed):
each answer still carries the session's own CSRF token and a fresh submission key, a change to the
table or event is never answered with the old page, and escaping holds on the cached page."""

from __future__ import annotations

import re

from capture.store import get_event, open_db, rename_table, save_event, update
from tests.web_helpers import count_notes, login, seed_event, text
from web.form_cache import form_cache

_FIELD = re.compile(r'name="(csrf_token|submission)"[^>]*value="([^"]*)"')


def _fields(response) -> dict[str, str]:
    assert response.status_code == 200, response.status_code
    found = dict(_FIELD.findall(response.get_data(as_text=True)))
    assert set(found) == {"csrf_token", "submission"}, found
    return found


def _session_token(fields: dict[str, str]) -> str:
    """The session's CSRF token inside the signed one a form carries (Flask-WTF: payload.time.signature)."""
    return fields["csrf_token"].split(".")[0]


def test_cached_form_keeps_the_sessions_csrf_token_and_gives_a_fresh_submission_key(app, client, db_path):
    _, tables = seed_event(db_path)
    url = f"/t/{tables[0].token}"
    cache = form_cache(app)
    opened = client.get(url)
    assert opened.headers.getlist("Set-Cookie"), "a new attendee's session starts here"
    again = client.get(url)
    assert not again.headers.getlist("Set-Cookie"), "an unchanged session is not signed and sent again"
    first, second = _fields(opened), _fields(again)
    assert (cache.misses, cache.hits) == (1, 1)
    # The session's one token, signed with the time (so the signed forms may differ by the second).
    assert _session_token(first) == _session_token(second), "one token per session, as before the cache"
    assert first["submission"] != second["submission"] and len(first["submission"]) >= 16
    other = app.test_client()
    theirs = _fields(other.get(url))
    assert cache.hits == 2 and _session_token(theirs) != _session_token(first)
    # A token is good only with the session it was given to.
    assert other.post(url, data={**first, "text": "Not my token."}).status_code == 400
    # Both of this session's forms send (different keys: two notes); the same key again stores once.
    for fields, note in ((first, "First note."), (second, "Second note."), (second, "Second note.")):
        assert client.post(url, data={**fields, "text": note}).status_code == 302
    assert count_notes(db_path) == 2


def test_a_changed_table_or_event_is_never_answered_from_the_old_page(app, client, db_path):
    event, tables = seed_event(db_path)
    url = f"/t/{tables[0].token}"
    assert "Table 1" in text(client.get(url)) and "What about Table 1?" in text(client.get(url))
    db = open_db(db_path)  # another connection, as the organiser's pages or the CLI would write
    rename_table(db, event, tables[0].id, "The long table")
    update(db, "event_table", tables[0].id, {"question": "Who pays for convening?"})
    db.conn.commit()
    page = text(client.get(url))
    assert "The long table" in page and "Who pays for convening?" in page and "Table 1" not in page
    save_event(db, event.slug, chatham_house=True)
    assert "Chatham House Rule" in text(client.get(url))
    save_event(db, event.slug, status="closed")
    closed = client.get(url)
    assert closed.status_code == 200 and 'name="csrf_token"' not in closed.get_data(as_text=True)
    assert get_event(db, event.slug).status == "closed"
    db.conn.close()


def test_the_cached_page_escapes_what_organisers_typed(app, client, db_path):
    _, tables = seed_event(db_path, title='Tea & "talk" <b>')
    db = open_db(db_path)
    update(db, "event_table", tables[0].id, {"question": "<script>alert(1)</script>"})
    db.conn.commit()
    db.conn.close()
    url = f"/t/{tables[0].token}"
    client.get(url)
    cached = client.get(url).get_data(as_text=True)
    assert form_cache(app).hits == 1
    assert "<script>alert(1)</script>" not in cached and "&lt;script&gt;alert(1)&lt;/script&gt;" in cached
    assert "Tea &amp; &#34;talk&#34; &lt;b&gt;" in cached


def test_a_logged_in_organiser_gets_the_form_rendered_for_them(app, client, db_path):
    _, tables = seed_event(db_path)
    url = f"/t/{tables[0].token}"
    app.test_client().get(url)
    login(client)
    mine = client.get(url).get_data(as_text=True)
    assert form_cache(app).hits == 0, "the organiser's page has their menu: not from the cache"
    assert "Log out" in mine and _FIELD.search(mine)
