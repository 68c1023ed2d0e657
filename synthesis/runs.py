"""Synthesis runs in the database: claim, follow progress, heartbeat, cancel, store results, read.

A run goes queued -> running -> succeeded | failed. Progress is committed as it goes so another
connection (the web page polling) sees it. The current result of an event is the latest
*succeeded* run, so a failed or unfinished run never hides the previous result.

A run cannot stick: it is owned by a process (pid and host) that beats a heartbeat while it works
(`heartbeat`); a run whose owner is gone (its pid is dead on this host; on another host, no beat
for STALE_AFTER_SECONDS) is marked failed whenever runs are read (`reap_dead_runs`). At most one run
per event is queued or running, across processes: `create_run` claims it in one BEGIN IMMEDIATE
transaction and a unique index backs it. `cancel_run` fails the active run at once; its owner
notices at its next progress report or beat and stops without storing anything.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database

from capture.errors import HarvestError, NotFound, ValidationError
from capture.models import Event
from capture.store import atomic, insert
from synthesis.settings import resolve

HEARTBEAT_SECONDS = 5.0
STALE_AFTER_SECONDS = 30.0
INTERRUPTED = "Interrupted: the process running it stopped. Start it again."
ACTIVE = ("queued", "running")


class RunCancelled(HarvestError):
    """The run was cancelled (or failed as dead) while this process was working on it."""

RUN_FIELDS = ("id", "event_id", "status", "progress", "stage", "error", "started_at",
              "finished_at", "settings", "models", "timings")
NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


def _run_from_row(row: dict) -> dict:
    run = {k: row[k] for k in RUN_FIELDS}
    for key in ("settings", "models", "timings"):
        run[key] = json.loads(run[key] or "{}")
    return run


def create_run(db: Database, event: Event, settings: dict | None = None) -> int:
    """Claim the event for a new queued run owned by this process; returns its id.

    Raises ValidationError when a live run of the event is queued or running (in any process);
    a dead one is failed first. The check and the insert are one BEGIN IMMEDIATE transaction, and
    the unique index synthesis_run_one_active refuses a second active run even so.
    """
    resolved = resolve(settings)
    pid, host = _owner()
    _commit(db)
    try:
        with atomic(db):
            _reap(db, event.id)
            active = _active_row(db, event.id)
            if active is None:
                return insert(db, "synthesis_run", {
                    "event_id": event.id, "status": "queued", "owner_pid": pid, "owner_host": host,
                    "heartbeat_at": time.time(), "settings": json.dumps(resolved, sort_keys=True)})
    except sqlite3.IntegrityError:
        active = _active_row(db, event.id)
    raise ValidationError(
        f"A synthesis of this event is already {active['status'] if active else 'running'} "
        f"(run {run_number(db, active) if active else '?'}); wait for it to finish, or cancel it "
        f"(`harvest synthesise {event.slug} --cancel`, or Cancel on the synthesis page).")


def _owner() -> tuple[int, str]:
    return os.getpid(), socket.gethostname()


def _active_row(db: Database, event_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM synthesis_run WHERE event_id = ? AND status IN ('queued', 'running') "
                         "ORDER BY id DESC LIMIT 1", [event_id]))
    return rows[0] if rows else None


def active_run(db: Database, event: Event) -> dict | None:
    """The event's live queued or running run, if any (a dead owner's run is failed first)."""
    reap_dead_runs(db, event)
    row = _active_row(db, event.id)
    return _run_from_row(row) if row else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def _reap(db: Database, event_id: int | None, stale_after: float = STALE_AFTER_SECONDS) -> int:
    """Fail the active runs whose owner is gone; the caller holds the transaction (or none)."""
    where = "status IN ('queued', 'running')" + (" AND event_id = ?" if event_id is not None else "")
    rows = list(db.query(f"SELECT id, owner_pid, owner_host, heartbeat_at FROM synthesis_run WHERE {where}",
                         [event_id] if event_id is not None else []))
    if not rows:
        return 0
    now, host = time.time(), socket.gethostname()
    dead = [r["id"] for r in rows if _owner_gone(r, now, host, stale_after)]
    for run_id in dead:
        db.conn.execute(f"UPDATE synthesis_run SET status = 'failed', error = ?, finished_at = {NOW} "
                        "WHERE id = ? AND status IN ('queued', 'running')", [INTERRUPTED, run_id])
    return len(dead)


def _owner_gone(row: dict, now: float, host: str, stale_after: float) -> bool:
    if row["heartbeat_at"] is None:
        return True  # never beat: left by a version of Harvest without owners, or never started
    silent = now - row["heartbeat_at"]
    if row["owner_host"] == host and row["owner_pid"] is not None:
        # On this machine the pid says it: a live owner whose beats are late (its thread starved of
        # CPU by the models) keeps its run; ten times the limit guards against a reused pid.
        return not _pid_alive(row["owner_pid"]) or silent > 10 * stale_after
    return silent > stale_after


def reap_dead_runs(db: Database, event: Event | None = None, stale_after: float = STALE_AFTER_SECONDS) -> int:
    """Mark failed the active runs (of one event, or all) whose owner died; returns how many.

    Dead means: owned on this host by a pid that no longer exists (or silent for ten times
    `stale_after`: a reused pid), or owned on another host and silent for `stale_after` seconds. A
    live run of another process (a second `harvest serve`, a `harvest synthesise` in a terminal)
    is left alone, even when its beats are late.
    """
    event_id = event.id if event is not None else None
    rows = list(db.query("SELECT count(*) AS n FROM synthesis_run WHERE status IN ('queued', 'running')"
                         + (" AND event_id = ?" if event_id is not None else ""),
                         [event_id] if event_id is not None else []))
    if not rows[0]["n"]:
        return 0  # the common case: nothing to write
    _commit(db)
    with atomic(db):
        return _reap(db, event_id, stale_after)


def cancel_run(db: Database, event: Event, actor: str | None = None) -> dict | None:
    """Cancel the event's active run (failed at once, with who cancelled it); None if none was active.

    Its owner stops at its next progress report or heartbeat and stores nothing."""
    _commit(db)
    with atomic(db):
        row = _active_row(db, event.id)
        if row is None:
            return None
        reason = f"Cancelled{' by ' + actor if actor else ''}."
        db.conn.execute(f"UPDATE synthesis_run SET status = 'failed', error = ?, cancel_requested = 1, "
                        f"finished_at = {NOW} WHERE id = ?", [reason, row["id"]])
    return get_run(db, row["id"])


def beat(db: Database, run_id: int) -> None:
    """Record that this process is still working on the run; RunCancelled if it is no longer active."""
    pid, host = _owner()
    cur = db.conn.execute("UPDATE synthesis_run SET heartbeat_at = ?, owner_pid = ?, owner_host = ? "
                          "WHERE id = ? AND status IN ('queued', 'running')",
                          [time.time(), pid, host, run_id])
    _commit(db)
    if cur.rowcount == 0:
        raise _cancelled(db, run_id)


def _cancelled(db: Database, run_id: int) -> RunCancelled:
    rows = list(db.query("SELECT error FROM synthesis_run WHERE id = ?", [run_id]))
    why = rows[0]["error"] if rows and rows[0]["error"] else "it is no longer running"
    return RunCancelled(f"Synthesis run {run_id} stopped: {why}")


@contextmanager
def heartbeat(db: Database, run_id: int, every: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """Beat the run's heartbeat from a thread while the body works (long stages report no progress).

    The thread has its own connection; an in-memory database beats only at progress reports."""
    path = _db_path(db)
    if not path:
        yield
        return
    stop = threading.Event()

    def loop() -> None:
        conn = sqlite3.connect(path, timeout=10)
        try:
            while not stop.wait(every):
                try:
                    conn.execute("UPDATE synthesis_run SET heartbeat_at = ? WHERE id = ? "
                                 "AND status IN ('queued', 'running')", [time.time(), run_id])
                    conn.commit()
                except sqlite3.Error:
                    pass  # busy for 10 s: the next beat, or the next progress report, will do
        finally:
            conn.close()

    thread = threading.Thread(target=loop, name=f"heartbeat-run-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 1)


def _db_path(db: Database) -> str:
    rows = db.conn.execute("PRAGMA database_list").fetchall()
    return next((r[2] for r in rows if r[1] == "main"), "") or ""


def get_run(db: Database, run_id: int) -> dict:
    """One run's status record (id, status, progress, stage, error, times, settings...), or NotFound."""
    rows = list(db.query("SELECT * FROM synthesis_run WHERE id = ?", [run_id]))
    if not rows:
        raise NotFound(f"No synthesis run {run_id}.")
    return _run_from_row(rows[0])


