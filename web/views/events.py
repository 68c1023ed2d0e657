"""Organiser pages for events and their tables: list, create, edit, attendee links, QR codes, cards."""

from __future__ import annotations

import io
import re

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from slugify import slugify as to_slug
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from capture.errors import HarvestError
from capture.models import Event, Table
from capture.names import clean_name
from capture.series import ALL, event_series, find_series, list_series, set_event_series
from capture.store import (
    add_table,
    atomic,
    delete_table,
    find_event,
    list_tables,
    note_counts,
    rename_table,
    renew_table_link,
    save_event,
    table_note_count,
)
from web.access import (
    ROLE_HELP,
    ROLES,
    delete_event,
    event_role,
    list_members,
    may_edit_network,
    share,
    unshare,
    visible_events,
)
from web.auth import login_required
from web.db import get_db

bp = Blueprint("events", __name__, url_prefix="/events")

STATUS_CHOICES = [SelectChoice("open", "Open: attendees can send notes"),
                  SelectChoice("closed", "Closed: no more notes"),
                  SelectChoice("draft", "Draft: not yet open")]


class EventForm(FlaskForm):
    """An event's details, status and moderation setting."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    slug = StringField("Short name for links (letters, digits, hyphens)",
                       validators=[Optional(), Length(max=80)])
    # A date picker where the browser has one; it sends YYYY-MM-DD, as the store expects.
    date = StringField("Date", validators=[Optional(), Length(max=10)], render_kw={"type": "date"})
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    questions = TextAreaField("Questions posed (one per line)", validators=[Optional(), Length(max=5000)])
    chatham_house = BooleanField("Under the Chatham House Rule (no names in anything published)")
    status = SelectField("Status", choices=STATUS_CHOICES, default="open")
    approve_by_default = BooleanField("Approve attendee notes without moderation")
    series = SelectField("Series (for network digests)", default="", validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The series to choose from are the database's, read when the form is made.
        self.series.choices = [SelectChoice("", "None")] + [
            SelectChoice(s.slug, s.title) for s in list_series(get_db())]


class TableForm(FlaskForm):
    """A table of an event: its name, question and host."""

    name = StringField("Table name or number", validators=[DataRequired(), Length(max=100)])
    question = StringField("Its question or topic", validators=[Optional(), Length(max=500)])
    host = StringField("Host", validators=[Optional(), Length(max=200)])


class ShareForm(FlaskForm):
    """Share the event with another organiser account, in a role."""

    email = EmailField("Organiser's email (their account must exist)",
                       validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", default="editor", validate_choice=True,
                       choices=[SelectChoice(r, f"{r.capitalize()}: {ROLE_HELP[r]}") for r in ROLES])


SLUG_LENGTH = 40
_TRAILING_DATE = re.compile(r"-(\d{4}-\d{2}-\d{2})$")


def slugify(text: str, limit: int = SLUG_LENGTH) -> str:
    """A slug from a title: letters kept without their accents ('Café Réunion' -> 'cafe-reunion'),
    other scripts transliterated (python-slugify), lower case, hyphens; at most `limit` characters,
    cut at a word (a trailing date is kept whole: it tells the events of a series apart)."""
    slug = to_slug(text or "") or "event"
    date = _TRAILING_DATE.search(slug)
    tail = date.group(0) if date else ""
    head = slug[:len(slug) - len(tail)] if tail else slug
    room = limit - len(tail)
    if len(head) > room:
        cut = head[:room + 1].rsplit("-", 1)[0] if "-" in head[:room + 1] else ""
        head = cut.strip("-") or head[:room].strip("-")
    return (head + tail).strip("-") or "event"


def event_or_404(slug: str) -> Event:
    """The event, or a friendly 404 page."""
    if g.get("event") is not None and g.event.slug == slug:  # looked up already by `event_role`
        return g.event
    event = find_event(get_db(), slug)
    if event is None:
        abort(404, description=f"There is no event {slug!r}.")
    return event


def attendee_url(table: Table) -> str:
    """The full attendee link of a table (PUBLIC_URL when set, else this request's host)."""
    base = current_app.config.get("PUBLIC_URL")
    path = url_for("capture.form", token=table.token)
    return base.rstrip("/") + path if base else url_for("capture.form", token=table.token, _external=True)


def links_are_local() -> bool:
    """True when attendee links would point at this computer (no PUBLIC_URL, served on localhost)."""
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    return not current_app.config.get("PUBLIC_URL") and host in ("127.0.0.1", "localhost", "[::1]")


def _form_values(form: EventForm) -> dict:
    questions = [q.strip() for q in (form.questions.data or "").splitlines() if q.strip()]
    return {"title": form.title.data.strip(), "date": (form.date.data or "").strip(),
            "venue": (form.venue.data or "").strip(), "description": (form.description.data or "").strip(),
            "questions": questions, "chatham_house": bool(form.chatham_house.data),
            "status": form.status.data, "approve_by_default": bool(form.approve_by_default.data)}


@bp.route("/")
@login_required
def index():
    """The events this organiser may open (all of them for an admin), newest first, and the
    network digests they may edit."""
    db = get_db()
    networks = [(s.slug, s.title) for s in list_series(db) if may_edit_network(db, g.user, s.slug)]
    if may_edit_network(db, g.user, ALL):
        networks.append((ALL, "All published events"))
    return render_template("events/index.html", events=visible_events(db, g.user), networks=networks)


@bp.route("/new", methods=("GET", "POST"))
@login_required
def new():
    """Create an event."""
    form = EventForm()
    if form.validate_on_submit():
        db = get_db()
        slug = (form.slug.data or "").strip() or slugify(
            f"{form.title.data} {form.date.data or ''}")
        if find_event(db, slug) is not None:
            form.slug.errors.append(f"An event {slug!r} exists already; choose another short name.")
        else:
            try:
                with atomic(db):  # the event and its owner, or neither
                    event = save_event(db, slug, **_form_values(form))
                    chosen = find_series(db, form.series.data) if form.series.data else None
                    set_event_series(db, event, chosen)
                    share(db, event, g.user["email"], "owner")
            except HarvestError as exc:
                _error_beside_field(form, exc)
            else:
                flash(f"Event {event.title!r} created. Add its tables below.", "ok")
                return redirect(url_for("events.show", slug=event.slug))
    status = 400 if request.method == "POST" else 200
    return render_template("events/form.html", form=form, event=None), status


@bp.route("/<slug>/edit", methods=("GET", "POST"))
@event_role("editor")
def edit(slug: str):
    """Edit an event's details, status and moderation setting."""
    event = event_or_404(slug)
    form = EventForm(obj=_FormData(event))
    if event.status == "published":
        form.status.choices = [*STATUS_CHOICES, SelectChoice("published", "Published")]
    if form.validate_on_submit():
        try:
            with atomic(get_db()):
                saved = save_event(get_db(), slug, **_form_values(form))
                chosen = find_series(get_db(), form.series.data) if form.series.data else None
                set_event_series(get_db(), saved, chosen)
        except HarvestError as exc:
            _error_beside_field(form, exc)
        else:
            flash("Event saved.", "ok")
            return redirect(url_for("events.show", slug=slug))
    status = 400 if request.method == "POST" else 200
    return render_template("events/form.html", form=form, event=event), status


def _error_beside_field(form: EventForm, exc: HarvestError) -> None:
    """Put the store's reason beside the field it is about (slug, date, status), else atop the form."""
    message = str(exc)
    for name in ("slug", "date", "status"):
        if message.startswith(f"Invalid {'event ' if name == 'slug' else ''}{name}"):
            getattr(form, name).errors.append(message)
            return
    form.form_errors.append(message)


class _FormData:
    """An event shaped like the form (questions one per line)."""

    def __init__(self, event: Event):
        for name in ("title", "slug", "date", "venue", "description", "chatham_house", "status",
                     "approve_by_default"):
            setattr(self, name, getattr(event, name))
        self.questions = "\n".join(event.questions)
        series = event_series(get_db(), event)
        self.series = series.slug if series else ""


@bp.route("/<slug>")
@event_role("moderator")
def show(slug: str):
    """An event: details, tables with their attendee links and QR codes, and what to do next."""
    return _render_show(event_or_404(slug))


@bp.route("/<slug>/tables", methods=("POST",))
@event_role("editor")
def add_table_view(slug: str):
    """Add a table (or update the question and host of one with the same name)."""
    event = event_or_404(slug)
    form = TableForm()
    db = get_db()
    if form.validate_on_submit():
        try:
            table = add_table(db, event, form.name.data, form.question.data or None, form.host.data or None)
        except HarvestError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(f"Table {table.name!r} is ready: its attendee link and QR code are on this page.", "ok")
            # Back at the form, just below the new table's card: adding the next one needs no scrolling.
            return redirect(url_for("events.show", slug=slug, _anchor="add-table"))
    return _render_show(event, 400, table_form=form)


def _table_or_404(event: Event, table_id: int) -> Table:
    for table in list_tables(get_db(), event):
        if table.id == table_id:
            return table
    abort(404, description="This event has no such table.")


@bp.route("/<slug>/tables/<int:table_id>/qr.svg")
@event_role("moderator")
def qr(slug: str, table_id: int):
    """The QR code of a table's attendee link, as SVG."""
    table = _table_or_404(event_or_404(slug), table_id)
    buffer = io.BytesIO()
    segno.make(attendee_url(table), error="m").save(buffer, kind="svg", scale=4, border=2,
                                                    # Tables made before names were cleaned too.
                                                    title=f"Attendee link of {clean_name(table.name)}")
    return Response(buffer.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=300"})


@bp.route("/<slug>/cards")
@event_role("moderator")
def cards(slug: str):
    """A printable page of table cards: name, question and QR code of each table."""
    event = event_or_404(slug)
    tables = list_tables(get_db(), event)
    return render_template("events/cards.html", event=event, tables=tables,
                           links={t.id: attendee_url(t) for t in tables}, local=links_are_local())


@bp.route("/<slug>/tables/<int:table_id>/<any('rename', 'delete', 'new-link'):action>", methods=("POST",))
@event_role("editor")
def table_action(slug: str, table_id: int, action: str):
    """Rename a table, delete it (its notes, if any, moved to 'no table' when ticked), or give it a
    new attendee link (the old one stops working). Refused beside the table, with the reason."""
    event = event_or_404(slug)
    db = get_db()
    table = _table_or_404(event, table_id)
    try:
        if action == "rename":
            renamed = rename_table(db, event, table_id, request.form.get("name", ""))
            message = f"Table {table.name!r} is now {renamed.name!r}; its link and notes are unchanged."
        elif action == "delete":
            moved = delete_table(db, event, table_id, move_notes=request.form.get("move_notes") == "on")
            message = f"Table {table.name!r} was deleted" + (
                f"; its {moved} note{'' if moved == 1 else 's'} now have no table." if moved else ".")
        else:
            renew_table_link(db, event, table_id)
            message = f"Table {table.name!r} has a new attendee link; the old link no longer works."
    except HarvestError as exc:
        return _render_show(event, 400, table_error=(table_id, action, str(exc),
                                                     request.form.get("name")))
    flash(message, "ok")
    return redirect(url_for("events.show", slug=slug, _anchor=f"table-{table_id}" if action != "delete"
                            else "tables"))


def _render_show(event: Event, code: int = 200, share_form: ShareForm | None = None,
                 delete_error: str | None = None, table_form: TableForm | None = None,
                 table_error: tuple | None = None):
    """The event page, with the owner's sharing and delete forms (and any error beside them)."""
    db = get_db()
    tables = list_tables(db, event)
    counts = note_counts(db, event)
    return render_template("events/show.html", event=event, tables=tables, counts=counts,
                           links={t.id: attendee_url(t) for t in tables}, form=table_form or TableForm(),
                           local=links_are_local(), members=list_members(db, event),
                           share_form=share_form or ShareForm(), delete_error=delete_error,
                           table_error=table_error,
                           table_notes={t.id: table_note_count(db, t) for t in tables}), code


@bp.route("/<slug>/share", methods=("POST",))
@event_role("owner")
def share_view(slug: str):
    """Share the event with an organiser account by email, or change their role."""
    event = event_or_404(slug)
    form = ShareForm()
    if form.validate_on_submit():
        try:
            member = share(get_db(), event, form.email.data, form.role.data)
        except HarvestError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(f"{member['email']} is now {member['role']} of this event.", "ok")
            return redirect(url_for("events.show", slug=slug, _anchor="sharing"))
    return _render_show(event, 400, share_form=form)


@bp.route("/<slug>/unshare", methods=("POST",))
@event_role("owner")
def unshare_view(slug: str):
    """Take the event away from an organiser it was shared with."""
    event = event_or_404(slug)
    form = ShareForm()
    email = (request.form.get("email") or "").strip()
    try:
        unshare(get_db(), event, email)
    except HarvestError as exc:
        form.email.errors = [str(exc)]  # the form was not validated: its errors are still a tuple
        return _render_show(event, 400, share_form=form)
    flash(f"{email} no longer has this event.", "ok")
    if email.lower() == g.user["email"].lower() and not g.user.get("is_admin"):
        return redirect(url_for("events.index"))
    return redirect(url_for("events.show", slug=slug, _anchor="sharing"))


@bp.route("/<slug>/delete", methods=("POST",))
@event_role("owner")
def delete(slug: str):
    """Delete the event and all its notes, runs and digests, once its short name is typed to confirm."""
    event = event_or_404(slug)
    if (request.form.get("confirm") or "").strip() != event.slug:
        return _render_show(event, 400, delete_error=f"Type the event's short name, {event.slug}, "
                                                     "to confirm deleting it.")
    delete_event(get_db(), event, actor=g.user["email"])
    flash(f"Event {event.title!r} and everything in it were deleted.", "ok")
    return redirect(url_for("events.index"))
