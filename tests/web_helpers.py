"""Helpers for the web tests: CSRF tokens from real pages, logging in, seeding events."""

from __future__ import annotations

import html
import re

from capture.store import add_table, open_db, save_event

ORGANISER = ("organiser@example.org", "correct horse battery")
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf(client, url: str = "/auth/login") -> str:
    """The CSRF token the page at `url` gives this client's session."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, f"no csrf_token on {url}"
    return match.group(1) or match.group(2)


def csrf_from(response) -> str:
    """The CSRF token in a response's form."""
    match = _TOKEN.search(response.get_data(as_text=True))
    assert match, "no csrf_token in the response"
    return match.group(1) or match.group(2)


def login(client) -> None:
    """Log the client in as the organiser the `app` fixture creates."""
    token = csrf(client, "/auth/login")
    response = client.post("/auth/login", data={"email": ORGANISER[0], "password": ORGANISER[1],
                                                "csrf_token": token})
    assert response.status_code == 302, response.status_code


def seed_event(db_path, slug: str = "round-2026", tables: tuple[str, ...] = ("Table 1", "Table 2"),
               **fields):
    """An event with tables in the database at `db_path`; returns (event, [tables])."""
    db = open_db(db_path)
    try:
        fields.setdefault("title", "Round tables 2026")
        event = save_event(db, slug, **fields)
        made = [add_table(db, event, name, question=f"What about {name}?") for name in tables]
        return event, made
    finally:
        db.conn.close()


def count_notes(db_path) -> int:
    """How many notes the database holds."""
    db = open_db(db_path)
    try:
        return db.execute("SELECT count(*) FROM note").fetchone()[0]
    finally:
        db.conn.close()


def errors(page: str) -> list[str]:
    """The error messages shown on a page."""
    return [html.unescape(re.sub(r"\s+", " ", m).strip())
            for m in re.findall(r'class="errors"[^>]*>(.*?)</p>', page, flags=re.S)]


def text(response) -> str:
    """A response's body with HTML entities decoded, for checking messages."""
    return html.unescape(response.get_data(as_text=True))
