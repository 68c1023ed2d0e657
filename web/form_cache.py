"""The attendee form's page, rendered once per table and state, then served with each request's own
CSRF token and submission key written into it.

    page = form_page(event, table, lambda csrf, key: render_template(..., csrf_value=csrf, ...))

Rendering the form (Jinja, WTForms' widgets, markupsafe) was about half the server's CPU per note
under a room's burst (issue 15). The page differs between attendees only in those two values, so it
is rendered with a placeholder in each place and kept, keyed by everything the page is made of:
the event's and the table's stored values as this request read them, and the app's script root. A
renamed table, a changed question, a closed event or the Chatham House Rule switched on is therefore
a new key, never an old page: no invalidation to forget, in this process or another. Only an
anonymous, flash-free GET is served from here (the caller checks); error pages are rendered afresh.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, request
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from capture.models import Event, Table

MAX_PAGES = 1024
# Placeholders random per process, so no text an organiser types can pass for one; letters and
# digits only, so escaping leaves them as they are.
CSRF_SLOT = "csrfslot" + secrets.token_hex(16)
KEY_SLOT = "keyslot" + secrets.token_hex(16)
_SLOTS = re.compile(f"({CSRF_SLOT}|{KEY_SLOT})")


@dataclass
class FormCache:
    """Rendered form pages split at their placeholders, least recently used dropped first."""

    pages: OrderedDict = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hits: int = 0
    misses: int = 0


def form_cache(app: Flask) -> FormCache:
    """The app's cache of attendee form pages (hits and misses counted, for tests and benchmarks)."""
    found = app.extensions.get("harvest_form_cache")
    if found is None:
        found = app.extensions.setdefault("harvest_form_cache", FormCache())
    return found


def submission_key() -> str:
    """A fresh submission key: a resent POST carries the same one and is stored once."""
    return secrets.token_urlsafe(16)


def form_page(event: Event, table: Table, render: Callable[[str, str], str]) -> str:
    """The table's form page for this request; `render(csrf_token, submission_key)` makes the page."""
    cache = form_cache(current_app)
    key = (request.script_root, repr(event), repr(table))  # a dataclass repr shows every field
    with cache.lock:
        parts = cache.pages.get(key)
        if parts is not None:
            cache.pages.move_to_end(key)
            cache.hits += 1
    if parts is None:
        parts = _SLOTS.split(render(CSRF_SLOT, KEY_SLOT))
        if sorted(parts[1::2]) != sorted([CSRF_SLOT, KEY_SLOT]):
            # Each value must have exactly one place; otherwise render this one page directly.
            return render(generate_csrf(), submission_key())
        with cache.lock:
            cache.misses += 1
            cache.pages[key] = parts
            while len(cache.pages) > MAX_PAGES:
                cache.pages.popitem(last=False)
    values = {CSRF_SLOT: str(escape(generate_csrf())), KEY_SLOT: str(escape(submission_key()))}
    return "".join(values[part] if i % 2 else part for i, part in enumerate(parts))
