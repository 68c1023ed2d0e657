"""Load on a real `harvest serve` (waitress) on 127.0.0.1: attendees, readers, the form during a synthesis.

    python benchmarks/load.py                       # 10/50/100/300 attendees, 100 readers, synthesis
    python benchmarks/load.py --levels 10,100 --seconds 2 --no-synthesis --save load.json

For each level of concurrent attendees (GET the form, POST the note with its CSRF token and
cookie, as a browser does; see benchmarks/serving.py): notes/s, p50/p95/p99 of the GET+POST pair,
errors, notes acknowledged (302) against notes stored (must be equal), and the server's CPU time
per accepted note (from /proc/PID/stat). Then 100 concurrent readers of a published digest page
and the Atom feed; then the form's p99 at 10 attendees while `harvest synthesise` runs (the real
models) on another event of the same database. Every phase is bounded in time and count and
stops by itself; the client runs on the same machine, so its CPU counts against the server's.

Targets (issue 15): p99 < 300 ms at 100 attendees, < 1 s at 300, server CPU < 3 ms per note;
readers p99 < 200 ms; the form's p99 < 1 s during a synthesis.
"""

from __future__ import annotations

import argparse
import http.client
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.machine import describe_machine, git_commit, machine_line  # noqa: E402
from benchmarks.serving import (  # noqa: E402
    REPO,
    Server,
    burst,
    dump,
    harvest,
    percentile,
    seed,
    source_address,
    stored_texts,
)

TARGETS = {10: None, 50: None, 100: 0.300, 300: 1.0}


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def attendee_level(server: Server, db: Path, tokens: list[str], clients: int, seconds: float,
                   max_notes: int) -> dict:
    """One level of concurrent attendees: throughput, latency, errors, acknowledged vs stored, CPU."""
    tag = f"L{clients}-{time.monotonic_ns()}"
    cpu_before, client_before = server.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    tally = burst(server.port, tokens, clients, seconds, max_notes, tag)
    wall = time.perf_counter() - started
    cpu, client = server.cpu_seconds() - cpu_before, time.process_time() - client_before
    stored = stored_texts(db, tag)
    acked = len(tally.acknowledged)
    return {
        "clients": clients, "seconds": round(wall, 2), "notes_per_s": round(acked / wall, 1),
        "p50_ms": _ms(percentile(tally.latencies, 50)), "p95_ms": _ms(percentile(tally.latencies, 95)),
        "p99_ms": _ms(percentile(tally.latencies, 99)), "errors": tally.errors,
        "acknowledged": acked, "stored": len(stored), "duplicates": len(stored) - len(set(stored)),
        "acknowledged_not_stored": len(set(tally.acknowledged) - set(stored)),
        "server_cpu_ms_per_note": round(cpu * 1000 / acked, 2) if acked else None,
        # The client shares the machine: its CPU per note is what the server could not use.
        "client_cpu_ms_per_note": round(client * 1000 / acked, 2) if acked else None,
        "target_p99_ms": _ms(TARGETS.get(clients)),
    }


def publish_digest(db: Path) -> str:
    """A published digest to read (hand-made result of real notes: no models needed); its slug."""
    from capture.store import open_db
    from tests.publishing_data import make_result, seed_event, store_result
    from web.publish.publishing import publish

    database = open_db(db)
    event = seed_event(database, slug="read-me")
    store_result(database, event, make_result(database, event))
    publish(database, event)
    database.conn.close()
    return event.slug


def readers(port: int, paths: list[str], clients: int, seconds: float, max_requests: int) -> dict:
    """`clients` concurrent readers fetching `paths` in turn (own address and connection each)."""
    latencies: dict[str, list[float]] = {p: [] for p in paths}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    count = [0]

    def reader(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                          source_address=(source_address(1000 + n), 0))
        i = n
        while time.monotonic() < stop_at:
            with lock:
                if count[0] >= max_requests:
                    break
                count[0] += 1
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                conn.close()
                continue
            with lock:
                if status == 200:
                    latencies[path].append(time.perf_counter() - started)
                else:
                    errors[f"HTTP {status}"] = errors.get(f"HTTP {status}", 0) + 1
        conn.close()

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    wall = time.perf_counter() - started
    out = {"clients": clients, "seconds": round(wall, 2), "errors": errors, "target_p99_ms": 200.0}
    for path, values in latencies.items():
        out[path] = {"requests": len(values), "per_s": round(len(values) / wall, 1),
                     "p50_ms": _ms(percentile(values, 50)), "p95_ms": _ms(percentile(values, 95)),
                     "p99_ms": _ms(percentile(values, 99))}
    return out


