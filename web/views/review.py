"""Organiser review: edit themes, edit the digest draft, confirm redactions, publish (login required)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup

from capture.errors import HarvestError, NotFound
from web.auth import login_required
from web.db import get_db
from web.publish.charts import chart_svg
from web.publish.digest import build_data, chart_data
from web.publish.publishing import (
    discard_draft,
    draft_markdown,
    get_draft,
    list_versions,
    publish,
    save_draft,
)
from web.publish.redact import confirm_all, keep_as_written, redaction_rows, set_redaction, unconfirmed
from web.publish.render import markdown_to_html
from web.review import (
    edited_result_with_report,
    list_edits,
    quote_key,
    record_edit,
    segment_key,
    undo_last_edit,
)
from web.views.events import event_or_404

bp = Blueprint("review", __name__, url_prefix="/review")


def _bad(exc: HarvestError):
    abort(400, description=str(exc))


@bp.route("/<slug>")
@login_required
def themes(slug: str):
    """The themes with the organiser's edits applied, edit controls, and what could not be kept."""
    event = event_or_404(slug)
    result, unkept = edited_result_with_report(get_db(), event)
    return render_template("review/themes.html", event=event, result=result, unkept=unkept,
                           edits=list_edits(get_db(), event), segment_key=segment_key,
                           quote_key=quote_key)


@bp.route("/<slug>/edit", methods=("POST",))
@login_required
def edit(slug: str):
    """Store one theme edit (rename, summary, merge, split, hide/pin quote, reorder, drop)."""
    event = event_or_404(slug)
    form = request.form
    op = form.get("op", "")
    fields = {"theme": form.get("theme", ""), "label": form.get("label"), "summary": form.get("summary"),
              "other": form.get("other", ""), "segments": form.getlist("segments"),
              "to": form.get("to", ""), "quote": form.get("quote", "")}
    if op in ("up", "down"):
        result, _ = edited_result_with_report(get_db(), event)
        ids = [t["id"] for t in (result or {"themes": []})["themes"]]
        if fields["theme"] not in ids:
            abort(400, description="No such theme. Reload the review page.")
        i = ids.index(fields["theme"])
        j = i - 1 if op == "up" else i + 1
        if 0 <= j < len(ids):
            ids[i], ids[j] = ids[j], ids[i]
        op, fields = "reorder", {"order": ids}
    try:
        record_edit(get_db(), event, op, actor=g.user["email"], **fields)
    except HarvestError as exc:
        _bad(exc)
    flash("Edit saved. It will be re-applied if the synthesis is run again.", "status")
    return redirect(url_for("review.themes", slug=slug) + (f"#theme-{fields.get('theme')}"
                                                           if fields.get("theme") else ""))


@bp.route("/<slug>/undo", methods=("POST",))
@login_required
def undo(slug: str):
    """Remove the latest edit."""
    event = event_or_404(slug)
    flash("Last edit undone." if undo_last_edit(get_db(), event) else "There was no edit to undo.", "status")
    return redirect(url_for("review.themes", slug=slug))


@bp.route("/<slug>/digest")
@login_required
def digest(slug: str):
    """Preview the digest and edit its Markdown before publishing."""
    event = event_or_404(slug)
    db = get_db()
    data = build_data(db, event)
    markdown = draft_markdown(db, event, data)
    pending = unconfirmed(db, event)
    # The Markdown links the charts of the version to come, which does not exist yet: the preview
    # shows the same charts drawn from the current data.
    html = re.sub(rf'src="/digests/{re.escape(slug)}/v\d+/charts/', f'src="/review/{slug}/charts/',
                  markdown_to_html(markdown))
    return render_template("review/digest.html", event=event, markdown=markdown, data=data,
                           html=Markup(html),  # sanitised by nh3
                           edited=get_draft(db, event) is not None, pending=pending,
                           versions=list_versions(db, event))


@bp.route("/<slug>/digest", methods=("POST",))
@login_required
def save_digest(slug: str):
    """Save the edited Markdown as the draft, or reset the draft to the template."""
    event = event_or_404(slug)
    try:
        if request.form.get("action") == "reset":
            discard_draft(get_db(), event)
            flash("The draft is back to the template.", "status")
        else:
            save_draft(get_db(), event, request.form.get("markdown", ""))
            flash("Draft saved.", "status")
    except HarvestError as exc:
        _bad(exc)
    return redirect(url_for("review.digest", slug=slug))


@bp.route("/<slug>/charts/<any('theme-sizes', 'themes-by-table'):name>.svg")
@login_required
def chart(slug: str, name: str):
    """A chart of the current (unpublished) digest data."""
    event = event_or_404(slug)
    return Response(chart_svg(name, chart_data(get_db(), event)), mimetype="image/svg+xml")


@bp.route("/<slug>/redactions")
@login_required
def redactions(slug: str):
    """Each name found, in context, with its replacement to confirm or change (nothing is stored
    until the organiser decides)."""
    return _render_redactions(event_or_404(slug))


def _render_redactions(event, code: int = 200, *, error: str | None = None, typed: dict | None = None):
    """The Names tab; on a refused form, with the reason and the replacements as typed."""
    rows = redaction_rows(get_db(), event)
    return render_template("review/redactions.html", event=event, rows=rows, error=error,
                           typed=typed or {}), code


@bp.route("/<slug>/redactions", methods=("POST",))
@login_required
def confirm_redactions(slug: str):
    """Confirm one replacement as typed, keep one word as 'not a person', or confirm every undecided
    name with what is typed in its box (the suggestion where nothing was typed)."""
    event = event_or_404(slug)
    db = get_db()
    typed = {key.removeprefix("replacement-"): value for key, value in request.form.items()
             if key.startswith("replacement-")}
    try:
        if request.form.get("action") == "confirm-all":
            count = confirm_all(db, event, typed)
            message = f"{count} replacement{'' if count == 1 else 's'} confirmed."
        elif request.form.get("keep"):
            keep_as_written(db, event, request.form["keep"])
            message = "Kept as written: not a person."
        else:
            key = request.form.get("confirm") or request.form.get("id") or ""
            row = next((r for r in redaction_rows(db, event) if key in (r["key"], str(r["id"]))), None)
            if row is None:
                raise NotFound("No such name. Reload the page.")
            set_redaction(db, event, row["key"], typed.get(row["key"], typed.get(str(row["id"]),
                                                                                 row["replacement"])))
            message = "Replacement confirmed."
    except HarvestError as exc:
        return _render_redactions(event, 400, error=str(exc), typed=typed)
    flash(message, "status")
    return redirect(url_for("review.redactions", slug=slug))


@bp.route("/<slug>/publish", methods=("POST",))
@login_required
def publish_view(slug: str):
    """Publish a new version; refused (with the reason) while redactions are unconfirmed."""
    event = event_or_404(slug)
    try:
        version = publish(get_db(), event, actor=g.user["email"])
    except HarvestError as exc:
        _bad(exc)
    flash(f"Published version {version}.", "status")
    return redirect(url_for("digests.show", slug=slug, version=version))
