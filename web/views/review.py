"""Organiser review: edit themes, edit the digest draft, confirm redactions, publish (login required)."""

from __future__ import annotations

import hashlib
import re

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup

from capture.errors import HarvestError, NotFound
from capture.store import note_counts, note_numbers
from synthesis.citation import quote_from_segment, with_citation
from web.access import event_role
from web.audit import audit_entries
from web.db import get_db
from web.publish.charts import cached_chart_svg, chart_key
from web.publish.digest import build_data, chart_data
from web.publish.drafts import draft_status, regenerate_draft
from web.publish.publishing import (
    discard_draft,
    draft_markdown,
    get_draft,
    list_versions,
    publish,
    save_draft,
    withdraw,
)
from web.publish.redact import (
    confirm_all,
    final_pass,
    keep_as_written,
    redaction_rows,
    redactor_for,
    set_redaction,
    unconfirmed,
)
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
@event_role("editor")
def themes(slug: str):
    """The themes with the organiser's edits applied, edit controls, and what could not be kept."""
    return _render_themes(event_or_404(slug))


def _render_themes(event, code: int = 200, error: dict | None = None):
    """The Themes tab; after a refused edit, its reason beside the form it came from, as typed.

    `error` is {"theme", "op", "message", "typed"} (typed: the form's fields as sent)."""
    result, unkept = edited_result_with_report(get_db(), event)
    numbers = note_numbers(get_db(), event)
    return render_template("review/themes.html", event=event, result=result, unkept=unkept,
                           # A segment cites its note as quotes and moderation do: "Table 2, note 5".
                           cite=lambda s: quote_from_segment(s, numbers)["cite"] or f"note {s['note']}",
                           # A quote by the same number: its text and its buttons' labels agree.
                           quote_cite=lambda q: with_citation(q, numbers)["cite"] or f"note {q['note']}",
                           edits=list_edits(get_db(), event), segment_key=segment_key,
                           quote_key=quote_key, error=error,
                           published=_published_labels(event, result)), code


def _published_labels(event, result: dict | None) -> dict[str, str]:
    """Under the Chatham House Rule, the labels the digest will show where they differ from the
    review's (a label that names a person is published as its other keywords): {theme id: label}."""
    if not event.chatham_house or not result:
        return {}
    themes = [{"label": t["label"], "keywords": t.get("keywords", [])} for t in result["themes"]]
    safe = final_pass(redactor_for(get_db(), event, result.get("entities")), {"themes": themes})
    return {t["id"]: shown["label"] for t, shown in zip(result["themes"], safe["themes"], strict=True)
            if shown["label"] != t["label"]}


@bp.route("/<slug>/edit", methods=("POST",))
@event_role("editor")
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
            return _render_themes(event, 400, {"theme": fields["theme"], "op": op, "typed": fields,
                                               "message": "That theme is no longer there: the page was "
                                                          "out of date. Here it is as it stands now."})
        i = ids.index(fields["theme"])
        j = i - 1 if op == "up" else i + 1
        if 0 <= j < len(ids):
            ids[i], ids[j] = ids[j], ids[i]
        op, fields = "reorder", {"order": ids}
    try:
        record_edit(get_db(), event, op, actor=g.user["email"], **fields)
    except HarvestError as exc:
        return _render_themes(event, 400, {"theme": fields.get("theme"), "op": op, "typed": fields,
                                           "message": str(exc)})
    flash("Edit saved. It will be re-applied if the synthesis is run again.", "status")
    return redirect(url_for("review.themes", slug=slug) + (f"#theme-{fields.get('theme')}"
                                                           if fields.get("theme") else ""))


@bp.route("/<slug>/undo", methods=("POST",))
@event_role("editor")
def undo(slug: str):
    """Remove the latest edit."""
    event = event_or_404(slug)
    flash("Last edit undone." if undo_last_edit(get_db(), event) else "There was no edit to undo.", "status")
    return redirect(url_for("review.themes", slug=slug))


@bp.route("/<slug>/digest")
@event_role("editor")
def digest(slug: str):
    """Preview the digest and edit its Markdown before publishing."""
    return _render_digest(event_or_404(slug))


