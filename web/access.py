"""Who may do what on which event: organisers' roles, sharing, and the guard every event page uses.

Roles, each allowed what the ones before it are:
- moderator: the event's pages, the live view, moderating and correcting notes;
- editor: also editing the event and its tables, uploads, synthesis, review and publishing;
- owner: also sharing the event with other organisers and deleting it.
An admin has an owner's rights on every event. An event with no owner (made from the command line
without `--owner`) belongs to the admins alone.

Usage::

    @bp.route("/<slug>/publish", methods=("POST",))
    @event_role("editor")
    def publish_view(slug): ...
"""

from __future__ import annotations

import functools

from flask import abort, g, redirect, request, url_for
from sqlite_utils import Database

from capture.errors import NotFound, ValidationError
from capture.models import Event
from capture.store import atomic, find_event, list_events, note_counts
from web.db import get_db

ROLES = ("moderator", "editor", "owner")
RANK = {role: rank for rank, role in enumerate(ROLES, start=1)}
ROLE_HELP = {"moderator": "can moderate notes only",
             "editor": "can also edit, upload, synthesise, review and publish",
             "owner": "can also share and delete the event"}


def check_role(role: str) -> str:
    """`role` if it is one of ROLES, else ValidationError naming them."""
    if role not in RANK:
        raise ValidationError(f"Unknown role {role!r}: use {', '.join(ROLES)}.")
    return role


def role_on(db: Database, user: dict | None, event: Event) -> str | None:
    """The user's role on the event ('owner' for an admin), or None when they may not see it."""
    if user is None:
        return None
    if user.get("is_admin"):
        return "owner"
    row = db.execute("SELECT role FROM event_member WHERE event_id = ? AND user_id = ?",
                     [event.id, user["id"]]).fetchone()
    return row[0] if row else None


def visible_events(db: Database, user: dict) -> list[Event]:
    """The events this organiser may open, newest first (every event for an admin)."""
    events = list_events(db)
    if user.get("is_admin"):
        return events
    mine = {r[0] for r in db.execute("SELECT event_id FROM event_member WHERE user_id = ?", [user["id"]])}
    return [e for e in events if e.id in mine]


def _user_id(db: Database, email: str) -> int:
    row = db.execute("SELECT id FROM user WHERE email = ?", [(email or "").strip()]).fetchone()
    if row is None:
        raise NotFound(f"No organiser account {email.strip()!r}: create it first with "
                       f"`harvest user add {email.strip()}`.")
    return row[0]


def list_members(db: Database, event: Event) -> list[dict]:
    """The organisers an event is shared with: user id, email and role, owners first."""
    rows = db.query(
        """SELECT u.id AS user_id, u.email, m.role FROM event_member m JOIN user u ON u.id = m.user_id
           WHERE m.event_id = ? ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END,
           u.email""", [event.id])
    return list(rows)


def share(db: Database, event: Event, email: str, role: str) -> dict:
    """Give the organiser with this email `role` on the event (changing any role they had)."""
    check_role(role)
    user_id = _user_id(db, email)
    with atomic(db):
        _keep_an_owner(db, event, user_id, role)
        db.conn.execute("INSERT INTO event_member (event_id, user_id, role) VALUES (?, ?, ?) "
                        "ON CONFLICT (event_id, user_id) DO UPDATE SET role = excluded.role",
                        [event.id, user_id, role])
    return {"user_id": user_id, "email": email.strip(), "role": role}


def unshare(db: Database, event: Event, email: str) -> None:
    """Take the event away from the organiser with this email (its last owner cannot be removed)."""
    user_id = _user_id(db, email)
    with atomic(db):
        _keep_an_owner(db, event, user_id, None)
        db.conn.execute("DELETE FROM event_member WHERE event_id = ? AND user_id = ?", [event.id, user_id])


def _keep_an_owner(db: Database, event: Event, user_id: int, new_role: str | None) -> None:
    # An event whose owners all left would fall silently to the admins: make someone else owner first.
    owners = {r[0] for r in db.execute(
        "SELECT user_id FROM event_member WHERE event_id = ? AND role = 'owner'", [event.id])}
    if owners == {user_id} and new_role != "owner":
        raise ValidationError("This is the event's only owner: make another organiser owner first.")


def set_owner(db: Database, event: Event, email: str) -> dict:
    """Make the organiser with this email an owner of the event (`harvest event SLUG --owner`)."""
    return share(db, event, email, "owner")


def delete_event(db: Database, event: Event, actor: str | None = None) -> None:
    """Delete the event and everything in it (notes, runs, digests, shares); the audit log keeps a
    line saying who deleted it, with how many notes."""
    from web.audit import log_action

    with atomic(db):
        notes = sum(note_counts(db, event).values())
        log_action(db, event, "delete", actor=actor, detail=f"{event.title!r} with {notes} notes")
        db.conn.execute("DELETE FROM event WHERE id = ?", [event.id])


def current_event() -> Event:
    """The event the guarded view is about (set by `event_role`)."""
    return g.event


def event_role(minimum: str):
    """Guard an organiser view of `/<slug>/...`: log in first, then the user needs at least `minimum`
    on the event. Someone with no role on it gets 404 (as if it did not exist), a lesser role 403.
    Every organiser route with a slug uses this (a test enumerates the app's routes to check)."""
    check_role(minimum)

    def decorate(view):
        @functools.wraps(view)
        def wrapped(**kwargs):
            api = request.path.startswith("/api/")
            if g.user is None:
                if api:
                    return {"error": "Log in as an organiser to use the API."}, 401
                return redirect(url_for("auth.login", next=request.full_path))
            slug = kwargs.get("slug", "")
            db = get_db()
            event = find_event(db, slug)
            role = role_on(db, g.user, event) if event is not None else None
            if role is None:
                # The same answer as for an event that does not exist: its slug tells nothing.
                abort(404, description=f"No event {slug!r}." if api else f"There is no event {slug!r}.")
            if RANK[role] < RANK[minimum]:
                needed = "a moderator" if minimum == "moderator" else f"an {minimum}"
                abort(403, description=f"You are {role} of this event; this needs {needed} or above. "
                                       "Ask the event's owner.")
            g.event, g.event_role = event, role
            return view(**kwargs)

        wrapped.login_required = True
        wrapped.event_role = minimum
        return wrapped

    return decorate


def can(minimum: str) -> bool:
    """In a template or view under `event_role`: may the user do what needs `minimum`?"""
    role = g.get("event_role")
    return role is not None and RANK[role] >= RANK[minimum]


def may_edit_network(db: Database, user: dict | None, network: str) -> bool:
    """May this organiser edit and publish a network digest? An admin may; otherwise only an editor
    (or owner) of every event in the series, since the network quotes all of them. The network of
    every published event ('all') is for admins."""
    from capture.series import ALL, series_events

    if user is None:
        return False
    if user.get("is_admin"):
        return True
    if network == ALL:
        return False
    events = series_events(db, network)
    roles = [role_on(db, user, e) for e in events]
    return bool(events) and all(r is not None and RANK[r] >= RANK["editor"] for r in roles)
