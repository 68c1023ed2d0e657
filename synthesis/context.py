"""Context is not content: the lines of a note that describe the event rather than report it.

Minutes and write-ups carry lines nobody would quote: a title ("Minutes of the Board of Trustees
meeting held on ..."), a date, a venue, who was present and who sent apologies, agenda headings,
procedural minutes ("the minutes of the previous meeting were approved", "matters arising",
"AOB", "date of next meeting"), redaction placeholders, and a blurb that describes the session
("Discussion feedback taken from ... event", "This workshop brought together ..."). The pipeline
keeps them out of clustering, quotes and summaries, lists them as the result's `context`, and
reads the event's date, venue and number present from them.

The rules are about the shape of a line, not these files' words: a label followed by a colon and
a list of names; a line that is mostly a date; a short line without a verb (spaCy's tags) that
heads the text under it, or starts a paragraph the importer joined to it; meta-discourse about
"this session", "feedback taken from", "written up by". `note_context(doc, text)` gives one
note's context spans; `event_details(lines)` the details they hold.

Usage:
    spans = note_context(nlp(text), text)  # [(start, end, kind), ...]
    details = event_details([{"text": text[a:b], "kind": k} for a, b, k in spans])
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from synthesis.publishable import DATE, PLACEHOLDER, trim

KINDS = ("title", "date", "venue", "attendance", "apologies", "heading", "procedural", "blurb", "redaction")
# "Label: rest" at the start of a line; the label is at most five words, perhaps with an aside in
# brackets ("Attendees (from sign-in sheet): ...").
LABEL = re.compile(r"^(?P<label>[A-Za-z][A-Za-z'’&/ -]{0,40}?)(?:\s*\([^()]{1,40}\))?\s*[:\u2013\u2014-]\s+"
                   r"(?P<rest>\S.*)$", re.DOTALL)
LABEL_KINDS = {
    "attendance": {"present", "attendees", "attending", "attendance", "in attendance", "participants",
                   "members present", "trustees present", "board members present", "also present",
                   "those present", "guests", "observers", "chair", "chaired by", "host", "hosts", "scribe",
                   "scribes", "facilitator", "facilitators", "facilitated by", "note taker", "notetaker",
                   "note-taker", "minute taker", "minutes taken by", "minutes", "clerk", "speakers", "panel",
                   "panellists", "attended by", "who was there"},
    "apologies": {"apologies", "apologies for absence", "apologies received", "absent", "regrets",
                  "sent apologies", "absent without apologies", "unable to attend"},
    "date": {"date", "date and time", "time", "when", "meeting date", "date of meeting", "day"},
    "venue": {"venue", "location", "place", "where", "held at", "room", "address"},
    "procedural": {"date of next meeting", "next meeting", "aob", "any other business", "matters arising",
                   "minutes of the last meeting", "minutes of the previous meeting",
                   "declarations of interest", "actions from the last meeting"},
}
# A role label anywhere in a short line: "Jenny Carver, Voluntary Norfolk Scribe: Amir Haddad".
ROLE = re.compile(r"\b(?:host|scribe|chair|facilitator|note[- ]?taker|minute[- ]?taker|minutes by)\s*:",
                  re.IGNORECASE)
PROCEDURAL = [re.compile(p, re.IGNORECASE) for p in (
    r"\bminutes of the (?:last|previous) meeting\b",
    r"\b(?:minutes|notes) of the [^.]{0,60}\b(?:were|was) "
    r"(?:approved|agreed|accepted|confirmed|signed|adopted)\b",
    r"\b(?:approved|agreed|accepted|signed) as an? (?:true|correct|accurate|fair)\b",
    r"\bmatters arising\b",
    r"\bany other business\b|^\s*a\.?o\.?b\b",
    r"\bdate of (?:the )?next meeting\b|^next meeting\b",
    r"\bdeclar(?:ed|ation|ations) (?:of |an |any )?interests?\b",
    r"\b(?:noted|received|recorded) (?:the )?apologies\b|"
    r"\bapologies (?:were |was )?(?:noted|received|as above)\b",
    r"\bwelcomed (?:everyone|all|attendees|members|participants|those present|the group)\b",
    r"^welcome to (?:the|this|our|today's)\b|^(?:thanks|thank you),? (?:everyone|all)\W*$",
    r"^signed\b|\bsigned \((?:chair|secretary)\)",
    r"\bmeeting (?:closed|ended|finished) at\b|\b(?:was|were) quorate\b",
    # Who opened the meeting, the time that ran out, the notes someone will send round.
    r"(?:^|\s)[A-Z][a-z'’-]+ opened\W*$|\b(?:opened|closed|chaired) the (?:meeting|session|discussion|"
    r"round ?table|event)\b",
    r"\b(?:ran|run|running) out of time\b|\bcome back to [^.]{0,60}\bnext (?:time|meeting|session)\b",
    r"\bto (?:circulate|send round|send out|share) (?:the )?(?:notes|minutes|slides|write-?up)\b|"
    r"\b(?:notes|minutes|slides) (?:to be|will be) (?:circulated|sent round|sent out)\b",
    r"^\d{1,2}(?:[.:]\d{2})?\s*(?:am|pm)?\s*[-–—:]?\s*(?:break|lunch|coffee|tea|close|end)\b\W*$",
    # What minutes write under an item with nothing in it: "None.", "Nil", "Nothing to report".
    r"^(?:none|nil|n/?a|no(?:ne)? (?:raised|received|declared|reported)|nothing (?:to report|further|raised)|"
    r"no (?:other|further) business|no updates?)\W*$",
)]
# Meta-discourse: the text says what the session or the document is, not what was said in it.
_EVENT = (r"(?:round ?tables?|meetings?|events?|workshops?|sessions?|assembly|forum|conference|webinar|panel|"
          r"network|breakouts?|discussions?)")
_DOCUMENT = r"(?:write-?up|report|summary|notes|minutes|document|paper)"
BLURB = [re.compile(p, re.IGNORECASE) for p in (
    r"\b(?:feedback|notes?|minutes|comments|points|summary|write-?up)\b[^.]{0,20}\b(?:taken|gathered|collected|"
    r"captured|drawn|recorded)\b[^.]{0,10}\bfrom\b",
    r"^discussion (?:on|around|about|of) the (?:subject|topic|theme|question)\b",
    rf"^(?:notes?|minutes|feedback|highlights|summary|a summary|record) (?:of|from) [^.]{{0,80}}\b{_EVENT}\b",
    rf"^(?:this|the|our|today's) (?:[\w-]+ ){{0,3}}(?:{_EVENT}|{_DOCUMENT})\b[^.]{{0,60}}\b(?:was part of|"
    r"brought together|was held|took place|was run|is run|was organised|was hosted|was facilitated|aimed to|"
    r"aims to|was an opportunity|is a summary|summari[sz]es|sets out)\b",
    r"^it (?:brought together|was part of|took place|was held)\b",
    r"\bwhat follows (?:is|are)\b|\bthe following (?:is|are) (?:a )?(?:summary|notes|record)\b",
    r"\b(?:written|typed) up (?:by|from)\b|\bwrite-?up by\b|\b(?:minutes|notes) (?:taken|recorded) by\b",
    r"\bchatham house rule\b",
    r"\bplease send (?:any )?(?:corrections|comments|amendments|feedback)\b",
    rf"^the (?:question|topic|theme|subject) (?:for|of) (?:this|the|today's) {_EVENT}\b",
    rf"^(?:purpose|aims?|objectives?)(?: of (?:the|this|today's) {_EVENT})?\s*[:=–-]",
)]
# An answer that says nothing, as a whole note ("n/a", "No", "nothing to add", "see above"): a
# form's or survey's required question, answered by someone with nothing to say.
FILLER = re.compile(r"^(?:n/?a|na|nil|none|no|nope|not really|"
                    r"nothing(?: (?:else|more|further|to add|really))?|no(?: further)? comments?|"
                    r"(?:see|as) above|same as above|no,? thanks?(?: you)?|"
                    r"nothing(?: else)?,? thanks?(?: you)?)\W*$", re.IGNORECASE)
# A table's feedback introduced by its name: "Table 2 fed back:", "Group B reported:".
TABLE_LABEL = re.compile(r"^(?:table|group|breakout(?: room)?)\s+[\w-]{1,12}(?:\s+(?:fed back|feedback|"
                         r"feeding back|reported(?: back)?|reporting back|said|discussed|notes))?"
                         r"\s*[:–—-]\s+", re.IGNORECASE)
# A scribe's lead-in naming where the note comes from, up to its colon or dash: "Phone note A at
# Table 1:", "Table 3 summary:", "Notes from Group C -", "Breakout 2 feedback:". Heard as a label
# (`_lead_in`: no verb but its source word), never quoted: a quote starts after it.
SOURCE_LEAD = re.compile(r"^(?:[\w'’&-]+\s+){0,5}?(?:notes?|summary|summaries|feedback|report|points|"
                         r"comments|minutes|write-?up|record)\b[^:–—\n.!?]{0,40}?\s*(?::|\s[–—-])\s+",
                         re.IGNORECASE)
# A label's end within a few words of where a heading was found ("Phone note | A at Table 1:"): a
# colon only, as a dash there may open an aside ("Digital inclusion Richard - our chair - said").
LABEL_END = re.compile(r"^[^:–—\n.!?]{1,40}?:\s+")
TITLE = re.compile(rf"^(?:minutes|notes|record|summary|report) of (?:the |a )?[^.]{{0,80}}\b"
                   rf"(?:{_EVENT}|board|committee|trustees|group)\b"
                   r"[^.]{0,40}\b(?:held|on|at)\b", re.IGNORECASE)
TIME = re.compile(r"\b\d{1,2}(?:[.:]\d{2})?\s*(?:am|pm)\b|\b\d{1,2}[.:]\d{2}\b", re.IGNORECASE)
NUMBERED = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*|[A-Za-z]|[ivxIVX]{1,4})[.)]\s|^(?:agenda )?item \d",
                      re.IGNORECASE)
_WORDS = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
FUNCTION = {"a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "with", "by", "from", "&"}


def _is_names(rest: str) -> bool:
    """Whether text after a label is a list of people or organisations: items of one to six
    words, mostly capitalised, separated by commas, semicolons or 'and'."""
    plain = re.sub(r"\([^)]*\)", "", PLACEHOLDER.sub("Name", rest)).strip(" .;")
    items = [i.strip() for i in re.split(r"[,;]|\band\b|\s{3,}", plain) if i.strip()]
    if not items:
        return False
    good = 0
    for item in items:
        words = _WORDS.findall(item)
        capitals = [w for w in words if w[0].isupper() or w.lower() in FUNCTION]
        if 1 <= len(words) <= 6 and len(capitals) == len(words):
            good += 1
        elif re.match(r"^(?:plus|and)?\s*\d+\s+\w+", item, re.IGNORECASE):
            good += 1  # "plus 6 online"
    return good >= max(1, 0.7 * len(items))


def label_kind(text: str) -> str | None:
    """The kind of a 'Label: ...' line (Present:, Apologies:, Date:, Venue:, or a label and a
    list of names), or None."""
    match = LABEL.match(text)
    if match:
        label = " ".join(match.group("label").lower().split())
        for kind, labels in LABEL_KINDS.items():
            if label in labels:
                return kind
        rest = match.group("rest")
        if len(label.split()) <= 4 and _is_names(rest) and not _has_sentence(rest):
            return "attendance"
    if ROLE.search(text) and len(_WORDS.findall(text)) <= 16 and not _has_sentence(text):
        return "attendance"
    return None


def _has_sentence(text: str) -> bool:
    # A rough verb test for text without tags: a lower-case word after a capitalised one, ending in
    # a full stop, and long enough to be a sentence ("We hear this." is; "Jenny Carver, Age UK" is not).
    words = _WORDS.findall(text)
    lower = [w for w in words if w[0].islower() and w.lower() not in FUNCTION]
    return len(words) >= 4 and len(lower) >= 2 and text.rstrip()[-1:] in ".!?"


def text_kind(text: str) -> str | None:
    """The context kind of a sentence or line judged by its words alone, or None for content."""
    stripped = text.strip()
    if not stripped:
        return None
    kind = label_kind(stripped)
    if kind:
        return kind
    if TITLE.search(stripped):
        return "title"
    if any(p.search(stripped) for p in PROCEDURAL):
        return "procedural"
    if any(p.search(stripped) for p in BLURB):
        return "blurb"
    if len(_WORDS.findall(PLACEHOLDER.sub(" ", stripped))) < 2 and PLACEHOLDER.search(stripped):
        return "redaction"
    if _mostly_date(stripped):
        return "date"
    return None


def _mostly_date(text: str) -> bool:
    """A line that starts with a date and holds little else but a time and a place."""
    start = DATE.search(text)
    if not start or start.start() > 3 or len(_WORDS.findall(text)) > 16:
        return False
    rest = TIME.sub(" ", DATE.sub(" ", text))
    return not _has_sentence(rest) and not re.search(r"\b(?:is|are|was|were|will|has|have|had)\b", rest)


def _verbless(tokens) -> bool:
    """No verb, but for a compound noun the tagger read as a noun and a verb: "Network updates",
    "Member reports" (a plural noun after a noun, at the end, with no determiner or pronoun)."""
    tokens = list(tokens)
    verbs = [i for i, t in enumerate(tokens) if t.pos_ in ("VERB", "AUX")]
    return not verbs or (verbs == [len(tokens) - 1] and _compound_noun_end(tokens))


def _compound_noun_end(tokens) -> bool:
    """Whether the last word is a plural noun the tagger took for a verb ("updates" of "Network
    updates"): a lower-case -s word straight after a noun that is not a person's name, in a run
    of at most four words without a determiner, a pronoun or an auxiliary. A named thing before
    it is the subject of a verb ("Guantanamo harms America's image")."""
    last, before = tokens[-1], tokens[-2] if len(tokens) > 1 else None
    return (before is not None and len(tokens) <= 4 and last.tag_ == "VBZ" and last.text.islower()
            and last.text.endswith("s") and before.pos_ in ("NOUN", "PROPN") and not before.ent_type_
            and not any(t.pos_ in ("DET", "PRON", "AUX") for t in tokens))


def heading_prefix(sentence) -> int | None:
    """Where the text starts after a heading the importer joined to its paragraph ("Digital
    inclusion Richard said ..."), as an offset in the doc, or None: a capitalised run of one to
    seven words without a verb, pronoun, adverb or date, straight before a capitalised word that
    starts a clause with a verb, and not inside one proper name."""
    tokens = list(sentence)
    shouted = _shouted_heading(tokens)
    if shouted is not None:
        return shouted
    for k in range(1, min(len(tokens) - 1, 8)):
        tok, prefix = tokens[k], tokens[:k]
        if not tok.is_alpha or not (tok.is_title or tok.is_upper):
            continue
        if len(tok) > 1 and tok.is_upper and all(t.is_upper for t in prefix if t.is_alpha):
            continue  # a heading in capitals goes on while its words do ("HOMES FOR OLDER PEOPLE")
        first, last = prefix[0], prefix[-1]
        if not (first.is_title or first.is_upper) or first.pos_ in ("ADP", "SCONJ", "CCONJ", "DET", "ADV"):
            return None
        verb_at_end = prefix[-1].pos_ == "VERB" and _compound_noun_end(prefix)
        if any(t.pos_ in ("VERB", "AUX", "PRON", "ADV", "SCONJ") or (t.is_punct and t.text not in "'’&-")
               for t in (prefix[:-1] if verb_at_end else prefix)) or all(
                t.ent_type_ in ("DATE", "TIME") for t in prefix):
            return None  # ("Last week Richard said": a date, not a heading)
        if (last.pos_ not in ("NOUN", "PROPN", "ADJ", "NUM") and not verb_at_end) or (
                last.pos_ == "PROPN" and tok.pos_ == "PROPN"):
            continue
        if last.whitespace_ != " " or (k == 1 and not first.is_upper and first.pos_ != "NOUN"):
            continue
        if k == 1 and first.pos_ == "PROPN":
            continue  # "Richard Jenny ..." is a list of names, not a heading
        if not _verbless(tokens[k:]):
            return tok.idx
        return None
    return None


def _shouted_heading(tokens) -> int | None:
    """Where the text starts after a heading in capitals joined to its paragraph ("TEMPORARY
    ACCOMMODATION Families wait ...", "HOMES FOR OLDER PEOPLE Bungalows are ..."): a run of one to
    seven words in capitals, then a word in title case that starts a clause with a verb. spaCy's
    tags of words in capitals are unreliable, so the case alone decides; one short word in
    capitals is an acronym ("NHS Trusts are ..."), not a heading."""
    n = 0
    while n < len(tokens) and n < 8 and ((tokens[n].is_alpha and tokens[n].is_upper and len(tokens[n]) > 1)
                                         or (n and tokens[n].text in ("&", "-", "/"))):
        n += 1
    if not 1 <= n <= 7 or n >= len(tokens) - 1 or not tokens[n - 1].is_alpha:
        return None
    if n == 1 and len(tokens[0]) < 6:
        return None
    nxt = tokens[n]
    if not (nxt.is_alpha and nxt.is_title and not nxt.is_upper) or _verbless(tokens[n:]):
        return None
    return nxt.idx


def _units(doc, text: str) -> list[tuple[int, int, int, int]]:
    """(start, end, line start, line end) of every sentence piece of every line."""
    lines, offset = [], 0
    for line in text.split("\n"):
        a, b = trim(text, offset, offset + len(line))
        if b > a:
            lines.append((a, b))
        offset += len(line) + 1
    sents = [(s.start_char, s.end_char) for s in doc.sents] if doc is not None and len(doc) and (
        doc.has_annotation("SENT_START")) else []
    units = []
    for a, b in lines:
        cuts = sorted({a, b} | {s for s, _ in sents if a < s < b})
        for x, y in zip(cuts, cuts[1:], strict=False):
            x, y = trim(text, x, y)
            if y > x:
                units.append((x, y, a, b))
    return units


def note_context(doc, text: str) -> list[tuple[int, int, str]]:
    """The note's context spans as (start, end, kind), in reading order. `doc` is the note's
    spaCy parse (tags make headings visible); None judges by the words alone."""
    tagged = doc is not None and len(doc) > 0 and doc.has_annotation("POS")
    whole = trim(text, 0, len(text))
    if FILLER.match(text[whole[0]:whole[1]]):
        return [(*whole, "procedural")]
    units = _units(doc, text)
    out: list[tuple[int, int, str]] = []
    line_kind: dict[int, str] = {}
    whole_until = -1
    for i, (start, end, line_start, line_end) in enumerate(units):
        if start < whole_until:
            continue
        piece = text[start:end]
        kind = text_kind(piece)
        if start == line_start and end < line_end:
            line = label_kind(text[line_start:line_end])
            if line is not None and kind is None:
                # "Present: Jo, Sam, Lesley, Tariq", which the parser cut after "Present:": one
                # line, judged whole and listed whole (its count of names needs all of it).
                out.append((line_start, line_end, line))
                line_kind[line_start], whole_until = line, line_end
                continue
        if kind is None and start == line_start and end == line_end:
            kind = _heading_line(doc, text, start, end, tagged, i + 1 < len(units), len(units) == 1)
            if kind is None and len(units) == 1 and _short_label(doc, text, start, end, tagged):
                kind = HEADING_ALONE  # a heading if it heads the notes after it (`separate` decides)
        if kind is None and line_start in line_kind and start != line_start and not _has_sentence(piece) and (
                line_kind[line_start] in ("attendance", "apologies", "date", "venue")
                or len(_WORDS.findall(piece)) <= 3):
            kind = line_kind[line_start]  # the rest of a "Present: ..." list the parser cut in two
        if kind is None and start == line_start and end < line_end and _joined_heading(
                doc, text, start, end, tagged, units[i + 1][0] if i + 1 < len(units) else None):
            kind = "heading"
        if kind is None and start == line_start:
            table = TABLE_LABEL.match(piece) or _lead_in(doc, text, start, SOURCE_LEAD.match(piece), tagged)
            span = doc.char_span(start, end, alignment_mode="expand") if tagged and not table else None
            cut = start + table.end() if table else heading_prefix(span) if span is not None else None
            if cut is not None and not table:
                # A heading found inside a lead-in ends where the lead-in does: "Phone note A at
                # Table 1: the food bank ..." was quoted from "A at Table 1:" (second walk-through N10).
                label = _lead_in(doc, text, cut, LABEL_END.match(text, cut, end), tagged)
                cut = cut + label.end() - label.start() if label else cut
            if cut is not None:
                head = trim(text, start, cut)
                out.append((*head, "heading"))
                rest = trim(text, cut, end)
                rest_kind = text_kind(text[rest[0]:rest[1]])
                if rest_kind:
                    out.append((*rest, rest_kind))
                continue
        if kind is not None:
            out.append((start, end, kind))
            if start == line_start:
                line_kind[line_start] = kind
    return out


def _lead_in(doc, text: str, start: int, match: re.Match | None, tagged: bool) -> re.Match | None:
    """The match if the words it covers (from `start`) read as a label, not a clause: no pronoun
    and no verb but a source word the tagger takes for one ("Scribe notes"), not opening on a
    determiner ("The report - published in May - shows ..." is a sentence), and text after it."""
    if match is None or not tagged or not text[start + match.end() - match.start():].strip():
        return None
    span = doc.char_span(start, start + match.end() - match.start(), alignment_mode="expand")
    if span is None or span[0].pos_ == "DET":
        return None
    for token in span:
        if token.pos_ == "PRON" or token.pos_ in ("VERB", "AUX") and not SOURCE_WORD.fullmatch(token.text):
            return None
    return match


SOURCE_WORD = re.compile(r"notes?|summary|feedback|report|points|comments|minutes|record", re.IGNORECASE)


def _joined_heading(doc, text: str, start: int, end: int, tagged: bool, following: int | None) -> bool:
    """Whether the first sentence of a line is a heading the importer joined to the paragraph
    under it: the parser ended a sentence there without closing punctuation, a capital starts
    the next, and it is short and has no verb outside brackets ("prevention (this was the longest
    bit) People come to us too late ...")."""
    piece = text[start:end]
    rest = text[following:following + 40] if following is not None else ""
    # A capital after it, not a line in capitals throughout ("WEAPONS KILL PEOPLE IF THEY ...",
    # where the parser's cut is no sign of a heading).
    if not tagged or not rest[:1].isupper() or rest.isupper() or piece.rstrip(")")[-1:] in ".!?;:," \
            or not 1 <= len(_WORDS.findall(piece)) <= 8:
        return False
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    depth, outside = 0, []
    for token in span:
        depth += token.text == "("
        if depth == 0:
            outside.append(token)
        depth -= token.text == ")" and depth > 0
    words = [t for t in outside if t.is_alpha]
    return bool(words) and _verbless(outside) and not any(t.pos_ == "PRON" for t in outside)


def _heading_line(doc, text: str, start: int, end: int, tagged: bool, more: bool, alone: bool) -> str | None:
    """'heading' for a whole line that heads others: short, no closing punctuation, no verb, and
    numbered, in capitals, followed by more text, or a title-case line on its own."""
    piece = text[start:end]
    words = _WORDS.findall(piece)
    if not 1 <= len(words) <= 8 or piece[-1] in ".!?;,":
        return None
    if tagged:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not _verbless(span):
            return None
    shaped = bool(NUMBERED.match(piece)) or piece.isupper() or more
    title_case = all(w[0].isupper() or w.lower() in FUNCTION for w in words)
    if shaped or (alone and title_case and (tagged or len(words) <= 3)):
        return "heading"
    return None


# A note that is only a short line without a verb or closing punctuation, in sentence case
# ("Network updates"): in a scribe's write-up, the heading of the paragraphs after it; in a form's
# comments ("More parking"), a comment. `separate` tells which from the notes around it.
HEADING_ALONE = "heading-alone"
WRITTEN = (".txt", ".md", ".docx")  # documents a scribe writes (a turn in one is still written up)
SHORT_LABEL_WORDS = 6


def _short_label(doc, text: str, start: int, end: int, tagged: bool) -> bool:
    """A short line without a verb or closing punctuation, once an aside in brackets at its end
    is left out ("Network updates", "Asks - first go (not agreed yet!!)"); a label and a dash
    before what it introduces ("Asks - first go") may hold a verb."""
    piece = re.sub(r"\s*\([^()]*\)\s*$", "", text[start:end]).rstrip()
    words = _WORDS.findall(piece)
    if not tagged or not piece or not 1 <= len(words) <= SHORT_LABEL_WORDS or piece[-1] in ".!?;,\"'’”" \
            or not piece[0].isupper():
        return False
    if re.match(r"^[A-Z][\w'’]*(?: [A-Za-z][\w'’]*)?\s+[-–—]\s+\S", piece):
        return True
    span = doc.char_span(start, start + len(piece), alignment_mode="expand")
    return span is not None and _verbless(span) and not any(t.pos_ == "PRON" for t in span)


def covered_kind(spans: Iterable[tuple[int, int, str]], start: int, end: int, text: str) -> str | None:
    """The kind of context covering most of [start, end) of a note (at least half of its
    letters), or None: a segment so covered is context, not content."""
    letters = sum(1 for ch in text[start:end] if ch.isalnum())
    if not letters:
        return None
    by_kind: dict[str, int] = {}
    for a, b, kind in spans:
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            by_kind[kind] = by_kind.get(kind, 0) + sum(1 for ch in text[lo:hi] if ch.isalnum())
    if not by_kind:
        return None
    kind, count = max(by_kind.items(), key=lambda kv: kv[1])
    return kind if sum(by_kind.values()) * 2 >= letters else None


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), 1)}
FULL_DATE = re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<m>[A-Za-z]{3,9})\.?,?\s+"
                       r"(?P<y>(?:19|20)\d{2})\b|"
                       r"\b(?P<iso>(?:19|20)\d{2}-\d{2}-\d{2})\b")