def _render_digest(event, code: int = 200, *, errors: dict[str, str] | None = None,
                   typed_markdown: str | None = None, after: str | None = None):
    """The Digest tab; on a refused form, with the reason beside it and what was typed kept.

    `errors` maps a form ('draft', 'publish', 'withdraw') to its message."""
    db = get_db()
    data = build_data(db, event)
    markdown = draft_markdown(db, event, data)
    pending = unconfirmed(db, event)
    # The Markdown links the charts of the version to come, which does not exist yet: the preview
    # shows the same charts drawn from the current data.
    html = re.sub(rf'src="/digests/{re.escape(event.slug)}/v\d+/charts/',
                  f'src="/review/{event.slug}/charts/', markdown_to_html(markdown))
    return render_template("review/digest.html", event=event, shown=_fingerprint(markdown),
                           markdown=markdown if typed_markdown is None else typed_markdown, data=data,
                           html=Markup(html),  # sanitised by nh3
                           edited=get_draft(db, event) is not None, pending=pending,
                           waiting=note_counts(db, event)["pending"],
                           draft=draft_status(db, event, data, preview=True),
                           versions=list_versions(db, event), errors=errors or {}, after=after,
                           history=audit_entries(db, event.slug, limit=20)), code


def _fingerprint(markdown: str) -> str:
    """A hash of the Markdown a page showed as the text to publish (line ends and outer spaces
    aside, as a browser sends a textarea back), to tell an edit typed but not saved."""
    return hashlib.sha256(markdown.replace("\r\n", "\n").strip().encode("utf-8")).hexdigest()


@bp.route("/<slug>/digest", methods=("POST",))
@event_role("editor")
def save_digest(slug: str):
    """Save the edited Markdown as the draft, or reset the draft to the template."""
    event = event_or_404(slug)
    typed = request.form.get("markdown", "")
    try:
        if request.form.get("action") == "reset":
            discard_draft(get_db(), event)
            flash("The draft is back to the template.", "status")
        elif request.form.get("action") == "regenerate":
            if "markdown" in request.form and _fingerprint(typed) != request.form.get("shown"):
                save_draft(get_db(), event, typed)  # typed and not saved: kept in the remade draft
            made = regenerate_draft(get_db(), event)
            both = made["conflicts"]
            flash("The draft was remade from the current themes, with your own text edits kept"
                  + (f" ({both} paragraph(s) the new themes also changed: your version is kept)." if both
                     else ".") + "".join(f" {line}." for line in made["followed"])
                  + (" Some of your text could not stay with its theme: see the box at the top."
                     if made["kept_apart"] else ""), "status")
        else:
            save_draft(get_db(), event, typed)
            flash("Draft saved.", "status")
    except HarvestError as exc:
        return _render_digest(event, 400, errors={"draft": str(exc)}, typed_markdown=typed)
    return redirect(url_for("review.digest", slug=slug))


@bp.route("/<slug>/charts/<any('theme-sizes', 'themes-by-table'):name>.svg")
@event_role("editor")
def chart(slug: str, name: str):
    """A chart of the current (unpublished) digest data: drawn once for the themes as they stand,
    and answered 304 to a browser that already holds it (the tag changes with what it shows)."""
    event = event_or_404(slug)
    data = chart_data(get_db(), event)
    tag = hashlib.sha256(f"{name}\n{chart_key(data)}".encode()).hexdigest()[:32]
    if tag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(cached_chart_svg(name, data), mimetype="image/svg+xml")
    response.set_etag(tag)
    # Private (a login page) and asked again each time: an edit must show at once.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/<slug>/redactions")
@event_role("editor")
def redactions(slug: str):
    """Each name found, in context, with its replacement to confirm or change (nothing is stored
    until the organiser decides)."""
    return _render_redactions(event_or_404(slug))


def _render_redactions(event, code: int = 200, *, error: str | None = None, typed: dict | None = None,
                       message: str | None = None):
    """The Names tab; after a refused form or a one-name decision, with the replacements as typed
    in the other boxes (so a later "Confirm all" still has them)."""
    rows = redaction_rows(get_db(), event)
    decided = {r["key"] for r in rows if r["status"] != "suggested"}
    typed = {k: v for k, v in (typed or {}).items() if k not in decided or error}
    return render_template("review/redactions.html", event=event, rows=rows, error=error,
                           typed=typed, message=message), code


