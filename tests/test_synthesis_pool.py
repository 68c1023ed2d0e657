"""The synthesis worker is a bounded pool: runs of different events wait, queued, for a free worker
(their heartbeat kept meanwhile), and a server stop fails what is waiting or working."""

from __future__ import annotations

import threading
import time

from capture.models import Note
from capture.store import add_notes, open_db
from synthesis import runs
from tests.test_web_synthesis import NOTES, _fast_components
from tests.web_helpers import seed_event


def _events(db_path, count: int):
    """`count` events with the same approved notes."""
    db = open_db(db_path)
    events = []
    for i in range(count):
        event, _tables = seed_event(db_path, slug=f"room-{i}")
        add_notes(db, event, [Note(text=t, status="approved") for t in NOTES])
        events.append(event)
    db.conn.close()
    return events


def _status(db_path, run_id: int) -> dict:
    return dict(next(iter(open_db(db_path).query("SELECT * FROM synthesis_run WHERE id = ?", [run_id]))))


def _wait_for(predicate, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _synthesis_threads(before: frozenset = frozenset()) -> list[str]:
    """Synthesis worker threads alive now, less those in `before` (another test's app in this
    process, e.g. an xdist worker, may still hold an idle one)."""
    return [t.name for t in threading.enumerate() if t.name.startswith("synthesis_") and t not in before]


def test_runs_of_several_events_share_a_bounded_pool(app, db_path, monkeypatch):
    from web.worker import pool, start_synthesis, stop_synthesis

    monkeypatch.setattr(runs, "HEARTBEAT_SECONDS", 0.2)  # the waiting run's beat, quickly
    gate = threading.Event()
    app.config.update(SYNTHESIS_IN_THREAD=True, SYNTHESIS_MAX_RUNS=1,
                      SYNTHESIS_COMPONENTS=_fast_components(gate))
    first, second = _events(db_path, 2)
    db = open_db(db_path)
    before = frozenset(threading.enumerate())
    try:
        ids = [start_synthesis(app, db, event) for event in (first, second)]
        assert _wait_for(lambda: _status(db_path, ids[0])["status"] == "running")
        time.sleep(1.0)
        # One worker: the first runs (held by the gate), the other waits, queued.
        assert [_status(db_path, i)["status"] for i in ids] == ["running", "queued"]
        assert len(_synthesis_threads(before)) == 1
        # While waiting, its heartbeat is kept: a reaper with a 1-second limit leaves it alone.
        beaten = _status(db_path, ids[1])["heartbeat_at"]
        assert _wait_for(lambda: _status(db_path, ids[1])["heartbeat_at"] > beaten, 10)
        time.sleep(1.5)
        assert runs.reap_dead_runs(db, second, stale_after=1.0) == 0
        gate.set()
        assert _wait_for(lambda: all(_status(db_path, i)["status"] == "succeeded" for i in ids))
        assert len(_synthesis_threads(before)) == 1  # the same worker took them in turn
        assert _wait_for(lambda: pool(app).active == set(), 10)  # the worker notes it is done
    finally:
        gate.set()
        stop_synthesis(app)
        db.conn.close()


def test_a_server_stop_fails_the_waiting_and_the_working_runs(app, db_path):
    from web.worker import STOPPED, pool, start_synthesis, stop_synthesis

    gate = threading.Event()
    app.config.update(SYNTHESIS_IN_THREAD=True, SYNTHESIS_MAX_RUNS=1,
                      SYNTHESIS_COMPONENTS=_fast_components(gate))
    first, second = _events(db_path, 2)
    db = open_db(db_path)
    ids = [start_synthesis(app, db, event) for event in (first, second)]
    workers = pool(app)
    try:
        assert _wait_for(lambda: _status(db_path, ids[0])["status"] == "running")
        assert stop_synthesis(app) == 2
        for run_id in ids:
            row = _status(db_path, run_id)
            assert (row["status"], row["error"]) == ("failed", STOPPED)
    finally:
        gate.set()
    # The working run stops at its next progress report and stores nothing; the waiting one never starts.
    assert _wait_for(lambda: not workers.active, 60)
    assert [_status(db_path, i)["status"] for i in ids] == ["failed", "failed"]
    assert _status(db_path, ids[0])["result"] is None
    db.conn.close()
