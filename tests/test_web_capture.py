"""The attendee form: anonymous notes from a phone, closed events, limits, rate limits, escaping."""

from __future__ import annotations

from capture.store import get_event, list_notes, open_db
from tests.web_helpers import count_notes, csrf, csrf_from, errors, login, seed_event, text


def _send(client, token: str, note: str, **extra):
    form_token = csrf(client, f"/t/{token}")
    return client.post(f"/t/{token}", data={"csrf_token": form_token, "text": note, **extra})


def _notes(db_path, slug="round-2026"):
    db = open_db(db_path)
    return list_notes(db, get_event(db, slug))


def test_form_shows_table_question_and_how_notes_are_used(app, client, db_path):
    _, tables = seed_event(db_path)
    page = client.get(f"/t/{tables[0].token}")
    assert page.status_code == 200
    body = text(page)
    assert "Table 1" in body and "What about Table 1?" in body
    assert "How your note is used" in body and "published on the web" in body
    assert "Leave it empty to stay anonymous" in body
    assert "Chatham House" not in body
    # Labels tied to fields, and no organiser login link on the attendee's page.
    for field in ("text", "author", "role"):
        assert f'<label for="{field}">' in body and f'id="{field}"' in body
    assert "Organiser login" not in body


def test_form_under_chatham_house_says_so(app, client, db_path):
    _, tables = seed_event(db_path, chatham_house=True)
    body = text(client.get(f"/t/{tables[0].token}"))
    assert "Chatham House Rule" in body and "never names anyone" in body


def test_anonymous_note_is_stored_pending_and_confirmed(app, client, db_path):
    _, tables = seed_event(db_path)
    response = _send(client, tables[1].token, "We need shared back-office services.")
    assert response.status_code == 302
    assert response.location == f"/t/{tables[1].token}/thanks"
    thanks = client.get(response.location)
    assert thanks.status_code == 200
    assert "Add another note" in text(thanks)
    assert f'href="/t/{tables[1].token}"' in thanks.get_data(as_text=True)
    [note] = _notes(db_path)
    assert (note.text, note.table, note.status, note.source) == (
        "We need shared back-office services.", "Table 2", "pending", "form")
    assert note.author is None and note.role is None


def test_name_and_role_are_optional_and_kept(app, client, db_path):
    _, tables = seed_event(db_path)
    assert _send(client, tables[0].token, "Commissioners skip co-design.", author=" Ann ",
                 role="scribe").status_code == 302
    [note] = _notes(db_path)
    assert (note.author, note.role) == ("Ann", "scribe")


def test_control_characters_and_odd_spaces_are_cleaned_line_breaks_kept(app, client, db_path):
    _, tables = seed_event(db_path)
    typed = "  Bids\x00 need\u00a0time.\r\nAnd\x1b[31m money.\rSoon.\u200b  "
    assert _send(client, tables[0].token, typed, author="\u00a0Ann\x07 ").status_code == 302
    [note] = _notes(db_path)
    assert (note.text, note.author) == ("Bids need time.\nAnd[31m money.\nSoon.", "Ann")
    # Nothing left once the control characters go: refused as empty, nothing stored.
    assert _send(client, tables[0].token, "\x00\x01 \u00a0").status_code == 400
    assert count_notes(db_path) == 1


def test_invalid_role_is_refused(app, client, db_path):
    _, tables = seed_event(db_path)
    response = _send(client, tables[0].token, "Text", role="admin")
    assert response.status_code == 400
    assert count_notes(db_path) == 0


def test_approve_by_default_event_stores_approved_notes(app, client, db_path):
    _, tables = seed_event(db_path, approve_by_default=True)
    _send(client, tables[0].token, "Straight through.")
    assert [n.status for n in _notes(db_path)] == ["approved"]


def test_second_note_from_the_same_attendee(app, client, db_path):
    _, tables = seed_event(db_path)
    _send(client, tables[0].token, "First")
    _send(app.test_client(), tables[0].token, "First")  # two people may write the same words: both kept
    _send(client, tables[0].token, "Second")
    assert [n.text for n in _notes(db_path)] == ["First", "First", "Second"]


