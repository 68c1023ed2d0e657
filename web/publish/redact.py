"""Chatham House redaction: find people's names, store suggested replacements, apply them everywhere.

Names come from three places: spaCy's PERSON entities in the approved notes, the authors stored
with notes, and the speaker attributions ("Alison Reid CEO of Community Dental Services
responds"). Each becomes a `redaction` row (original -> replacement, default "a participant")
that the organiser confirms or changes. Applying redactions also catches the parts of a detected
name used alone ("Reid", "Alison"), but never an ordinary word: parts are matched case-sensitively
as whole words, and a part that is also a common word ("Will", "May", "Grace") is left alone.
"""

from __future__ import annotations

import re

from sqlite_utils import Database

from capture.errors import NotFound, ValidationError
from capture.models import Event
from capture.store import approved_notes, atomic, insert, update

DEFAULT_REPLACEMENT = "a participant"
KINDS = ("author", "attribution", "ner")
TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "professor", "cllr", "councillor", "sir", "dame",
          "lord", "lady", "rev", "revd"}
# Given names and surnames that are also everyday words: redacted only as part of the full name.
COMMON_WORDS = {
    "will", "may", "mark", "grace", "hope", "rose", "joy", "faith", "dawn", "bill", "frank", "sue",
    "pat", "rob", "ray", "jack", "penny", "sky", "summer", "august", "june", "april", "young",
    "long", "brown", "green", "white", "black", "king", "bell", "hall", "wood", "baker", "cook",
    "smith", "street", "lane", "hill", "field", "rich", "case", "chase", "price", "house", "church",
    "north", "south", "west", "east", "new", "care", "dental", "services", "community", "group",
}
MAX_REPLACEMENT = 120


def _nlp():
    # The pipeline synthesis already loaded (one copy per process).
    from synthesis.segment import load_nlp

    return load_nlp()


def clean_name(text: str) -> str | None:
    """A person's name as it should be matched: no title, possessive or stray punctuation."""
    text = re.sub(r"['’]s$", "", " ".join(text.split())).strip(" .,;:()\"'’")
    words = text.split()
    while words and words[0].lower().rstrip(".") in TITLES:
        words = words[1:]
    name = " ".join(words)
    if not name or not any(c.isupper() for c in name) or not re.search(r"[A-Za-z]{2}", name):
        return None
    return name


