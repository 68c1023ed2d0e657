"""The JSON API for organisers: an event's synthesis (the contract of docs/result.md) and its notes."""

from __future__ import annotations

from flask import Blueprint, request

from capture.store import find_event
from web.access import event_role
from web.db import get_db
from web.views.moderation import LIMIT_ERROR, SINCE_ERROR, STATUSES, limit_arg, notes_page, since_arg

bp = Blueprint("api", __name__, url_prefix="/api")


def _event(slug: str):
    event = find_event(get_db(), slug)
    if event is None:
        return None, ({"error": f"No event {slug!r}."}, 404)
    return event, None


@bp.route("/events/<slug>/synthesis")
@event_role("editor")
def synthesis(slug: str):
    """The current themes of the event, with organiser edits applied (404 before any run)."""
    from web.views.synthesis import current_result

    event, error = _event(slug)
    if error:
        return error
    result = current_result(get_db(), event)
    if result is None:
        return {"error": f"Event {slug!r} has no synthesis yet: run one first."}, 404
    return result


@bp.route("/events/<slug>/notes")
@event_role("moderator")
def notes(slug: str):
    """The event's notes; ?status=pending|approved|hidden, ?table=NAME and ?since=ID filter them.

    At most ?limit=N (500, at most 1000) a page: "more" says whether to ask again with since=last_id."""
    event, error = _event(slug)
    if error:
        return error
    status = request.args.get("status") or None
    if status not in (None, *STATUSES):
        return {"error": f"Unknown status {status!r}: use pending, approved or hidden."}, 400
    since, limit = since_arg(), limit_arg()
    if since is None or limit is None:
        return {"error": SINCE_ERROR if since is None else LIMIT_ERROR}, 400
    page = notes_page(event, since, limit, status=status, table=request.args.get("table") or None)
    return {"event": {"slug": event.slug, "title": event.title}, **page}
