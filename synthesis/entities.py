"""Stage 6: organisations, places, people and laws named in the notes, with counts.

spaCy's NER gives ORG, GPE, LOC and PERSON; its small English model often calls a law an
organisation, so a name ending in Act, Bill, Regulations and the like is a LAW ("the Social
Value Act" is a law, not an organisation), found by rule where the model missed it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

KEPT_LABELS = {"ORG", "GPE", "LOC", "PERSON", "LAW"}
LAW_RE = re.compile(
    r"\b(?:[A-Z][\w'-]*\s+){0,5}?(?:Act|Bill|Regulations?|Directive|Charter|Treaty|Code of Practice)"
    r"(?:\s+(?:of\s+)?\d{4})?\b")
LAW_END = re.compile(
    r"\b(Act|Bill|Regulations?|Directive|Charter|Treaty|Code of Practice)(\s+(of\s+)?\d{4})?$")


@dataclass
class Entity:
    """A named thing and how many times the approved notes mention it."""

    text: str
    label: str
    count: int


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" .,;:'\"‘’“”()")
    text = re.sub(r"^(?:the|The)\s+", "", text)
    return re.sub(r"(?:'s|’s)$", "", text)


def find_entities(docs: Sequence) -> list[Entity]:
    """Entities across the parsed notes, most mentioned first; each text gets its usual label."""
    return count_mentions([note_mentions(doc) for doc in docs if doc is not None])


def note_mentions(doc) -> list[tuple[str, str]]:
    """The (name, label) mentions of one parsed note, in reading order (laws by rule first).

    Kept per note so the segmentation cache can store them and a re-run need not parse."""
    mentions: list[tuple[str, str]] = []
    taken: list[tuple[int, int]] = []
    for match in LAW_RE.finditer(doc.text):
        name = _clean(match.group(0))
        if len(name.split()) < 2:  # "Act" alone is a verb or noun, not a law's name
            continue
        mentions.append((name, "LAW"))
        taken.append(match.span())
    for ent in getattr(doc, "ents", ()):
        if ent.label_ not in KEPT_LABELS:
            continue
        if any(a < ent.end_char and ent.start_char < b for a, b in taken):
            continue
        name = _clean(ent.text)
        if len(name) < 2 or not re.search(r"[^\W\d_]", name):
            continue
        mentions.append((name, "LAW" if LAW_END.search(name) else ent.label_))
    return mentions


def count_mentions(per_note: Sequence[Sequence[tuple[str, str]]]) -> list[Entity]:
    """Entities from every note's mentions: counts, the usual label, the first spelling seen."""
    votes: dict[str, Counter] = {}
    display: dict[str, str] = {}
    for mentions in per_note:
        for name, label in mentions:
            key = name.lower()
            display.setdefault(key, name)
            votes.setdefault(key, Counter())[label] += 1
    entities = []
    for key, counter in votes.items():
        label = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        entities.append(Entity(text=display[key], label=label, count=sum(counter.values())))
    entities.sort(key=lambda e: (-e.count, e.label, e.text.lower()))
    return entities
