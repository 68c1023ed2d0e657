"""Synthesis outside the request: a daemon thread with its own database connection.

The page that starts a run returns at once; progress lives in the `synthesis_run` row, so a
reload (or another organiser) sees it. One run per event at a time, across processes: the claim
and the owner's heartbeat live in `synthesis.runs`. With the config flag SYNTHESIS_IN_THREAD=False
(tests) the run happens inline, in the request.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlite_utils import Database

from capture.models import Event
from capture.store import open_db
from synthesis import runs

log = logging.getLogger(__name__)

INTERRUPTED = runs.INTERRUPTED


def start_synthesis(app: Flask, db: Database, event: Event, themes: list[str] | None = None) -> int:
    """Claim a run for the event and start it; returns the run id.

    Raises ValidationError when a run of this event is already queued or running (in this
    process or another one).
    """
    run_id = runs.create_run(db, event)  # the expected themes are stored on the run when it starts
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
    except runs.RunCancelled as exc:
        log.info("%s", exc)
    except Exception as exc:  # the run row is the place a failure is reported
        log.warning("synthesis run %s of %s failed: %s", run_id, slug, exc)
        # The pipeline marks its own failures; this covers errors raised before it could.
        runs.fail_run(db, run_id, str(exc) or exc.__class__.__name__)
    finally:
        db.conn.close()


def mark_interrupted(db: Database) -> int:
    """At server start, fail the runs whose owner died (not a live run of another process)."""
    return runs.reap_dead_runs(db)