VENUE = re.compile(r"\b(?i:venue|location|place)\s*:\s*(?P<v>[^:\n]+?)(?=\s+[A-Z][a-z]+(?: [a-z]+){0,3}:|$)|"
                   r"\b(?i:held at|took place at|hosted at)\s+(?P<h>[^.;\n]+)|"
                   r"(?:\b(?:19|20)\d{2}|\d(?:am|pm)|\b\d{1,2}/\d{1,2}),\s*"
                   r"(?P<t>(?:the |The )?[A-Z][^.;\n]+)|"
                   r"(?:\b(?:19|20)\d{2}|\d(?:am|pm)|day|\b(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)"
                   r"\b[^.;]*?\bat (?P<a>(?:the )?[A-Z][^.;\n]+)")
PRESENT_COUNT = re.compile(r"\b(?P<n>\d{1,4})\s+(?:participants|people|attendees|delegates|members|trustees|"
                           r"guests)\b", re.IGNORECASE)


def _iso_date(text: str) -> str | None:
    for match in FULL_DATE.finditer(text):
        if match.group("iso"):
            return match.group("iso")
        month = _MONTHS.get(match.group("m")[:3].lower())
        if month:
            return f"{match.group('y')}-{month:02d}-{int(match.group('d')):02d}"
    return None


