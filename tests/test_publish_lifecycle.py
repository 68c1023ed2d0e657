"""Publishing asks and can be undone: keep the form open or close it, withdraw a version, delete an event.

Real SQLite; the web app through Flask's test client, the CLI in-process.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from publishing_data import make_result, seed_event, store_result
from web_helpers import csrf, login, text

from capture.store import add_table, get_event, open_db
from web.audit import audit_entries
from web.cli import cli
from web.publish.publishing import list_published, list_versions, publish, withdraw

ATOM = "{http://www.w3.org/2005/Atom}"
SLUG = "round-table"


@pytest.fixture
def event(app, db):
    # After `app`, which gives the database its organiser account (a copy of a seeded file).
    event = seed_event(db, status="open")
    store_result(db, event, make_result(db, event))
    return event


@pytest.fixture
def table_token(db, event) -> str:
    return add_table(db, event, "Table 1").token


def _feed_titles(client) -> list[str]:
    feed = ET.fromstring(client.get("/digests.atom").data)
    return [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]


def test_publish_keeping_the_form_open_leaves_attendees_writing(db, event, client, table_token):
    assert publish(db, event, keep_open=True) == 1
    assert get_event(db, SLUG).status == "open"
    form = client.get(f"/t/{table_token}")
    assert form.status_code == 200 and b'name="text"' in form.data
    assert audit_entries(db, SLUG)[0]["detail"] == "version 1; attendee form kept open"


def test_publish_closing_the_form_links_the_closed_form_to_the_digest(db, event, client, table_token):
    publish(db, event, keep_open=False)
    assert get_event(db, SLUG).status == "published"
    closed = text(client.get(f"/t/{table_token}"))
    assert "not taking notes" in closed and f'href="/digests/{SLUG}"' in closed
    assert 'name="text"' not in closed


def test_the_publish_form_asks_and_the_event_page_links_the_digest(app, client, db, event):
    login(client)
    page = text(client.get(f"/review/{SLUG}/digest"))
    assert "may attendees keep sending notes?" in page
    assert 'value="keep-open" required' in page and 'value="close" required' in page
    assert " checked" not in page.split('id="publish"')[1].split("</form>")[0]  # no answer chosen for them
    token = csrf(client, f"/review/{SLUG}/digest")
    res = client.post(f"/review/{SLUG}/publish", data={"csrf_token": token, "after": "keep-open"})
    assert res.status_code == 302 and res.location == f"/digests/{SLUG}/v1"
    assert get_event(db, SLUG).status == "open"
    assert "Attendees can still send notes." in text(client.get(res.location))
    shown = text(client.get(f"/events/{SLUG}"))
    assert f'<a href="/digests/{SLUG}">the digest, version 1</a>' in shown
    assert "Attendees can still send notes." in shown
    res = client.post(f"/review/{SLUG}/publish", data={"csrf_token": token, "after": "close"})
    assert res.location == f"/digests/{SLUG}/v2" and get_event(db, SLUG).status == "published"
    assert "The attendee form is closed." in text(client.get(f"/events/{SLUG}"))


def test_an_unknown_choice_is_refused_on_the_page(app, client, db, event):
    login(client)
    token = csrf(client, f"/review/{SLUG}/digest")
    res = client.post(f"/review/{SLUG}/publish", data={"csrf_token": token, "after": "maybe"})
    assert res.status_code == 400
    assert "Choose whether attendees may keep sending notes" in text(res) and 'id="publish"' in text(res)
    assert list_versions(db, event) == []


def test_a_withdrawn_version_is_gone_from_the_pages_index_and_feed(app, client, db, event):
    publish(db, event)
    publish(db, event)
    assert _feed_titles(client) == ["Partnership round table (version 2)"]
    remaining = withdraw(db, event, 2, actor="ann@example.org")
    assert remaining["version"] == 1
    assert "Version 1," in text(client.get(f"/digests/{SLUG}"))
    gone = client.get(f"/digests/{SLUG}/v2")
    assert gone.status_code == 410 and "was withdrawn" in text(gone)
    for name in ("digest.md", "digest.json", "charts/theme-sizes.svg"):
        assert client.get(f"/digests/{SLUG}/v2/{name}").status_code == 410, name
    index = text(client.get("/digests"))
    assert "version 1" in index and "version 2" not in index
    assert _feed_titles(client) == ["Partnership round table (version 1)"]
    assert [v["version"] for v in list_published(db)] == [1]

    withdraw(db, event, 1)
    assert client.get(f"/digests/{SLUG}").status_code == 404
    assert "Nothing has been published yet." in text(client.get("/digests"))
    assert _feed_titles(client) == []
    assert get_event(db, SLUG).status == "closed"  # published, then nothing left: closed, not open again
    assert publish(db, event) == 3  # numbers are never reused
    actions = [(e["action"], e["detail"]) for e in audit_entries(db, SLUG)]
    assert ("withdraw", "version 2") in actions and ("withdraw", "version 1") in actions
    assert actions[0][0] == "publish"


def test_withdraw_on_the_digest_tab(app, client, db, event):
    publish(db, event)
    publish(db, event)
    login(client)
    page = text(client.get(f"/review/{SLUG}/digest"))
    assert 'aria-label="Withdraw version 2"' in page and 'aria-label="Withdraw version 1"' in page
    token = csrf(client, f"/review/{SLUG}/digest")
    res = client.post(f"/review/{SLUG}/withdraw", data={"csrf_token": token, "version": "2"})
    assert res.status_code == 302
    page = text(client.get(res.location))
    assert "Version 2 was withdrawn. Readers now see version 1." in page
    assert "withdraw version 2 (organiser@example.org)" in page  # the history
    again = client.post(f"/review/{SLUG}/withdraw", data={"csrf_token": token, "version": "2"})
    assert again.status_code == 400 and "has no published version 2 to withdraw" in text(again)
    assert [v["version"] for v in list_versions(db, event)] == [1]


def test_cli_publish_keep_open_close_and_unpublish(runner, db_path, db, event):
    res = runner.invoke(cli, ["--db", str(db_path), "publish", SLUG, "--keep-open"])
    assert res.exit_code == 0, res.output
    assert "Attendees can still send notes." in res.output
    assert get_event(open_db(db_path), SLUG).status == "open"
    res = runner.invoke(cli, ["--db", str(db_path), "publish", SLUG, "--close"])
    assert res.exit_code == 0 and "The attendee form is now closed" in res.output
    assert get_event(open_db(db_path), SLUG).status == "published"
    res = runner.invoke(cli, ["--db", str(db_path), "unpublish", SLUG, "--version", "2"])
    assert res.exit_code == 0 and "Withdrew round-table version 2; readers now see version 1." in res.output
    res = runner.invoke(cli, ["--db", str(db_path), "unpublish", SLUG, "--version", "7"])
    assert res.exit_code == 1
    assert "has no published version 7 to withdraw (published versions: 1)" in res.output
    assert "Traceback" not in res.output
    assert [e["actor"] for e in audit_entries(open_db(db_path), SLUG)] == ["cli", "cli", "cli"]


def test_deleting_an_event_is_confirmed_and_logged(runner, db_path, db, event):
    publish(db, event)
    res = runner.invoke(cli, ["--db", str(db_path), "event", SLUG, "--delete"])
    assert res.exit_code == 1 and "add --yes to confirm" in res.output
    assert get_event(open_db(db_path), SLUG)  # still there
    res = runner.invoke(cli, ["--db", str(db_path), "event", SLUG, "--delete", "--yes"])
    assert res.exit_code == 0, res.output
    assert "Deleted event round-table (Partnership round table) with its 5 notes." in res.output
    fresh = open_db(db_path)
    assert fresh.execute("SELECT count(*) FROM note").fetchone()[0] == 0
    assert fresh.execute("SELECT count(*) FROM digest").fetchone()[0] == 0
    entry = audit_entries(fresh, SLUG)[0]
    assert (entry["action"], entry["actor"]) == ("delete", "cli")
    assert entry["detail"] == "'Partnership round table' with 5 notes"
    assert [e["action"] for e in audit_entries(fresh, SLUG)] == ["delete", "publish"]  # outlives the event


def test_deleting_on_the_web_needs_the_slug_typed_and_is_logged(app, client, db, event):
    login(client)
    token = csrf(client, f"/events/{SLUG}")
    wrong = client.post(f"/events/{SLUG}/delete", data={"csrf_token": token, "confirm": "round"})
    assert wrong.status_code == 400 and "Type the event's short name" in text(wrong)
    assert audit_entries(db, SLUG) == []
    res = client.post(f"/events/{SLUG}/delete", data={"csrf_token": token, "confirm": SLUG})
    assert res.status_code == 302
    entry = audit_entries(db, SLUG)[0]
    assert (entry["action"], entry["actor"]) == ("delete", "organiser@example.org")


def test_the_digest_tab_title_is_plain_and_its_history_is_on_the_page(app, client, db, event):
    """The history list was also rendered inside <title>: the browser's tab showed its HTML."""
    import re

    publish(db, event)
    login(client)
    page = client.get(f"/review/{SLUG}/digest").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<" not in title and "history" not in title.lower(), title
    assert page.count('<h2 id="history">History</h2>') == 1
    assert "publish version 1" in page.split("<body", 1)[1]


def test_the_digest_tab_says_how_many_notes_wait_for_moderation(app, client, db, event):
    """Publishing with attendees' notes still pending left them out without a word."""
    from capture.models import Note
    from capture.store import add_notes

    login(client)
    assert 'id="waiting"' not in client.get(f"/review/{SLUG}/digest").get_data(as_text=True)
    add_notes(db, event, [Note(text="The bus stops at five.", status="pending"),
                          Note(text="Nobody can come in the evening.", status="pending")])
    page = client.get(f"/review/{SLUG}/digest").get_data(as_text=True)
    assert "2 notes wait for moderation and are not in this digest" in text_of(page)
    assert f'href="/events/{SLUG}/moderate?status=pending"' in page


def text_of(page: str) -> str:
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
