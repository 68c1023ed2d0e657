"""Event slugs made from titles keep their letters: accents are dropped, not the letters."""

from __future__ import annotations

import pytest

from capture.store import SLUG_RE, get_event, open_db
from tests.web_helpers import csrf, login


@pytest.mark.parametrize("title, slug", [
    ("Café Réunion", "cafe-reunion"),
    ("Straße & Brücke: Zürich 2026", "strasse-brucke-zurich-2026"),
    ("Москва встреча", "moskva-vstrecha"),
    ("  Partnership   structures!  ", "partnership-structures"),
    ("🙂🙂", "event"),
    ("Ä" * 200, "a" * 40),  # issue 13: automatic slugs at most 40 characters (they were 67)
    ("Partnership structures for social enterprises in the East of England 2026-10-23",
     "partnership-structures-for-2026-10-23"),
    ("Partnership structures for social enterprises in the East of England",
     "partnership-structures-for-social"),
])
def test_slug_from_a_title(title, slug):
    from web.views.events import slugify

    assert slugify(title) == slug
    assert SLUG_RE.match(slugify(title))


def test_the_new_event_page_slugs_an_accented_title(app, client, db_path):
    login(client)
    response = client.post("/events/new", data={"csrf_token": csrf(client, "/events/new"),
                                                "title": "Café Réunion", "date": "2026-05-02",
                                                "status": "open"})
    assert response.status_code == 302
    assert response.location == "/events/cafe-reunion-2026-05-02"
    assert get_event(open_db(db_path), "cafe-reunion-2026-05-02").title == "Café Réunion"
