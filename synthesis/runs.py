"""Synthesis runs in the database: create, follow progress, store results, read the latest.

A run goes queued -> running -> succeeded | failed. Progress is committed as it goes so another
connection (the web page polling) sees it. The current result of an event is the latest
*succeeded* run, so a failed or unfinished run never hides the previous result.
"""

from __future__ import annotations

import json

from sqlite_utils import Database

from capture.errors import NotFound
from capture.models import Event
from capture.store import atomic, insert, update
from synthesis.settings import resolve

RUN_FIELDS = ("id", "event_id", "status", "progress", "stage", "error", "started_at",
              "finished_at", "settings", "models", "timings")
NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


def _run_from_row(row: dict) -> dict:
    run = {k: row[k] for k in RUN_FIELDS}
    for key in ("settings", "models", "timings"):
        run[key] = json.loads(run[key] or "{}")
    return run


def create_run(db: Database, event: Event, settings: dict | None = None) -> int:
    """A queued run for the event (the web app creates one, then runs it in the background)."""
    resolved = resolve(settings)
    with atomic(db):
        run_id = insert(db, "synthesis_run", {"event_id": event.id, "status": "queued",
                                              "settings": json.dumps(resolved, sort_keys=True)})
    return run_id


def get_run(db: Database, run_id: int) -> dict:
    """One run's status record (id, status, progress, stage, error, times, settings...), or NotFound."""
    rows = list(db.query("SELECT * FROM synthesis_run WHERE id = ?", [run_id]))
    if not rows:
        raise NotFound(f"No synthesis run {run_id}.")
    return _run_from_row(rows[0])


def latest_run(db: Database, event: Event) -> dict | None:
    """The event's most recent run of any status, for progress pages; None if never run."""
    rows = list(db.query("SELECT * FROM synthesis_run WHERE event_id = ? ORDER BY id DESC LIMIT 1",
                         [event.id]))
    return _run_from_row(rows[0]) if rows else None


def latest_succeeded_run(db: Database, event: Event) -> dict | None:
    """The run whose result is current: the event's latest succeeded run, or None."""
    rows = list(db.query(
        "SELECT * FROM synthesis_run WHERE event_id = ? AND status = 'succeeded' ORDER BY id DESC LIMIT 1",
        [event.id]))
    return _run_from_row(rows[0]) if rows else None


def latest_result(db: Database, event: Event) -> dict | None:
    """The JSON contract of docs/result.md from the latest succeeded run, or None if none succeeded."""
    rows = list(db.query(
        "SELECT result FROM synthesis_run WHERE event_id = ? AND status = 'succeeded' "
        "ORDER BY id DESC LIMIT 1", [event.id]))
    return json.loads(rows[0]["result"]) if rows else None


def _commit(db: Database) -> None:
    if db.conn.in_transaction:
        db.conn.commit()


def start_run(db: Database, run_id: int, settings: dict, models: dict) -> None:
    """Mark a run as running, with the settings and model versions it uses."""
    update(db, "synthesis_run", run_id, {"status": "running", "progress": 0.0, "stage": "starting",
                                         "settings": json.dumps(settings, sort_keys=True),
                                         "models": json.dumps(models, sort_keys=True), "error": None})
    db.conn.execute(f"UPDATE synthesis_run SET started_at = {NOW} WHERE id = ?", [run_id])
    _commit(db)


def set_progress(db: Database, run_id: int, stage: str, fraction: float, models: dict | None = None) -> None:
    """Record the current stage and progress (0..1), committed so pollers see it at once."""
    changes = {"stage": stage, "progress": round(max(0.0, min(1.0, fraction)), 3)}
    if models is not None:
        changes["models"] = json.dumps(models, sort_keys=True)
    update(db, "synthesis_run", run_id, changes)
    _commit(db)


def fail_run(db: Database, run_id: int, message: str) -> None:
    """Mark a run failed with its reason; earlier succeeded runs stay the current result."""
    if db.conn.in_transaction:
        db.conn.rollback()
    update(db, "synthesis_run", run_id, {"status": "failed", "error": message[:2000]})
    db.conn.execute(f"UPDATE synthesis_run SET finished_at = {NOW} WHERE id = ?", [run_id])
    _commit(db)


def store_result(db: Database, run_id: int, result: dict, timings: dict) -> None:
    """Store the result JSON (the contract of docs/result.md) and mark the run succeeded, in one
    transaction. The JSON is the only stored form of a result: every reader goes through it."""
    _commit(db)
    with atomic(db):
        update(db, "synthesis_run", run_id, {
            "status": "succeeded", "progress": 1.0, "stage": "done", "error": None,
            "result": json.dumps(result, ensure_ascii=False), "timings": json.dumps(timings)})
        db.conn.execute(f"UPDATE synthesis_run SET finished_at = {NOW} WHERE id = ?", [run_id])
