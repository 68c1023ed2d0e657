"""Public pages and the feed, cached per published state: rendered once, served from memory after.

    @bp.route("/digests.atom")
    @cached_public
    def feed(): ...

A published version never changes, but the feed re-rendered every digest on each request (p99
5.4 s at 100 readers). The cache key is the page's address; the whole cache is dropped when the
database's publication generation moves (triggers on the digest table move it whenever a version
is published, withdrawn or deleted, by any process), read with one small query per request. Only
anonymous GETs that answer 200 are cached, so a logged-in organiser's page (with their menu and
CSRF token) is never served to anyone else; the response headers added after the view (security
headers) are added afresh to each answer.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import Flask, Response, current_app, g, make_response, request
from sqlite_utils import Database

MAX_PAGES = 256
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control")


@dataclass
class _Cache:
    generation: int = -1
    pages: OrderedDict = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hits: int = 0
    misses: int = 0


def publication_generation(db: Database) -> int:
    """The counter the digest triggers move on every change to a published version."""
    return db.execute("SELECT n FROM publication_generation").fetchone()[0]


def page_cache(app: Flask) -> _Cache:
    """The app's cache of public pages (hits and misses are counted, for tests and benchmarks)."""
    return app.extensions.setdefault("harvest_page_cache", _Cache())


def cached_public(view):
    """Serve the view's 200 answer to anonymous GETs from memory until the published state changes."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if request.method != "GET" or g.get("user") is not None:
            return view(**kwargs)
        from web.db import get_db

        generation = publication_generation(get_db())
        cache = page_cache(current_app)
        key = (request.host_url, request.full_path)
        with cache.lock:
            if cache.generation != generation:
                cache.pages.clear()
                cache.generation = generation
            hit = cache.pages.get(key)
            if hit is not None:
                cache.pages.move_to_end(key)
                cache.hits += 1
        if hit is not None:
            body, headers = hit
            return Response(body, status=200, headers=headers)
        response = make_response(view(**kwargs))
        if response.status_code == 200 and not response.direct_passthrough:
            headers = [(k, v) for k, v in response.headers.items() if k in KEPT_HEADERS]
            with cache.lock:
                cache.misses += 1
                if cache.generation == generation:
                    cache.pages[key] = (response.get_data(), headers)
                    while len(cache.pages) > MAX_PAGES:
                        cache.pages.popitem(last=False)
        return response

    return wrapped
