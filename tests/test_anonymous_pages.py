"""Readers without a session get a public page Flask has already answered straight from memory
(web/anonymous_pages.py): the same bytes and headers Flask sent, never after a new version is
published, never to a request with a session, never a page that set a cookie."""

from __future__ import annotations

import re

from tests.publishing_data import published_event
from tests.web_helpers import login
from tests.web_helpers import seed_event as seed_tables
from web.publish.publishing import publish


def _published(db_path):
    return published_event(db_path, slug="round-table")


def _kept(app):
    return app.extensions["harvest_anonymous_pages"]


def test_a_second_reader_gets_flasks_answer_byte_for_byte(app, db_path):
    _published(db_path)
    first = app.test_client().get("/digests/round-table")
    again = app.test_client().get("/digests/round-table")
    assert _kept(app).hits == 1
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert sorted(again.headers.items()) == sorted(first.headers.items())
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "ETag"):
        assert again.headers[header], header
    held = app.test_client().get("/digests/round-table", headers={"If-None-Match": first.headers["ETag"]})
    assert held.status_code == 304 and held.get_data() == b"" and _kept(app).hits == 2
    assert "frame-ancestors 'none'" in held.headers["Content-Security-Policy"]


def test_a_new_version_is_never_answered_with_the_old_page(app, db_path):
    db, event = _published(db_path)
    reader = app.test_client()
    old = [reader.get(path).get_data() for path in ("/digests.atom", "/digests.atom")]
    assert old[0] == old[1] and _kept(app).hits == 1
    publish(db, event)  # as `harvest publish` would, from another connection
    fresh = reader.get("/digests.atom").get_data()
    assert fresh != old[0] and b"/v2" in fresh and _kept(app).hits == 1
    assert reader.get("/digests.atom").get_data() == fresh and _kept(app).hits == 2


def test_a_request_with_a_session_goes_to_flask(app, client, db_path):
    _published(db_path)
    app.test_client().get("/digests/round-table")
    login(client)
    mine = client.get("/digests/round-table").get_data(as_text=True)
    assert "Log out" in mine and _kept(app).hits == 0
    anonymous = app.test_client().get("/digests/round-table").get_data(as_text=True)
    assert "Log out" not in anonymous and _kept(app).hits == 1


def test_https_and_http_are_kept_apart(app, db_path):
    _published(db_path)
    for _ in range(2):
        secure = app.test_client().get("/digests/round-table", base_url="https://localhost")
        plain = app.test_client().get("/digests/round-table", base_url="http://localhost")
        assert "Strict-Transport-Security" in secure.headers
        assert "Strict-Transport-Security" not in plain.headers
    assert _kept(app).hits == 2


def test_pages_that_set_a_cookie_or_fail_are_not_kept(app, db_path):
    _published(db_path)
    _, tables = seed_tables(db_path, slug="open-event", status="open")
    tokens = [re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                        app.test_client().get(f"/t/{tables[0].token}").get_data(as_text=True)).group(1)
              for _ in range(2)]
    assert tokens[0] != tokens[1], "each new attendee gets a session and a token of their own"
    assert [app.test_client().get("/digests/no-such-event").status_code for _ in range(2)] == [404, 404]
    assert _kept(app).hits == 0