def test_empty_note_shows_an_error_and_stores_nothing(app, client, db_path):
    _, tables = seed_event(db_path)
    response = _send(client, tables[0].token, "   ")
    assert response.status_code == 400
    assert "The note is empty: write something before sending." in errors(response.get_data(as_text=True))
    assert count_notes(db_path) == 0


def test_note_over_20000_characters_is_refused_with_a_clear_message(app, client, db_path):
    _, tables = seed_event(db_path)
    response = _send(client, tables[0].token, "x" * 20_001)
    assert response.status_code == 400
    assert any("20,001 characters long; the limit is 20,000" in e
               for e in errors(response.get_data(as_text=True)))
    assert count_notes(db_path) == 0
    assert _send(client, tables[0].token, "y" * 20_000).status_code == 302
    assert count_notes(db_path) == 1


def test_body_over_the_limit_is_refused_413_and_stores_nothing(app, client, db_path):
    _, tables = seed_event(db_path)
    limit = app.config["MAX_FORM_BYTES"]
    form_token = csrf(client, f"/t/{tables[0].token}")
    response = client.post(f"/t/{tables[0].token}",
                           data={"csrf_token": form_token, "text": "z" * (limit + 1)})
    assert response.status_code == 413
    assert "too large to send" in text(response)
    assert count_notes(db_path) == 0


def test_missing_csrf_token_is_refused(app, client, db_path):
    _, tables = seed_event(db_path)
    client.get(f"/t/{tables[0].token}")
    response = client.post(f"/t/{tables[0].token}", data={"text": "forged"})
    assert response.status_code == 400
    assert count_notes(db_path) == 0


def test_lost_session_keeps_the_words_and_lets_the_attendee_send_again(app, client, db_path):
    _, tables = seed_event(db_path)
    token = csrf(client, f"/t/{tables[0].token}")
    client.delete_cookie("session")  # e.g. the phone's browser dropped its cookies
    response = client.post(f"/t/{tables[0].token}", data={"csrf_token": token, "text": "Keep my words"})
    assert response.status_code == 400
    body = text(response)
    assert "Your note was not sent: this page had expired." in body
    assert "Keep my words</textarea>" in body
    assert count_notes(db_path) == 0
    fresh = csrf_from(response)
    again = client.post(f"/t/{tables[0].token}", data={"csrf_token": fresh, "text": "Keep my words"})
    assert again.status_code == 302 and count_notes(db_path) == 1


def test_back_then_send_again_stores_the_note_once(app, client, db_path):
    """The walk-through's F1: after Back the browser loads the form again (a new submission key)
    but keeps the words typed; sending them again stored a second note."""
    _, tables = seed_event(db_path)
    assert _send(client, tables[0].token, "Grants are too short.").status_code == 302
    again = _send(client, tables[0].token, "Grants are too short.")  # a fresh page, a fresh key
    assert again.status_code == 302 and "again=1" in again.location
    assert "You had already sent these words from this phone" in text(client.get(again.location))
    assert [n.text for n in _notes(db_path)] == ["Grants are too short."]
    # Other words, the same words under another name (a phone passed round: the second
    # walk-through's N7), at another table, or from another phone: new notes.
    assert _send(client, tables[0].token, "Grants are far too short.").status_code == 302
    assert "again=1" not in _send(client, tables[0].token, "Grants are too short.", author="Bo").location
    assert _send(client, tables[1].token, "Grants are too short.").status_code == 302
    other_phone = app.test_client()
    assert _send(other_phone, tables[0].token, "Grants are too short.").status_code == 302
    assert len(_notes(db_path)) == 5


def test_a_phone_passed_round_the_table_stores_each_persons_note_with_their_name(app, client, db_path):
    """The second walk-through's N7, checked again: from one phone, "Ann" then "Bob" send the same
    words; both notes are stored, each with its author. The same person sending them twice is
    still stored once."""
    _, tables = seed_event(db_path)
    words = "We back the point about the hostel closing at night."
    assert "again=1" not in _send(client, tables[0].token, words, author="Ann").location
    bob = _send(client, tables[0].token, words, author="Bob")
    assert bob.status_code == 302 and "again=1" not in bob.location
    assert "already sent" not in text(client.get(bob.location))
    assert "again=1" in _send(client, tables[0].token, words, author="Bob").location
    assert [(n.text, n.author) for n in _notes(db_path)] == [(words, "Ann"), (words, "Bob")]


