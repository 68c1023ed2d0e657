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

Each cached answer carries an ETag, so a browser or proxy that asks again with If-None-Match gets a
304 with no body. When many readers ask for a page nobody has cached yet (just published, or the
server just started), one request renders it and the others wait for that one instead of each
rendering it too: 100 readers arriving at once made 100 renders, and the slowest waited for all.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import Flask, Response, current_app, g, make_response, request
from sqlite_utils import Database

MAX_PAGES = 256
# Set in the WSGI environ of an answer kept here, to the generation it belongs to: what
# web/anonymous_pages.py may keep whole for readers without a session.
GENERATION_KEY = "harvest.public_generation"
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control", "ETag")


@dataclass
class _Cache:
    generation: int = -1
    pages: OrderedDict = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # One lock per page being rendered: the requests that want it meanwhile wait on it.
    rendering: dict = field(default_factory=dict)
    hits: int = 0
    misses: int = 0

    def get(self, key: tuple, generation: int) -> tuple | None:
        """The cached (body, headers, etag) of `key` under `generation` (emptied when that moved)."""
        with self.lock:
            if self.generation != generation:
                self.pages.clear()
                self.generation = generation
            hit = self.pages.get(key)
            if hit is not None:
                self.pages.move_to_end(key)
                self.hits += 1
            return hit


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
        # Scheme, host and root: the feed's links are absolute.
        key = (request.scheme, request.host, request.root_path, request.path, request.query_string)
        hit = cache.get(key, generation)
        if hit is None:
            with cache.lock:
                rendering = cache.rendering.setdefault(key, threading.Lock())
            with rendering:
                hit = cache.get(key, generation)  # rendered by the request this one waited for
                if hit is None:
                    try:
                        return _render_and_keep(view, kwargs, cache, key, generation)
                    finally:
                        with cache.lock:
                            cache.rendering.pop(key, None)
        request.environ[GENERATION_KEY] = generation
        return _answer(*hit)

    return wrapped


def _answer(body: bytes, headers: list, etag: str) -> Response:
    """The cached page, or 304 (no body) when the client already holds this version of it."""
    # Only the header's presence is checked per request; werkzeug parses it when there is one.
    if "HTTP_IF_NONE_MATCH" in request.environ and request.if_none_match.contains_weak(etag):
        return Response(status=304, headers=[h for h in headers if h[0] in ("ETag", "Cache-Control")])
    return Response(body, status=200, headers=headers)


def _render_and_keep(view, kwargs: dict, cache: _Cache, key: tuple, generation: int) -> Response:
    response = make_response(view(**kwargs))
    if response.status_code != 200 or response.direct_passthrough:
        return response
    body = response.get_data()
    etag = hashlib.sha256(body).hexdigest()[:32]
    response.set_etag(etag)
    headers = [(k, v) for k, v in response.headers.items() if k in KEPT_HEADERS]
    with cache.lock:
        cache.misses += 1
        if cache.generation == generation:
            cache.pages[key] = (body, headers, etag)
            while len(cache.pages) > MAX_PAGES:
                cache.pages.popitem(last=False)
            request.environ[GENERATION_KEY] = generation
    return _answer(body, headers, etag) if "HTTP_IF_NONE_MATCH" in request.environ else response