def _venue(text: str) -> str | None:
    for match in VENUE.finditer(text):
        value = next(v for v in match.groups() if v)
        value = TIME.sub("", DATE.sub("", value)).strip(" ,.-")
        value = re.sub(r"^(?:the )?(?:\d{1,2}(?:st|nd|rd|th)?\s*)?,?\s*", lambda m: m.group(0)
                       if m.group(0).lower().startswith("the") else "", value).strip(" ,")
        if value and value[0].isalpha() and len(value) <= 120:
            return value
    return None


def _present(text: str) -> int | None:
    counted = PRESENT_COUNT.search(text)
    if counted:
        return int(counted.group("n"))
    match = LABEL.match(text)
    if not match:
        return None
    rest = re.sub(r"\([^)]*\)", "", match.group("rest"))
    # "plus 6 online", "plus approx 8 others": counted as the number they give.
    more = re.compile(r"\b(?:plus|and|\+)\s+(?:approx\.?|approximately|about|around|c\.|some)?\s*(\d{1,4})\b",
                      re.IGNORECASE)
    extra = sum(int(n) for n in more.findall(rest))
    rest = more.sub(" ", rest)
    items = [i for i in re.split(r"[,;]|\band\b", rest) if _WORDS.search(i)]
    # A remark in the list ("sheet incomplete") is not a person: a name is capitalised words.
    names = [i for i in items if _is_names(i)] if any(_is_names(i) for i in items) else items
    return len(names) + extra


