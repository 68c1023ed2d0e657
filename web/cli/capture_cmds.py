"""Capture commands: init, import, event, events, table, tables, notes, export.

Each is a thin layer over `capture.store` and `capture.importing`; errors are HarvestError and
become one line on stderr with exit status 1 (see `web.cli`).
"""

from __future__ import annotations

import csv
import json
import os
import sys
import textwrap

import click

from capture.errors import HarvestError
from capture.importing import ImportOptions, import_file
from capture.store import (
    add_table,
    atomic,
    get_event,
    list_events,
    list_notes,
    list_tables,
    note_totals,
    save_event,
)
from web.cli import cli, pass_ctx

EXPORT_FIELDS = ("ref", "table", "text", "author", "role", "attribution", "source", "status",
                 "created_at")


def base_url() -> str:
    """Where attendee links point: $HARVEST_URL, else the local development server."""
    return (os.environ.get("HARVEST_URL") or "http://127.0.0.1:5000").rstrip("/")


def attendee_link(token: str) -> str:
    """The public link for a table's attendee form."""
    return f"{base_url()}/t/{token}"


def _warn_if_local_links() -> None:
    # Without $HARVEST_URL the links point at this machine: phones at the venue cannot open them.
    if not os.environ.get("HARVEST_URL"):
        click.echo("Note: these links point at this machine. Set HARVEST_URL to the address attendees "
                   "will open (for example https://harvest.example.org) before printing them.", err=True)


