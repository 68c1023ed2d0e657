"""Faults on a real `harvest serve` on 127.0.0.1: kill -9 mid-burst, kill -9 mid-synthesis, an import
while attendees send notes. Bounded in time and count; every phase stops by itself.

    python benchmarks/faults.py                  # all three
    python benchmarks/faults.py --only burst --save faults.json

1. kill -9 mid-burst: 50 attendees send notes; the server is killed -9 a second in, and started
   again; every note not acknowledged is sent again as the browser would (the same form: its CSRF
   token, session cookie and submission key; a form that never loaded is loaded afresh). Counted:
   acknowledged notes missing from the database (lost) and notes stored twice (duplicated), both 0.
2. kill -9 mid-synthesis: `harvest synthesise` (the real models) once to completion, then again,
   killed -9 while it works. Checked: the previous result is intact, the killed run reads as
   failed, and the next run succeeds.
3. An import while the server takes notes: 20 attendees send notes while `harvest import` writes a
   20,000-row CSV into another event of the same database. Counted: errors any attendee saw (0).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.machine import describe_machine, git_commit, machine_line  # noqa: E402
from benchmarks.serving import (  # noqa: E402
    REPO,
    Attendee,
    Server,
    Tally,
    burst,
    dump,
    harvest,
    percentile,
    seed,
    stored_texts,
)


def kill_mid_burst(db: Path, tokens: list[str], clients: int = 50, seconds: float = 3.0) -> dict:
    """Kill -9 the server while `clients` attendees send notes; resend what was not acknowledged."""
    server = Server(db)
    burst(server.port, tokens, 5, 1.0, 20, "warm-up")
    tag = f"K{time.monotonic_ns()}"
    tally = Tally()
    thread = threading.Thread(target=burst, args=(server.port, tokens, clients, seconds + 30, 5000, tag),
                              kwargs={"tally": tally, "stop_on_error": True}, daemon=True)
    thread.start()
    deadline = time.monotonic() + seconds
    while len(tally.acknowledged) < 100 and time.monotonic() < deadline:
        time.sleep(0.02)
    server.kill9()  # mid-burst: a hundred notes in, requests in flight
    thread.join(timeout=seconds + 90)
    before_kill = len(tally.acknowledged)
    server = Server(db)
    already = set(stored_texts(db, tag))  # stored by the killed server, whatever the attendee saw
    resent = fresh = failed = 0
    try:
        for n, (text, fields, cookie) in enumerate(tally.unacknowledged):
            person = Attendee(server.port, 2000 + n)
            token = tokens[0]
            try:
                if fields:  # the form had loaded: send that same form again (a resend)
                    person.cookie = cookie
                    status = person.post(token, fields, text)
                    resent += 1
                else:  # it never loaded: the attendee reloads the page and sends
                    status = person.post(token, person.form(token), text)
                    fresh += 1
            finally:
                person.close()
            if status == 302:
                tally.acknowledged.append(text)
            else:
                failed += 1
    finally:
        server.stop()
    stored = Counter(stored_texts(db, tag))
    acknowledged = set(tally.acknowledged)
    return {"clients": clients, "acknowledged_before_kill": before_kill,
            "not_acknowledged": len(tally.unacknowledged), "resent_same_form": resent,
            "sent_from_a_fresh_form": fresh, "resends_refused": failed,
            "resends_already_stored_before_the_kill": sum(
                1 for text, fields, _ in tally.unacknowledged if fields and text in already),
            "acknowledged_in_all": len(acknowledged), "stored": sum(stored.values()),
            "lost": len(acknowledged - set(stored)),
            "duplicated": sum(c - 1 for c in stored.values() if c > 1),
            "errors_during_burst": tally.errors}


def _run_row(db: Path, run_id: int | None = None) -> dict | None:
    from capture.store import open_db

    database = open_db(db)
    try:
        sql = "SELECT id, status, stage, error FROM synthesis_run WHERE event_id = " \
              "(SELECT id FROM event WHERE slug = 'synth')"
        rows = list(database.query(sql + (" AND id = ?" if run_id else "") + " ORDER BY id DESC LIMIT 1",
                                   [run_id] if run_id else []))
        return rows[0] if rows else None
    finally:
        database.conn.close()


def kill_mid_synthesis(db: Path, limit: float = 300.0) -> dict:
    """Kill -9 a `harvest synthesise` mid-run: the previous result stays, the run fails, the next works."""
    import subprocess

    from benchmarks.serving import HARVEST
    from capture.store import get_event, open_db
    from synthesis import runs

    harvest(db, "import", str(REPO / "transcripts" / "seee-partnership-structures.txt"), "--event", "synth")
    started = time.perf_counter()
    harvest(db, "synthesise", "synth", timeout=limit)
    first_seconds = time.perf_counter() - started
    database = open_db(db)
    before = runs.latest_result(database, get_event(database, "synth"))
    database.conn.close()
    proc = subprocess.Popen([*HARVEST, "--db", str(db), "synthesise", "synth"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + limit
    stage = None
    while time.monotonic() < deadline and proc.poll() is None:
        row = _run_row(db)
        if row and row["status"] == "running" and row["stage"] not in (None, "starting"):
            stage = row["stage"]
            break
        time.sleep(0.1)
    killed_run = _run_row(db)["id"]
    proc.kill()
    proc.wait(timeout=30)
    database = open_db(db)
    event = get_event(database, "synth")
    status_after = runs.latest_run(database, event)  # read: the dead owner's run is failed now
    intact = runs.latest_result(database, event) == before
    database.conn.close()
    started = time.perf_counter()
    after = harvest(db, "synthesise", "synth", timeout=limit, check=False)
    return {"first_run_seconds": round(first_seconds, 1), "killed_at_stage": stage,
            "killed_run_status": status_after["status"] if status_after else None,
            "killed_run_error": status_after["error"] if status_after else None,
            "killed_run": killed_run, "previous_result_intact": intact,
            "next_run_exit": after.returncode, "next_run_seconds": round(time.perf_counter() - started, 1),
            "next_run_status": (_run_row(db) or {}).get("status")}


def import_during_notes(db: Path, tokens: list[str], clients: int = 20, seconds: float = 6.0,
                        rows: int = 20_000) -> dict:
    """`harvest import` of a large CSV into another event while attendees send notes."""
    csv_path = db.parent / "big.csv"
    with csv_path.open("w", encoding="utf-8") as out:
        out.write("Response ID,Your comment\n")
        for i in range(rows):
            out.write(f"{i},Imported answer {i} about volunteers and core funding\n")
    server = Server(db)
    tag = f"I{time.monotonic_ns()}"
    result: dict = {}
    try:
        thread = threading.Thread(target=lambda: result.update(tally=burst(server.port, tokens, clients,
                                                                           seconds, 5000, tag, think=0.1)),
                                  daemon=True)
        thread.start()
        time.sleep(1.0)
        started = time.perf_counter()
        imported = harvest(db, "import", str(csv_path), "--event", "imported", check=False)
        import_seconds = time.perf_counter() - started
        thread.join(timeout=seconds + 60)
    finally:
        server.stop()
    tally = result["tally"]
    stored = stored_texts(db, tag)
    return {"clients": clients, "import_rows": rows, "import_exit": imported.returncode,
            "import_seconds": round(import_seconds, 1), "import_output": imported.stdout.strip()[-200:],
            "notes_acknowledged": len(tally.acknowledged), "notes_stored": len(stored),
            "errors_seen_by_attendees": tally.errors,
            "p99_ms": round((percentile(tally.latencies, 99) or 0) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("burst", "synthesis", "import"), help="Run one fault only.")
    parser.add_argument("--save", help="Also write the report to this JSON file.")
    args = parser.parse_args()
    report = {"machine": machine_line(describe_machine()), "commit": git_commit(),
              "command": "python benchmarks/faults.py " + " ".join(sys.argv[1:])}
    with tempfile.TemporaryDirectory(prefix="harvest-faults-") as tmp:
        db = Path(tmp) / "faults.db"
        tokens = seed(db)
        if args.only in (None, "burst"):
            report["kill_mid_burst"] = kill_mid_burst(db, tokens)
            print(report["kill_mid_burst"], file=sys.stderr)
        if args.only in (None, "import"):
            report["import_during_notes"] = import_during_notes(db, tokens)
            print(report["import_during_notes"], file=sys.stderr)
        if args.only in (None, "synthesis"):
            report["kill_mid_synthesis"] = kill_mid_synthesis(db)
    dump(report, args.save)


if __name__ == "__main__":
    main()
