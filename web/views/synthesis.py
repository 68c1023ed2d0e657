"""Synthesis from the page: start a run (it happens outside the request), watch it, see the themes."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from capture.errors import HarvestError
from capture.models import Event
from capture.store import note_counts
from synthesis.runs import latest_run, run_number
from web.access import event_role
from web.db import get_db
from web.views.events import event_or_404

bp = Blueprint("synthesis", __name__, url_prefix="/events")


class StartForm(FlaskForm):
    """Start a run, optionally naming the themes the organiser expects."""

    themes = StringField("Themes you expect (optional, separated by semicolons)",
                         validators=[Optional(), Length(max=2000)])


def current_result(db, event: Event) -> dict | None:
    """The themes organisers see: the last successful result with their edits applied."""
    from web.review import edited_result

    return edited_result(db, event)


def _render(event: Event, form: StartForm, code: int = 200):
    db = get_db()
    run = latest_run(db, event)
    active = run is not None and run["status"] in ("queued", "running")
    approved = note_counts(db, event)["approved"]
    return render_template("synthesis/page.html", event=event, run=run, active=active,
                           number=run_number(db, run) if run else None,
                           result=current_result(db, event), form=form, approved=approved), code


@bp.route("/<slug>/synthesis")
@event_role("editor")
def page(slug: str):
    """Progress of the latest run (refreshing itself while it runs) and the current themes."""
    return _render(event_or_404(slug), StartForm())


@bp.route("/<slug>/synthesis", methods=("POST",))
@event_role("editor")
def start(slug: str):
    """Start a run and return at once to the progress page (409 if one is already going)."""
    from web.worker import start_synthesis

    event = event_or_404(slug)
    form = StartForm()
    if not form.validate_on_submit():
        return _render(event, form, 400)
    themes = [t.strip() for t in (form.themes.data or "").split(";") if t.strip()]
    try:
        start_synthesis(current_app._get_current_object(), get_db(), event, themes)
    except HarvestError as exc:
        form.form_errors.append(str(exc))
        return _render(event, form, 409)
    in_thread = current_app.config.get("SYNTHESIS_IN_THREAD", True)
    flash("Synthesis started: this page follows its progress." if in_thread else "Synthesis done.", "ok")
    return redirect(url_for("synthesis.page", slug=slug))


@bp.route("/<slug>/synthesis/cancel", methods=("POST",))
@event_role("editor")
def cancel(slug: str):
    """Cancel the event's running synthesis (whichever process runs it); the last result stays."""
    from synthesis.runs import cancel_run

    event = event_or_404(slug)
    if not FlaskForm().validate_on_submit():
        return _render(event, StartForm(), 400)
    cancelled = cancel_run(get_db(), event, actor=g.user["email"] if g.get("user") else None)
    flash(f"Synthesis run {cancelled['id']} cancelled." if cancelled else "No synthesis was running.", "ok")
    return redirect(url_for("synthesis.page", slug=slug))
