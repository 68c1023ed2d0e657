"""The app under waitress, as `harvest serve` runs it: connection limits sized for a room of phones,
and, behind a reverse proxy, which proxy's X-Forwarded-* headers to believe.

Waitress's defaults let 100 connections in at once and close an idle one after 120 s, looking every
30 s: 100 sockets opened and left idle (phones that went to sleep, or someone doing it on purpose)
stop the server answering for two minutes. Here many more connections are let in and idle ones
are closed sooner. A slow phone is not idle: every byte it sends counts as activity, and a request
being answered is never closed for idleness.
"""

from __future__ import annotations

import logging
import resource
import threading
import time
from typing import Any

from flask import Flask

# Connections open at once (each holds a file descriptor, or up to three with large bodies).
CONNECTION_LIMIT = 1000
# Seconds a connection may send nothing (between requests, or mid-request) before it is closed.
CHANNEL_TIMEOUT = 30
# How often, in seconds, idle connections are looked for.
CLEANUP_INTERVAL = 5
# The X-Forwarded-* headers believed from the trusted proxy (one hop).
PROXY_HEADERS = {"x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"}


# At most one "Task queue depth is N" warning per this many seconds (see _Sparse).
QUEUE_WARNING_SECONDS = 10.0


class _Sparse(logging.Filter):
    """Let one record through every `seconds`. Waitress warns "Task queue depth is N" for each request
    queued while its threads are busy: under a room's burst that is a line per request, written by
    the request's thread, and the server's CPU goes into the log. One line now and then still says
    the server is behind."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds, self._last, self._lock = seconds, float("-inf"), threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.seconds:
                return False
            self._last = now
            return True


def _sparse_queue_warnings() -> None:
    queue_log = logging.getLogger("waitress.queue")
    if not any(isinstance(f, _Sparse) for f in queue_log.filters):
        queue_log.addFilter(_Sparse(QUEUE_WARNING_SECONDS))


def _open_files_allowed(wanted: int) -> int:
    """Raise this process's open-file limit towards `wanted` (within the hard limit); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft if soft != resource.RLIM_INFINITY else wanted


def server_settings(app: Flask) -> dict[str, Any]:
    """Waitress settings for the app: connection limits, and proxy trust when PROXY_FIX is on."""
    files = _open_files_allowed(CONNECTION_LIMIT * 2 + 64)
    settings: dict[str, Any] = {
        # Leave room for the database, logs and the listening socket under the file limit.
        "connection_limit": max(50, min(CONNECTION_LIMIT, files // 2 - 32)),
        "channel_timeout": CHANNEL_TIMEOUT,
        "cleanup_interval": CLEANUP_INTERVAL,
    }
    if app.config.get("PROXY_FIX"):
        settings.update(
            trusted_proxy=app.config.get("TRUSTED_PROXY") or "127.0.0.1",
            trusted_proxy_count=1,
            trusted_proxy_headers=PROXY_HEADERS,
            # X-Forwarded-* from anyone but the proxy (a client reaching the port directly) are dropped.
            clear_untrusted_proxy_headers=True,
        )
    return settings


def create_server(app: Flask, host: str, port: int, threads: int = 8):
    """A waitress server for the app on host:port (port 0 picks a free one); call `.run()` on it.

    Its main loop is web/server_loop.py's (epoll, which also watches descriptors past 1023), asking
    only the connections that changed; everything else is waitress's."""
    from web.server_loop import create_room_server

    _sparse_queue_warnings()
    return create_room_server(app, host=host, port=port, threads=threads, **server_settings(app))
