"""The smaller points of issue 13 (finding 9): tables renamed, deleted, given a new link; moderation
returns to the note; buttons named for what they act on; the note limit shown before sending;
plurals; a favicon; print keeps a theme's heading with its summary."""

from __future__ import annotations

import re

import pytest
from publishing_data import make_result, seed_event, store_result
from web_helpers import csrf, login, text

from capture.models import Note
from capture.store import add_notes, add_table, find_table, get_event, list_notes, list_tables
from web.views.events import slugify

SLUG = "round-table"


@pytest.fixture
def event(app, db):
    # After `app`, which gives the database its organiser account (a copy of a seeded file).
    event = seed_event(db)
    store_result(db, event, make_result(db, event))
    return event


def _post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf(client, f"/events/{SLUG}"), **data})


def test_a_table_is_renamed_keeping_its_notes_and_link(client, db, event):
    table = find_table(db, event, "Table 1")
    login(client)
    res = _post(client, f"/events/{SLUG}/tables/{table.id}/rename", name="Trust and contracts")
    assert res.status_code == 302 and res.location.endswith(f"#table-{table.id}")
    renamed = find_table(db, event, "Trust and contracts")
    assert renamed.token == table.token and find_table(db, event, "Table 1") is None
    assert {n.table for n in list_notes(db, event) if n.table_id == table.id} == {"Trust and contracts"}
    res = _post(client, f"/events/{SLUG}/tables/{table.id}/rename", name="Table 2")
    page = text(res)
    assert res.status_code == 400
    assert "There is a table 'Table 2' already: choose another name." in page
    assert f'id="table-{table.id}-error"' in page and 'value="Table 2"' in page  # kept as typed


def test_a_table_with_notes_is_deleted_only_with_its_notes_moved(client, db, event):
    table = find_table(db, event, "Table 2")
    notes_before = len(list_notes(db, event))
    login(client)
    page = text(client.get(f"/events/{SLUG}"))
    assert 'aria-label="Delete Table 2"' in page and "Move its 2 notes to “no table”" in page
    res = _post(client, f"/events/{SLUG}/tables/{table.id}/delete")
    assert res.status_code == 400 and "Table 2 has 2 notes" in text(res)
    assert find_table(db, event, "Table 2") is not None
    res = _post(client, f"/events/{SLUG}/tables/{table.id}/delete", move_notes="on")
    assert res.status_code == 302 and find_table(db, event, "Table 2") is None
    notes = list_notes(db, event)
    assert len(notes) == notes_before and sum(1 for n in notes if n.table is None) == 2
    empty = add_table(db, event, "Spare table")
    assert _post(client, f"/events/{SLUG}/tables/{empty.id}/delete").status_code == 302
    assert [t.name for t in list_tables(db, event)] == ["Table 1", "Table 3"]


def test_a_new_link_stops_the_old_one(client, db, event):
    table = find_table(db, event, "Table 3")
    assert client.get(f"/t/{table.token}").status_code == 200
    login(client)
    res = _post(client, f"/events/{SLUG}/tables/{table.id}/new-link")
    assert res.status_code == 302
    fresh = find_table(db, event, "Table 3")
    assert fresh.token != table.token
    assert client.get(f"/t/{table.token}").status_code == 404
    assert client.get(f"/t/{fresh.token}").status_code == 200


def test_a_table_of_another_event_is_not_found(client, db, event):
    other = seed_event(db, slug="other", notes=[])
    foreign = add_table(db, other, "Their table")
    login(client)
    assert _post(client, f"/events/{SLUG}/tables/{foreign.id}/delete").status_code == 404
    assert find_table(db, other, "Their table") is not None


def test_moderation_returns_to_the_note_and_names_its_buttons(client, db, event):
    added, _ = add_notes(db, event, [Note(text="A pending note.", status="pending", table="Table 1")])
    note = added[0]
    login(client)
    page = text(client.get(f"/events/{SLUG}/moderate"))
    number = note.number or note.ref
    assert f'aria-label="Approve note {number}"' in page and f'aria-label="Hide note {number}"' in page
    token = csrf(client, f"/events/{SLUG}/moderate")
    res = client.post(f"/events/{SLUG}/moderate?status=pending",
                      data={"csrf_token": token, "action": f"approve:{note.id}"})
    assert res.status_code == 302 and res.location.endswith(f"#note-{note.id}")
    assert "status=pending" in res.location
    assert "1 note set to approved." in text(client.get(res.location))


def test_the_note_limit_is_shown_before_sending(client, db, event):
    table = find_table(db, event, "Table 1")
    page = text(client.get(f"/t/{table.token}"))
    # The limit rides on data-limit for the counter, never as maxlength: a browser cuts a longer
    # paste to maxlength without a word (walk-through F3).
    textarea = re.search(r"<textarea[^>]*>", page).group(0)
    assert 'data-limit="20000"' in textarea and "maxlength" not in textarea
    assert "Up to 20,000 characters." in page and 'id="text-counter"' in page
    assert "counter.js" in page and client.get("/static/counter.js").status_code == 200


def test_plurals_are_words_not_brackets(client, db, event):
    login(client)
    for path in (f"/review/{SLUG}", f"/events/{SLUG}/synthesis"):
        page = text(client.get(path))
        assert "(s)" not in page, path
    assert "(s)" not in client.get("/static/live.js").get_data(as_text=True)


@pytest.mark.parametrize("title", ["Partnership structures for social enterprises in the East of England",
                                   "A" * 100])
def test_automatic_slugs_are_short(title):
    assert len(slugify(title)) <= 40 and not slugify(title).endswith("-")


def test_the_favicon_is_served(client):
    res = client.get("/favicon.ico")
    assert res.status_code == 200 and res.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert client.get("/static/favicon.svg").status_code == 200


def test_print_keeps_a_themes_heading_with_its_summary(client, db, event):
    css = client.get("/static/print.css").get_data(as_text=True)
    assert re.search(r"article\.digest h2, article\.digest h3 \{ break-after: avoid", css)
    assert "article.digest h3 + p, article.digest h3 + p + blockquote { break-before: avoid" in css
    from web.publish.publishing import publish

    publish(db, get_event(db, SLUG))
    download = client.get(f"/digests/{SLUG}/digest.html").get_data(as_text=True)
    assert "h3 + p, h3 + p + blockquote { break-before: avoid; }" in download
