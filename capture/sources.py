"""Notes from an imported source: an id is unique within its source, and a re-import says what changed.

    outcome = store_from_source(db, event, parsed.notes)   # inside the import's transaction
    outcome.added, outcome.changed, outcome.unchanged

A source is the file a note came from (its name), or a name given with `harvest import --source`.
Two Google Forms exports that both number their rows 1, 2, 3 are two sources, so both land; the
same file imported again adds nothing. A note whose id is known but whose words differ is
*changed*: it is reported by its row and not written, because the stored note may have been
moderated or edited since (the organiser edits it, or imports the file under another source).
Notes without an id of their own are named by what they say (see `capture.importing`), so the
same minutes imported as .md and as .docx are not doubled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

from capture.models import Event, Note
from capture.store import add_notes, note_hash


@dataclass
class SourceOutcome:
    """What storing a source's notes did: the notes added, those changed since, how many unchanged."""

    added: list[Note] = field(default_factory=list)
    changed: list[Note] = field(default_factory=list)
    unchanged: int = 0


def store_from_source(db: Database, event: Event, notes: list[Note]) -> SourceOutcome:
    """Add the notes not yet in the event; count repeats and report changed ones (never written).

    Each note's `source` names its source; `source_ref` is its own id there (None when the file
    gave it none, and then `ref` is a name made from its words). The caller holds the transaction.
    """
    known: dict[tuple[str | None, str], str] = {
        (row["source"], row["source_ref"]): row["content_hash"] for row in db.query(
            "SELECT source, source_ref, content_hash FROM note WHERE event_id = ? AND source_ref IS NOT NULL",
            [event.id])}
    refs = {row["ref"] for row in db.query("SELECT ref FROM note WHERE event_id = ?", [event.id])}
    outcome = SourceOutcome()
    new: list[Note] = []
    for note in notes:
        if note.source_ref is not None:
            stored = known.get((note.source, note.source_ref))
            if stored is not None:
                if stored == note_hash(note):
                    outcome.unchanged += 1
                else:
                    outcome.changed.append(note)
                continue
            note.ref = free_ref(note.source_ref, note.source, refs)
        elif note.ref in refs:
            outcome.unchanged += 1
            continue
        refs.add(note.ref)
        new.append(note)
    outcome.added, _ = add_notes(db, event, new, skip_existing=False)
    return outcome


def free_ref(wanted: str, source: str | None, taken: set[str]) -> str:
    """The note's name in the event: its own id where free, else the id qualified by its source.

    '3' from a second export becomes 'responses-b.csv#3' (then '...#3-2' if even that is taken).
    """
    if wanted not in taken:
        return wanted
    base = f"{source}#{wanted}" if source else f"{wanted}-2"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
