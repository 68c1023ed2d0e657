"""Runs that cannot stick (issue 15, finding 8): a run is owned by a process with a heartbeat; a dead
owner's run is failed when read; one run per event across processes; cancel from the command line
and the page; a resent attendee POST is stored once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from capture.errors import ValidationError
from capture.models import Note
from capture.store import add_notes, get_event, open_db, save_event
from synthesis import runs
from synthesis.embed import FakeEmbedder
from synthesis.pipeline import synthesise
from tests.web_helpers import count_notes, seed_event
from web.cli import cli

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A separate process that claims a run of event 'room' and keeps it alive (beats) until killed.
CLAIMANT = textwrap.dedent("""
    import sys, time
    from capture.store import get_event, open_db
    from synthesis import runs
    db = open_db(sys.argv[1])
    run_id = runs.create_run(db, get_event(db, "room"))
    runs.start_run(db, run_id, {}, {})
    print(run_id, flush=True)
    with runs.heartbeat(db, run_id, every=0.2):
        time.sleep(float(sys.argv[2]))
""")


def claimant(db_path, seconds: float = 60.0) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-c", CLAIMANT, str(db_path), str(seconds)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.strip().isdigit(), f"the claimant did not start: {line!r}"
    return proc, int(line)


def status(db, run_id) -> tuple[str, str | None]:
    run = runs.get_run(db, run_id)
    return run["status"], run["error"]


@pytest.fixture
def room(db):
    return save_event(db, "room")


def test_one_run_per_event_in_one_process(db, room):
    first = runs.create_run(db, room)
    with pytest.raises(ValidationError, match=rf"already queued \(run {first}\).*--cancel"):
        runs.create_run(db, room)
    other = save_event(db, "other")
    assert runs.create_run(db, other) != first, "another event is not blocked"


def test_live_run_of_another_process_blocks_and_is_not_reaped(db, db_path, room):
    proc, run_id = claimant(db_path)
    try:
        with pytest.raises(ValidationError, match=rf"already running \(run {run_id}\)"):
            runs.create_run(db, room)
        # A second `harvest serve` starting: it must not fail the live run of the first.
        from web.worker import mark_interrupted

        assert mark_interrupted(db) == 0
        assert status(db, run_id) == ("running", None)
        time.sleep(0.5)
        before = runs.get_run(db, run_id)
        assert runs.latest_run(db, room)["status"] == "running"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    # Its owner died (kill -9): the run is failed as soon as it is read, and a new run can start.
    assert runs.latest_run(db, room)["status"] == "failed"
    assert status(db, run_id) == ("failed", runs.INTERRUPTED)
    assert before["status"] == "running"
    assert runs.create_run(db, room) > run_id


def test_run_without_heartbeat_for_n_seconds_is_failed_when_read(db, room):
    run_id = runs.create_run(db, room)
    runs.start_run(db, run_id, {}, {})
    # Owned by a process on another host that stopped beating 31 s ago.
    db.conn.execute("UPDATE synthesis_run SET owner_host = 'elsewhere', heartbeat_at = ? WHERE id = ?",
                    [time.time() - 31, run_id])
    db.conn.commit()
    assert runs.reap_dead_runs(db, room, stale_after=60) == 0, "not yet stale at 60 s"
    assert runs.latest_run(db, room)["status"] == "failed"
    assert status(db, run_id) == ("failed", runs.INTERRUPTED)


def test_a_live_owner_on_this_host_whose_beats_are_late_keeps_its_run(db, room):
    run_id = runs.create_run(db, room)  # owned by this test's own, live, process
    runs.start_run(db, run_id, {}, {})
    db.conn.execute("UPDATE synthesis_run SET heartbeat_at = ? WHERE id = ?", [time.time() - 60, run_id])
    db.conn.commit()
    assert runs.reap_dead_runs(db, room) == 0 and status(db, run_id) == ("running", None)
    # Silent for ten times the limit: the pid may have been reused; the run is failed.
    db.conn.execute("UPDATE synthesis_run SET heartbeat_at = ? WHERE id = ?", [time.time() - 400, run_id])
    db.conn.commit()
    assert runs.reap_dead_runs(db, room) == 1 and status(db, run_id) == ("failed", runs.INTERRUPTED)


def test_two_processes_claiming_at_once_get_one_run(db, db_path, room):
    script = ("import sys\nfrom capture.store import get_event, open_db\nfrom synthesis import runs\n"
              "from capture.errors import ValidationError\ndb = open_db(sys.argv[1])\n"
              "try:\n    print('claimed', runs.create_run(db, get_event(db, 'room')))\n"
              "except ValidationError:\n    print('refused')\n"
              "import time; time.sleep(3)\n")  # stay alive so the claim is not reaped as dead
    procs = [subprocess.Popen([sys.executable, "-c", script, str(db_path)], cwd=REPO, stdout=subprocess.PIPE,
                              text=True) for _ in range(4)]
    outputs = [p.stdout.readline().split()[0] for p in procs]
    for p in procs:
        p.wait(timeout=30)
    assert sorted(outputs) == ["claimed", "refused", "refused", "refused"]
    assert db.execute("SELECT count(*) FROM synthesis_run").fetchone()[0] == 1


def test_cancel_stops_the_owner_and_keeps_the_previous_result(db, room, nlp):
    add_notes(db, room, [Note(text=t) for t in (
        "Funding is short term and grants end in March.", "Volunteers are tired and leaving.",
        "Grants are short and funding ends soon.", "Volunteers need support and thanks.")])
    first = synthesise(db, room, embedder=FakeEmbedder(), nlp=nlp, settings={"min_theme_size": 2})
    previous = runs.latest_result(db, room)

    def cancel_at_clustering(stage: str, _fraction: float) -> None:
        if stage == "clustering":
            runs.cancel_run(db, room, actor="a test")

    with pytest.raises(runs.RunCancelled, match="Cancelled by a test"):
        synthesise(db, room, embedder=FakeEmbedder(), nlp=nlp, settings={"min_theme_size": 2},
                   progress=cancel_at_clustering)
    latest = runs.latest_run(db, room)
    assert (latest["status"], latest["error"]) == ("failed", "Cancelled by a test.")
    assert runs.latest_succeeded_run(db, room)["id"] == first
    assert runs.latest_result(db, room) == previous
    # A cancelled run cannot be stored later by its owner either.
    with pytest.raises(runs.RunCancelled):
        runs.store_result(db, latest["id"], {"themes": []}, {})
    # The next run succeeds.
    assert synthesise(db, room, embedder=FakeEmbedder(), nlp=nlp, settings={"min_theme_size": 2}) > first


def test_cli_cancel(runner, db_path, db, room):
    proc, run_id = claimant(db_path)
    try:
        out = runner.invoke(cli, ["--db", str(db_path), "synthesise", "room", "--cancel"])
        assert out.exit_code == 0, out.output
        assert f"Cancelled synthesis run {run_id} of room." in out.output
        assert status(db, run_id) == ("failed", "Cancelled by the command line.")
        # The owner notices at its next beat... its heartbeat thread finds the run no longer active.
        again = runner.invoke(cli, ["--db", str(db_path), "synthesise", "room", "--cancel"])
        assert "No synthesis of room is running." in again.output
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)


def _form(client, token: str) -> dict:
    page = client.get(f"/t/{token}").get_data(as_text=True)
    fields = dict(re.findall(r'name="(csrf_token|submission)"[^>]*value="([^"]+)"', page))
    fields.update({k: v for v, k in re.findall(r'value="([^"]+)"[^>]*name="(csrf_token|submission)"', page)})
    assert set(fields) == {"csrf_token", "submission"}, page
    return fields


def test_resent_attendee_post_is_stored_once_and_answered_as_success(app, client, db_path):
    _, tables = seed_event(db_path)
    token = tables[0].token
    fields = _form(client, token)
    post = {**fields, "text": "Our grant ends in March."}
    first = client.post(f"/t/{token}", data=post)
    again = client.post(f"/t/{token}", data=post)  # the answer was lost: the phone sends it again
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"].endswith(f"/t/{token}/thanks")
    assert count_notes(db_path) == 1
    # A new render is a new key, but the same words from the same phone are still the note sent
    # (Back, then Send again: the walk-through's F1); other words are a second note.
    other = _form(client, token)
    assert other["submission"] != fields["submission"]
    resent = client.post(f"/t/{token}", data={**other, "text": "Our grant ends in March."})
    assert resent.status_code == 302 and "again=1" in resent.headers["Location"]
    assert count_notes(db_path) == 1
    assert client.post(f"/t/{token}", data={**other, "text": "And it is not renewed."}).status_code == 302
    assert count_notes(db_path) == 2
    db = open_db(db_path)
    keys = [r["source_ref"] for r in db.query("SELECT source_ref FROM note ORDER BY id")]
    assert keys == [fields["submission"], other["submission"]]
    assert get_event(db, "round-2026").id
