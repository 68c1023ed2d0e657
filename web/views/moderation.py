"""Organisers watch notes arrive per table, and approve, hide or edit them; every action is logged."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from capture.errors import HarvestError, NotFound
from capture.models import Note
from capture.store import (
    atomic,
    count_notes,
    edit_note_text,
    get_note,
    list_notes,
    list_tables,
    moderation_log,
    save_event,
    set_note_status,
)
from web.access import event_role
from web.app import SQLITE_MAX_INT
from web.db import get_db
from web.views.events import event_or_404

bp = Blueprint("moderation", __name__, url_prefix="/events")

STATUSES = ("pending", "approved", "hidden")


def note_json(note: Note) -> dict:
    """A note as the live view and the API give it."""
    return {"id": note.id, "number": note.number, "ref": note.ref, "table": note.table, "text": note.text,
            "original_text": note.original_text, "author": note.author, "role": note.role,
            "attribution": note.attribution, "source": note.source, "status": note.status,
            "created_at": note.created_at}


SINCE_ERROR = "since must be a note id (a whole number)."


def since_arg() -> int | None:
    """The ?since=ID of a polling request (0 when absent), or None when it is not a note id."""
    value = request.args.get("since", "0")
    if not (value.isascii() and value.isdecimal()) or int(value) > SQLITE_MAX_INT:
        return None
    return int(value)


# Pages bound what one answer holds: 100,000 notes made the moderation page 65 MB.
PAGE_SIZE = 200
LIVE_NOTES = 500
API_LIMIT, API_MAX_LIMIT = 500, 1000
LIMIT_ERROR = f"limit must be a whole number from 1 to {API_MAX_LIMIT}."


def limit_arg() -> int | None:
    """The ?limit=N of a JSON list (API_LIMIT when absent), or None when it is out of range."""
    value = request.args.get("limit", str(API_LIMIT))
    if not (value.isascii() and value.isdecimal()) or not 1 <= int(value) <= API_MAX_LIMIT:
        return None
    return int(value)


def notes_page(event, since: int, limit: int, status: str | None = None, table: str | None = None) -> dict:
    """One page of notes above `since` for the JSON answers: notes, last_id, and whether more follow
    (ask again with since=last_id)."""
    found = list_notes(get_db(), event, status=status, table=table, since_id=since, limit=limit + 1)
    more = len(found) > limit
    found = found[:limit]
    return {"notes": [note_json(n) for n in found], "last_id": found[-1].id if found else since,
            "more": more}


def _actor() -> str | None:
    return g.user["email"] if g.get("user") else None


@bp.route("/<slug>/live")
@event_role("moderator")
def live(slug: str):
    """Notes arriving, one column per table; static/live.js polls notes.json for new ones."""
    event = event_or_404(slug)
    db = get_db()
    notes = list_notes(db, event, limit=LIVE_NOTES, newest_first=True)[::-1]  # the latest, in order
    columns: dict[str, list[Note]] = {t.name: [] for t in list_tables(db, event)}
    for note in notes:
        columns.setdefault(note.table or "No table", []).append(note)
    last_id = notes[-1].id if notes else 0
    return render_template("moderation/live.html", event=event, columns=columns, last_id=last_id,
                           shown=len(notes), total=count_notes(db, event))


@bp.route("/<slug>/notes.json")
@event_role("moderator")
def notes_json(slug: str):
    """Notes with an id above ?since=ID, for the live view's polling."""
    event = event_or_404(slug)
    since, limit = since_arg(), limit_arg()
    if since is None or limit is None:
        return {"error": SINCE_ERROR if since is None else LIMIT_ERROR}, 400
    return notes_page(event, since, limit)


