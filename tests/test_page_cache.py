"""The public pages and the feed are cached per published state (issue 15, speed): served from memory
until a version is published, withdrawn or deleted by any process; never for a logged-in organiser."""

from __future__ import annotations

from tests.publishing_data import published_event
from tests.web_helpers import login
from web.page_cache import page_cache, publication_generation
from web.publish.publishing import publish


def _published(db_path):
    return published_event(db_path, slug="round-table")


def test_feed_and_digest_page_are_served_from_the_cache_until_a_new_version(app, client, db_path):
    db, event = _published(db_path)
    cache = page_cache(app)
    first = client.get("/digests.atom")
    assert first.status_code == 200 and cache.misses == 1 and cache.hits == 0
    again = client.get("/digests.atom")
    assert again.get_data() == first.get_data() and cache.hits == 1
    assert again.headers["Content-Type"].startswith("application/atom+xml")
    page = client.get("/digests/round-table")
    assert client.get("/digests/round-table").get_data() == page.get_data() and cache.hits == 2
    # Security headers are added to each answer, cached or not.
    assert "frame-ancestors 'none'" in client.get("/digests/round-table").headers["Content-Security-Policy"]
    # A new version published from another connection (as `harvest publish` would): fresh pages.
    before = publication_generation(db)
    publish(db, event)
    assert publication_generation(db) == before + 1
    misses = cache.misses
    fresh = client.get("/digests.atom")
    assert cache.misses == misses + 1 and fresh.get_data() != first.get_data()
    assert b"/v2" in fresh.get_data()
    # Deleting a version moves the generation too; a draft saved does not.
    db.conn.execute("UPDATE digest SET markdown = markdown WHERE draft = 1")
    db.conn.commit()
    assert publication_generation(db) == before + 1
    db.conn.execute("DELETE FROM digest WHERE version = 2 AND draft = 0")
    db.conn.commit()
    assert publication_generation(db) == before + 2
    assert b"/v2" not in client.get("/digests.atom").get_data()


def test_a_logged_in_organiser_is_never_served_a_cached_page(app, client, db_path):
    _published(db_path)
    cache = page_cache(app)
    anonymous = app.test_client()
    anonymous.get("/digests/round-table")
    anonymous.get("/digests/round-table")
    assert cache.hits == 1
    login(client)
    mine = client.get("/digests/round-table").get_data(as_text=True)
    assert cache.hits == 1, "an organiser's page is rendered for them"
    assert "organiser@example.org" in mine or "Log out" in mine
    assert "Log out" not in anonymous.get("/digests/round-table").get_data(as_text=True)


def test_a_reader_holding_the_current_version_gets_304_and_a_new_version_200(app, client, db_path):
    db, event = _published(db_path)
    first = client.get("/digests/round-table")
    etag = first.headers["ETag"]
    assert etag and first.status_code == 200
    again = client.get("/digests/round-table", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    assert "frame-ancestors 'none'" in again.headers["Content-Security-Policy"]
    assert client.get("/digests.atom", headers={"If-None-Match": etag}).status_code == 200, "another page"
    publish(db, event)  # a new version: the old ETag no longer matches, the new page is sent
    fresh = client.get("/digests/round-table", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag and b"/v2" in fresh.get_data()


def test_readers_arriving_together_at_an_uncached_page_render_it_once(app, db_path, monkeypatch):
    import threading
    import time

    import web.views.digests as digests

    _published(db_path)
    slow = digests.markdown_to_html

    def slower(markdown: str) -> str:  # a render long enough for every reader to arrive during it
        time.sleep(0.3)
        return slow(markdown)

    monkeypatch.setattr(digests, "markdown_to_html", slower)
    bodies: list[bytes] = []
    readers = [threading.Thread(target=lambda: bodies.append(app.test_client().get("/digests/round-table")
                                                             .get_data())) for _ in range(6)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=30)
    cache = page_cache(app)
    assert len(bodies) == 6 and len(set(bodies)) == 1 and b"round-table" in bodies[0]
    assert (cache.misses, cache.hits) == (1, 5)