def _context(text: str, name: str, width: int = 80) -> str:
    at = text.find(name)
    if at < 0:
        return text[: 2 * width]
    start, end = max(0, at - width), min(len(text), at + len(name) + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _attribution_names(attribution: str) -> list[str]:
    """The person named in an attribution: the NER's PERSON, else its leading capitalised words."""
    people = [e.text for e in _nlp()(attribution).ents if e.label_ == "PERSON"]
    if people:
        return people
    lead = re.match(r"^((?:[A-Z][\w'’-]+\s?){1,3})", attribution.strip())
    return [lead.group(1)] if lead else []


def detect_names(db: Database, event: Event, entities: list[dict] | None = None) -> list[dict]:
    """Names to redact in the event's notes: [{original, kind, context}], one per distinct name."""
    found: dict[str, dict] = {}

    def add(raw: str, kind: str, context: str) -> None:
        name = clean_name(raw)
        if name and name not in found:
            found[name] = {"original": name, "kind": kind, "context": _context(context, name)}

    notes = approved_notes(db, event)
    for note in notes:
        if note.author:
            # In context means what they said, not the attribution alone (often just the name again).
            add(note.author, "author", f"{note.attribution or note.author}: {note.text}")
        if note.attribution:
            for name in _attribution_names(note.attribution):
                add(name, "attribution", note.attribution)
    for note, doc in zip(notes, _nlp().pipe(n.text for n in notes), strict=True):
        for ent in doc.ents:
            if ent.label_ == "PERSON":
                add(ent.text, "ner", note.text)
    for ent in entities or []:
        if ent.get("label") == "PERSON":
            context = next((n.text for n in notes if ent["text"] in n.text), ent["text"])
            add(ent["text"], "ner", context)
    return list(found.values())


def suggest_redactions(db: Database, event: Event, entities: list[dict] | None = None) -> int:
    """Store a suggested replacement for each name not yet known; returns how many are new."""
    found = detect_names(db, event, entities)  # the slow part (NER), outside the transaction
    with atomic(db):
        # Read what is known inside it: two pages opened at once must not store a name twice.
        known = {r["original"] for r in list_redactions(db, event)}
        new = [n for n in found if n["original"] not in known]
        for name in new:
            insert(db, "redaction", {"event_id": event.id, "original": name["original"],
                                     "replacement": DEFAULT_REPLACEMENT, "kind": name["kind"],
                                     "context": name["context"], "confirmed": 0})
    return len(new)


def list_redactions(db: Database, event: Event) -> list[dict]:
    """The event's redactions in the order they were found."""
    return list(db.query("SELECT * FROM redaction WHERE event_id = ? ORDER BY id", [event.id]))


def unconfirmed(db: Database, event: Event) -> list[dict]:
    """Redactions the organiser has not confirmed yet."""
    return [r for r in list_redactions(db, event) if not r["confirmed"]]


def set_redaction(db: Database, event: Event, redaction_id: int, replacement: str,
                  confirmed: bool = True) -> None:
    """Change a replacement (a role such as 'a dental services chief executive') and confirm it."""
    rows = [r for r in list_redactions(db, event) if r["id"] == redaction_id]
    if not rows:
        raise NotFound(f"No redaction {redaction_id} for event {event.slug!r}.")
    replacement = " ".join((replacement or "").split())
    if not replacement or len(replacement) > MAX_REPLACEMENT:
        raise ValidationError(f"A replacement needs 1 to {MAX_REPLACEMENT} characters "
                              f"(for {rows[0]['original']!r}).")
    if rows[0]["original"].lower() in replacement.lower():
        raise ValidationError(f"The replacement for {rows[0]['original']!r} must not contain the name.")
    with atomic(db):
        update(db, "redaction", redaction_id, {"replacement": replacement,
                                               "confirmed": int(confirmed)})


def confirm_all(db: Database, event: Event) -> int:
    """Confirm every suggested replacement as it stands; returns how many were confirmed."""
    with atomic(db):
        cur = db.conn.execute("UPDATE redaction SET confirmed = 1 WHERE event_id = ? AND confirmed = 0",
                              [event.id])
    return cur.rowcount


def _parts(name: str) -> list[str]:
    """The parts of a full name that identify the person alone (no common words, no initials)."""
    words = name.split()
    if len(words) < 2:
        return []
    return [w for w in words if len(w) >= 3 and w[0].isupper() and w.lower() not in COMMON_WORDS]


def _patterns(redactions: list[dict]) -> list[tuple[str, str]]:
    pairs = [(r["original"], r["replacement"]) for r in redactions]
    seen = {o for o, _ in pairs}
    for original, replacement in list(pairs):
        for part in _parts(original):
            if part not in seen:
                seen.add(part)
                pairs.append((part, replacement))
    # Longest first, so "Alison Reid" is replaced whole before "Reid" could match.
    return sorted(pairs, key=lambda p: -len(p[0]))


def _any_case(name: str) -> bool:
    """A full name is matched in any case ("alison reid", "ALISON REID": notes are typed fast), unless
    every word of it is an everyday word ("Mark Will" against "the mark will fade")."""
    words = name.split()
    return len(words) > 1 and not all(w.lower() in COMMON_WORDS for w in words)


class Redactor:
    """Replace names in text: full names (in any case), and their distinctive parts used alone."""

    def __init__(self, redactions: list[dict]):
        self.pairs = _patterns(redactions)
        self.lookup = {}
        alternatives = []
        for original, replacement in self.pairs:
            pattern = r"\s+".join(re.escape(w) for w in original.split())
            key = " ".join(original.split())
            if _any_case(original):
                pattern, key = f"(?i:{pattern})", key.lower()
            alternatives.append(pattern)
            self.lookup.setdefault(key, replacement)
        self.regex = (re.compile(r"(?<![\w])(" + "|".join(alternatives) + r")(?![\w])")
                      if alternatives else None)

    def _sub(self, match: re.Match) -> str:
        found = " ".join(match.group(1).split())
        replacement = self.lookup.get(found) or self.lookup[found.lower()]
        before = match.string[: match.start()].rstrip(" \t\"'“‘*_>")
        if not before or before[-1] in ".!?\n:":
            replacement = replacement[:1].upper() + replacement[1:]
        return replacement

    def __call__(self, text: str) -> str:
        """The text with every known name (and its distinctive parts) replaced."""
        if self.regex is None or not text:
            return text
        return self.regex.sub(self._sub, text)

    def data(self, value):
        """Redact every string in nested lists and dicts (keys are left alone)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        return value


def redactor_for(db: Database, event: Event) -> Redactor:
    """The redactor for an event: its stored redactions under the rule, else one that changes nothing."""
    return Redactor(list_redactions(db, event) if event.chatham_house else [])
