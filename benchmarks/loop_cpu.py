"""CPU of the server's main loop with nothing to do: web/server_loop.py's epoll loop against waitress's
own poll2, each in its own process on 127.0.0.1, in turns.

Three quiet spells, each measured from /proc/PID/stat (user + system time of the server process):
- `idle`: 200 idle connections, no traffic (the loop should sleep);
- `urgent`: the same, after one client sent a byte of TCP urgent data (MSG_OOB);
- `forked`: the app forked a child (as synthesis/parallel_parse.py does) and three phones then left,
  their sockets closed by the server while the child still holds them.

    .venv/bin/python benchmarks/loop_cpu.py [--seconds 3] [--code DIR]

--code: a directory holding another web/server_loop.py to measure (an older commit's, say:
`mkdir -p /tmp/old/web && touch /tmp/old/web/__init__.py && git show REV:web/server_loop.py >
/tmp/old/web/server_loop.py`).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time

_SERVER = r"""
import os, sys, time
sys.path.insert(0, sys.argv[2])
import waitress
from web.server_loop import create_room_server

def app(environ, start_response):
    if environ["PATH_INFO"] == "/fork":
        if os.fork() == 0:
            time.sleep(float(sys.argv[3]) + 2)
            os._exit(0)
    body = environ["PATH_INFO"].encode()
    start_response("200 OK", [("Content-Length", str(len(body)))])
    return [body]

settings = dict(host="127.0.0.1", port=0, threads=8, connection_limit=1000, channel_timeout=30,
                cleanup_interval=5)
if sys.argv[1] == "epoll":
    srv = create_room_server(app, **settings)
else:
    srv = waitress.create_server(app, asyncore_use_poll=True, **settings)
print(srv.effective_port, flush=True)
srv.run()
"""
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _cpu(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _get(port: int, path: str, conn: socket.socket) -> None:
    conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = b""
    while not data.endswith(path.encode()):
        chunk = conn.recv(65536)
        if not chunk:
            raise RuntimeError(f"closed before the answer to {path}")
        data += chunk


def _spell(pid: int, seconds: float) -> float:
    start = _cpu(pid)
    time.sleep(seconds)
    return _cpu(pid) - start


def measure(loop: str, seconds: float, code: str = REPO) -> dict[str, float]:
    """CPU seconds used by a server running `loop` ("epoll" or "poll2") in each quiet spell."""
    proc = subprocess.Popen([sys.executable, "-c", _SERVER, loop, code, str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(200)]
        _get(port, "/warm", idle[0])
        time.sleep(1.0)
        used = {"idle": _spell(proc.pid, seconds)}
        idle[0].send(b"!", socket.MSG_OOB)
        used["urgent"] = _spell(proc.pid, seconds)
        idle[0].close()
        time.sleep(0.5)
        phones = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(3)]
        _get(port, "/fork", phones[0])  # the child holds every socket for `seconds` + 2 s
        for conn in phones:
            conn.close()
        time.sleep(0.5)
        used["forked"] = _spell(proc.pid, seconds)
        for conn in idle[1:]:
            conn.close()
        return used
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    """Print a Markdown table: CPU seconds per spell for each loop, and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each quiet spell")
    parser.add_argument("--code", default=REPO, help="directory with the web/server_loop.py to measure")
    args = parser.parse_args()
    results = {loop: measure(loop, args.seconds, args.code) for loop in ("poll2", "epoll")}
    print(f"| spell ({args.seconds:g} s) | poll2 CPU s | epoll CPU s |")
    print("|---|---|---|")
    for spell in ("idle", "urgent", "forked"):
        print(f"| {spell} | {results['poll2'][spell]:.2f} | {results['epoll'][spell]:.2f} |")


if __name__ == "__main__":
    main()
