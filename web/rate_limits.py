"""Rate limits where a route asks for them (attendee notes, failed logins), on the `limits` library.

    limits = rate_limits(current_app)
    if not limits.hit("20 per minute", "submit-session", key):
        abort(429)

Flask-Limiter (which wraps the same library) resolved and filtered its limits on every request,
static files and public pages included, and its in-memory storage started a timer thread on
nearly every hit: together about a fifth of the server's CPU per attendee note (issue 15). Here
nothing runs on a request that has no limit, and a limit is two dictionary operations. Counters are
fixed windows starting at the first hit, as Flask-Limiter's default strategy counted them, kept in
this process's memory (one `harvest serve` is one process).
"""

from __future__ import annotations

import functools
import threading
import time

from flask import Flask, request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter


class SweptMemoryStorage(MemoryStorage):
    """limits' in-memory counters, with ended windows dropped as they are read and, at most once a
    minute, swept, instead of by a timer thread started on each hit."""

    STORAGE_SCHEME = ["harvest-memory"]  # limits registers every storage class under its scheme
    SWEEP_SECONDS = 60.0

    def __init__(self, uri: str | None = None, **options: str) -> None:
        super().__init__(uri, **options)
        self._swept_at = time.time()
        self._sweep_lock = threading.Lock()

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add `amount` to the counter under `key` (a new window of `expiry` seconds if it had ended)."""
        self.get(key)  # drops the counter when its window has ended
        with self.locks[key]:
            self.storage[key] += amount
            if self.storage[key] == amount:
                self.expirations[key] = time.time() + expiry
            value = self.storage[key]
        self._sweep()
        return value

    def decr(self, key: str, amount: int = 1) -> int:
        """Take `amount` from the counter under `key` (never below 0)."""
        self.get(key)
        with self.locks[key]:
            self.storage[key] = max(self.storage[key] - amount, 0)
            return self.storage[key]

    def _sweep(self) -> None:
        # Counters nobody reads again (an attendee who left) would otherwise stay for good.
        now = time.time()
        if now - self._swept_at < self.SWEEP_SECONDS or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._swept_at = now
            for key, ends in list(self.expirations.items()):
                if ends <= now:
                    self.storage.pop(key, None)
                    self.expirations.pop(key, None)
                    self.locks.pop(key, None)
        finally:
            self._sweep_lock.release()


@functools.lru_cache(maxsize=64)
def _item(limit: str) -> RateLimitItem:
    return parse(limit)


class RateLimits:
    """Fixed-window limits in memory: `hit` counts a try, `test` only looks."""

    def __init__(self) -> None:
        self.storage = SweptMemoryStorage()
        self._windows = FixedWindowRateLimiter(self.storage)

    def hit(self, limit: str, scope: str, key: str) -> bool:
        """Count one try under (`scope`, `key`) against `limit` ("20 per minute"); False once over it."""
        return self._windows.hit(_item(limit), scope, key)

    def test(self, limit: str, scope: str, key: str) -> bool:
        """Whether one more try under (`scope`, `key`) would be within `limit`, counting nothing."""
        return self._windows.test(_item(limit), scope, key)


def rate_limits(app: Flask) -> RateLimits:
    """The app's rate limits (one set of counters per app)."""
    found = app.extensions.get("harvest_rate_limits")
    if found is None:
        found = app.extensions.setdefault("harvest_rate_limits", RateLimits())
    return found


def client_address() -> str:
    """The client's address: the socket's peer, or the one the trusted proxy gave (ProxyFix)."""
    return request.remote_addr or "127.0.0.1"
