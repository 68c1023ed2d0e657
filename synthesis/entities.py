"""Stage 6: organisations, places, people and laws named in the notes, with counts.

spaCy's NER gives ORG, GPE, LOC and PERSON; its small English model often calls a law an
organisation, so a name ending in Act, Bill, Regulations and the like is a LAW ("the Social
Value Act" is a law, not an organisation), found by rule where the model missed it.

What the minutes say about the meeting is not what was said in it: a mention inside a context
line (an agenda heading, "Present: ...", "Apologies: ...", "AOB None") is not listed, except a
person's, which the Chatham House redaction still needs to know. Nor is what the model takes for
a name but is not one: a time ("6.10pm"), a word of the minutes' own ("None", "AOB", "TBC"), or
a name in lower case. A first name the attendance list gives ("Lesley", of "Lesley Dunn") is a
person, whatever the model called it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
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


def note_mentions(doc) -> list[tuple[str, str, int, int]]:
    """The (name, label, start, end) mentions of one parsed note, in reading order (laws by rule
    first); what is not a name (`is_junk`) is left out.

    Kept per note so the segmentation cache can store them and a re-run need not parse."""
    mentions: list[tuple[str, str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for match in LAW_RE.finditer(doc.text):
        name = _clean(match.group(0))
        if len(name.split()) < 2:  # "Act" alone is a verb or noun, not a law's name
            continue
        mentions.append((name, "LAW", *match.span()))
        taken.append(match.span())
    for ent in getattr(doc, "ents", ()):
        if ent.label_ not in KEPT_LABELS:
            continue
        if any(a < ent.end_char and ent.start_char < b for a, b in taken):
            continue
        name = _clean(ent.text)
        if is_junk(name) or _labels_a_line(doc.text, ent.start_char, ent.end_char):
            continue
        mentions.append((name, "LAW" if LAW_END.search(name) else ent.label_, ent.start_char, ent.end_char))
    return mentions


def _labels_a_line(text: str, start: int, end: int) -> bool:
    """Whether a one-word mention starts a line and a dash, colon or full stop follows it: the
    label of what comes after ("Digital - our website is out of date", "Demand. We have ..."),
    not a name."""
    at_line_start = not text[:start].strip(" \t") or text[:start].rstrip(" \t").endswith("\n")
    return at_line_start and " " not in text[start:end].strip() and bool(
        re.match(r"\s*(?:[-–—:.]|\s-\s)", text[end:end + 3]))


# Words of the minutes themselves, which the model sometimes takes for a name ("AOB None").
MINUTE_WORDS = {"none", "nil", "n/a", "na", "tbc", "tba", "aob", "any other business", "apologies", "present",
                "attendees", "agenda", "minutes", "actions", "action", "item", "date", "venue", "chair",
                "welcome", "introductions", "notes", "matters arising", "next meeting", "all", "q&a", "q & a",
                "intro", "question", "questions", "purpose", "break", "lunch"}
# Words a name may hold in lower case ("Friends of the Earth", "Bank of England").
NAME_JOINERS = {"of", "the", "and", "for", "in", "on", "at", "to", "de", "la", "le", "du", "von", "van", "&"}
TITLES = {"dr", "mr", "mrs", "ms", "miss", "prof", "professor", "cllr", "councillor", "rev", "revd", "sir",
          "dame"}
# A time or an amount: "6.10pm", "10am", "2MB", "40%" (a name may end in a number: "Centre 33").
_TIME_OR_NUMBER = re.compile(r"^\W*\d|\d[.:]\d{2}|\d\s*(?:am|pm)\b", re.IGNORECASE)


def is_junk(name: str) -> bool:
    """Whether a mention is not a name at all: too short, no letter, a time or an amount
    ("6.10pm", "2MB"), in lower case, or only words of the minutes ("None", "AOB None")."""
    if len(name) < 2 or not re.search(r"[^\W\d_]", name) or not re.search(r"[A-Z]", name):
        return True
    if _TIME_OR_NUMBER.search(name):
        return True
    if any(w[0].islower() and w.lower() not in NAME_JOINERS for w in name.split()[1:]):
        return True  # "Lobby the district council": a clause the model took for a name
    words = [w for w in re.split(r"[\s,;:&/]+", name.lower()) if w]
    return name.lower() in MINUTE_WORDS or all(w in MINUTE_WORDS for w in words)


def content_mentions(mentions: Sequence[tuple], context: Iterable[tuple[int, int, str]],
                     first_names: set[str] = frozenset()) -> list[tuple[str, str, int, int]]:
    """One note's mentions without those inside its context lines (`context`: (start, end, kind)),
    a person's excepted; an "organisation" that is a first name the attendance lists give
    (`first_names`, lower case) is a person's."""
    spans = [(a, b) for a, b, _ in context]
    out = []
    for name, label, start, end in mentions:
        if label == "ORG" and name.lower() in first_names:
            label = "PERSON"
        if label != "PERSON" and any(a <= start and end <= b for a, b in spans):
            continue
        out.append((name, label, start, end))
    return out


def first_names(texts: Iterable[str]) -> set[str]:
    """The first names of the people attendance and apology lines list ("Present: Jo Pritchard
    (chair), Sam Okafor" -> jo, sam): each item's first word, lower case, bracketed roles and
    bodies left out."""
    names: set[str] = set()
    for text in texts:
        listed = re.sub(r"\([^)]*\)", " ", text.split(":", 1)[-1])
        for item in re.split(r"[,;]|\band\b|\s{3,}", listed):
            words = [w for w in re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", item)
                     if w.lower() not in TITLES]
            if 1 <= len(words) <= 3 and words[0][0].isupper():
                names.add(words[0].lower())
    return names - MINUTE_WORDS


def event_mentions(entries: Sequence, notes: Sequence) -> list[list[tuple[str, str, int, int]]]:
    """Every note's content mentions (`content_mentions`), given the cached entries (with their
    `mentions` and `context`) and the notes they parse."""
    listed = first_names(note.text[a:b] for note, entry in zip(notes, entries, strict=True)
                         for a, b, kind in entry.context if kind in ("attendance", "apologies"))
    return [content_mentions(entry.mentions, entry.context, listed) for entry in entries]


def count_mentions(per_note: Sequence[Sequence[tuple]]) -> list[Entity]:
    """Entities from every note's mentions: counts, the usual label, the first spelling seen."""
    votes: dict[str, Counter] = {}
    display: dict[str, str] = {}
    for mentions in per_note:
        for name, label, *_where in mentions:
            key = name.lower()
            display.setdefault(key, name)
            votes.setdefault(key, Counter())[label] += 1
    entities = []
    for key, counter in votes.items():
        label = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        entities.append(Entity(text=display[key], label=label, count=sum(counter.values())))
    entities.sort(key=lambda e: (-e.count, e.label, e.text.lower()))
    return entities
