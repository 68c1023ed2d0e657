"""Chatham House redaction: find people's names, let the organiser confirm them, and remove them from
every output of the event.

Names come from four places: spaCy's PERSON entities in the approved notes, the authors stored
with notes, the speaker attributions ("Alison Reid CEO of Community Dental Services responds"),
and attendance lines of minutes ("Present: Jane Smith, Tom Brown (Chair)"). Initials written in
brackets after a name ("Jane Smith (JS)") are names too. A word spaCy labels as an organisation,
building or place somewhere in the event, or an all-capitals acronym, is not taken for a person.

Suggestions are computed, never stored: reading a page or printing `harvest digest` writes
nothing. A `redaction` row is stored when the organiser decides: confirmed with its replacement
(default "a participant", or a role), or "not a person" (person = 0: the word stays as written).
Unconfirmed suggestions are applied all the same; publishing waits until each one is decided.

`final_pass` is the one function every output goes through (the digest data, hence its JSON, CSV,
charts and feed, and the Markdown and HTML rendered from it or typed by the organiser): names in
any case, first names and surnames alone, bracketed initials, keywords that are names, and theme
labels that are nothing but a name.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata

from sqlite_utils import Database

from capture.errors import NotFound, ValidationError
from capture.models import Event
from capture.store import approved_notes, atomic, insert, update

DEFAULT_REPLACEMENT = "a participant"
KINDS = ("author", "attribution", "ner", "attendance", "initials", "draft")
TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "professor", "cllr", "councillor", "sir", "dame",
          "lord", "lady", "rev", "revd"}
# Given names and surnames that are also everyday words: alone they are replaced only where they
# read as a name (capitalised inside a sentence, or opening one before "said", "asked"...).
COMMON_WORDS = {
    "will", "mark", "grace", "hope", "rose", "joy", "faith", "dawn", "bill", "frank", "sue",
    "pat", "rob", "ray", "jack", "penny", "sky", "young", "long", "brown", "green", "white", "black",
    "king", "bell", "hall", "wood", "baker", "cook", "smith", "rich", "case", "chase", "price",
}
# Words a name may share that are never replaced alone: months, compass points, place-name words.
NEVER_ALONE = {
    "may", "june", "april", "august", "summer", "new", "north", "south", "west", "east", "street",
    "lane", "hill", "field", "house", "church", "care", "dental", "services", "community", "group",
}
SPEECH_VERBS = {"said", "says", "asked", "asks", "added", "agreed", "argued", "noted", "notes",
                "suggested", "suggests", "thinks", "thought", "felt", "feels", "explained", "replied",
                "responded", "responds", "proposed", "mentioned", "raised", "wants", "wanted",
                "pointed", "described", "questioned", "warned", "stressed", "welcomed", "opened",
                "closed", "chaired", "summarised", "summarized", "reported", "offered", "will", "would"}
NOT_PEOPLE = {"ORG", "FAC", "GPE", "LOC", "NORP", "PRODUCT", "EVENT", "LAW", "WORK_OF_ART", "LANGUAGE"}
# A "name" followed by one of these is a building or a body ("Keynes House", "Darwin Building").
PLACE_WORDS = {"house", "building", "centre", "center", "hall", "room", "street", "road", "college",
               "school", "hospital", "library", "court", "tower", "lane", "trust", "foundation",
               "council", "ltd", "limited", "plc", "university", "institute", "museum", "park",
               "square", "gardens", "theatre", "church", "chapel", "station", "associates", "partners",
               # bodies: "Holt Good Neighbours", "Sanders Coaches", "Cromer Men's Shed"
               "coaches", "club", "shed", "network", "partnership", "service", "services", "support",
               "society", "association", "alliance", "forum", "board", "committee", "neighbours",
               "friends", "cic", "charity", "company", "bank", "foodbank", "hub", "group", "groups"}
# Who someone is at the meeting, not their name: "Host: ...", a speaker taken to be "Chair".
ROLE_WORDS = {"host", "scribe", "chair", "chairs", "facilitator", "note-taker", "notetaker", "minutes",
              "secretary", "treasurer", "speaker", "panel", "moderator", "attendees", "present",
              "apologies", "everyone", "all", "group", "table", "participant", "participants",
              # A scribe's labels the model tags as a person ("Question raised: could ...").
              "question", "questions", "intro", "introduction", "purpose", "aob", "action", "actions"}
# An attendance line's label, then its list, up to the next "Label:" on the same line.
ATTENDANCE_FORM = (r"(?:^|(?<=[.;]\s)|(?<=\s\s))({labels})\s*[:–—-]\s*"
                   r"([^\n]+?)(?=(?:[.;]\s+|\s{{2,}})[A-Z][A-Za-z -]{{1,20}}\s*[:–—-]|\n|$)")
INITIALS_AFTER = re.compile(r"([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3})\s*\\?\(([A-Z]{2,4})\\?\)")
MAX_REPLACEMENT = 120
STATUSES = ("suggested", "confirmed", "not a person")


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


def _is_acronym(name: str) -> bool:
    """'SEEE', 'NHS', 'CVS': an all-capitals word is an organisation, not a person."""
    return len(name.split()) == 1 and name.isupper() and len(name) >= 2


def _written_as_name(name: str) -> bool:
    return all(w[:1].isupper() and not (w.isupper() and len(w) > 1) for w in name.split())


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


@functools.lru_cache(maxsize=1)
def _attendance() -> re.Pattern:
    # The labels synthesis reads as attendance and apologies (synthesis/context.py): one list, so a
    # line shown as the event's details is also a line whose names are redacted. Imported when
    # first needed: the command line's start does not pay for synthesis.
    from synthesis.context import LABEL_KINDS

    labels = sorted(LABEL_KINDS["attendance"] | LABEL_KINDS["apologies"], key=len, reverse=True)
    pattern = "|".join(re.escape(label).replace(r"\ ", r"\s+") for label in labels)
    return re.compile(ATTENDANCE_FORM.format(labels=pattern), re.IGNORECASE | re.MULTILINE)


def attendance_names(text: str) -> list[str]:
    """Names in attendance lines: 'Present: Jane Smith, Tom Brown (Chair) and Priya Shah (PS)'."""
    names = []
    for match in _attendance().finditer(text):
        listed = re.sub(r"\([^)]*\)", ",", match.group(2))
        for item in re.split(r"\s*(?:[,;/&]|\band\b)\s*", listed):
            words = [w for w in item.strip(" .").split() if w.lower().rstrip(".") not in TITLES]
            if 1 <= len(words) <= 4 and all(re.match(r"^[A-Z][\w'’.-]*$", w) for w in words) \
                    and not _is_acronym(" ".join(words)) and words[-1].lower() not in PLACE_WORDS:
                names.append(" ".join(words))
    return names


def _not_people(docs, entities: list[dict]) -> set[str]:
    """Lower-cased texts labelled as something other than a person anywhere in the event."""
    out = {e["text"].lower() for e in entities if e.get("label") in NOT_PEOPLE}
    for doc in docs:
        out |= {e.text.lower().removeprefix("the ") for e in doc.ents if e.label_ in NOT_PEOPLE}
    return out


def _person_entities(doc, not_people: set[str]) -> list[str]:
    """The doc's PERSON entities that read as people (not a building, body, acronym or a common
    word opening a sentence)."""
    out = []
    for ent in doc.ents:
        if ent.label_ != "PERSON" or _common_word_opening(ent):
            continue
        after = doc[ent.end].text.lower() if ent.end < len(doc) else ""
        words = ent.text.lower().split()
        if ent.text.lower() in not_people or after in PLACE_WORDS or _is_acronym(ent.text.strip()) \
                or words[-1] in PLACE_WORDS or _inside(ent.text.lower(), not_people):
            continue
        out.append(ent.text)
    return out


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _common_word_opening(ent) -> bool:
    """Whether a one-word PERSON is an everyday word that opens its sentence and modifies the
    noun after it: "Café notes in latin-1: ...", "Bakery staff said ..." (the second walk-through's
    N15: 'Café' was suggested, and 'Confirm all' published "A participant notes in latin-1").

    Capitals there say nothing, so the parse decides: the tagger calls the word a common noun or
    adjective (not a proper noun), it is a compound or modifier of a following common noun, and
    spaCy's English lexicon knows it. A name that is also an everyday word (COMMON_WORDS) is never
    taken for this, nor is a word the subject of a verb ("Victor said ..."): the tagger calls
    some names nouns there, and a missed name is published, so only the modifier is left out.
    """
    if len(ent) != 1:
        return False
    token = ent[0]
    before = ent.doc[ent.sent.start:token.i]
    if any(not t.is_punct for t in before) or token.pos_ not in ("NOUN", "ADJ"):
        return False
    head = token.head
    if token.dep_ not in ("compound", "amod", "nmod") or head.i <= token.i or head.pos_ != "NOUN":
        return False
    word = token.text.lower()
    if word in COMMON_WORDS:
        return False
    from synthesis.typos import default_lexicon  # the lexicon loads with spaCy's model: when needed

    known = default_lexicon()
    return known is not None and (known(word) or known(_plain(word)))


def _inside(name: str, phrases: set[str]) -> bool:
    """Whether a name is part of a longer organisation's or place's name ("Good Neighbours" of
    "Holt Good Neighbours")."""
    return any(len(p) > len(name) and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", p) for p in phrases)


def _bodies_in_brackets(text: str) -> set[str]:
    """What attendance lines put in brackets after a name: a body or a role, never a person."""
    out = set()
    for match in _attendance().finditer(text):
        out |= {b.strip().lower() for b in re.findall(r"\(([^)]{2,80})\)", match.group(2))
                if not re.fullmatch(r"[A-Z]{2,4}", b.strip())}
    return out


def _initials_fit(initials: str, name: str) -> bool:
    """'JS' after 'Jane Smith', 'GOS' or 'GO' after 'Grace Okonjo-Smith'; not 'ICB' after 'Fiona'."""
    words = re.split(r"[\s-]+", name)
    return initials[0] == words[0][:1] and (len(words) == 1 or initials[-1] in {w[:1] for w in words[1:]})


def _notes_key(notes, entities, draft: str | None = None) -> str:
    payload = [[n.text, n.author, n.attribution] for n in notes] + [entities, draft]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def detect_names(db: Database, event: Event, entities: list[dict] | None = None) -> list[dict]:
    """Names to redact in the event's notes and in the organiser's draft: [{original, kind,
    context}], one per distinct name.

    Computed from the notes (and the result's entities); nothing is written. The same notes give
    the same answer, kept in memory: pages that show the digest do not run the NER again.
    """
    from web.publish.drafts import get_draft  # drafts uses this module: imported when called

    if entities is None:
        entities = _result_entities(db, event)
    notes = approved_notes(db, event)
    draft = get_draft(db, event)
    key = _notes_key(notes, entities, draft)
    if key not in _DETECTED:
        if len(_DETECTED) >= 32:
            _DETECTED.pop(next(iter(_DETECTED)))
        _DETECTED[key] = _detect(notes, entities, draft)
    return [dict(n) for n in _DETECTED[key]]


_DETECTED: dict[str, list[dict]] = {}  # by a hash of the notes and entities: the NER is the slow part


def _detect(notes: list, entities: list[dict], draft: str | None = None) -> list[dict]:
    found: dict[str, dict] = {}

    def add(raw: str, kind: str, context: str) -> None:
        name = clean_name(raw)
        if not name or _is_acronym(name) or name.lower() in ROLE_WORDS or name.lower() in not_people \
                or name.split()[-1].lower() in PLACE_WORDS:
            return
        same = next((k for k in found if k.lower() == name.lower()), None)
        if same is None:
            found[name] = {"original": name, "kind": kind, "context": _context(context, name)}
        elif _written_as_name(name) and not _written_as_name(same):
            # "JANE OKAFOR" was seen first: the organiser confirms "Jane Okafor".
            found[name] = {**found.pop(same), "original": name}

    docs = list(_nlp().pipe(n.text for n in notes))
    not_people = _not_people(docs, entities)
    for note in notes:
        not_people |= _bodies_in_brackets(note.text)
    for note in notes:
        if note.author:
            # In context means what they said, not the attribution alone (often just the name again).
            add(note.author, "author", f"{note.attribution or note.author}: {note.text}")
        if note.attribution:
            for name in _attribution_names(note.attribution):
                add(name, "attribution", note.attribution)
        for name in attendance_names(note.text):
            add(name, "attendance", note.text)
    for note, doc in zip(notes, docs, strict=True):
        for name in _person_entities(doc, not_people):
            add(name, "ner", note.text)
    # The result's entities were found by the same NER: an everyday word it took for a person
    # where it opens a sentence is left out there too, unless the notes use it as a name elsewhere.
    openings = {e.text.lower() for doc in docs for e in doc.ents if e.label_ == "PERSON"
                and _common_word_opening(e)} - {k.lower() for k in found}
    for ent in entities:
        # As for the notes' own entities: not a word of a body's or place's name the event gives
        # ("Chatteris" of "Oliver Pike (Chatteris Town Council)": "Venue: A participant Library").
        if ent.get("label") == "PERSON" and ent["text"].lower() not in not_people | openings \
                and not _inside(ent["text"].lower(), not_people):
            context = next((n.text for n in notes if ent["text"] in n.text), ent["text"])
            add(ent["text"], "ner", context)
    if draft:
        # What the organiser typed into the digest is published too: a name in it is decided on
        # like a name in the notes (the second walk-through's N3: "Thanks to Sam Okafor" went out).
        for name in _person_entities(_nlp()(draft), not_people):
            add(name, "draft", draft)
    # Initials in brackets after a name the notes already gave: "Jane Smith (JS)", then "JS said".
    known = {k.lower() for k in found}
    for note in notes:
        for match in INITIALS_AFTER.finditer(note.text):
            name, initials = clean_name(match.group(1)), match.group(2)
            if name and name.lower() in known and initials not in found and _initials_fit(initials, name):
                found[initials] = {"original": initials, "kind": "initials", "of": name,
                                   "context": _context(note.text, match.group(0))}
    return list(found.values())


def _result_entities(db: Database, event: Event) -> list[dict]:
    from synthesis.runs import latest_result

    return (latest_result(db, event) or {}).get("entities") or []


def list_redactions(db: Database, event: Event) -> list[dict]:
    """The event's stored decisions (confirmed replacements and 'not a person'), in order."""
    return list(db.query("SELECT * FROM redaction WHERE event_id = ? ORDER BY id", [event.id]))


def row_key(original: str) -> str:
    """A short stable key for a name in forms (the name itself is not put in an element id)."""
    return hashlib.sha256(original.encode("utf-8")).hexdigest()[:12]


def _status(stored: dict | None) -> str:
    if stored is None or not stored["confirmed"]:
        return "suggested"
    return "confirmed" if stored["person"] else "not a person"


def redaction_rows(db: Database, event: Event, entities: list[dict] | None = None) -> list[dict]:
    """Every name of the event with its decision: [{original, replacement, kind, context, status,
    key, id}], status 'suggested' (not decided), 'confirmed' or 'not a person'. Writes nothing."""
    if not event.chatham_house:
        return []
    stored = {r["original"]: r for r in list_redactions(db, event)}
    rows = []
    for name in detect_names(db, event, entities):
        row = stored.pop(name["original"], None)
        rows.append({**name, "replacement": row["replacement"] if row else DEFAULT_REPLACEMENT,
                     "status": _status(row), "key": row_key(name["original"]),
                     "id": row["id"] if row else None})
    # Undecided initials say what their name says ("JS" of Jane Smith, "the chair").
    by_name = {r["original"].lower(): r for r in rows}
    for row in rows:
        if row.get("of") and row["status"] == "suggested" and row["of"].lower() in by_name:
            row["replacement"] = by_name[row["of"].lower()]["replacement"]
    # Decisions about names no longer found (a note hidden since) still count.
    for row in stored.values():
        rows.append({"original": row["original"], "kind": row["kind"], "context": row["context"] or "",
                     "replacement": row["replacement"], "status": _status(row),
                     "key": row_key(row["original"]), "id": row["id"]})
    return rows


def unconfirmed(db: Database, event: Event) -> list[dict]:
    """Names the organiser has not decided on yet (publishing waits for them)."""
    return [r for r in redaction_rows(db, event) if r["status"] == "suggested"]


def _checked(original: str, replacement: str) -> tuple[str, bool]:
    """(replacement, person) as typed; the name itself typed back means 'not a person'."""
    replacement = " ".join((replacement or "").split())
    if not replacement or len(replacement) > MAX_REPLACEMENT:
        raise ValidationError(f"A replacement needs 1 to {MAX_REPLACEMENT} characters (for {original!r}).")
    if replacement.lower() == original.lower():
        return original, False
    if re.search(rf"(?<!\w){re.escape(original.lower())}(?!\w)", replacement.lower()):
        raise ValidationError(f"The replacement for {original!r} must not contain the name. To keep the "
                              f"word as it is, choose 'Not a person'.")
    return replacement, True


def _store(db: Database, event: Event, row: dict, replacement: str, person: bool) -> None:
    existing = list(db.query("SELECT id FROM redaction WHERE event_id = ? AND original = ?",
                             [event.id, row["original"]]))
    values = {"replacement": replacement, "confirmed": 1, "person": int(person)}
    if existing:
        update(db, "redaction", existing[0]["id"], values)
    else:
        insert(db, "redaction", {"event_id": event.id, "original": row["original"],
                                 "kind": row.get("kind") or "ner", "context": row.get("context"), **values})


def _row(db: Database, event: Event, which: int | str) -> dict:
    """A name by its stored id, its key, or the name itself; else NotFound."""
    for row in redaction_rows(db, event):
        if which in (row["id"], row["key"], row["original"]):
            return row
    raise NotFound(f"No name {which!r} to redact for event {event.slug!r}. Reload the page.")


def set_redaction(db: Database, event: Event, which: int | str, replacement: str,
                  confirmed: bool = True) -> None:
    """Confirm the replacement of a name (by id, key or the name): 'a participant' or a role such as
    'a dental services chief executive'. Typing the name itself back keeps it as not a person."""
    row = _row(db, event, which)
    replacement, person = _checked(row["original"], replacement)
    with atomic(db):
        _store(db, event, row, replacement, person)
        if not confirmed:
            db.conn.execute("UPDATE redaction SET confirmed = 0 WHERE event_id = ? AND original = ?",
                            [event.id, row["original"]])


def keep_as_written(db: Database, event: Event, which: int | str) -> None:
    """'Not a person': the word ("Covid", "Rural") is kept as written in every output."""
    row = _row(db, event, which)
    with atomic(db):
        _store(db, event, row, row["original"], person=False)


def confirm_all(db: Database, event: Event, typed: dict[str, str] | None = None) -> int:
    """Confirm every undecided name with the replacement typed for it (by key), else the suggested
    one; all or nothing (a bad replacement stops them all). Returns how many were confirmed."""
    typed = dict(typed or {})
    rows = unconfirmed(db, event)
    keys = {r["original"].lower(): r["key"] for r in redaction_rows(db, event)}
    for row in rows:
        # Initials left as suggested take the role typed for their name in the same form.
        name_key = keys.get((row.get("of") or "").lower())
        as_suggested = typed.get(row["key"], row["replacement"]) == row["replacement"]
        if name_key and typed.get(name_key) and as_suggested:
            typed[row["key"]] = typed[name_key]
    pending = [(row, *_checked(row["original"], typed.get(row["key"]) or row["replacement"]))
               for row in rows]
    with atomic(db):
        for row, replacement, person in pending:
            _store(db, event, row, replacement, person)
    return len(pending)


def _parts(name: str) -> list[str]:
    """The parts of a full name that may identify the person alone (no initials, no 'May', 'North')."""
    words = name.split()
    if len(words) < 2:
        return []
    # "Okonjo-Smith" alone, and "Okonjo" and "Smith" alone too.
    pieces = words + [p for w in words if "-" in w for p in w.split("-")]
    return [w for w in dict.fromkeys(pieces) if len(w) >= 2 and w[0].isupper()
            and w.lower() not in NEVER_ALONE and not w.endswith(".")]


def initials_of(name: str) -> str | None:
    """'Jane Smith' -> 'JS', 'Grace Okonjo-Smith' -> 'GOS'; None for a one-word name."""
    words = re.split(r"[\s-]+", name)
    return "".join(w[0] for w in words if w[:1].isupper()) if len(name.split()) > 1 else None


class Redactor:
    """Replace names in text: full names in any case, their parts used alone where they read as a
    name, initials in brackets, with the title before them ("Dr Peter Marsh")."""

    def __init__(self, redactions: list[dict]):
        # class: "full" (a name as found), "part" (a distinctive part alone), "common" (a part that
        # is also an everyday word), "initials" (capitals, exactly as written).
        self.lookup: dict[str, tuple[str, str, str]] = {}
        for r in redactions:
            original, replacement = " ".join(r["original"].split()), r["replacement"]
            if r.get("kind") == "initials" or (original.isupper() and len(original) <= 4):
                self._add(original, replacement, "initials")
                continue
            words = original.split()
            if len(words) == 1:
                self._add(original, replacement, "common" if original.lower() in COMMON_WORDS else "part")
                continue
            self._add(original, replacement, "full")
            initials = initials_of(original)
            if initials and len(initials) >= 2:
                self._add(f"({initials})", f"({replacement})", "bracketed")
            for part in _parts(original):
                self._add(part, replacement, "common" if part.lower() in COMMON_WORDS else "part")
        names = sorted(self.lookup.values(), key=lambda v: -len(v[0]))
        alternatives = []
        for original, _, kind in names:
            if kind == "bracketed":
                alternatives.append(r"\\?\(" + re.escape(original[1:-1]) + r"\\?\)")
            else:
                alternatives.append(r"\s+".join(re.escape(w) for w in original.split()))
        title = r"(?:(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + r")\.?\s+)?"
        # Not inside a word; "_" is no letter ("_Peter_" is Markdown emphasis).
        self.regex = (re.compile(rf"(?<![^\W_])({title}(?:{'|'.join(alternatives)}))(?![^\W_])",
                                 re.IGNORECASE) if alternatives else None)
        self.replacements = {v[1] for v in self.lookup.values()}

    def _add(self, original: str, replacement: str, kind: str) -> None:
        key = original.lower()
        known = self.lookup.get(key)
        if known is None or known[2] in ("common", "part") and kind == "full":
            self.lookup[key] = (original, replacement, kind)
        elif known[1] != replacement and known[2] == kind:
            # "Smith" of Jane Smith ("the chair") and of Tom Smith: the role of neither.
            self.lookup[key] = (known[0], DEFAULT_REPLACEMENT, kind)

    def _reads_as_name(self, match: re.Match, found: str, original: str, kind: str,
                       standalone: bool) -> bool:
        if kind in ("initials", "bracketed"):
            return found.replace("\\", "") == original  # "JS" as written, never "js"
        if kind == "full":
            # "Mark Will" of everyday words is matched only as written ("the mark will fade").
            return not all(w.lower() in COMMON_WORDS | NEVER_ALONE for w in original.split()) \
                or found == original
        if kind == "part" or standalone:
            return True
        if not found[:1].isupper():
            return False
        before = match.string[: match.start()].rstrip(" \t\"'“‘*_>")
        if before and before[-1] not in ".!?\n:":
            return True  # capitalised inside a sentence: "then Brown replied"
        after = match.string[match.end():].split(maxsplit=1)
        return bool(after) and after[0].lower().strip(".,;:") in SPEECH_VERBS  # "Brown said ..."

    def _sub(self, match: re.Match, standalone: bool = False) -> str:
        words = match.group(1).split()
        while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
            words = words[1:]
        found = " ".join(words)
        name = self.lookup.get(found.lower().replace("\\", ""))
        if name is None or not self._reads_as_name(match, found, *name[::2], standalone):
            return match.group(0)
        replacement = name[1]
        before = match.string[: match.start()].rstrip(" \t\"'“‘*_>")
        if not before or before[-1] in ".!?\n:":
            replacement = replacement[:1].upper() + replacement[1:]
        return replacement

    def __call__(self, text: str, standalone: bool = False) -> str:
        """The text with every known name (and its parts, initials and title) replaced.

        `standalone` is for a word or phrase that stands alone (a keyword, a label): there an
        everyday word that is a name's part ("smith") counts in any case.
        """
        if self.regex is None or not text:
            return text
        out = self.regex.sub(lambda m: self._sub(m, standalone), text)
        for replacement in self.replacements:
            # "Jane Smith (JS)" -> "a participant (a participant)" -> "a participant"
            out = re.sub(rf"({re.escape(replacement)})\s*\\?\(\1\\?\)", r"\1", out, flags=re.IGNORECASE)
        return out

    def names_in(self, text: str) -> bool:
        """Whether a keyword or label holds a name (in any case)."""
        return self.regex is not None and self(text, standalone=True) != text

    def data(self, value):
        """Redact every string in nested lists and dicts (keys are left alone)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        return value


def _only_names(redactor: Redactor, label: str) -> bool:
    """A label that is nothing but names once they are taken out ('Jane Smith', 'Tom and JS')."""
    left = redactor(label, standalone=True)
    for replacement in redactor.replacements:
        left = re.sub(re.escape(replacement), " ", left, flags=re.IGNORECASE)
    return not re.sub(r"\b(and|with|&|the|of|from|to|by|on)\b|[^\w]|\d", "", left, flags=re.IGNORECASE)


def safe_label(redactor: Redactor, theme: dict, position: int) -> str:
    """A label for a theme whose label is a person's name: its keywords that are not names, else
    'Theme N'."""
    words = [k for k in theme.get("keywords") or [] if not redactor.names_in(k)][:3]
    label = ", ".join(words)
    return label[:1].upper() + label[1:] if words else f"Theme {position}"


def final_pass(redactor: Redactor, data: dict) -> dict:
    """The digest data as it may be published: every string redacted; keywords that are names
    dropped; a theme label that is only a name replaced by a redaction-safe label."""
    out = dict(data)
    if "themes" in data:
        themes = []
        for i, theme in enumerate(data["themes"], 1):
            theme = dict(theme)
            if "keywords" in theme:
                theme["keywords"] = [k for k in theme["keywords"] if not redactor.names_in(k)]
            if redactor.regex is not None and _only_names(redactor, theme.get("label") or ""):
                theme["label"] = safe_label(redactor, theme, i)
            themes.append(theme)
        out["themes"] = themes
    if isinstance(data.get("entities"), dict):  # the digest's lists: an "organisation" "PS" is initials
        out["entities"] = {group: [n for n in names if not redactor.names_in(n)]
                           for group, names in data["entities"].items()}
    return redactor.data(out)


def redactor_for(db: Database, event: Event, entities: list[dict] | None = None) -> Redactor:
    """The redactor for an event under the rule: every name found or decided, except the words kept
    as 'not a person'; one that changes nothing for an event not under the rule."""
    rows = [r for r in redaction_rows(db, event, entities) if r["status"] != "not a person"]
    return Redactor(rows)
