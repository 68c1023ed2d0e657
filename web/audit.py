"""The audit log of what cannot be seen afterwards: publishing, withdrawing a version, deleting an event.

Rows name the event by slug as well as by id, so the record of a deleted event survives it
(its `event_id` becomes NULL). The web app owns the `audit_log` table.

Usage::

    log_action(db, event, "withdraw", actor="ann@example.org", detail="version 2")
    entries = audit_entries(db, event.slug)
"""

from __future__ import annotations

from sqlite_utils import Database

from capture.models import Event
from capture.store import insert


def log_action(db: Database, event: Event, action: str, *, actor: str | None = None,
               detail: str | None = None) -> None:
    """Record one action on an event (inside the caller's transaction, where it has one)."""
    insert(db, "audit_log", {"event_id": event.id, "event_slug": event.slug, "actor": actor,
                             "action": action, "detail": detail})


def audit_entries(db: Database, slug: str, limit: int = 100) -> list[dict]:
    """The latest actions on the event with this slug (also one since deleted), newest first."""
    return list(db.query("SELECT actor, action, detail, at FROM audit_log WHERE event_slug = ? "
                         "ORDER BY id DESC LIMIT ?", [slug, limit]))
