"""`harvest demo`: a fresh demo database from transcripts/, synthesised, published and served."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import click

from capture.errors import HarvestError
from capture.importing import import_file
from capture.store import get_event, open_db, save_event
from web.cli import Context, cli, pass_ctx

TRANSCRIPTS = Path(__file__).resolve().parents[2] / "transcripts"
DEMO_USER = "demo@example.org"

# (file, event slug, title, date, venue, chatham house): one event per sample input.
DEMO_EVENTS = [
    ("seee-partnership-structures.txt", "seee-partnership-structures",
     "Partnership structures and prime vendors", "2015-10-23",
     "Future Business Centre, Cambridge", False),
    ("social-value-roundtable.md", "social-value-norfolk", None, "2026-03-12",
     "The Forum, Norwich", False),
    ("commissioning-panel.vtt", "suffolk-commissioning-panel",
     "Suffolk VCSE commissioning panel", "2026-02-04", None, True),
    ("volunteering-survey-google-forms.csv", "volunteering-survey",
     "What would most help volunteering?", "2026-03-12", None, False),
]
DEMO_SLUGS = {slug for _, slug, *_ in DEMO_EVENTS}


def _fresh_database(path: Path) -> None:
    """Remove an earlier demo database; refuse to touch a database holding other events."""
    if not path.exists():
        return
    db = open_db(path)
    slugs = {row["slug"] for row in db.query("SELECT slug FROM event")}
    db.conn.close()
    if slugs - DEMO_SLUGS:
        raise HarvestError(
            f"{path} holds events that are not the demo's ({', '.join(sorted(slugs - DEMO_SLUGS))}). "
            "Give the demo its own file: harvest --db demo.db demo")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build_demo(path: Path, echo=click.echo) -> str:
    """Build the demo database at `path`; returns the demo organiser's password."""
    from synthesis.pipeline import synthesise
    from web.auth import add_user
    from web.publish.publishing import publish

    _fresh_database(path)
    db = open_db(path)
    for filename, slug, title, date, venue, chatham in DEMO_EVENTS:
        report = import_file(db, TRANSCRIPTS / filename, event=slug, title=title)
        event = save_event(db, slug, date=date, venue=venue, chatham_house=chatham)
        started = time.perf_counter()
        synthesise(db, event)
        event = get_event(db, slug)
        version = publish(db, event, accept_redactions=True)
        echo(f"{slug}: {report.added} notes imported, synthesised in "
             f"{time.perf_counter() - started:.1f} s, digest v{version} published"
             + (" (Chatham House Rule: names redacted)" if chatham else ""), err=True)
    password = secrets.token_urlsafe(12)
    add_user(db, DEMO_USER, password, admin=True)  # the demo's events were made here: the admins' own
    db.conn.close()
    return password


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to serve on.")
@click.option("--no-serve", is_flag=True, help="Build the demo database and stop.")
@pass_ctx
@click.pass_context
def demo(click_ctx: click.Context, ctx: Context, host: str, port: int, no_serve: bool) -> None:
    """A fresh demo database from transcripts/: imported, synthesised, published, served."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    path = Path(ctx.db_path).resolve()
    click.echo(f"Building the demo database {path} ...", err=True)
    password = build_demo(path)
    click.echo(f"\nDemo organiser login: {DEMO_USER}  password: {password}")
    click.echo(f"Public digests: http://{host}:{port}/digests  Organiser pages: http://{host}:{port}/events")
    if no_serve:
        return
    from web.cli.web_cmds import serve

    click_ctx.invoke(serve, host=host, port=port, threads=8)