def event_details(lines: Iterable[Mapping]) -> dict:
    """The event's date (ISO), venue and number present, from its context lines, where they say."""
    date = venue = None
    present = 0
    saw_present = False
    lines = list(lines)
    for line in lines:
        text, kind = line["text"], line["kind"]
        upcoming = re.search(r"\bnext meeting\b", text, re.IGNORECASE)
        if kind in ("date", "title", "blurb", "venue") and not upcoming:
            date = date or _iso_date(text)
            venue = venue or _venue(text)
    for line in lines:
        text = line["text"]
        label = LABEL.match(text)
        name = " ".join(label.group("label").lower().split()) if label else ""
        if line["kind"] == "attendance" and (name in {"present", "attendees", "in attendance", "attending",
                                                      "attendance", "participants", "members present",
                                                      "trustees present", "also present", "those present"}
                                             or PRESENT_COUNT.search(text)):
            count = _present(text)
            if count:
                present += count
                saw_present = True
    return {"date": date, "venue": venue, "present": present if saw_present else None}


# Context that states the event's subject (its title, blurb, headings) still shapes the neighbour
# graph the themes are cut from, as the paragraphs' own words do: on SEEE, taking the blurb out of
# the graph cost two of the eight annotated themes (benchmarks/RESULTS.md). It is never in a theme.
SUBJECT_KINDS = ("title", "blurb", "heading")