def during_synthesis(server: Server, db: Path, tokens: list[str], clients: int, limit: float) -> dict:
    """The form's latency at `clients` attendees while `harvest synthesise` runs (real models)."""
    harvest(db, "import", str(REPO / "transcripts" / "seee-partnership-structures.txt"), "--event", "synth")
    harvest(db, "import", str(REPO / "transcripts" / "social-value-roundtable.md"), "--event", "synth")
    done = threading.Event()
    outcome: dict = {}

    def run() -> None:
        started = time.perf_counter()
        finished = harvest(db, "synthesise", "synth", timeout=limit + 120, check=False)
        outcome.update(seconds=round(time.perf_counter() - started, 1), exit=finished.returncode)
        done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    time.sleep(1.0)  # let it load the models
    tally = None
    spans = []
    deadline = time.monotonic() + limit
    latencies: list[float] = []
    errors: dict[str, int] = {}
    while not done.is_set() and time.monotonic() < deadline:
        tally = burst(server.port, tokens, clients, 2.0, 10_000, f"S{len(spans)}-{time.monotonic_ns()}",
                      think=0.2)
        spans.append(len(tally.latencies))
        latencies.extend(tally.latencies)
        for k, v in tally.errors.items():
            errors[k] = errors.get(k, 0) + v
    thread.join(timeout=limit + 120)
    return {"clients": clients, "synthesis": outcome, "notes": len(latencies), "errors": errors,
            "p50_ms": _ms(percentile(latencies, 50)), "p95_ms": _ms(percentile(latencies, 95)),
            "p99_ms": _ms(percentile(latencies, 99)), "target_p99_ms": 1000.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="10,50,100,300", help="Concurrent attendees per level.")
    parser.add_argument("--seconds", type=float, default=3.0, help="Length of each level.")
    parser.add_argument("--max-notes", type=int, default=3000, help="At most this many notes per level.")
    parser.add_argument("--readers", type=int, default=100, help="Concurrent readers (0: skip).")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (serve --threads).")
    parser.add_argument("--no-synthesis", action="store_true", help="Skip the form-during-synthesis phase.")
    parser.add_argument("--synthesis-limit", type=float, default=90.0, help="Most seconds of that phase.")
    parser.add_argument("--baseline", help="Serve this checkout instead (e.g. a git worktree of an older "
                        "commit), to compare in the same session.")
    parser.add_argument("--save", help="Also write the report to this JSON file.")
    args = parser.parse_args()
    info = describe_machine()
    report = {"machine": machine_line(info), "commit": git_commit(),
              "command": "python benchmarks/load.py " + " ".join(sys.argv[1:]), "levels": []}
    with tempfile.TemporaryDirectory(prefix="harvest-load-") as tmp:
        db = Path(tmp) / "load.db"
        tokens = seed(db)
        slug = publish_digest(db)
        server = Server(db, threads=args.threads, repo=Path(args.baseline) if args.baseline else None)
        if args.baseline:
            report["served"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=args.baseline,
                                              capture_output=True, text=True).stdout.strip()
        try:
            burst(server.port, tokens, 5, 0.5, 20, "warm-up")
            for clients in (int(c) for c in args.levels.split(",")):
                report["levels"].append(attendee_level(server, db, tokens, clients, args.seconds,
                                                       args.max_notes))
                print(report["levels"][-1], file=sys.stderr)
            if args.readers:
                report["readers"] = readers(server.port, [f"/digests/{slug}", "/digests.atom"],
                                            args.readers, args.seconds, 20_000)
                print(report["readers"], file=sys.stderr)
            if not args.no_synthesis:
                report["during_synthesis"] = during_synthesis(server, db, tokens, 10, args.synthesis_limit)
        finally:
            server.stop()
    dump(report, args.save)


if __name__ == "__main__":
    main()
