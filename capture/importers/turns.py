"""Speaker turns and document structure shared by the prose importers (text, Markdown, .docx).

A prose importer turns its file into `Block`s (title, heading, paragraph, list item); then
`notes_from_blocks` makes one note per paragraph or item, skipping the title and repeats of it,
and attributing paragraphs to the speaker whose turn they fall in. A turn starts at a line such
as "Alison Reid CEO of Community Dental Services responds", "Alison Reid:" or
"Alison Reid (CEO):" and lasts until the next heading or turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from capture.importers.base import ImportedNotes, clean, title_case_if_shouted
from capture.models import Note

_WORD = r"(?:[A-Z][a-z'’]*(?:[-'’][A-Z]?[a-z]+)*|[A-Z][a-z]?[A-Z][a-z]+|[A-Z][A-Z'’-]+)\.?"
_NAME = rf"{_WORD}(?:\s+{_WORD}){{0,3}}"

# "Alison Reid:", "Alison Reid (CEO, CDS):", "ALISON REID:", "Dr Alison Reid, CEO of CDS:".
TURN_COLON = re.compile(
    rf"^(?P<label>(?P<name>{_NAME})(?:\s*\((?P<role>[^()]{{1,80}})\)|,\s*(?P<role2>[^:]{{1,80}}))?)"
    r"\s*:(?:\s+(?P<rest>.*)|\s*)$"
)
# "Alison Reid CEO of Community Dental Services responds" (a line of its own; with a full stop
# it is a sentence, "Commissioners said.", not a turn).
SPEECH_VERBS = ("responds", "responded", "replies", "replied", "comments", "commented", "adds",
                "added", "says", "said", "answers", "answered", "speaks", "spoke", "reflects",
                "reflected", "explains", "explained", "writes", "wrote", "observes", "observed",
                "asks", "asked", "continues", "concludes", "summarises", "summarizes")
TURN_VERB = re.compile(
    rf"^(?P<name>{_NAME})\b(?P<desc>.{{0,120}}?)\s+(?:{'|'.join(SPEECH_VERBS)})\s*:?$"
)
# Words that begin a label or sentence but never a person's name ("Key issues:", "The group said").
NOT_NAMES = {
    "a", "about", "action", "actions", "agenda", "all", "also", "and", "answer", "answers",
    "apologies", "as", "attendees", "background", "but", "comment", "comments", "conclusion",
    "date", "discussion", "everyone", "example", "examples", "feedback", "finally", "first", "for",
    "group", "he", "her", "his", "however", "i", "important", "in", "issue", "issues", "it", "key",
    "location", "many", "most", "next", "nb", "no", "note", "notes", "now", "ok", "on", "one",
    "others", "our", "outcome", "outcomes", "overall", "point", "points", "present", "ps",
    "purpose", "q", "question", "questions", "re", "recommendation", "recommendations",
    "response", "responses", "second", "she", "so", "some", "source", "step", "steps", "subject",
    "summary", "table", "that", "the", "their", "then", "there", "they", "third", "this", "time",
    "tip", "title", "today", "topic", "theme", "themes", "update", "venue", "we", "well", "what",
    "when", "where", "who", "why", "yes", "you",
}
# Labels that name a role rather than a person: a turn with an attribution but no author.
ROLE_LABELS = {"chair", "facilitator", "host", "moderator", "scribe", "speaker", "participant",
               "attendee", "commissioner", "audience", "panel", "panellist", "panelist"}
# Words after a name that start the description of the person, not their name.
ROLE_WORDS = {"ceo", "chief", "director", "head", "chair", "chairman", "chairwoman", "manager",
              "founder", "co-founder", "trustee", "officer", "lead", "coordinator", "co-ordinator",
              "partner", "commissioner", "executive", "president", "secretary", "treasurer",
              "deputy", "senior", "programme", "project", "of", "from", "at", "the", "and", "for",
              "mp", "cllr", "councillor", "md", "coo", "cfo", "vice", "development", "policy"}
TITLES = {"dr", "dr.", "prof", "prof.", "professor", "cllr", "sir", "dame", "mr", "mrs", "ms", "miss",
          "rev", "revd", "lord", "lady"}
# Lines that say who was there and who did what, not what anyone said: event details (the
# synthesis reads them as context), never a speaker turn, and the end of any turn before them.
ALWAYS_DETAILS = ("present", "apologies", "apologies for absence", "attendees", "attending", "in attendance",
                  "absent", "minutes", "minutes by", "minute-taker", "minute taker", "note-taker",
                  "note taker", "notetaker", "recorder")
# Roles that are details when followed by names only ("Host: Jane Smith. Scribe: Bob Jones."),
# and a turn when followed by what the person said ("Chair: Let us begin with the contracts.").
ROLE_DETAILS = ("host", "hosts", "scribe", "chair", "chaired by", "facilitator", "facilitated by",
                "rapporteur", "moderator", "co-host")
_LABELS = "|".join(re.escape(x) for x in sorted(ALWAYS_DETAILS + ROLE_DETAILS, key=len, reverse=True))
_DETAIL_PART = re.compile(rf"^(?P<label>{_LABELS})(?:\s*\([^()]{{0,40}}\))?\s*:\s*(?P<value>.*)$",
                          re.IGNORECASE)
# "Host: Jane Smith. Scribe: Bob Jones.": one line, several labels; minutes typed in columns put
# only spaces before the next known label ("Host: Jenny Carver, Voluntary Norfolk    Scribe: Amir").
_CAPITALISED_LABELS = "|".join(re.escape(x[0].upper() + x[1:])
                               for x in sorted(ALWAYS_DETAILS + ROLE_DETAILS, key=len, reverse=True))
_NEXT_LABEL = re.compile(r"(?<=[.;])\s+(?=[A-Z][\w -]{0,30}:)"
                         rf"|\s+(?=(?:{_CAPITALISED_LABELS})(?:\s*\([^()]{{0,40}}\))?\s*:)")
# A name, or a short list of them, as written after "Host:": capitalised words, initials, "and",
# commas and bracketed roles; no lower-case word that could be what someone said.
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|and|&|de|van|von|der|la|le|of)"
_NAMES_ONLY = re.compile(rf"^(?:{_NAME_WORD}[\s,]*|\([^()]{{0,80}}\)[\s,]*)+[.;]?$")
# Where the group speaks again: the end of a speaker's turn ("The table agreed three asks...").
GROUP_VOICE = re.compile(
    r"^(?:(?:overall|in summary|in short|finally),?\s+)?"
    r"(?:the\s+(?:whole\s+)?(?:table|group|room|panel|meeting|roundtable|round table)|participants|attendees"
    r"|delegates|everyone|everybody|all\s+present|those\s+present)\b(?!\s*:)", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
# A scribe reporting someone in the room: "Priya said landlords are leaving the market ...",
# "Ruth added that ...". Only a person the document names elsewhere (the attendance line, a turn
# label) counts: "Council said ..." or "Shelter said ..." stays in the turn it is in.
REPORTING_VERBS = ("said", "says", "added", "adds", "argued", "argues", "pointed out", "points out",
                   "noted", "notes", "felt", "feels", "thought", "thinks", "suggested", "suggests",
                   "explained", "explains", "warned", "warns", "asked", "asks", "agreed", "agrees",
                   "disagreed", "disagrees", "mentioned", "reported", "replied", "responded", "raised",
                   "made the point", "countered", "wondered", "questioned", "stressed", "described")
REPORTED = re.compile(
    rf"^(?P<name>{_NAME}?)\s+(?:{'|'.join(re.escape(v) for v in REPORTING_VERBS)})\b(?:\s+that)?[\s,:]+\S")
# A scribe's aside on a line of its own: "(ran out of time here - come back to it next time)".
ASIDE = re.compile(r"^\([^()]{3,300}\)[.]?$")
# A time on the agenda on a line of its own: "11.15 - break", "12:30 Lunch", "2pm: close".
AGENDA_TIME = re.compile(r"^\d{1,2}(?:[.:]\d{2})?\s*(?:am|pm)?\s*(?:[-–:]\s*)?[A-Za-z][\w ,&/-]{0,40}$",
                         re.IGNORECASE)
TABLE_HEADING = re.compile(r"^(?:round[- ]?)?table\s+(?P<name>[\w-]+)\b", re.IGNORECASE)


@dataclass
class Block:
    """One unit of a prose document: kind is 'title', 'heading', 'para', 'item' or 'row' (of a table)."""

    kind: str
    text: str
    level: int = 0
    line: int | None = None


@dataclass
class Turn:
    """A speaker turn: who (if a person is named) and the attribution as written."""

    author: str | None
    attribution: str
    rest: str = ""


def _person(words: list[str]) -> str | None:
    """The person's name from the leading words of a label, or None if it is not a name."""
    name: list[str] = []
    for word in words:
        bare = word.lower().rstrip(".,")
        if name and (bare in ROLE_WORDS or (word.isupper() and len(word) > 1 and not
                                            all(w.isupper() for w in words))):
            break
        if bare in NOT_NAMES:
            return None
        name.append(word.rstrip(","))
        if len(name) == 4:
            break
    if not name or all(w.lower().rstrip(".") in TITLES for w in name):
        return None
    return title_case_if_shouted(" ".join(name))