def latest_run(db: Database, event: Event) -> dict | None:
    """The event's most recent run of any status, for progress pages; None if never run.

    A run whose owner died is marked failed first, so a page never waits on it."""
    reap_dead_runs(db, event)
    rows = list(db.query("SELECT * FROM synthesis_run WHERE event_id = ? ORDER BY id DESC LIMIT 1",
                         [event.id]))
    return _run_from_row(rows[0]) if rows else None


def run_number(db: Database, run: dict) -> int:
    """The run's number among its event's runs (1 for the first): what pages say, where the id
    counts every event's runs in the database ("Run 7" for an event's first)."""
    return db.execute("SELECT count(*) FROM synthesis_run WHERE event_id = ? AND id <= ?",
                      [run["event_id"], run["id"]]).fetchone()[0]


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
    """Mark a run as running (owned by this process), with the settings and models it uses.

    Raises RunCancelled if it was cancelled (or failed as dead) before it started."""
    pid, host = _owner()
    cur = db.conn.execute(
        f"UPDATE synthesis_run SET status = 'running', progress = 0.0, stage = 'starting', settings = ?, "
        f"models = ?, error = NULL, started_at = {NOW}, owner_pid = ?, owner_host = ?, heartbeat_at = ? "
        "WHERE id = ? AND status IN ('queued', 'running')",
        [json.dumps(settings, sort_keys=True), json.dumps(models, sort_keys=True), pid, host, time.time(),
         run_id])
    _commit(db)
    if cur.rowcount == 0:
        raise _cancelled(db, run_id)


