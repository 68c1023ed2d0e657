"""Series of events (a network's monthly or quarterly round tables): the owner of the `series`
table and of each event's `series_id`.

A network digest covers one series, or every published event (the reserved name `all`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from capture.errors import NotFound, ValidationError
from capture.models import Event
from capture.names import clean_name
from capture.store import SLUG_RE, atomic, get_event, insert, list_events, update

ALL = "all"  # the network of every published event; no series may take this name


@dataclass
class Series:
    """A named series of events."""

    slug: str
    title: str
    id: int | None = None


def check_series_slug(slug: str) -> str:
    """The slug if it may name a series, else ValidationError saying what it may contain."""
    if not SLUG_RE.match(slug or "") or slug == ALL:
        raise ValidationError(f"Invalid series name {slug!r}: use lower-case letters, digits and hyphens "
                              f"(for example north-east-network); {ALL!r} is reserved for every event.")
    return slug


def find_series(db: Database, slug: str) -> Series | None:
    """The series with this slug, or None."""
    row = db.execute("SELECT id, slug, title FROM series WHERE slug = ?", [slug]).fetchone()
    return Series(id=row[0], slug=row[1], title=row[2]) if row else None


def get_series(db: Database, slug: str) -> Series:
    """The series with this slug, or NotFound saying how to make one."""
    found = find_series(db, slug)
    if found is None:
        raise NotFound(f"No series {slug!r}. Make one with `harvest series {slug} --title TITLE`.")
    return found


def save_series(db: Database, slug: str, title: str | None = None) -> Series:
    """Create the series, or rename it when a title is given."""
    check_series_slug(slug)
    title = clean_name(title) if title is not None else None
    if title is not None and not title:
        raise ValidationError("The series title is empty.")
    existing = find_series(db, slug)
    with atomic(db):
        if existing is None:
            insert(db, "series", {"slug": slug, "title": title or slug.replace("-", " ").capitalize()})
        elif title:
            update(db, "series", existing.id, {"title": title})
    return get_series(db, slug)


def list_series(db: Database) -> list[Series]:
    """Every series, by title."""
    rows = db.execute("SELECT id, slug, title FROM series ORDER BY title COLLATE NOCASE, id").fetchall()
    return [Series(id=r[0], slug=r[1], title=r[2]) for r in rows]


def set_event_series(db: Database, event: Event, series: Series | None) -> None:
    """Put the event in a series (None: in none)."""
    with atomic(db):
        db.conn.execute("UPDATE event SET series_id = ? WHERE id = ?",
                        [series.id if series else None, event.id])


def event_series(db: Database, event: Event) -> Series | None:
    """The series the event belongs to, or None."""
    row = db.execute("SELECT s.id, s.slug, s.title FROM series s JOIN event e ON e.series_id = s.id "
                     "WHERE e.id = ?", [event.id]).fetchone()
    return Series(id=row[0], slug=row[1], title=row[2]) if row else None


def series_events(db: Database, network: str) -> list[Event]:
    """The events a network covers, oldest date first: the series' events, or every event for `all`."""
    if network == ALL:
        events = list_events(db)
    else:
        series = get_series(db, network)
        slugs = [r[0] for r in db.execute("SELECT slug FROM event WHERE series_id = ?", [series.id])]
        events = [get_event(db, slug) for slug in slugs]
    return sorted(events, key=lambda e: (e.date or "", e.id))