@dataclass
class Separated:
    """The parse without its context: what `separate` returns."""

    entries: list  # copies of the SegmentationEntry, spans of context left out (but guides)
    lines: list[dict] = field(default_factory=list)  # ContextLine dicts, reading order
    topics: list[str | None] = field(default_factory=list)  # per kept span: the heading over it
    guides: list[bool] = field(default_factory=list)  # per kept span: context kept for the graph


def separate(entries: list, notes: list) -> Separated:
    """Take the context out of each note's cached parse (copies of): a segment mostly context goes
    (with its phrases and terms), unless it states the subject (SUBJECT_KINDS: then it stays as a
    guide, for clustering only); one that starts with a heading or label the importer joined to it
    starts after it; so do the note's sentences. Each remaining segment's topic is the text of the
    heading over it (in the note, or a note that is only a heading, until the table changes).

    `entries` are segment_cache.SegmentationEntry (spans, phrases, terms, sentences, context);
    `topics` and `guides` run over the kept spans of all notes in order."""
    # Copies: notes with the same text share one cached entry.
    out = Separated([copy.copy(entry) for entry in entries])
    heading, heading_table = None, None
    for position, (entry, note) in enumerate(zip(out.entries, notes, strict=True)):
        following = notes[position + 1] if position + 1 < len(notes) else None
        entry.context = found = _resolved(getattr(entry, "context", []) or [], note, following)
        text = note.text
        if note.table != heading_table:
            heading = None
        kept = []
        for index, (start, end) in enumerate(entry.spans):
            kind = covered_kind(found, start, end, text)
            if kind is not None:
                out.lines.append(_line(note, start, end, kind))
                if kind == "heading" and not _names_a_source(text[start:end]):
                    heading, heading_table = text[start:end], note.table
                if kind in SUBJECT_KINDS:
                    kept.append((index, start, end))
                    out.topics.append(None)
                    out.guides.append(True)
                continue
            for a, b, prefix_kind in found:
                if a <= start < b < end:
                    out.lines.append(_line(note, start, b, prefix_kind))
                    if prefix_kind == "heading" and not _names_a_source(text[a:b]):
                        heading, heading_table = text[a:b], note.table
                    start = trim(text, b, end)[0]
            kept.append((index, start, end))
            out.topics.append(heading)
            out.guides.append(False)
        entry.phrases = [entry.phrases[i] for i, _, _ in kept]
        entry.terms = [[t for t in entry.terms[i] if a <= t[0] and t[1] <= b] for i, a, b in kept]
        entry.spans = [(a, b) for _, a, b in kept]
        if hasattr(entry, "sentences"):
            entry.sentences = _trimmed_sentences(entry.sentences, found, text)
    return out


