"""Load on a real `harvest serve` (waitress) on 127.0.0.1: attendees, readers, the form during a synthesis.

    python benchmarks/load.py                       # 10/50/100/300 attendees, 100 readers, synthesis
    python benchmarks/load.py --levels 10,100 --seconds 2 --no-synthesis --save load.json
    git worktree add --detach /tmp/base 2c67f00
    python benchmarks/load.py --against /tmp/base   # the same phases on both, taking turns; ratios

For each level of concurrent attendees (GET the form, POST the note with its CSRF token and
cookie, as a browser does; see benchmarks/serving.py): notes/s, p50/p95/p99 of the GET+POST pair,
errors, notes acknowledged (302) against notes stored (must be equal), and the server's CPU time
per accepted note (from /proc/PID/stat). Then 100 concurrent readers of a published digest page
and the Atom feed (after one reader has fetched each once; the readers are threads of four client
processes, so they do not queue for one interpreter lock); then the form's p99 at 10 attendees
while `harvest synthesise` runs (the real models) on another event of the same database. Every
phase is bounded in time and count and stops by itself; the client runs on the same machine, so
its CPU counts against the server's.

With --against, a second server runs the code of another checkout (a baseline commit, with this
checkout's Python and packages) on its own copy of the same data, and each phase is run on both,
taking turns (which goes first alternates), so both meet the same load from the rest of the
machine; the report adds the ratios now / baseline.

Targets (issue 15): p99 < 300 ms at 100 attendees, < 1 s at 300, server CPU < 3 ms per note;
readers p99 < 200 ms; the form's p99 < 1 s during a synthesis.
"""

from __future__ import annotations

import argparse
import http.client
import os
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


def _read(port: int, paths: list[str], first: int, clients: int, start_at: float, seconds: float,
          max_requests: int) -> tuple[dict[str, list[float]], dict[str, int], float, float, float]:
    """Readers `first`.. `first + clients - 1` of this process, from wall-clock `start_at` for
    `seconds`: (latencies by path, errors, this process's CPU seconds meanwhile, start, end)."""
    latencies: dict[str, list[float]] = {p: [] for p in paths}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    count = [0]
    time.sleep(max(0.0, start_at - time.time()))
    stop_at = time.monotonic() + seconds

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

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(first, first + clients)]
    cpu_before, began = time.process_time(), time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    return latencies, errors, time.process_time() - cpu_before, began, time.time()


def readers(port: int, paths: list[str], clients: int, seconds: float, max_requests: int,
            server: Server | None = None, processes: int = 1) -> dict:
    """`clients` concurrent readers fetching `paths` in turn (own address and connection each),
    as threads of `processes` client processes (more than one: the readers do not queue for one
    interpreter lock, as readers' phones do not); with `server`, its CPU time per request too."""
    processes = max(1, min(processes, clients))
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    firsts = [sum(shares[:i]) for i in range(processes)]
    start_at = time.time() + (3.0 if processes > 1 else 0.0)  # the processes start before the clock
    server_before = server.cpu_seconds() if server else 0.0
    if processes == 1:
        parts = [_read(port, paths, 0, clients, start_at, seconds, max_requests)]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
            each = max_requests // processes
            futures = [pool.submit(_read, port, paths, first, share, start_at, seconds, each)
                       for first, share in zip(firsts, shares, strict=True)]
            parts = [f.result() for f in futures]
    wall = max(p[4] for p in parts) - min(p[3] for p in parts)
    latencies = {p: [v for part in parts for v in part[0][p]] for p in paths}
    errors: dict[str, int] = {}
    for _, part_errors, *_ in parts:
        for kind, n in part_errors.items():
            errors[kind] = errors.get(kind, 0) + n
    answered = sum(len(v) for v in latencies.values())
    out = {"clients": clients, "client_processes": processes, "seconds": round(wall, 2), "errors": errors,
           "target_p99_ms": 200.0,
           # The readers run on this machine: what they cost is CPU the server could not use.
           "client_cpu_ms_per_request": round(sum(p[2] for p in parts) * 1000 / answered, 2)
           if answered else None}
    if server and answered:
        out["server_cpu_ms_per_request"] = round((server.cpu_seconds() - server_before) * 1000 / answered, 2)
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


class Setup:
    """One server under test: its code, its database (seeded alike), its published digest."""

    def __init__(self, tmp: Path, name: str, threads: int, repo: Path | None) -> None:
        self.name, self.db = name, tmp / f"{name}.db"
        self.tokens = seed(self.db)
        self.slug = publish_digest(self.db)
        self.server = Server(self.db, threads=threads, repo=repo)
        self.commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo or REPO,
                                     capture_output=True, text=True).stdout.strip()
        burst(self.server.port, self.tokens, 5, 0.5, 20, "warm-up")


