"""Network digests on the web: the editor's page (preview, edit, publish, withdraw), the public
pages, downloads, charts and the feed, and who may edit a network."""

from __future__ import annotations

import pytest
import spacy

from capture.store import open_db
from synthesis.embed import FakeEmbedder
from tests.test_network import assert_clean, publish_closed_room, publish_series
from tests.web_helpers import csrf, login, text


@pytest.fixture
def network_app(app, db_path):
    """The app with a fake embedder, and a series of two published events."""
    app.config["SYNTHESIS_COMPONENTS"] = {"embedder": FakeEmbedder()}
    db = open_db(db_path)
    publish_series(db)
    db.conn.close()
    return app


def _theme_ids(page: str) -> list[str]:
    import re

    return re.findall(r'id="theme-(n[0-9a-f-s]+)"', page)


def test_editor_renames_publishes_and_readers_see_it(network_app):
    client = network_app.test_client()
    login(client)
    page = client.get("/network/north")
    assert page.status_code == 200
    body = text(page)
    # Two events, both within the window of the latest two: every theme is new.
    assert "Jan round table" in body and ">new<" in page.get_data(as_text=True)
    ids = _theme_ids(page.get_data(as_text=True))
    assert len(ids) == 3
    token = csrf(client, "/network/north")
    answer = client.post("/network/north/edit", data={"csrf_token": token, "op": "rename", "theme": ids[0],
                                                      "label": "Nobody funds convening"})
    assert answer.status_code == 302
    assert "Nobody funds convening" in text(client.get("/network/north"))
    assert client.post("/network/north/publish", data={"csrf_token": token}).status_code == 302

    reader = network_app.test_client()
    public = reader.get("/series/north")
    assert public.status_code == 200 and "Nobody funds convening" in text(public)
    assert "Jan round table, 10 January 2026" in text(public)
    for name, kind in (("network.md", "text/markdown"), ("network.html", "text/html"),
                       ("network.json", "application/json"), ("themes.csv", "text/csv")):
        download = reader.get(f"/series/north/v1/{name}")
        assert download.status_code == 200 and download.content_type.startswith(kind), name
        assert "Nobody funds convening" in download.get_data(as_text=True), name
    chart = reader.get(f"/series/north/v1/charts/{ids[0]}.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert b"<svg" in chart.data and b'style="' not in chart.data  # no inline style for the CSP to block
    theme = reader.get(f"/series/north/v1/themes/{ids[0]}")
    assert theme.status_code == 200 and "Where it came up" in text(theme)
    # Each event's digest links to the network digest of its series.
    assert "/series/north" in reader.get("/digests/jan").get_data(as_text=True)
    feed = reader.get("/digests.atom").get_data(as_text=True)
    assert "North network: network digest" in feed and "/series/north/v1" in feed

    # Withdrawn: gone from the page and the feed.
    withdrawn = client.post("/network/north/withdraw", data={"csrf_token": token, "version": "1"})
    assert withdrawn.status_code == 302
    assert reader.get("/series/north").status_code == 404
    assert "/series/north/v1" not in reader.get("/digests.atom").get_data(as_text=True)


def test_a_bad_edit_is_shown_on_the_page_with_the_input_kept(network_app):
    client = network_app.test_client()
    login(client)
    ids = _theme_ids(client.get("/network/north").get_data(as_text=True))
    token = csrf(client, "/network/north")
    answer = client.post("/network/north/edit", data={"csrf_token": token, "op": "merge", "theme": ids[0],
                                                      "other": ids[0]})
    assert answer.status_code == 400
    assert "Choose a different theme to merge" in text(answer)
    assert "Network digest: North network" in text(answer)  # the same page, not an error page


def test_only_editors_of_every_event_may_edit_a_network(network_app, db_path):
    from web.access import share
    from web.auth import add_user

    db = open_db(db_path)
    add_user(db, "bob@example.org", "a long enough password")
    db.conn.close()
    anonymous = network_app.test_client()
    assert anonymous.get("/network/north").status_code == 302
    assert anonymous.get("/series/north").status_code == 404  # nothing published yet
    bob = network_app.test_client()
    token = csrf(bob, "/auth/login")
    bob.post("/auth/login", data={"email": "bob@example.org", "password": "a long enough password",
                                  "csrf_token": token})
    assert bob.get("/network/north").status_code == 404
    assert bob.get("/network/all").status_code == 404
    db = open_db(db_path)
    from capture.store import get_event

    share(db, get_event(db, "jan"), "bob@example.org", "editor")
    db.conn.close()
    assert bob.get("/network/north").status_code == 404  # an editor of one event of two is not enough
    db = open_db(db_path)
    share(db, get_event(db, "jul"), "bob@example.org", "editor")
    db.conn.close()
    assert bob.get("/network/north").status_code == 200
    assert bob.get("/network/all").status_code == 404  # every event: admins only
    admin = network_app.test_client()
    login(admin)
    assert admin.get("/network/all").status_code == 200


def test_the_event_form_puts_an_event_in_a_series(network_app, db_path):
    from capture.series import event_series
    from capture.store import get_event

    client = network_app.test_client()
    login(client)
    page = client.get("/events/jan/edit")
    assert 'name="series"' in page.get_data(as_text=True) and "North network" in text(page)
    token = csrf(client, "/events/jan/edit")
    saved = client.post("/events/jan/edit", data={"csrf_token": token, "title": "Jan round table",
                                                  "date": "2026-01-10", "status": "open", "series": ""})
    assert saved.status_code == 302
    db = open_db(db_path)
    assert event_series(db, get_event(db, "jan")) is None
    refused = client.post("/events/jan/edit", data={"csrf_token": token, "title": "Jan round table",
                                                    "status": "open", "series": "no-such-series"})
    assert refused.status_code == 400 and event_series(db, get_event(db, "jan")) is None
    client.post("/events/jan/edit", data={"csrf_token": token, "title": "Jan round table",
                                          "status": "open", "series": "north"})
    assert event_series(db, get_event(db, "jan")).slug == "north"
    index = client.get("/events/")
    assert "/network/north" in index.get_data(as_text=True) and "/network/all" in index.get_data(as_text=True)


def test_the_public_index_lists_the_latest_network_digest(network_app):
    """A reader finds a network digest from /digests, not only through the feed."""
    reader = network_app.test_client()
    assert "/series/north" not in reader.get("/digests").get_data(as_text=True)  # nothing published yet
    client = network_app.test_client()
    login(client)
    token = csrf(client, "/network/north")
    for _ in range(2):
        assert client.post("/network/north/publish", data={"csrf_token": token}).status_code == 302
    index = reader.get("/digests").get_data(as_text=True)
    assert index.count('href="/series/north"') == 1  # one entry per network: its latest version
    assert "North network" in index and "2 events · 3 themes · version 2" in index
    assert 'href="/digests/jan"' in index  # the event digests are still listed
    client.post("/network/north/withdraw", data={"csrf_token": token, "version": "2"})
    client.post("/network/north/withdraw", data={"csrf_token": token, "version": "1"})
    assert "/series/north" not in reader.get("/digests").get_data(as_text=True)


def test_a_chart_tells_apart_two_events_held_on_the_same_day():
    from web.publish.network_charts import share_svg

    svg = share_svg({"label": "Transport", "shares": [
        {"slug": "social-value", "date": "2026-03-12", "share": 0.1},
        {"slug": "volunteering", "date": "2026-03-12", "share": 0.3},
        {"slug": "older-people", "date": "2026-12-01", "share": 0.2}]})
    assert "12 Mar 2026 social-value" in svg and "12 Mar 2026 volunteering" in svg
    assert "1 Dec 2026" in svg and "older-people" not in svg  # a date of its own is enough


def test_hidden_quotes_and_names_stay_out_of_the_network_pages_and_feed(app, db_path):
    import re

    from web.publish.network import publish_network

    app.config["SYNTHESIS_COMPONENTS"] = {"embedder": FakeEmbedder()}
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    db = open_db(db_path)
    hidden = publish_closed_room(db, nlp)
    publish_network(db, "all", embedder=FakeEmbedder())
    db.conn.close()
    reader = app.test_client()
    page = reader.get("/series/all")
    assert page.status_code == 200 and "a participant said" in text(page).lower()
    pages = [page, reader.get("/series/all/v1"), reader.get("/digests.atom"), reader.get("/digests")]
    for name in ("network.md", "network.html", "network.json", "themes.csv"):
        pages.append(reader.get(f"/series/all/v1/{name}"))
    for theme_id in sorted(set(re.findall(r"/series/all/v1/themes/(n[0-9a-f-s]+)", text(page)))):
        pages.append(reader.get(f"/series/all/v1/themes/{theme_id}"))
        pages.append(reader.get(f"/series/all/v1/charts/{theme_id}.svg"))
    assert len(pages) >= 10 and all(p.status_code == 200 for p in pages)
    for answer in pages:
        assert_clean(answer.get_data(as_text=True), hidden)
    # An editor's preview is built from the same published data.
    login(reader)
    assert_clean(reader.get("/network/all").get_data(as_text=True), hidden)


def test_an_older_network_version_says_a_newer_one_exists_and_the_latest_says_nothing(network_app):
    """Second walk-through N4, for network digests too: v1's page says plainly that version 2 is
    newer, with a link; v2's own address (the latest) does not say a newer one exists."""
    client = network_app.test_client()
    login(client)
    token = csrf(client, "/network/north")
    for _ in range(2):
        assert client.post("/network/north/publish", data={"csrf_token": token}).status_code == 302
    reader = network_app.test_client()
    old = text(reader.get("/series/north/v1"))
    assert "This is not the latest version: version 2 was published on" in old
    assert 'href="/series/north">Read version 2, the latest</a>' in reader.get("/series/north/v1").get_data(
        as_text=True)
    for latest in ("/series/north", "/series/north/v2"):
        page = text(reader.get(latest))
        assert "not the latest version" not in page and "a newer version" not in page, latest


def test_network_md_links_its_charts_absolutely_and_says_shares_are_of_passages(network_app):
    """Third walk-through W2, W3: the downloaded network.md linked its charts site-relative
    (broken once saved or pasted; an event's digest.md links them absolutely), and said '55% of
    its notes' where the share is of the event's passages (docs/network.md)."""
    client = network_app.test_client()
    login(client)
    token = csrf(client, "/network/north")
    assert client.post("/network/north/publish", data={"csrf_token": token}).status_code == 302
    reader = network_app.test_client()
    markdown = reader.get("/series/north/v1/network.md", base_url="http://harvest.example.org").get_data(
        as_text=True)
    charts = [line for line in markdown.splitlines() if line.startswith("![")]
    absolute = "](http://harvest.example.org/series/north/v1/charts/n"
    assert charts and all(absolute in c for c in charts), charts
    assert "% of its notes" not in markdown and "% of the passages in its notes" in markdown
    # The page itself keeps site-relative links.
    page = reader.get("/series/north/v1").get_data(as_text=True)
    assert 'src="/series/north/v1/charts/n' in page
    theme = _theme_ids(client.get("/network/north").get_data(as_text=True))[0]
    assert "Share of the passages in its notes" in text(reader.get(f"/series/north/v1/themes/{theme}"))


def test_a_merge_posted_without_a_theme_chosen_is_refused_with_the_reason(network_app):
    """Third walk-through W4, server side: a merge with no theme chosen (the select's first option)
    is refused on the page, not answered 'No network theme ...'."""
    client = network_app.test_client()
    login(client)
    page = client.get("/network/north").get_data(as_text=True)
    theme = _theme_ids(page)[0]
    assert 'name="other" required><option value="">Choose the theme to fold in</option>' in page
    token = csrf(client, "/network/north")
    answer = client.post("/network/north/edit", data={"csrf_token": token, "op": "merge", "theme": theme,
                                                      "other": ""})
    assert answer.status_code == 400 and "Choose the theme to fold into this one." in text(answer)
    assert len(_theme_ids(client.get("/network/north").get_data(as_text=True))) == len(_theme_ids(page))
