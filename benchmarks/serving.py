"""What the load and fault benchmarks share: a real `harvest serve` (waitress) on a free loopback port,
attendees that GET the form and POST a note with its CSRF token and cookie as a browser does, and
the server's CPU time from /proc.

Everything talks to 127.0.0.1 only. Each simulated attendee connects from its own loopback address
(127.0.x.y, all of 127/8 is this machine), as phones in a room have their own addresses behind
the venue's proxy, so the per-address rate limit sees distinct attendees; each note is sent from a
fresh browser session (a new attendee), so the per-session limit never refuses one.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HARVEST = [sys.executable, "-c", "from web.cli import main; main()"]
_SERVING = re.compile(r"at http://127\.0\.0\.1:(\d+)/")
_FIELD = re.compile(r'name="(csrf_token|submission)"[^>]*value="([^"]+)"')
TICKS = os.sysconf("SC_CLK_TCK")


def harvest(db: Path, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
    """Run the `harvest` command on `db` and return the finished process."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run([*HARVEST, "--db", str(db), *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env)
    if check and done.returncode != 0:
        raise RuntimeError(f"harvest {' '.join(args)} failed: {done.stderr.strip()}")
    return done


class Server:
    """`harvest serve` on a free port of 127.0.0.1, started and stopped by the benchmark."""

    def __init__(self, db: Path, threads: int = 8, repo: Path | None = None) -> None:
        # `repo`: serve the code of another checkout (a baseline commit), run from its folder.
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        self.proc = subprocess.Popen([*HARVEST, "--db", str(db), "serve", "--port", "0", "--threads",
                                      str(threads)], cwd=repo or REPO, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, env=env)
        deadline = time.monotonic() + 60
        self.port = None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            found = _SERVING.search(line)
            if found:
                self.port = int(found.group(1))
                break
        if self.port is None:
            self.proc.kill()
            raise RuntimeError("harvest serve did not start")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def kill9(self) -> None:
        """kill -9, as a crash or the OOM killer would."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()


def source_address(n: int) -> str:
    """The n-th attendee's own loopback address: 127.0.1.1, 127.0.1.2, ..."""
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


@dataclass
class Attendee:
    """One phone: its own address and connection (kept alive, as a browser does)."""

    port: int
    number: int
    conn: http.client.HTTPConnection | None = None
    cookie: str = ""

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                                   source_address=(source_address(self.number), 0))
        return self.conn

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, dict]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed meanwhile: a browser reconnects, once.
                self.close()
                if attempt == 2 or method == "POST":
                    raise
        got = response.getheader("Set-Cookie")
        if got:
            self.cookie = got.split(";", 1)[0]
        return response.status, text, dict(response.getheaders())

    def form(self, token: str) -> dict:
        """GET the table's form as a new attendee: the CSRF token and submission key it carries."""
        self.cookie = ""
        status, page, _ = self.request("GET", f"/t/{token}")
        if status != 200:
            raise RuntimeError(f"form answered {status}")
        fields = dict(_FIELD.findall(page))
        return fields

    def post(self, token: str, fields: dict, text: str) -> int:
        """POST a note with the form's fields; the status (302 = stored and acknowledged)."""
        body = urllib.parse.urlencode({**fields, "text": text})
        status, _, _ = self.request("POST", f"/t/{token}", body)
        return status

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Tally:
    """What a burst of attendees saw: latencies of acknowledged notes, errors, the notes sent."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    acknowledged: list[str] = field(default_factory=list)
    # (text, the form's fields, the session cookie): what a browser would send again.
    unacknowledged: list[tuple[str, dict, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1


def burst(port: int, tokens: list[str], clients: int, seconds: float, max_notes: int, tag: str,
          think: float = 0.0, first_address: int = 0, tally: Tally | None = None,
          stop_on_error: bool = False) -> Tally:
    """`clients` attendees sending GET+POST pairs for `seconds` (at most `max_notes` in all).

    With `stop_on_error` an attendee whose request fails stops (the server is gone: a person would
    see the error and try later) instead of trying again at once."""
    tally = tally if tally is not None else Tally()
    stop_at = time.monotonic() + seconds
    sent = [0]

    def attendee(n: int) -> None:
        person = Attendee(port, first_address + n)
        token = tokens[n % len(tokens)]
        i = 0
        while time.monotonic() < stop_at:
            with tally.lock:
                if sent[0] >= max_notes:
                    break
                sent[0] += 1
            text = f"{tag} attendee {n} note {i}: funding for small charities is too short term"
            i += 1
            started = time.perf_counter()
            fields: dict = {}
            try:
                fields = person.form(token)
                status = person.post(token, fields, text)
            except (OSError, http.client.HTTPException, RuntimeError) as exc:
                tally.error(type(exc).__name__)
                with tally.lock:
                    tally.unacknowledged.append((text, fields, person.cookie))
                person.close()
                if stop_on_error:
                    break
                continue
            elapsed = time.perf_counter() - started
            with tally.lock:
                if status == 302:
                    tally.latencies.append(elapsed)
                    tally.acknowledged.append(text)
                else:
                    tally.errors[f"HTTP {status}"] = tally.errors.get(f"HTTP {status}", 0) + 1
                    tally.unacknowledged.append((text, fields, person.cookie))
            if think:
                time.sleep(think)
        person.close()

    threads = [threading.Thread(target=attendee, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    return tally


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100) by nearest rank, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def seed(db: Path, tables: int = 10) -> list[str]:
    """An open event 'bench' with `tables` tables (the database created by `harvest init`);
    returns the tables' attendee tokens."""
    sys.path.insert(0, str(REPO))
    from capture.store import add_table, open_db, save_event

    harvest(db, "init")
    database = open_db(db)
    event = save_event(database, "bench", title="Load benchmark", status="open")
    tokens = [add_table(database, event, f"Table {i + 1}").token for i in range(tables)]
    database.conn.close()
    return tokens


def stored_texts(db: Path, prefix: str) -> list[str]:
    """The texts of stored notes starting with `prefix` (one per stored row)."""
    from capture.store import open_db

    database = open_db(db)
    try:
        return [r[0] for r in database.execute("SELECT text FROM note WHERE text LIKE ?", [prefix + "%"])]
    finally:
        database.conn.close()


def dump(report: dict, path: str | None) -> None:
    """Print the report as JSON, and save it if asked."""
    text = json.dumps(report, indent=2)
    if path:
        Path(path).write_text(text)
    print(text)