def match_turn(text: str) -> Turn | None:
    """The speaker turn this line starts, or None if it is an ordinary line."""
    line = clean(text)
    m = TURN_COLON.match(line)
    if m:
        label = m.group("label").strip()
        words = m.group("name").split()
        rest = (m.group("rest") or "").strip()
        if len(words) == 1 and words[0].lower() in ROLE_LABELS:
            return Turn(author=None, attribution=label, rest=rest)
        if m.group("role2") and len(words) < 2:
            return None
        author = _person(words)
        if author and not (len(words) > 1 and words[-1].lower() in ROLE_WORDS):
            return Turn(author=author, attribution=label, rest=rest)
        return None
    if len(line) <= 160:
        m = TURN_VERB.match(line)
        if m:
            author = _person(line.split()[: len(m.group("name").split())])
            if author:
                return Turn(author=author, attribution=line.rstrip(":. "))
    return None


def people_named(blocks: list[Block]) -> dict[str, str]:
    """The people a document names as present or speaking, by each way of writing them: full name
    and first name -> full name ("Priya" and "Priya Shah" -> "Priya Shah"); a first name two
    people share -> "" (someone the document names, but which of them is not known)."""
    full: set[str] = set()
    for block in blocks:
        turn = match_turn(block.text) if block.kind != "row" else None
        if turn and turn.author:
            full.add(turn.author)
        if block.kind != "row" and is_detail_line(block.text):
            for part in _NEXT_LABEL.split(clean(block.text)):
                m = _DETAIL_PART.match(part)
                value = re.sub(r"\([^()]*\)", ",", m.group("value")) if m else ""
                for piece in re.split(r"[,;]|\band\b|&", value):
                    words = piece.split()
                    if words and all(re.fullmatch(_WORD, w) for w in words[:4]) and len(words) <= 4:
                        name = _person(words)
                        if name:
                            full.add(name)
    known: dict[str, str] = {}
    firsts: dict[str, set[str]] = {}
    for name in full:
        known[name] = name
        words = [w for w in name.split() if w.lower().rstrip(".") not in TITLES]
        if len(words) > 1:
            firsts.setdefault(words[0], set()).add(name)
    for first, names in firsts.items():
        if first not in known:
            known[first] = next(iter(names)) if len(names) == 1 else ""
    return known


