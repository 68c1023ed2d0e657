"""Plain dataclasses passed between capture, synthesis and the web app."""

from __future__ import annotations

from dataclasses import dataclass, field

NOTE_ROLES = ("scribe", "attendee", "speaker", "organiser")
NOTE_STATUSES = ("pending", "approved", "hidden")
EVENT_STATUSES = ("draft", "open", "closed", "published")


@dataclass
class Event:
    """A round-table event: the unit that notes, synthesis and digests belong to."""

    slug: str
    title: str
    date: str | None = None
    venue: str | None = None
    description: str | None = None
    questions: list[str] = field(default_factory=list)
    chatham_house: bool = False
    status: str = "open"
    approve_by_default: bool = False
    id: int | None = None


@dataclass
class Table:
    """One round table at an event, with the unguessable token of its attendee link."""

    event_id: int
    name: str
    question: str | None = None
    host: str | None = None
    token: str | None = None
    id: int | None = None


@dataclass
class Note:
    """One contribution: a paragraph of minutes, a speaker turn, a form answer or a caption run."""

    text: str
    ref: str | None = None
    table: str | None = None
    author: str | None = None
    role: str | None = None
    attribution: str | None = None
    source: str | None = None
    # The id the source gave this note (unique within that source), and where in the file it is
    # ("row 7", "line 12"): for messages and re-import reports; `location` is not stored.
    source_ref: str | None = None
    location: str | None = None
    status: str = "approved"
    original_text: str | None = None
    created_at: str | None = None
    event_id: int | None = None
    table_id: int | None = None
    id: int | None = None
    # The note's number in its event (1, 2, 3 ...), given when stored: what quotes cite and
    # moderation shows ("Table 2, note 5").
    number: int | None = None