def inert_cell(value):
    """A CSV cell a spreadsheet will not run: text starting =, +, -, @ (a formula) gets a leading '.

    Attendees type the notes, and an organiser opens the export in Excel or Sheets.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@cli.command()
@pass_ctx
def init(ctx) -> None:
    """Create the database (or bring its schema up to date)."""
    _ = ctx.db  # opening applies the migrations
    click.echo(f"Database ready: {ctx.db_path}")


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--event", "slug", required=True, help="Event slug; the event is created if missing.")
@click.option("--title", help="Title of the event (default: the document's title); renames an existing one.")
@click.option("--table", help="Table to put the notes under (when the file does not say).")
@click.option("--text-column", help="Spreadsheet column holding the note text.")
@click.option("--id-column", help="Spreadsheet column holding each note's id (kept as its ref).")
@click.option("--table-column", help="Spreadsheet column holding the table name or number.")
@click.option("--author-column", help="Spreadsheet column holding the author's name.")
@click.option("--max-size", type=click.FloatRange(min=0, min_open=True), default=20.0,
              show_default=True, help="Largest file to accept, in MB.")
@click.option("--max-note-chars", type=click.IntRange(min=1), default=ImportOptions().max_note_chars,
              show_default=True, help="Longest note to accept, in characters (as the attendee form).")
@click.option("--source", help="Name of the source (default: the file name). Ids are unique within "
              "a source: give two exports with the same name different sources.")
@pass_ctx
def import_(ctx, paths, slug, title, table, text_column, id_column, table_column, author_column,
            max_size, max_note_chars, source) -> None:
    """Import notes from files: .txt .md .docx .csv .xlsx .vtt .srt.

    Each file is imported in one transaction: a file that fails leaves nothing behind, and the
    others are still imported. Notes imported before from the same file (or --source) are
    counted as unchanged; notes whose id is known but whose words changed are named, not written.
    """
    if source and len(paths) > 1:
        raise click.UsageError("--source names one source: import one file with it at a time.")
    options = ImportOptions(table=table, text_column=text_column, id_column=id_column,
                            table_column=table_column, author_column=author_column,
                            max_bytes=int(max_size * 1024 * 1024), max_note_chars=max_note_chars,
                            source=source)
    failures = []
    for path in paths:
        try:
            report = import_file(ctx.db, path, event=slug, title=title, options=options)
        except HarvestError as exc:
            if len(paths) == 1:
                raise
            click.echo(f"Error: {exc}", err=True)
            failures.append(path)
            continue
        click.echo(report.summary())
    if failures:
        raise click.ClickException(f"{len(failures)} of {len(paths)} files were not imported: "
                                   + ", ".join(failures))


@cli.command()
@click.argument("slug")
@click.option("--title", help="Title shown on pages and digests.")
@click.option("--date", help="Date of the event, YYYY-MM-DD.")
@click.option("--venue", help="Where it took place.")
@click.option("--question", "questions", multiple=True,
              help="A question posed to the tables (repeat for several; replaces the list).")
@click.option("--chatham-house/--no-chatham-house", default=None,
              help="Under the Chatham House Rule, outputs carry no names or attributions.")
@click.option("--owner", metavar="EMAIL",
              help="Make this organiser account an owner of the event (without one, an event made here "
                   "belongs to the admins).")
@click.option("--share", metavar="EMAIL", help="Share the event with this organiser account, in --role.")
@click.option("--role", type=click.Choice(["owner", "editor", "moderator"]), default="editor",
              show_default=True, help="The role --share gives: moderators moderate notes; editors also "
                                      "edit, synthesise and publish; owners also share and delete.")
@click.option("--unshare", metavar="EMAIL", help="Take the event away from this organiser account.")
@click.option("--series", "series_slug", metavar="SERIES",
              help="Put the event in this series (made with `harvest series`); '' takes it out.")
@click.option("--delete", is_flag=True,
              help="Delete the event with all its notes, themes and digests (logged; asks to confirm).")
@click.option("--yes", is_flag=True, help="With --delete: do not ask for confirmation.")
@pass_ctx
def event(ctx, slug, title, date, venue, questions, chatham_house, owner, share, role, unshare,
          series_slug, delete, yes) -> None:
    """Create an event, or update the fields given; set its owner and who it is shared with."""
    from web.access import list_members
    from web.access import share as share_event
    from web.access import unshare as unshare_event

    if delete:
        _delete_event(ctx, slug, yes)
        return

    existed = _exists(ctx.db, slug)
    with atomic(ctx.db):  # an unknown --owner or --share account leaves no event behind
        record = save_event(ctx.db, slug, title=title, date=date, venue=venue,
                            questions=list(questions) or None, chatham_house=chatham_house)
        if owner:
            share_event(ctx.db, record, owner, "owner")
        if share:
            share_event(ctx.db, record, share, role)
        if unshare:
            unshare_event(ctx.db, record, unshare)
        if series_slug is not None:
            from capture.series import get_series, set_event_series

            set_event_series(ctx.db, record, get_series(ctx.db, series_slug) if series_slug else None)
    click.echo(f"{'Updated' if existed else 'Created'} event {record.slug}: {record.title}"
               f"{' (' + record.date + ')' if record.date else ''}"
               f"{', Chatham House Rule' if record.chatham_house else ''}")
    if owner or share or unshare or not existed:
        members = list_members(ctx.db, record)
        click.echo("Shared with: " + ", ".join(f"{m['email']} ({m['role']})" for m in members) if members
                   else "No owner: only admins can open it on the web (give one with --owner EMAIL).")


def _delete_event(ctx, slug: str, yes: bool) -> None:
    """`harvest event SLUG --delete`: confirmed by --yes, or by typing the slug at a terminal."""
    from web.access import delete_event

    record = get_event(ctx.db, slug)
    if not yes:
        if not (sys.stdin and sys.stdin.isatty()):
            raise HarvestError(f"Deleting {slug} removes all its notes, themes and digests: add --yes "
                               "to confirm.")
        typed = click.prompt(f"Type {slug} to delete it with all its notes, themes and digests")
        if typed.strip() != slug:
            raise HarvestError(f"Not deleted: {typed.strip()!r} is not {slug!r}.")
    notes = note_totals(ctx.db).get(record.id, 0)
    delete_event(ctx.db, record, actor="cli")
    click.echo(f"Deleted event {slug} ({record.title}) with its {notes} note{'' if notes == 1 else 's'}.")


def _exists(db, slug: str) -> bool:
    try:
        get_event(db, slug)
        return True
    except HarvestError:
        return False


@cli.command()
@pass_ctx
def events(ctx) -> None:
    """List events: slug, date, status, notes, title."""
    rows = list_events(ctx.db)
    if not rows:
        click.echo("No events yet. Create one with `harvest event SLUG` or `harvest import`.")
        return
    counts = note_totals(ctx.db)
    for e in rows:
        flag = " [Chatham House]" if e.chatham_house else ""
        click.echo(f"{e.slug:<32} {e.date or '-':<10} {e.status:<9} {counts.get(e.id, 0):>5} notes  "
                   f"{e.title}{flag}")


@cli.command()
@click.argument("slug")
@click.argument("name")
@click.option("--question", help="The question or topic this table discusses.")
@click.option("--host", help="Who hosts the table.")
@pass_ctx
def table(ctx, slug, name, question, host) -> None:
    """Add a table to an event (or update it) and print its attendee link."""
    record = add_table(ctx.db, get_event(ctx.db, slug), name, question=question, host=host)
    click.echo(f"{record.name}: {attendee_link(record.token)}")
    _warn_if_local_links()


@cli.command()
@click.argument("slug")
@pass_ctx
def tables(ctx, slug) -> None:
    """List an event's tables with their attendee links."""
    rows = list_tables(ctx.db, get_event(ctx.db, slug))
    if not rows:
        click.echo(f"No tables for {slug}. Add one with `harvest table {slug} NAME`.")
    for t in rows:
        extra = "".join(f"  {label}: {value}" for label, value in
                        (("question", t.question), ("host", t.host)) if value)
        click.echo(f"{t.name}: {attendee_link(t.token)}{extra}")
    if rows:
        _warn_if_local_links()


