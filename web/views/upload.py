"""Upload a transcript or spreadsheet into an event, through the same importers as `harvest import`."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import Length, Optional

from capture.errors import HarvestError
from web.access import event_role
from web.db import get_db
from web.views.events import event_or_404

bp = Blueprint("upload", __name__, url_prefix="/events")


class UploadForm(FlaskForm):
    """A file to import and, for spreadsheets, which columns hold what."""

    file = FileField("File (.txt, .md, .docx, .csv, .xlsx, .vtt, .srt)")
    table = StringField("Table these notes came from (optional)", validators=[Optional(), Length(max=100)])
    text_column = StringField("Text column (spreadsheets)", validators=[Optional(), Length(max=200)])
    id_column = StringField("Id column", validators=[Optional(), Length(max=200)])
    table_column = StringField("Table column", validators=[Optional(), Length(max=200)])
    author_column = StringField("Author column", validators=[Optional(), Length(max=200)])


def _base_name(filename: str) -> str:
    # The browser's name for the file, without any folders it sent ("C:\notes\a.csv", "../a.csv"):
    # it becomes the notes' source, shown to organisers, and only its suffix picks the importer.
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable()) or "upload"


def _blank_to_none(value: str | None) -> str | None:
    return (value or "").strip() or None


@bp.route("/<slug>/upload", methods=("GET", "POST"), endpoint="form")
@event_role("editor")
def upload_form(slug: str):
    """Show the upload form; on POST import the file in one transaction or show why it failed."""
    event = event_or_404(slug)
    form = UploadForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors.append("Choose a file to upload.")
        else:
            filename, data = _base_name(upload.filename), upload.read()
            try:
                if _suffix(filename) in SPREADSHEETS and not _columns_given(form):
                    # Read its header and let the organiser pick the columns, the file kept here.
                    return _columns_page(event, filename, data, table=_blank_to_none(form.table.data))
                message = _import(event, filename, data, _options(form))
            except HarvestError as exc:
                form.file.errors.append(str(exc))
            else:
                flash(message, "ok")
                return redirect(url_for("moderation.queue", slug=slug))
    code = 400 if request.method == "POST" else 200
    return render_template("events/upload.html", event=event, form=form), code


SPREADSHEETS = (".csv", ".tsv", ".xlsx")
ROLES = ("text", "id", "table", "author")


def _suffix(filename: str) -> str:
    return "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _columns_given(form: UploadForm) -> bool:
    return any((f.data or "").strip() for f in (form.text_column, form.id_column, form.table_column,
                                                 form.author_column))


def _columns_page(event, filename: str, data: bytes, *, table: str | None, token: str | None = None,
                  chosen: dict | None = None, error: str | None = None, code: int = 200):
    """The column step: the header as lists to choose from, the first rows, the file kept server-side."""
    from capture.errors import ImportFailed
    from capture.importers.base import ImportOptions, ParseError
    from capture.importers.tabular import preview
    from capture.importing import check_file
    from web.upload_stash import STASH_TTL, stash

    check_file(data, filename)
    try:
        limits = ImportOptions(max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
        shown = preview(data, _suffix(filename), limits)
    except ParseError as exc:
        raise ImportFailed(f"Cannot import {filename}{exc.where()}: {exc.reason}") from None
    if token is None:
        token = stash(get_db(), event, g.user["id"], filename, data)
    if chosen is None:
        chosen = {role: (shown.header[i] if i is not None else "") for role, i in shown.guesses.items()}
    return render_template("events/upload_columns.html", event=event, filename=filename, preview=shown,
                           token=token, chosen=chosen, table=table or "", error=error,
                           minutes=STASH_TTL // 60), code


@bp.route("/<slug>/upload/columns", methods=("POST",))
@event_role("editor")
def upload_columns(slug: str):
    """Import a stashed spreadsheet with the columns the organiser picked; refused on the same page."""
    from capture.importers.base import ImportOptions
    from web.upload_stash import drop, unstash

    event = event_or_404(slug)
    token = request.form.get("token", "")
    chosen = {role: (request.form.get(f"{role}_column") or "").strip() for role in ROLES}
    table = _blank_to_none(request.form.get("table"))
    db = get_db()
    try:
        filename, data = unstash(db, event, g.user["id"], token)
    except HarvestError as exc:
        form = UploadForm(formdata=None)
        form.file.errors = [str(exc)]
        return render_template("events/upload.html", event=event, form=form), 400
    if not chosen["text"]:
        return _columns_page(event, filename, data, table=table, token=token, chosen=chosen, code=400,
                             error="Choose the column that holds the notes' text.")
    options = ImportOptions(table=table, text_column=chosen["text"], id_column=chosen["id"] or None,
                            table_column=chosen["table"] or None, author_column=chosen["author"] or None,
                            max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
    try:
        message = _import(event, filename, data, options)
    except HarvestError as exc:
        return _columns_page(event, filename, data, table=table, token=token, chosen=chosen, code=400,
                             error=str(exc))
    drop(db, token)
    flash(message, "ok")
    return redirect(url_for("moderation.queue", slug=slug))


def _options(form: UploadForm):
    """The import options the upload form's fields give."""
    from capture.importers.base import ImportOptions

    return ImportOptions(table=_blank_to_none(form.table.data),
                         text_column=_blank_to_none(form.text_column.data),
                         id_column=_blank_to_none(form.id_column.data),
                         table_column=_blank_to_none(form.table_column.data),
                         author_column=_blank_to_none(form.author_column.data),
                         max_bytes=current_app.config["MAX_UPLOAD_BYTES"])


def _import(event, filename: str, data: bytes, options) -> str:
    """Run the shared importer on the uploaded bytes; returns a one-line summary."""
    from capture.importing import import_file

    report = import_file(get_db(), data, event=event.slug, filename=filename, options=options)
    return report.summary()
