"""Errors on the page where they happened: the same page again (4xx), the reason beside the field in
plain words, what was typed kept; never a bare "Sorry" page with a command-line hint."""

from __future__ import annotations

import re

import pytest
from publishing_data import make_result, seed_event, store_result
from web_helpers import csrf, login, text

from capture.store import add_table, list_notes
from web.publish.publishing import list_versions
from web.review import edited_result, segment_key

SLUG = "round-table"
NAMED = [("n1", "Table 1", "Jane Okafor said contracts are getting bigger. Small charities cannot bid."),
         ("n2", "Table 2", "Commissioners skip co-design. Tender timelines are far too tight."),
         ("n3", "Table 3", "Big firms distrust small ones. We propose a standing partnership.")]


@pytest.fixture
def event(app, db):
    # After `app`, which gives the database its organiser account (a copy of a seeded file).
    event = seed_event(db)
    store_result(db, event, make_result(db, event))
    return event


def _no_dead_end(page: str) -> None:
    assert "<h1>Sorry</h1>" not in page and "harvest " not in page.split("<main")[1]


def _error(page: str, element_id: str) -> str:
    match = re.search(rf'<p class="errors" id="{re.escape(element_id)}"[^>]*>(.*?)</p>', page, re.S)
    assert match, f"no error {element_id!r} on the page"
    return " ".join(match.group(1).split())


def test_moving_nothing_ticked_keeps_the_choices(app, client, db, event):
    login(client)
    token = csrf(client, f"/review/{SLUG}")
    res = client.post(f"/review/{SLUG}/edit", data={"csrf_token": token, "op": "split", "theme": "t0",
                                                   "to": "t1", "label": "Kept label"})
    page = text(res)
    assert res.status_code == 400
    assert _error(page, "split-t0-error") == "Tick one or more segments of this theme to move."
    assert '<option value="t1" selected>' in page  # the theme chosen to move them to
    _no_dead_end(page)
    seg = segment_key(edited_result(db, event)["themes"][0]["segments"][0])
    # Ticked but with nowhere to go: the ticks stay ticked.
    res = client.post(f"/review/{SLUG}/edit", data={"csrf_token": token, "op": "split", "theme": "t0",
                                                   "segments": [seg], "to": "nowhere"})
    page = text(res)
    assert res.status_code in (400, 404) and 'id="split-t0-error"' in page
    assert re.search(rf'value="{re.escape(seg)}" checked', page)


def test_an_invalid_label_or_summary_is_shown_beside_it_as_typed(app, client, db, event):
    login(client)
    token = csrf(client, f"/review/{SLUG}")
    long_label = "Contracts " * 25
    res = client.post(f"/review/{SLUG}/edit", data={"csrf_token": token, "op": "rename", "theme": "t1",
                                                   "label": long_label})
    page = text(res)
    assert res.status_code == 400 and "1 to 200 characters" in _error(page, "label-t1-error")
    assert f'value="{long_label}"' in page and 'aria-describedby="label-t1-error"' in page
    summary = "Too long. " * 600
    res = client.post(f"/review/{SLUG}/edit", data={"csrf_token": token, "op": "summary", "theme": "t0",
                                                   "summary": summary})
    page = text(res)
    assert res.status_code == 400 and "too long" in _error(page, "summary-t0-error")
    assert summary.strip() in page


def test_publishing_with_names_unconfirmed_says_so_on_the_digest_tab(app, client, db):
    named = seed_event(db, slug="named", notes=NAMED, chatham_house=True)
    store_result(db, named, make_result(db, named))
    login(client)
    token = csrf(client, "/review/named/digest")
    res = client.post("/review/named/publish", data={"csrf_token": token, "after": "keep-open"})
    page = text(res)
    assert res.status_code == 400
    message = _error(page, "publish-error")
    assert "Jane Okafor" in message and "not confirmed yet" in message and "Names tab" in message
    assert 'value="keep-open" required checked' in page  # the choice made is kept
    _no_dead_end(page)
    assert list_versions(db, named) == []