def _names_a_source(heading: str) -> bool:
    """Whether a heading says where the notes came from ("Phone note A at Table 1:", "Table 3
    summary:"), not what they are about: it is no topic for the notes after it."""
    return bool(SOURCE_LEAD.match(heading + " "))


def _resolved(found: Iterable, note, following) -> list[tuple[int, int, str]]:
    """The note's context with a short line alone (HEADING_ALONE) made a heading where it heads
    what follows in a scribe's write-up (a document, not a form or a spreadsheet; the next note is
    the same table's), else content."""
    source = getattr(note, "source", None) or ""
    heads = (following is not None and following.table == note.table and source != "form"
             and (getattr(note, "role", None) == "scribe" or source.lower().endswith(WRITTEN)))
    out = []
    for start, end, kind in (tuple(c) for c in found):
        if kind == HEADING_ALONE:
            if not heads:
                continue
            kind = "heading"
        out.append((start, end, kind))
    return out


def _line(note, start: int, end: int, kind: str) -> dict:
    return {"text": note.text[start:end], "note": note.ref, "table": note.table, "start": start, "end": end,
            "kind": kind}


def _trimmed_sentences(sentences, found, text: str) -> list[tuple[int, int]]:
    """The note's sentences without the context that covers them or starts them."""
    out = []
    for start, end in sentences:
        if covered_kind(found, start, end, text) is not None:
            continue
        for a, b, _ in found:
            if a <= start < b < end:
                start = trim(text, b, end)[0]
        out.append((start, end))
    return out