@cli.command()
@click.argument("slug")
@click.option("--status", type=click.Choice(["pending", "approved", "hidden"]),
              help="Only notes with this moderation status.")
@click.option("--table", help="Only notes from this table.")
@pass_ctx
def notes(ctx, slug, status, table) -> None:
    """Show an event's notes: number, ref, status, table, author and attribution, then the text."""
    record = get_event(ctx.db, slug)
    rows = list_notes(ctx.db, record, status=status, table=table)
    click.echo(f"{record.title} ({record.slug}): {len(rows)} note{'s' if len(rows) != 1 else ''}")
    for n in rows:
        who = n.author or ""
        if n.attribution and n.attribution != n.author:
            who = f"{who} ({n.attribution})" if who else n.attribution
        # The number first: the one moderation shows and quotes cite ("Table 2, note 5").
        number = f"note {n.number}" if n.number else ""
        head = " | ".join(x for x in (number, n.ref, n.status, n.table or "", who) if x)
        click.echo(f"\n[{head}]")
        click.echo(textwrap.fill(n.text, width=100, initial_indent="  ", subsequent_indent="  "))


@cli.command()
@click.argument("slug")
@click.argument("directory", required=False, metavar="[DIR]")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "bertopic"]), default="csv",
              show_default=True, help="csv or json: the raw notes; bertopic: the latest themes as a "
                                      "BERTopic model saved in DIR (a new or empty folder).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@pass_ctx
def export(ctx, slug, directory, fmt, output) -> None:
    """Export an event's raw notes (all statuses) as CSV or JSON, or its themes as a BERTopic model.

    In CSV, text starting with = + - or @ gets a leading ' so spreadsheets show it instead of running it.
    `--format bertopic DIR` saves a model that `BERTopic.load(DIR)` opens (offline), with Harvest's
    labels as its topic labels and the documents, with their notes' times, in DIR/harvest_documents.json.
    """
    record = get_event(ctx.db, slug)
    if fmt == "bertopic":
        if not directory or output:
            raise click.UsageError("--format bertopic writes a folder: give it as DIR "
                                   f"(`harvest export {slug} --format bertopic DIR`), not --output.")
        from synthesis.bertopic_export import export_bertopic

        summary = export_bertopic(ctx.db, record, directory)
        click.echo(f"Wrote a BERTopic model of {summary['themes']} themes ({summary['documents']} "
                   f"segments) to {summary['path']}; open it with BERTopic.load({summary['path']!r}).")
        return
    if directory:
        raise click.UsageError("DIR goes with --format bertopic; csv and json go to standard output "
                               "or to --output FILE.")
    rows = [{f: getattr(n, f) for f in EXPORT_FIELDS} for n in list_notes(ctx.db, record)]
    try:
        out = open(output, "w", newline="", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    except OSError as exc:
        raise HarvestError(f"Cannot write {output}: {exc.strerror}. Check the folder exists and "
                           "you may write there.") from None
    try:
        if fmt == "json":
            json.dump({"event": {"slug": record.slug, "title": record.title}, "notes": rows}, out,
                      ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: inert_cell(v) for k, v in row.items()} for row in rows)
    finally:
        if output:
            out.close()
    if output:
        click.echo(f"Wrote {len(rows)} notes to {output}", err=True)
