"""Hand-made synthesis results built from real notes in a real database, for fast publishing tests.

They follow the JSON contract of docs/result.md, so review, digest and publishing code can be tested
without the models; tests marked `models` run the real pipeline instead.
"""

from __future__ import annotations

import json
import re

from capture.models import Note
from capture.store import add_notes, approved_notes, atomic, insert, save_event

SENTENCE = re.compile(r"[^.!?]+[.!?]*")

NOTES = [
    ("t1", "Table 1", "Contracts are getting bigger. Small charities cannot bid alone."),
    ("t2", "Table 1", "Nobody pays for convening a consortium. Should funders cover the cost?"),
    ("t3", "Table 2", "Commissioners skip co-design. The Social Value Act is ignored in Hertfordshire."),
    ("t4", "Table 2", "Tender timelines are far too tight. Commissioners should allow three months."),
    ("t5", "Table 3", "Big firms distrust small ones. We propose a standing partnership in Manchester."),
]

THEMES = [
    ("Bigger contracts", ("bigger", "bid alone", "consortium", "convening", "funders")),
    ("Commissioning practice", ("co-design", "Social Value", "Tender", "three months")),
    ("Trust and partnership", ("distrust", "partnership")),
]


def segments_of(note: Note) -> list[dict]:
    """Sentences of a note with their offsets, verbatim."""
    out = []
    for m in SENTENCE.finditer(note.text):
        text = m.group().strip()
        if not text:
            continue
        start = note.text.index(text, m.start())
        out.append({"text": text, "note": note.ref, "table": note.table,
                    "start": start, "end": start + len(text)})
    return out


def make_result(db, event, themes=THEMES) -> dict:
    """A contract-shaped result: each segment goes to the first theme whose keyword it contains."""
    result = {"event": {"slug": event.slug, "title": event.title}, "themes": [], "unassigned": [],
              "entities": [{"text": "Social Value Act", "label": "LAW", "count": 1},
                           {"text": "Hertfordshire", "label": "GPE", "count": 1},
                           {"text": "Manchester", "label": "GPE", "count": 1}]}
    buckets = {label: [] for label, _ in themes}
    for note in approved_notes(db, event):
        for seg in segments_of(note):
            for label, words in themes:
                if any(w in seg["text"] for w in words):
                    buckets[label].append(seg)
                    break
            else:
                result["unassigned"].append(seg)
    for i, (label, _) in enumerate(themes):
        segs = buckets[label]
        if not segs:
            continue
        tables = list(dict.fromkeys(s["table"] for s in segs if s["table"]))
        result["themes"].append({
            "id": f"t{i}", "label": label, "keywords": [label.split()[0].lower()],
            "summary": segs[0]["text"], "size": len(segs), "tables": tables,
            "quotes": [{"text": s["text"], "note": s["note"]} for s in segs[:2]],
            "segments": segs})
    return result


def store_result(db, event, result: dict) -> int:
    """Store a result as a succeeded synthesis run (what the pipeline leaves behind)."""
    with atomic(db):
        return insert(db, "synthesis_run", {"event_id": event.id, "status": "succeeded",
                                            "progress": 1.0, "result": json.dumps(result)})


def seed_event(db, slug="round-table", notes=NOTES, chatham_house=False, **fields):
    """An event with approved notes; returns the Event."""
    event = save_event(db, slug, title=fields.pop("title", "Partnership round table"),
                       date=fields.pop("date", "2026-10-23"), venue=fields.pop("venue", "Cambridge"),
                       questions=fields.pop("questions", ["How do we partner for bigger contracts?"]),
                       chatham_house=chatham_house, **fields)
    add_notes(db, event, [Note(text=text, ref=ref, table=table, status="approved", author=author)
                          for ref, table, text, *rest in notes for author in [rest[0] if rest else None]])
    return event


def published_event(db_path, slug: str = "round-table"):
    """An event seeded as above with its digest published (version 1); returns (open db, Event)."""
    from capture.store import open_db
    from web.publish.publishing import publish

    db = open_db(db_path)
    event = seed_event(db, slug=slug)
    store_result(db, event, make_result(db, event))
    publish(db, event)
    return db, event