def _ratio(now: float | None, base: float | None) -> float | None:
    return round(now / base, 2) if now is not None and base else None


def ratios(now: dict, base: dict) -> dict:
    """now / baseline for the figures of one attendee level."""
    return {k: _ratio(now[k], base[k]) for k in ("notes_per_s", "p50_ms", "p99_ms", "server_cpu_ms_per_note")}


def _turns(setups: list[Setup], phase: int) -> list[Setup]:
    return setups if phase % 2 == 0 else setups[::-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="10,50,100,300", help="Concurrent attendees per level.")
    parser.add_argument("--seconds", type=float, default=3.0, help="Length of each level.")
    parser.add_argument("--max-notes", type=int, default=3000, help="At most this many notes per level.")
    parser.add_argument("--readers", type=int, default=100, help="Concurrent readers (0: skip).")
    parser.add_argument("--reader-processes", type=int, default=4, help="Client processes the readers "
                        "are shared among (1: all threads of this one, as before 2026-12-01 evening).")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (serve --threads).")
    parser.add_argument("--no-synthesis", action="store_true", help="Skip the form-during-synthesis phase.")
    parser.add_argument("--synthesis-limit", type=float, default=90.0, help="Most seconds of that phase.")
    parser.add_argument("--baseline", help="Serve this checkout instead (e.g. a git worktree of an older "
                        "commit).")
    parser.add_argument("--against", help="Also serve this checkout (a baseline commit's worktree) and run "
                        "every phase on both in the same run, taking turns; the report gives ratios.")
    parser.add_argument("--save", help="Also write the report to this JSON file.")
    args = parser.parse_args()
    info = describe_machine()
    report = {"machine": machine_line(info), "commit": git_commit(),
              "command": "python benchmarks/load.py " + " ".join(sys.argv[1:]),
              "load_average_before": list(os.getloadavg())}
    with tempfile.TemporaryDirectory(prefix="harvest-load-") as tmp:
        setups: list[Setup] = []
        try:
            served = Path(args.baseline) if args.baseline else None
            setups.append(Setup(Path(tmp), "now", args.threads, served))
            if args.against:
                setups.append(Setup(Path(tmp), "baseline", args.threads, Path(args.against)))
            for s in setups:
                report[s.name] = {"served": s.commit, "levels": []}
            for phase, clients in enumerate(int(c) for c in args.levels.split(",")):
                for s in _turns(setups, phase):
                    level = attendee_level(s.server, s.db, s.tokens, clients, args.seconds, args.max_notes)
                    report[s.name]["levels"].append(level)
                    print(s.name, level, file=sys.stderr)
            if args.readers:
                for s in _turns(setups, 1):
                    paths = [f"/digests/{s.slug}", "/digests.atom"]
                    # One reader first, as the timed ones arrive after someone has read the page.
                    readers(s.server.port, paths, 1, 1.0, len(paths))
                    report[s.name]["readers"] = readers(s.server.port, paths, args.readers, args.seconds,
                                                        20_000, server=s.server,
                                                        processes=args.reader_processes)
                    print(s.name, report[s.name]["readers"], file=sys.stderr)
            if not args.no_synthesis:
                for s in setups:
                    report[s.name]["during_synthesis"] = during_synthesis(s.server, s.db, s.tokens, 10,
                                                                          args.synthesis_limit)
                    print(s.name, report[s.name]["during_synthesis"], file=sys.stderr)
        finally:
            for s in setups:
                s.server.stop()
    if args.against:
        now, base = report["now"], report["baseline"]
        report["ratios_now_over_baseline"] = {
            "levels": [{"clients": n["clients"], **ratios(n, b)}
                       for n, b in zip(now["levels"], base["levels"], strict=True)]}
        if args.readers:
            report["ratios_now_over_baseline"]["readers_p99"] = {
                path: _ratio(now["readers"][path]["p99_ms"], base["readers"][path]["p99_ms"])
                for path in now["readers"] if path.startswith("/")}
        if not args.no_synthesis:
            report["ratios_now_over_baseline"]["during_synthesis_p99"] = _ratio(
                now["during_synthesis"]["p99_ms"], base["during_synthesis"]["p99_ms"])
    report["load_average_after"] = list(os.getloadavg())
    dump(report, args.save)


if __name__ == "__main__":
    main()
