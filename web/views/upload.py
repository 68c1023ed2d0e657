"""Upload a transcript or spreadsheet into an event, through the same importers as `harvest import`."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
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
            try:
                message = _import(event, _base_name(upload.filename), upload.read(), form)
            except HarvestError as exc:
                form.form_errors.append(str(exc))
            else:
                flash(message, "ok")
                return redirect(url_for("moderation.queue", slug=slug))
    code = 400 if request.method == "POST" else 200
    return render_template("events/upload.html", event=event, form=form), code


def _import(event, filename: str, data: bytes, form: UploadForm) -> str:
    """Run the shared importer on the uploaded bytes; returns a one-line summary."""
    from capture.importers.base import ImportOptions
    from capture.importing import import_file

    options = ImportOptions(table=_blank_to_none(form.table.data),
                            text_column=_blank_to_none(form.text_column.data),
                            id_column=_blank_to_none(form.id_column.data),
                            table_column=_blank_to_none(form.table_column.data),
                            author_column=_blank_to_none(form.author_column.data),
                            max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
    report = import_file(get_db(), data, event=event.slug, filename=filename, options=options)
    return report.summary()
