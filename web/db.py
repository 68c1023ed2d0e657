"""The request's database connection: one per server thread, opened on first use and kept.

Opening a connection for every request cost more than the request's own work: the migrations
check, the pragmas, and above all closing the last connection of a WAL database, which checkpoints
the WAL into the database and deletes it. waitress serves from a fixed set of threads, so each
keeps its connection; at the end of a request an unfinished transaction is rolled back, so the
next request starts clean.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app, g
from sqlite_utils import Database

from capture.store import open_db


def _local(app: Flask) -> threading.local:
    return app.extensions.setdefault("harvest_db", threading.local())


def thread_db(app: Flask) -> Database:
    """This server thread's connection to the app's database (opened, with migrations, on first use)."""
    local = _local(app)
    db = getattr(local, "db", None)
    if db is None or getattr(local, "path", None) != app.config["DATABASE"]:
        db = open_db(app.config["DATABASE"])
        local.db, local.path = db, app.config["DATABASE"]
    return db


def get_db() -> Database:
    """The database for this request (this thread's connection; migrations applied when opened)."""
    if "db" not in g:
        g.db = thread_db(current_app)
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """End the request's use of the connection: roll back what it left unfinished, keep it open."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def init_app(app: Flask) -> None:
    """Register the teardown that ends each request's use of its connection."""
    app.teardown_appcontext(close_db)
