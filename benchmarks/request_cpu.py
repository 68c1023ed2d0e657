"""CPU time of the attendee's and the reader's requests through the app itself (no server, no
sockets), for this checkout and a baseline checkout, taken in turns: a figure the machine's load
hardly moves, unlike benchmarks/load.py's latencies.

    git worktree add --detach /tmp/base 2c67f00
    python benchmarks/request_cpu.py --against /tmp/base --rounds 2

Each measurement is a fresh process running one checkout's code (this checkout's Python and
packages) on a temporary database: `--pairs` attendee notes, each a GET of the form by a new
browser session and the POST of the note with its CSRF token and cookie, then `--reads` requests
each of a published digest page and the Atom feed, all as WSGI calls of the app `harvest serve`
builds. Reported: CPU ms per note (GET+POST, less the benchmark's own building of the two WSGI
environs) and per read (including building its environ, `environ_ms`), median over the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.machine import describe_machine, git_commit, machine_line  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

# Run inside the checkout measured (its folder first on sys.path): prints one JSON line.
CHILD = r'''
import json, re, sys, tempfile, time, urllib.parse
from pathlib import Path
sys.path.insert(0, ".")
from werkzeug.test import EnvironBuilder
from capture.store import add_table, open_db, save_event
from tests.publishing_data import make_result, seed_event, store_result
from web import create_app
from web.publish.publishing import publish

pairs, reads = int(sys.argv[1]), int(sys.argv[2])
FIELD = re.compile(r'name="(csrf_token|submission)"[^>]*value="([^"]+)"')
path = Path(tempfile.mkdtemp()) / "cpu.db"
db = open_db(path)
event = save_event(db, "bench", title="Load benchmark", status="open")
token = add_table(db, event, "Table 1").token
digest = seed_event(db, slug="read-me")
store_result(db, digest, make_result(db, digest))
publish(db, digest)
db.conn.close()
app = create_app(database=str(path))
seen = {}

def start_response(status, headers, exc_info=None):
    seen["status"], seen["headers"] = status, headers

def call(method, url, cookie="", body=None, address="127.0.1.1"):
    environ = EnvironBuilder(url, method=method, headers={"Cookie": cookie} if cookie else {}, data=body,
                             content_type="application/x-www-form-urlencoded" if body else None,
                             environ_base={"REMOTE_ADDR": address}).get_environ()
    page = b"".join(app(environ, start_response)).decode()
    cookies = [v for k, v in seen["headers"] if k == "Set-Cookie"]
    return seen["status"], page, cookies[0].split(";")[0] if cookies else cookie

def note(i):
    address = f"127.0.{1 + i // 250}.{1 + i % 250}"
    _, page, cookie = call("GET", f"/t/{token}", address=address)
    body = urllib.parse.urlencode({**dict(FIELD.findall(page)), "text": f"note {i} about funding"})
    status, _, _ = call("POST", f"/t/{token}", cookie, body, address)
    assert status.startswith("302"), status

def timed(work, n):
    started = time.process_time()
    for i in range(n):
        work(i)
    return (time.process_time() - started) * 1000 / n

def build(_i):
    EnvironBuilder("/t/x", method="POST", data="a=b",
                   content_type="application/x-www-form-urlencoded").get_environ()

building = timed(build, 300)
for i in range(50):
    note(10_000 + i)
per_note = timed(note, pairs) - 2 * building  # the environ building is the benchmark's, not the app's
out = {"note_ms": round(per_note, 3), "environ_ms": round(building, 3)}
for url in ("/digests/read-me", "/digests.atom"):
    for _ in range(20):
        call("GET", url)
    # Not less the environ's building: as small as a cached read, the difference would be noise.
    out[url] = round(timed(lambda i: call("GET", url), reads), 3)
print(json.dumps(out))
'''


def measure(checkout: Path, pairs: int, reads: int) -> dict:
    """One fresh process of `checkout`'s code: CPU ms per note and per read."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(pairs), str(reads)], cwd=checkout,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if done.returncode != 0:
        raise RuntimeError(f"{checkout}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", help="A baseline checkout (a git worktree of an older commit).")
    parser.add_argument("--rounds", type=int, default=2, help="Measurements of each checkout, in turns.")
    parser.add_argument("--pairs", type=int, default=1000, help="Attendee notes (GET+POST) per measurement.")
    parser.add_argument("--reads", type=int, default=2000, help="Reads of each public page per measurement.")
    args = parser.parse_args()
    checkouts = {"now": REPO} | ({"baseline": Path(args.against)} if args.against else {})
    runs: dict[str, list[dict]] = {name: [] for name in checkouts}
    for round_ in range(args.rounds):
        order = list(checkouts.items()) if round_ % 2 == 0 else list(checkouts.items())[::-1]
        for name, checkout in order:
            runs[name].append(measure(checkout, args.pairs, args.reads))
            print(name, runs[name][-1], file=sys.stderr)
    report = {"machine": machine_line(describe_machine()), "commit": git_commit(),
              "command": "python benchmarks/request_cpu.py " + " ".join(sys.argv[1:]), "runs": runs}
    for name, found in runs.items():
        report[name] = {key: round(statistics.median(r[key] for r in found), 3) for key in found[0]}
    if args.against:
        report["ratios_now_over_baseline"] = {key: round(report["now"][key] / report["baseline"][key], 2)
                                              for key in report["now"]}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