def reported_turn(text: str, people: dict[str, str]) -> Turn | None:
    """The turn of a line reporting a person the document names ("Priya said ..."), or None.
    The note keeps every word as written; the author is the person as the document names them."""
    m = REPORTED.match(clean(text))
    if not m or m.group("name") not in people:
        return None
    return Turn(author=people[m.group("name")] or None, attribution=m.group("name"))


def interrupts_turn(text: str) -> bool:
    """A line that is nobody's words in a speaker's turn: an aside in brackets, a time on the agenda."""
    line = clean(text)
    return bool(ASIDE.match(line) or AGENDA_TIME.match(line))


def is_detail_line(text: str) -> bool:
    """True for a line of event details: 'Present: ...', 'Apologies: ...', 'Minutes: ...', or roles
    followed by names only ('Host: Jane Smith. Scribe: Bob Jones.', 'Chair: Alison Reid (CDS)')."""
    for part in _NEXT_LABEL.split(clean(text)):
        m = _DETAIL_PART.match(part)
        if not m:
            return False
        value = m.group("value").strip()
        if m.group("label").lower() in ALWAYS_DETAILS:
            continue
        if not value or not _NAMES_ONLY.match(value) or len(value.split()) > 12:
            return False
    return True


def group_voice_at(text: str) -> int | None:
    """Where in a turn's text the group speaks ('... The table agreed three asks'), or None."""
    if GROUP_VOICE.match(text):
        return 0
    for m in _SENTENCE_BREAK.finditer(text):
        if GROUP_VOICE.match(text[m.end():]):
            return m.end()
    return None


def split_turn_lines(lines: list[str]) -> list[list[str]]:
    """Split the lines of one paragraph where a line starts a 'Name:' turn (chat-style minutes),
    a line of event details, or a line where the group speaks again."""
    groups: list[list[str]] = []
    for line in lines:
        if not groups or (match_turn(line) and TURN_COLON.match(clean(line))) or is_detail_line(line) \
                or GROUP_VOICE.match(clean(line)):
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def _looks_like_title(block: Block, has_more: bool) -> bool:
    text = block.text
    return (has_more and len(text) <= 150 and not text.endswith((".", "!", "?", ":", ";", ","))
            and len(text.split()) <= 20)


