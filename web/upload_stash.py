"""Uploaded spreadsheets kept server-side for a while, so the organiser picks its columns without
choosing the file again. The web app owns the `upload_stash` table.

A stashed file is keyed by a random token (only its hash is stored), belongs to one event and one
organiser, and lives at most STASH_TTL seconds; the stash holds at most STASH_MAX_BYTES in all
(the oldest files go first). Expired files are removed whenever a file is stashed.

Usage::

    token = stash(db, event, user_id, "form.csv", data)
    filename, data = unstash(db, event, user_id, token)   # NotFound once expired
    drop(db, token)
"""

from __future__ import annotations

import hashlib
import secrets
import time

from sqlite_utils import Database

from capture.errors import NotFound
from capture.models import Event
from capture.store import atomic, insert

STASH_TTL = 30 * 60
STASH_MAX_BYTES = 100 * 1024 * 1024


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def stash(db: Database, event: Event, user_id: int | None, filename: str, data: bytes,
          now: float | None = None) -> str:
    """Keep an uploaded file for the column step; returns its token."""
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(24)
    with atomic(db):
        db.conn.execute("DELETE FROM upload_stash WHERE created_at < ?", [now - STASH_TTL])
        # Room for this file within the bound: the oldest others go.
        rows = db.execute("SELECT token_hash, length(data) FROM upload_stash ORDER BY created_at DESC")
        kept = len(data)
        for token_hash, size in rows.fetchall():
            kept += size
            if kept > STASH_MAX_BYTES:
                db.conn.execute("DELETE FROM upload_stash WHERE token_hash = ?", [token_hash])
        insert(db, "upload_stash", {"token_hash": _hash(token), "event_id": event.id, "user_id": user_id,
                                    "filename": filename, "data": data, "created_at": now})
    return token


def unstash(db: Database, event: Event, user_id: int | None, token: str,
            now: float | None = None) -> tuple[str, bytes]:
    """(file name, bytes) of a stashed file of this event and organiser, or NotFound saying what to do."""
    now = time.time() if now is None else now
    row = db.execute("SELECT filename, data, created_at FROM upload_stash WHERE token_hash = ? "
                     "AND event_id = ? AND user_id IS ?", [_hash(token or ""), event.id, user_id]).fetchone()
    if row is None or row[2] < now - STASH_TTL:
        raise NotFound(f"The uploaded file is no longer kept (files are kept {STASH_TTL // 60} minutes). "
                       "Choose it again.")
    return row[0], row[1]


def drop(db: Database, token: str) -> None:
    """Forget a stashed file (after it was imported)."""
    with atomic(db):
        db.conn.execute("DELETE FROM upload_stash WHERE token_hash = ?", [_hash(token or "")])
