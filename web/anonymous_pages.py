"""Readers without a session answered before Flask: a public page already cached for the current
published state is sent from here, as Flask sent it.

    app.wsgi_app = AnonymousPages(app, app.wsgi_app)   # inside ProxyFix, so the scheme is the real one

A cached public page still went through Flask's request machinery (context, session, four hooks,
the security headers): about 0.4 ms of CPU a request, most of a reader's cost. A GET that carries no
session cookie cannot be a logged-in organiser's, and has no flashed message or CSRF token of its
own, so Flask's answer to it depends only on the address and the published state. Flask's answer
is kept here whole (status, every header it set, including the security headers, and the body)
when `cached_public` marked it as a public page of the current generation and it set no cookie;
the same address under the same generation is then answered with it, the one check per request
being the generation (one small query). Anything else, or a change of generation, goes to Flask.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask
from werkzeug.http import parse_etags, unquote_etag

from web.db import thread_db
from web.page_cache import GENERATION_KEY, MAX_PAGES, page_cache, publication_generation

# Headers a 304 leaves out: it has no body.
_BODY_HEADERS = {"content-type", "content-length", "content-disposition"}


@dataclass
class _Page:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None


@dataclass
class _Pages:
    generation: int = -1
    pages: OrderedDict = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hits: int = 0


class AnonymousPages:
    """WSGI middleware answering session-less GETs of public pages Flask has already answered."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app, self.wsgi_app = app, wsgi_app
        self.cache = _Pages()
        app.extensions["harvest_anonymous_pages"] = self.cache

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        # A cookie named like the session (or longer) sends the request to Flask: never the other way.
        if (environ.get("REQUEST_METHOD") != "GET"
                or self.app.config["SESSION_COOKIE_NAME"] + "=" in environ.get("HTTP_COOKIE", "")):
            return self.wsgi_app(environ, start_response)
        key = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("SERVER_NAME"),
               environ.get("SERVER_PORT"), environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
               environ.get("QUERY_STRING", ""))
        if key not in self.cache.pages:  # no query for the many pages never kept here
            return self._through_flask(environ, start_response, key)
        generation = publication_generation(thread_db(self.app))
        with self.cache.lock:
            if self.cache.generation != generation:
                self.cache.pages.clear()
                self.cache.generation = generation
            page = self.cache.pages.get(key)
            if page is not None:
                self.cache.pages.move_to_end(key)
                self.cache.hits += 1
        if page is None:
            return self._through_flask(environ, start_response, key)
        counted = page_cache(self.app)  # one count of answers from memory, whichever layer gave it
        with counted.lock:
            counted.hits += 1
        return _answer(page, environ, start_response)

    def _through_flask(self, environ: dict, start_response: Callable, key: tuple) -> Iterable[bytes]:
        seen: dict = {}

        def keep_start(status: str, headers: list, exc_info=None):
            seen.update(status=status, headers=list(headers))
            return start_response(status, headers, exc_info)

        answer = self.wsgi_app(environ, keep_start)
        generation = environ.get(GENERATION_KEY)
        if (generation is None or not seen.get("status", "").startswith("200 ")
                or any(k.lower() == "set-cookie" for k, _ in seen["headers"])):
            return answer
        try:
            body = b"".join(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()
        etag = next((unquote_etag(v)[0] for k, v in seen["headers"] if k.lower() == "etag"), None)
        with self.cache.lock:
            if self.cache.generation != generation:
                self.cache.pages.clear()
                self.cache.generation = generation
            self.cache.pages[key] = _Page(seen["status"], seen["headers"], body, etag)
            while len(self.cache.pages) > MAX_PAGES:
                self.cache.pages.popitem(last=False)
        return [body]


def _answer(page: _Page, environ: dict, start_response: Callable) -> Iterable[bytes]:
    held = environ.get("HTTP_IF_NONE_MATCH")
    if held and page.etag and parse_etags(held).contains_weak(page.etag):
        start_response("304 Not Modified", [h for h in page.headers if h[0].lower() not in _BODY_HEADERS])
        return []
    start_response(page.status, list(page.headers))
    return [page.body]