def test_publishing_with_no_themes_says_what_to_do(app, client, db):
    seed_event(db, slug="bare")
    login(client)
    token = csrf(client, "/review/bare/digest")
    res = client.post("/review/bare/publish", data={"csrf_token": token, "after": "close"})
    assert res.status_code == 400
    assert "run the synthesis on the Synthesis tab" in _error(text(res), "publish-error")


def test_an_empty_draft_is_refused_beside_the_textarea(app, client, db, event):
    login(client)
    token = csrf(client, f"/review/{SLUG}/digest")
    res = client.post(f"/review/{SLUG}/digest", data={"csrf_token": token, "action": "save",
                                                     "markdown": "   \n  "})
    page = text(res)
    assert res.status_code == 400 and "The draft is empty" in _error(page, "markdown-error")
    assert 'aria-describedby="markdown-error"' in page


def test_an_invalid_replacement_keeps_what_was_typed(app, client, db):
    named = seed_event(db, slug="named", notes=NAMED, chatham_house=True)
    store_result(db, named, make_result(db, named))
    login(client)
    page = text(client.get("/review/named/redactions"))
    # Where each name was found, in words (the walk-through's F7: the badge said "ner").
    assert 'class="badge">found in the text<' in page and ">ner<" not in page
    field = re.search(r'name="(replacement-[^"]+)"', page).group(1)
    key = field.removeprefix("replacement-")
    token = csrf(client, "/review/named/redactions")
    typed = "Jane Okafor of the council"
    res = client.post("/review/named/redactions", data={"csrf_token": token, "confirm": key, "id": key,
                                                       field: typed})
    page = text(res)
    assert res.status_code == 400 and "must not contain the name" in page
    assert f'value="{typed}"' in page
    _no_dead_end(page)


def test_the_event_form_puts_each_reason_beside_its_field(app, client, db):
    login(client)
    token = csrf(client, "/events/new")
    res = client.post("/events/new", data={"csrf_token": token, "title": "Spring round table",
                                          "slug": "Spring Round!", "venue": "Leeds"})
    page = text(res)
    assert res.status_code == 400 and "Invalid event slug" in _error(page, "slug-error")
    assert 'value="Spring round table"' in page and 'value="Leeds"' in page
    res = client.post("/events/new", data={"csrf_token": token, "title": "Spring round table",
                                          "date": "2026-02-30"})
    page = text(res)
    assert res.status_code == 400
    assert "Invalid date '2026-02-30': use YYYY-MM-DD." in _error(page, "date-error")
    _no_dead_end(page)


def test_the_table_form_is_refused_on_the_event_page(app, client, db, event):
    add_table(db, event, "Table 1")
    login(client)
    token = csrf(client, f"/events/{SLUG}")
    res = client.post(f"/events/{SLUG}/tables", data={"csrf_token": token, "name": "",
                                                     "question": "What about trust?"})
    page = text(res)
    assert res.status_code == 400 and "This field is required." in _error(page, "name-error")
    assert 'value="What about trust?"' in page
    assert "Table 1" in page and "approved" in page  # the whole event page, with its counts


def test_the_moderation_edit_keeps_the_text(app, client, db, event):
    note = list_notes(db, event)[0]
    login(client)
    url = f"/events/{SLUG}/notes/{note.id}/edit"
    token = csrf(client, url)
    res = client.post(url, data={"csrf_token": token, "text": "x" * 20_001})
    page = text(res)
    assert res.status_code == 400 and "the limit is 20,000" in _error(page, "text-error")
    assert "x" * 20_001 in page


def test_the_rate_limit_keeps_the_attendees_note(app, client, db, event):
    app.config["SUBMIT_LIMIT_PER_SESSION"] = "1 per minute"
    token = add_table(db, event, "Table 9").token
    url = f"/t/{token}"
    assert client.post(url, data={"csrf_token": csrf(client, url), "text": "First note."}).status_code == 302
    note = "Second note: commissioners should fund convening time."
    res = client.post(url, data={"csrf_token": csrf(client, url), "text": note})
    page = text(res)
    assert res.status_code == 429
    assert "Your note was not sent" in page and "Wait a minute" in page
    assert note in page and 'name="text"' in page
    assert [n.text for n in list_notes(db, event) if n.table == "Table 9"] == ["First note."]