@bp.route("/<slug>/redactions", methods=("POST",))
@event_role("editor")
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
            flash(f"{count} replacement{'' if count == 1 else 's'} confirmed.", "status")
            return redirect(url_for("review.redactions", slug=slug))
        if request.form.get("keep"):
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
    return _render_redactions(event, typed=typed, message=message)


@bp.route("/<slug>/publish", methods=("POST",))
@event_role("editor")
def publish_view(slug: str):
    """Publish a new version, keeping the attendee form open or closing it, as the organiser chose
    (with the form closed: leaving it closed or reopening it).

    The Markdown box is part of the publish form: text typed there and not saved (it differs from
    the text the page was made with) is saved as the draft first, its quotes checked, so Publish
    never publishes without it (second walk-through N2); where it cannot be saved nothing is
    published and the reason is at the top, the text kept as typed. Refused on the same page, with
    the reason, while names are unconfirmed or there is nothing to publish. A post without the
    choice (a script) closes the form, as publishing always did."""
    if request.form.get("action") in ("save", "regenerate"):  # their buttons share the publish form
        return save_digest(slug=slug)
    event = event_or_404(slug)
    db = get_db()
    after = request.form.get("after") or "close"
    typed = request.form.get("markdown")
    if after not in ("keep-open", "close", "reopen"):
        return _render_digest(event, 400, typed_markdown=typed,
                              errors={"publish": "Choose whether attendees may keep sending notes after "
                                                 "publishing."})
    unsaved = typed is not None and _fingerprint(typed) != request.form.get("shown")
    if unsaved:
        try:
            save_draft(db, event, typed)
        except HarvestError as exc:
            return _render_digest(event, 400, errors={
                "draft": str(exc), "publish": "Nothing was published: the text typed in the Markdown box "
                                              "was not saved (the reason is at the top of the page)."},
                typed_markdown=typed, after=after)
    saved = " (The text typed in the Markdown box was saved as the draft.)" if unsaved else ""
    problem = _why_not_publishable(db, event)
    if problem:
        return _render_digest(event, 400, errors={"publish": problem + saved}, after=after)
    try:
        version = publish(db, event, actor=g.user["email"], keep_open=after == "keep-open",
                          reopen=after == "reopen")
    except HarvestError as exc:
        return _render_digest(event, 400, errors={"publish": str(exc) + saved}, after=after)
    still_open = after == "reopen" or (after == "keep-open" and event.status == "open")
    flash(f"Published version {version}"
          + (", with the edits typed in the Markdown box (saved as the draft first). " if unsaved else ". ")
          + ("Attendees can still send notes." if still_open else "The attendee form is closed."), "status")
    return redirect(url_for("digests.show", slug=slug, version=version))


def _why_not_publishable(db, event) -> str | None:
    """Why publishing would be refused, in the words of this page (not the command line's)."""
    result, _ = edited_result_with_report(db, event)
    if not (result or {}).get("themes"):
        return "There are no themes to publish yet: run the synthesis on the Synthesis tab first."
    if event.chatham_house:
        pending = unconfirmed(db, event)
        if pending:
            names = ", ".join(f"{r['original']} (to be replaced by \u201c{r['replacement']}\u201d)"
                              for r in pending[:10])
            more = f" and {len(pending) - 10} more" if len(pending) > 10 else ""
            return (f"This event is under the Chatham House Rule and {_count(len(pending), 'name')} "
                    f"{'is' if len(pending) == 1 else 'are'} not confirmed yet: {names}{more}. "
                    "Confirm them on the Names tab, then publish.")
    return None


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@bp.route("/<slug>/withdraw", methods=("POST",))
@event_role("editor")
def withdraw_view(slug: str):
    """Withdraw a published version: gone from the digest pages, the index and the feed."""
    event = event_or_404(slug)
    raw = request.form.get("version", "")
    if not (raw.isascii() and raw.isdecimal()):
        return _render_digest(event, 400, errors={"withdraw": "Choose a published version to withdraw."})
    try:
        remaining = withdraw(get_db(), event, int(raw), actor=g.user["email"])
    except HarvestError as exc:
        return _render_digest(event, 400, errors={"withdraw": str(exc)})
    flash(f"Version {raw} was withdrawn. " + (f"Readers now see version {remaining['version']}." if remaining
                                              else "Nothing of this event is published now."), "status")
    return redirect(url_for("review.digest", slug=slug, _anchor="versions"))
