"""The attendee form behind each table's link: no account, anonymous unless a name is given."""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from capture.errors import HarvestError, NotFound
from capture.importers.base import plain_spaces
from capture.models import Event, Note, Table
from capture.store import MAX_NOTE_CHARS, add_notes, find_note_by_source, table_by_token
from web.db import get_db
from web.form_cache import form_page, submission_key
from web.rate_limits import client_address, rate_limits

bp = Blueprint("capture", __name__, url_prefix="/t")

ROLE_CHOICES = [SelectChoice("", "Prefer not to say"), SelectChoice("attendee", "Attendee"),
                SelectChoice("scribe", "Table scribe"), SelectChoice("speaker", "Speaker")]


class NoteForm(FlaskForm):
    """An attendee's note, with an optional name and role."""

    class Meta:
        # CSRFProtect checks every POST's token before any view runs; checking it again here (and
        # signing a token that is never used on each POST) doubled that cost. The template writes
        # the session's token itself.
        csrf = False

    # No length validator here: the store's limit gives the message, so form and CLI agree. No
    # maxlength either: a browser cuts a longer paste to it without a word (walk-through F3); the
    # counter (counter.js) reads data-limit and warns instead, and the server refuses with the
    # words given back.
    text = TextAreaField("Your note", render_kw={"data-limit": MAX_NOTE_CHARS, "rows": 8})
    author = StringField("Your name (optional)", validators=[Optional(), Length(max=200)])
    role = SelectField("You are (optional)", choices=ROLE_CHOICES, default="", validate_choice=True)
    # A random key per rendered form: a POST sent again (the answer was lost, the phone retried,
    # the attendee pressed Send twice) carries the same key and is stored once.
    submission = HiddenField(default=submission_key)


_SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


# Control characters (NUL, escape...) have no place in a note; line breaks and tabs do.
_CONTROL = {c: None for c in range(32) if chr(c) not in "\n\t"} | {0x7F: None}


def typed_text(value: str | None) -> str:
    """Text typed into the form: control characters dropped, odd spaces made plain, ends stripped."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return plain_spaces(text.translate(_CONTROL)).strip()


SENT_REMEMBERED = 5  # notes per browser session recognised when sent again


def _session_key() -> str:
    """Rate-limit key: the browser session's random id (set when the form is shown)."""
    return "session:" + (session.get("sid") or client_address())


def _address_key() -> str:
    return "address:" + client_address()


def _within_limits() -> bool:
    """Count this note against the per-session limit, then (if within it) the per-address ceiling."""
    limits, config = rate_limits(current_app), current_app.config
    return (limits.hit(config["SUBMIT_LIMIT_PER_SESSION"], "submit-session", _session_key())
            and limits.hit(config["SUBMIT_LIMIT_PER_ADDRESS"], "submit-address", _address_key()))


def _ensure_session_id() -> None:
    if "sid" not in session:
        session["sid"] = secrets.token_urlsafe(16)


def _lookup(token: str) -> tuple[Event, Table]:
    try:
        return table_by_token(get_db(), token)
    except NotFound as exc:
        abort(404, description=str(exc))


def _accepting(event: Event) -> bool:
    return event.status == "open"


@bp.route("/<token>", methods=("GET", "POST"))
def form(token: str):
    """Show the note form; on POST store the note and go to the confirmation page."""
    if request.method == "POST" and not _within_limits():
        abort(429)
    event, table = _lookup(token)
    _ensure_session_id()
    if not _accepting(event):
        if request.method == "POST":
            # Sent as the form closed: say it was not stored, and give the words back to keep.
            return render_template("capture/closed.html", event=event, table=table,
                                   unsent=typed_text(request.form.get("text"))[:100_000]), 403
        return render_template("capture/closed.html", event=event, table=table), 200
    if request.method == "GET" and g.get("user") is None and "_flashes" not in session:
        # An attendee's page: the same for everyone at the table but for the token and key.
        return form_page(event, table, lambda csrf, key: render_template(
            "capture/form.html", event=event, table=table, form=NoteForm(data={"submission": key}),
            csrf_value=csrf))
    note_form = NoteForm()
    if note_form.validate_on_submit():
        key = note_form.submission.data if _SUBMISSION_KEY.match(note_form.submission.data or "") else None
        db = get_db()
        if key and find_note_by_source(db, event, "form", key) is not None:
            return redirect(url_for("capture.thanks", token=token))  # sent again: stored already
        typed = typed_text(note_form.text.data)
        author = typed_text(note_form.author.data) or None
        if _sent_before(table, f"{author or ''}\x00{typed}"):
            # Back, then Send again: the browser gave the page a new key but kept the words.
            return redirect(url_for("capture.thanks", token=token, again=1))
        note = Note(text=typed, table=table.name,
                    author=author,
                    role=note_form.role.data or None, source="form", source_ref=key,
                    status="approved" if event.approve_by_default else "pending")
        try:
            add_notes(db, event, [note], skip_existing=False,
                      max_chars=current_app.config["MAX_NOTE_CHARS"])
        except HarvestError as exc:
            # The form is shown again holding every word sent: say so, the attendee need not retype.
            reason = str(exc)
            if typed:
                reason = (f"Your note was not sent: {reason[:1].lower()}{reason[1:]} "
                          "All your words are still in the box.")
            note_form.text.errors.append(reason)
        except sqlite3.IntegrityError:
            # The same key stored by a concurrent request (a double tap): that one is the note.
            if not key or find_note_by_source(db, event, "form", key) is None:
                raise
            return redirect(url_for("capture.thanks", token=token))
        else:
            _remember_sent(table, f"{author or ''}\x00{typed}")
            return redirect(url_for("capture.thanks", token=token))
    code = 400 if request.method == "POST" else 200
    return render_template("capture/form.html", event=event, table=table, form=note_form), code


def _sent_digest(table: Table, text: str) -> str:
    return hashlib.sha256(f"{table.token}\x00{text}".encode()).hexdigest()[:16]


def _sent_before(table: Table, text: str) -> bool:
    """Whether this browser session already sent these very words (and name) at this table."""
    return _sent_digest(table, text) in session.get("sent", [])


def _remember_sent(table: Table, text: str) -> None:
    """Keep a hash (never the words) of the session's last few notes in its signed cookie."""
    session["sent"] = [*session.get("sent", []), _sent_digest(table, text)][-SENT_REMEMBERED:]


@bp.errorhandler(CSRFError)
def expired(_error):
    """A form whose session was lost (cookies cleared, server key changed): keep the words, ask again."""
    token = (request.view_args or {}).get("token", "")
    try:
        event, table = table_by_token(get_db(), token)
    except NotFound as exc:  # inside an error handler abort() would not be handled again
        return render_template("error.html", code=404, message=str(exc)), 404
    _ensure_session_id()
    note_form = NoteForm()  # refilled from the post, with a fresh token
    return render_template("capture/form.html", event=event, table=table, form=note_form,
                           expired=True), 400


@bp.errorhandler(429)
def too_many(_error):
    """Over the rate limit: the form again with the note as typed and when to send it, not a bare page."""
    token = (request.view_args or {}).get("token", "")
    try:
        event, table = table_by_token(get_db(), token)
    except NotFound as exc:
        return render_template("error.html", code=404, message=str(exc)), 404
    note_form = NoteForm()  # refilled from the post
    return render_template("capture/form.html", event=event, table=table, form=note_form,
                           slow_down=True), 429


@bp.route("/<token>/thanks")
def thanks(token: str):
    """Confirmation after a note was sent, with a way to add another."""
    event, table = _lookup(token)
    return render_template("capture/thanks.html", event=event, table=table)
