"""The request's database connection, opened on first use and closed at the end of the request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlite_utils import Database

from capture.store import open_db


def get_db() -> Database:
    """The database for this request (opened once per request, migrations applied)."""
    if "db" not in g:
        g.db = open_db(current_app.config["DATABASE"])
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_app(app: Flask) -> None:
    """Register the teardown that closes the connection."""
    app.teardown_appcontext(close_db)