def _is_table_line(text: str) -> bool:
    """'Table 3' or 'Table 3: Trust between organisations' on a line of its own: a heading."""
    return bool(TABLE_HEADING.match(text)) and len(text) <= 100 and not text.endswith((".", "?", "!"))


def _section_line(text: str, heads_list: bool) -> bool:
    """A line that heads a section rather than saying something: a label ending in a colon
    ("Asks:"), or a few words with no sentence's ending over a list ("Asks - first go (not agreed
    yet!!)" then "1. ..."); never a table's own line. A short point without a full stop is a
    point, not a heading, unless a list follows it."""
    line = clean(text)
    if not line or _is_table_line(line) or match_turn(line):
        return False
    if len(line) <= 60 and line.endswith(":"):
        return True
    return heads_list and len(line.split()) <= 8 and not re.search(r"[.?,;]$", line) and line[0].isupper()


def notes_from_blocks(blocks: list[Block], *, default_table: str | None = None,
                      unit: str = "line") -> ImportedNotes:
    """One note per paragraph or list item, with title, headings, tables and turns applied.

    Each note's `location` is "<unit> <block.line>" ("line 12"; "paragraph 12" for .docx)."""
    parsed = ImportedNotes()
    blocks = [b for b in blocks if b.text.strip()]
    if not blocks:
        return parsed
    first = blocks[0]
    if first.kind == "title" or (first.kind == "heading" and first.level <= 1):
        parsed.title = first.text
        blocks = blocks[1:]
    elif first.kind == "para" and not match_turn(first.text) and _looks_like_title(first, len(blocks) > 1):
        parsed.title = first.text
        blocks = blocks[1:]
    seen_headings = {_key(parsed.title)} if parsed.title else set()
    people = people_named(blocks)
    turn: Turn | None = None
    table, table_level = default_table, None
    by_label = False  # the table was set by a label ("Table 2 fed back:"), not a heading
    for i, block in enumerate(blocks):
        heads_list = i + 1 < len(blocks) and blocks[i + 1].kind == "item"
        if by_label and block.kind == "para" and _section_line(block.text, heads_list):
            # A label heads what follows it, up to the next line that heads a section of its own
            # ("Asks - first go" over a list): the asks after Table 2's feedback are not Table 2's.
            table, table_level, by_label = default_table, None, False
        if block.kind == "para" and _is_table_line(block.text):
            by_label = block.text.rstrip().endswith(":")
            block = Block("heading", block.text, level=2, line=block.line)
        elif block.kind == "heading":
            by_label = False
        if block.kind in ("title", "heading"):
            heading_turn = match_turn(block.text)
            if heading_turn:
                turn = heading_turn
                continue
            turn = None
            seen_headings.add(_key(block.text))
            m = TABLE_HEADING.match(block.text)
            if m:
                table, table_level = f"Table {m.group('name')}", block.level
            elif table_level is not None and block.level <= table_level:
                table, table_level = default_table, None
            continue
        if _key(block.text) in seen_headings:
            continue  # a repeated title or heading line is not something anybody said
        if block.kind != "row" and is_detail_line(block.text):
            turn = None  # who was there, who hosted: a detail of the event, said by nobody
            found = None
        else:
            found = match_turn(block.text) if block.kind != "row" else None  # a table row is never a turn
        if not found and block.kind == "para" and len(block.text) <= 60 and block.text.endswith(":"):
            turn = None  # a label such as "Key issues:" heads what follows; nobody said it
            continue
        text = block.text
        if found:
            turn = found
            if not found.rest:
                continue
            text = found.rest
        text = clean(text)
        if not text:
            continue
        location = f"{unit} {block.line}" if block.line else None
        reported = reported_turn(text, people) if block.kind != "row" and not found else None
        if reported or (turn and interrupts_turn(text)):
            # Someone else's point the scribe reports, or the scribe's own aside: not the words of
            # the speaker whose turn it was, and the turn is over.
            parsed.notes.append(_note(text, table, reported, location))
            turn = None
            continue
        cut = group_voice_at(text) if turn else None
        if cut is not None:
            # The turn ends where the group speaks again: the rest is the table's, not the speaker's.
            if cut:
                parsed.notes.append(_note(text[:cut].strip(), table, turn, location))
            text, turn = text[cut:], None
        parsed.notes.append(_note(text, table, turn, location))
    return parsed


def _note(text: str, table: str | None, turn: Turn | None, location: str | None) -> Note:
    return Note(text=text, table=table, author=turn.author if turn else None,
                attribution=turn.attribution if turn else None, role="speaker" if turn else "scribe",
                location=location)
