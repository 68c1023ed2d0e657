"""Synthesis outside the request: a daemon thread with its own database connection.

The page that starts a run returns at once; progress lives in the `synthesis_run` row, so a
reload (or another organiser) sees it. One run per event at a time. With the config flag
SYNTHESIS_IN_THREAD=False (tests) the run happens inline, in the request.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlite_utils import Database

from capture.errors import ValidationError
from capture.models import Event
from capture.store import atomic, open_db

log = logging.getLogger(__name__)

# Guards the check-then-create of a run, so two clicks cannot start two runs of one event.
_start_lock = threading.Lock()

INTERRUPTED = "Interrupted: the server stopped during this run. Start it again."


def active_run(db: Database, event: Event) -> dict | None:
    """The event's queued or running synthesis run, if any."""
    rows = list(db.query(
        "SELECT * FROM synthesis_run WHERE event_id = ? AND status IN ('queued', 'running') "
        "ORDER BY id DESC LIMIT 1", [event.id]))
    return rows[0] if rows else None


def start_synthesis(app: Flask, db: Database, event: Event, themes: list[str] | None = None) -> int:
    """Queue a run for the event and start it; returns the run id.

    Raises ValidationError when a run of this event is already queued or running.
    """
    from synthesis.runs import create_run

    with _start_lock:
        running = active_run(db, event)
        if running:
            raise ValidationError(
                f"A synthesis of this event is already {running['status']} (run {running['id']}); "
                "wait for it to finish.")
        run_id = create_run(db, event)  # the expected themes are stored on the run when it starts
    args = (app.config["DATABASE"], event.slug, themes, run_id, app.config.get("SYNTHESIS_COMPONENTS"))
    if app.config.get("SYNTHESIS_IN_THREAD", True):
        thread = threading.Thread(target=run_synthesis, args=args,
                                  name=f"synthesis-{event.slug}-{run_id}", daemon=True)
        thread.start()
    else:
        run_synthesis(*args)
    return run_id


def run_synthesis(database: str, slug: str, themes: list[str] | None, run_id: int,
                  components: dict | None = None) -> None:
    """Run one synthesis on its own connection; a failure is recorded on the run, never raised.

    `components` are passed to the pipeline (`embedder`, `nlp`): the real models when empty.
    """
    from capture.store import get_event
    from synthesis.pipeline import synthesise

    db = open_db(database)
    try:
        event = get_event(db, slug)
        synthesise(db, event, themes=themes or None, run_id=run_id, **(components or {}))
    except Exception as exc:  # the run row is the place a failure is reported
        log.warning("synthesis run %s of %s failed: %s", run_id, slug, exc)
        _mark_failed(db, run_id, str(exc) or exc.__class__.__name__)
    finally:
        db.conn.close()


def _mark_failed(db: Database, run_id: int, reason: str) -> None:
    # The pipeline marks its own failures; this covers errors raised before it could.
    if db.conn.in_transaction:
        db.conn.rollback()
    with atomic(db):
        db.conn.execute(
            "UPDATE synthesis_run SET status = 'failed', error = coalesce(error, ?), "
            "finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
            "WHERE id = ? AND status IN ('queued', 'running')", [reason, run_id])


def mark_interrupted(db: Database) -> int:
    """At server start, fail runs left queued or running by a process that has gone; returns how many."""
    with atomic(db):
        cur = db.conn.execute(
            "UPDATE synthesis_run SET status = 'failed', error = ?, "
            "finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
            "WHERE status IN ('queued', 'running')", [INTERRUPTED])
    return cur.rowcount