@bp.route("/<slug>/moderate", methods=("GET", "POST"))
@event_role("moderator")
def queue(slug: str):
    """The moderation queue: filter by status and table; approve or hide one, several or all."""
    event = event_or_404(slug)
    db = get_db()
    if request.method == "POST":
        action = request.form.get("action", "")
        done = _apply_moderation(db, event, action, request.form.getlist("ids"),
                                 shown=request.form.getlist("shown"))
        flash(done, "ok")
        # Back to the note acted on (or the first one ticked), not the top of the page.
        target = action.partition(":")[2]
        ticked = [i for i in request.form.getlist("ids") if i.isascii() and i.isdecimal()]
        anchor = f"note-{target}" if target.isdecimal() else f"note-{ticked[0]}" if ticked else None
        return redirect(url_for("moderation.queue", slug=slug, status=request.args.get("status"),
                                table=request.args.get("table"), page=request.args.get("page"),
                                _anchor=anchor))
    status = request.args.get("status") or None
    if status not in (None, *STATUSES):
        abort(400, description=f"Unknown status {status!r}: use pending, approved or hidden.")
    table = request.args.get("table") or None
    page = request.args.get("page", "1")
    if not (page.isascii() and page.isdecimal()) or not 1 <= int(page) <= SQLITE_MAX_INT // PAGE_SIZE:
        abort(400, description="page must be a whole number from 1.")
    page = int(page)
    total = count_notes(db, event, status=status, table=table)
    notes = list_notes(db, event, status=status, table=table, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("moderation/queue.html", event=event, notes=notes, status=status,
                           table=table, tables=list_tables(db, event), statuses=STATUSES, page=page,
                           total=total, first=(page - 1) * PAGE_SIZE + 1,
                           pages=max(1, -(-total // PAGE_SIZE)))


def _apply_moderation(db, event, action: str, ids: list[str], shown: list[str] | None = None) -> str:
    """Run one moderation action from the queue form; returns what was done, for the flash.

    "All pending" means the pending notes the page showed (`shown`): a moderator approves
    nothing from a table they filtered out, nor a note that arrived after the page loaded."""
    verb, _, target = action.partition(":")
    if verb not in ("approve", "hide", "pending"):
        abort(400, description="Unknown moderation action.")
    status = {"approve": "approved", "hide": "hidden", "pending": "pending"}[verb]
    if target == "selected":
        # isdecimal, not isdigit: int() refuses digits such as "²" that isdigit() accepts.
        note_ids = [int(i) for i in ids if i.isascii() and i.isdecimal()]
        if not note_ids:
            return "Nothing selected: tick the notes first."
    elif target == "all-pending":
        seen = {int(i) for i in shown or [] if i.isascii() and i.isdecimal()}
        note_ids = [n.id for n in list_notes(db, event, status="pending") if n.id in seen]
        if not note_ids:
            return "No pending notes were shown: nothing approved."
    elif target.isascii() and target.isdecimal():
        note_ids = [int(target)]
    else:
        abort(400, description="Unknown moderation action.")
    owned = {n.id for n in list_notes(db, event)}
    if any(i not in owned for i in note_ids):
        abort(404, description="That note is not in this event.")
    with atomic(db):
        for note_id in note_ids:
            set_note_status(db, note_id, status, actor=_actor())
    return f"{len(note_ids)} note{'' if len(note_ids) == 1 else 's'} set to {status}."


class EditForm(FlaskForm):
    """The corrected text of a note."""

    text = TextAreaField("Text")


@bp.route("/<slug>/notes/<int:note_id>/edit", methods=("GET", "POST"))
@event_role("moderator")
def edit(slug: str, note_id: int):
    """Correct a note's text; the original stays stored and shown."""
    event = event_or_404(slug)
    try:
        note = get_note(get_db(), note_id)
    except NotFound:
        abort(404, description="There is no such note.")
    if note.event_id != event.id:
        abort(404, description="That note is not in this event.")
    form = EditForm(data={"text": note.text})
    if form.validate_on_submit():
        try:
            edit_note_text(get_db(), note_id, form.text.data or "", actor=_actor())
        except HarvestError as exc:
            form.text.errors.append(str(exc))
        else:
            flash("Note saved; the original text is kept.", "ok")
            return redirect(url_for("moderation.queue", slug=slug))
    code = 400 if request.method == "POST" else 200
    return render_template("moderation/edit.html", event=event, note=note, form=form), code


@bp.route("/<slug>/approve-by-default", methods=("POST",))
@event_role("moderator")
def approve_by_default(slug: str):
    """Turn approve-by-default on or off for new attendee notes."""
    event = event_or_404(slug)
    value = request.form.get("value") == "on"
    save_event(get_db(), event.slug, approve_by_default=value)
    flash("New notes are now approved on arrival." if value
          else "New notes now wait for moderation.", "ok")
    return redirect(url_for("moderation.queue", slug=slug))


@bp.route("/<slug>/log")
@event_role("moderator")
def log(slug: str):
    """The moderation log: who approved, hid or edited which note, and when."""
    event = event_or_404(slug)
    return render_template("moderation/log.html", event=event, entries=moderation_log(get_db(), event))
