"""Synthesis outside the request: a bounded pool of worker threads, each run on its own connection.

The page that starts a run returns at once; progress lives in the `synthesis_run` row, so a
reload (or another organiser) sees it. One run per event at a time, across processes: the claim
and the owner's heartbeat live in `synthesis.runs`. Runs of different events share the app's pool
(a `ThreadPoolExecutor` of SYNTHESIS_MAX_RUNS workers, default 2): a run waits there, queued, until
a worker is free. Each run uses every core of a small server, so more at once would only slow
them all and multiply the memory. A waiting run's heartbeat is kept by the pool, so it is not taken
for a dead process's. With the config flag SYNTHESIS_IN_THREAD=False (tests) the run happens
inline, in the request.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask
from sqlite_utils import Database

from capture.errors import HarvestError
from capture.models import Event
from capture.store import open_db
from synthesis import runs

log = logging.getLogger(__name__)

INTERRUPTED = runs.INTERRUPTED
MAX_RUNS = 2
STOPPED = "Interrupted: the server stopped during this run. Start it again."
_pools_lock = threading.Lock()  # one pool per app, however many requests ask at once


class SynthesisPool:
    """The app's bounded executor of synthesis runs, with the heartbeat of the runs waiting in it."""

    def __init__(self, database: str, max_runs: int = MAX_RUNS) -> None:
        self.database = database
        self.executor = ThreadPoolExecutor(max_workers=max(1, max_runs), thread_name_prefix="synthesis")
        self.lock = threading.Lock()
        self.waiting: set[int] = set()  # submitted, not started
        self.active: set[int] = set()  # submitted, not finished
        self.stopped = threading.Event()
        threading.Thread(target=self._beat_waiting, name="synthesis-waiting-heartbeat", daemon=True).start()

    def submit(self, slug: str, themes: list[str] | None, run_id: int, components: dict | None) -> Future:
        """Queue a run; it starts when one of the workers is free."""
        with self.lock:
            self.waiting.add(run_id)
            self.active.add(run_id)
        future = self.executor.submit(self._run, slug, themes, run_id, components)
        future.add_done_callback(lambda _done: self._finished(run_id))  # run, failed or cancelled
        return future

    def _run(self, slug: str, themes: list[str] | None, run_id: int, components: dict | None) -> None:
        with self.lock:
            self.waiting.discard(run_id)
        run_synthesis(self.database, slug, themes, run_id, components)

    def _finished(self, run_id: int) -> None:
        with self.lock:
            self.waiting.discard(run_id)
            self.active.discard(run_id)

    def _beat_waiting(self) -> None:
        # The running ones beat from the pipeline (runs.heartbeat); the waiting ones from here.
        while not self.stopped.wait(runs.HEARTBEAT_SECONDS):
            with self.lock:
                waiting = sorted(self.waiting)
            if not waiting:
                continue
            try:
                db = open_db(self.database)
            except (HarvestError, sqlite3.Error) as exc:
                log.warning("could not beat the waiting synthesis runs: %s", exc)
                continue
            try:
                for run_id in waiting:
                    try:
                        runs.beat(db, run_id)
                    except runs.RunCancelled:  # cancelled while waiting: it stops when its turn comes
                        with self.lock:
                            self.waiting.discard(run_id)
                    except sqlite3.Error as exc:  # busy: the next beat will do
                        log.warning("could not beat synthesis run %s: %s", run_id, exc)
            finally:
                db.conn.close()

    def stop(self, reason: str = STOPPED) -> int:
        """Take no more runs: the waiting ones are failed now, the running ones stop at their next
        progress report (they store nothing). Returns how many runs were stopped."""
        self.stopped.set()
        with self.lock:
            stopping = sorted(self.active)  # before the cancelled ones leave it
        self.executor.shutdown(wait=False, cancel_futures=True)
        if stopping:
            db = open_db(self.database)
            try:
                for run_id in stopping:
                    runs.fail_run(db, run_id, reason)
            finally:
                db.conn.close()
        return len(stopping)


def pool(app: Flask) -> SynthesisPool:
    """The app's synthesis pool, made on first use (SYNTHESIS_MAX_RUNS workers)."""
    with _pools_lock:
        found = app.extensions.get("harvest_synthesis_pool")
        if found is None or found.stopped.is_set():
            found = SynthesisPool(app.config["DATABASE"], app.config.get("SYNTHESIS_MAX_RUNS", MAX_RUNS))
            app.extensions["harvest_synthesis_pool"] = found
        return found


def stop_synthesis(app: Flask) -> int:
    """At server stop: stop the app's runs (see SynthesisPool.stop); returns how many."""
    found = app.extensions.get("harvest_synthesis_pool")
    return found.stop() if found is not None else 0


def start_synthesis(app: Flask, db: Database, event: Event, themes: list[str] | None = None) -> int:
    """Claim a run for the event and start it (queued in the app's pool); returns the run id.

    Raises ValidationError when a run of this event is already queued or running (in this
    process or another one).
    """
    run_id = runs.create_run(db, event)  # the expected themes are stored on the run when it starts
    components = app.config.get("SYNTHESIS_COMPONENTS")
    if app.config.get("SYNTHESIS_IN_THREAD", True):
        pool(app).submit(event.slug, themes, run_id, components)
    else:
        run_synthesis(app.config["DATABASE"], event.slug, themes, run_id, components)
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