def under_headings(texts: list[str], topics: list[str | None]) -> list[str]:
    """Each text with the words of the heading over it in front, so the heading still gives the
    paragraphs under it their topic when they are compared (not in anything shown)."""
    return [f"{topic}: {text}" if topic else text for text, topic in zip(texts, topics, strict=True)]


def slug_title(slug: str) -> str:
    """The title an event gets when it is created without one (capture.store.save_event's rule):
    an import with `--event` and no title in the document."""
    return slug.replace("-", " ").capitalize()


def event_info(event, entries: list, notes: list) -> dict:
    """The result's `event`: slug and title, and the date, venue and number present as the event
    has them stored, else as its context lines say (the stored event is not changed). The title
    is the notes' own title line where the event only has the one made from its slug."""
    lines = [{"text": note.text[a:b], "kind": kind}
             for note, entry in zip(notes, entries, strict=True)
             for a, b, kind in getattr(entry, "context", []) or []]
    title = event.title
    if title == slug_title(event.slug):
        title = next((line["text"].rstrip(" .") for line in lines if line["kind"] == "title"), title)
    # A title the importer took from the document ("Minutes of the meeting, 14 January 2026")
    # is context too: its date and venue count.
    found = event_details([{"text": title, "kind": "title"}, *lines])
    return {"slug": event.slug, "title": title, "date": event.date or found["date"],
            "venue": event.venue or found["venue"], "present": found["present"]}
