"""The rate limits' counters (web/rate_limits.py): fixed windows that end, a try counted only by
`hit`, no thread started per hit, and counters nobody reads again swept away."""

from __future__ import annotations

import threading
import time

from web.rate_limits import RateLimits, SweptMemoryStorage


def test_a_window_refuses_past_its_limit_then_ends():
    limits = RateLimits()
    assert [limits.hit("3 per second", "scope", "a") for _ in range(4)] == [True, True, True, False]
    assert limits.hit("3 per second", "scope", "b"), "another key has its own count"
    assert limits.hit("3 per second", "other-scope", "a"), "and so has another scope"
    time.sleep(1.05)
    assert limits.hit("3 per second", "scope", "a"), "a new window after the old one ended"


def test_test_counts_nothing():
    limits = RateLimits()
    assert all(limits.test("2 per minute", "login", "x") for _ in range(5))
    limits.hit("2 per minute", "login", "x")
    assert limits.test("2 per minute", "login", "x")
    limits.hit("2 per minute", "login", "x")
    assert not limits.test("2 per minute", "login", "x")


def test_hits_start_no_threads():
    limits = RateLimits()
    time.sleep(0.05)  # limits' storage runs one timer when made; let it finish
    before = threading.active_count()
    for i in range(200):
        limits.hit("1000 per minute", "submit", f"k{i % 7}")
    assert threading.active_count() == before


def test_ended_counters_are_swept():
    storage = SweptMemoryStorage()
    storage.SWEEP_SECONDS = 0.0
    storage.incr("gone", 0.01)
    storage.incr("kept", 60)
    time.sleep(0.02)
    storage.incr("another", 60)  # a hit anywhere sweeps what has ended
    assert "gone" not in storage.storage and "gone" not in storage.expirations
    assert storage.get("kept") == 1 and storage.get("another") == 1