def set_progress(db: Database, run_id: int, stage: str, fraction: float, models: dict | None = None) -> None:
    """Record the current stage and progress (0..1) and a heartbeat, committed so pollers see it.

    Raises RunCancelled when the run is no longer running (cancelled, or failed as dead)."""
    changes = {"stage": stage, "progress": round(max(0.0, min(1.0, fraction)), 3),
               "heartbeat_at": time.time()}
    if models is not None:
        changes["models"] = json.dumps(models, sort_keys=True)
    sets = ", ".join(f"{c} = ?" for c in changes)
    cur = db.conn.execute(f"UPDATE synthesis_run SET {sets} WHERE id = ? AND status = 'running'",
                          [*changes.values(), run_id])
    _commit(db)
    if cur.rowcount == 0:
        raise _cancelled(db, run_id)


def fail_run(db: Database, run_id: int, message: str) -> None:
    """Mark a run failed with its reason; earlier succeeded runs stay the current result."""
    if db.conn.in_transaction:
        db.conn.rollback()
    # Only an active run: a cancelled one keeps its reason, a succeeded one its result.
    db.conn.execute(f"UPDATE synthesis_run SET status = 'failed', error = ?, finished_at = {NOW} "
                    "WHERE id = ? AND status IN ('queued', 'running')", [message[:2000], run_id])
    _commit(db)


def store_result(db: Database, run_id: int, result: dict, timings: dict) -> None:
    """Store the result JSON (the contract of docs/result.md) and mark the run succeeded, in one
    transaction. The JSON is the only stored form of a result: every reader goes through it."""
    _commit(db)
    with atomic(db):
        # Only if still running: a run cancelled meanwhile stores nothing.
        cur = db.conn.execute(
            f"UPDATE synthesis_run SET status = 'succeeded', progress = 1.0, stage = 'done', error = NULL, "
            f"result = ?, timings = ?, finished_at = {NOW} WHERE id = ? AND status = 'running'",
            [json.dumps(result, ensure_ascii=False), json.dumps(timings), run_id])
        if cur.rowcount == 0:
            raise _cancelled(db, run_id)