def test_closed_event_says_so_and_accepts_nothing(app, client, db_path):
    _, tables = seed_event(db_path)
    token = csrf(client, f"/t/{tables[0].token}")  # the form was open when the page loaded
    db = open_db(db_path)
    from capture.store import save_event

    save_event(db, "round-2026", status="closed")
    page = client.get(f"/t/{tables[0].token}")
    assert page.status_code == 200
    assert "This event is closed: notes are no longer accepted." in text(page)
    assert "<textarea" not in page.get_data(as_text=True)
    response = client.post(f"/t/{tables[0].token}", data={"csrf_token": token,
                                                           "text": "Late words <b>kept</b>"})
    assert response.status_code == 403
    assert "no longer accepted" in text(response)
    # The walk-through's F11: the words typed are given back, and the page says they were not sent.
    body = response.get_data(as_text=True)
    assert "Your note was not sent: the organiser closed the form before it arrived." in text(response)
    assert "Late words &lt;b&gt;kept&lt;/b&gt;</textarea>" in body
    assert "Thank you for taking part" not in body
    assert count_notes(db_path) == 0


def test_draft_event_is_not_open_yet(app, client, db_path):
    _, tables = seed_event(db_path, status="draft")
    assert "Notes open when the event starts." in text(client.get(f"/t/{tables[0].token}"))


def test_wrong_or_stale_table_link_is_a_friendly_404(app, client, db_path):
    seed_event(db_path)
    for path in ("/t/not-a-real-token", "/t/not-a-real-token/thanks"):
        response = client.get(path)
        assert response.status_code == 404
        assert "This table link is not valid. Ask the organiser for the current one." in text(response)
    assert client.post("/t/not-a-real-token", data={"text": "x"}).status_code in (400, 404)
    assert count_notes(db_path) == 0


def test_note_with_markup_is_shown_inert_to_organisers(app, client, db_path):
    _, tables = seed_event(db_path)
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    _send(client, tables[0].token, hostile, author="<b>Bob</b>")
    organiser = app.test_client()
    login(organiser)
    for path in ("/events/round-2026/moderate", "/events/round-2026/live"):
        body = organiser.get(path).get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body and "<b>Bob" not in body
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body
    assert organiser.get("/events/round-2026/notes.json").get_json()["notes"][0]["text"] == hostile


def test_300_attendees_behind_one_address_all_get_through(app, db_path):
    # A whole room shares the venue's one public address: each phone is its own session.
    _, tables = seed_event(db_path)
    statuses = []
    for i in range(300):
        phone = app.test_client()
        statuses.append(_send(phone, tables[i % 2].token, f"Note number {i} from a phone").status_code)
    assert statuses == [302] * 300
    assert count_notes(db_path) == 300


def test_one_session_flooding_is_refused_429_with_a_friendly_message(app, client, db_path):
    _, tables = seed_event(db_path)
    per_session = int(app.config["SUBMIT_LIMIT_PER_SESSION"].split()[0])
    form_token = csrf(client, f"/t/{tables[0].token}")
    codes = [client.post(f"/t/{tables[0].token}",
                         data={"csrf_token": form_token, "text": f"flood {i}"}).status_code
             for i in range(per_session)]
    assert codes == [302] * per_session
    refused = client.post(f"/t/{tables[0].token}", data={"csrf_token": form_token, "text": "one more"})
    assert refused.status_code == 429
    # Issue 13: the form again, the note kept, the reason in plain words (it was a bare error page).
    assert "many notes came from here in the last minute. Wait a minute, then press Send note again" \
        in text(refused)
    assert "one more</textarea>" in text(refused)
    assert count_notes(db_path) == per_session
    # Another phone in the same room is not held back by the flood.
    assert _send(app.test_client(), tables[0].token, "a different phone").status_code == 302


def test_per_address_ceiling_applies_across_sessions(db_path, tmp_path):
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE": str(db_path), "SECRET_KEY": "k",
                      "SUBMIT_LIMIT_PER_ADDRESS": "5 per minute"})
    _, tables = seed_event(db_path)
    codes = [_send(app.test_client(), tables[0].token, f"n{i}").status_code for i in range(6)]
    assert codes == [302] * 5 + [429]
    assert count_notes(db_path) == 5
