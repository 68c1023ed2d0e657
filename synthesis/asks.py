"""Questions raised and proposals made: sentences that ask or propose, found by rules over the parse.

A question is a sentence ending in "?", one opening with a question word and an inverted auxiliary,
or one reporting a question ("the group questioned how ..."). A proposal is a sentence whose main
verb carries "should", "must", "need to" or "ought to", one saying what "we need", one that
proposes, recommends or asks for something in the meeting's own voice ("we propose ...", "let's
...", "people asked for ...", "we call on the council to ...", "we would like ..."), one saying what
a measure would make possible ("selective licensing would let the council inspect ...", "it would
help if ..."), one saying what the table or a public body could do ("the council could fund a night
bus"), or an imperative.

What someone else asks of the people at the table is a grievance, not a proposal: "Letting agents
ask for six months' rent in advance" reports a demand; the subject of an asking or proposing verb
must be the meeting's own voice (SPEAKERS). Sentences are returned verbatim with their note.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

    from capture.models import Event, Note

WH_WORDS = {"how", "what", "why", "when", "where", "who", "whom", "which", "whether"}


def _forms(*verbs: str) -> set[str]:
    # Match the inflected forms directly: asks must also work with pipelines that have no
    # lemmatizer (a blank spaCy model in tests, a sentencizer-only pipeline).
    out = set()
    for verb in verbs:
        stem = verb[:-1] if verb.endswith("e") else verb
        out |= {verb, verb + "s", stem + "ed", stem + "ing"}
    return out


ASKING_VERBS = _forms("question", "ask", "wonder", "query") | {"queried", "queries"}
PROPOSING_VERBS = _forms("propose", "suggest", "recommend", "urge", "call", "advocate")
NEED_FORMS = _forms("need")
MODALS = {"should", "must", "ought"}
# Who speaks in the notes: an asking or proposing verb with one of these as its subject is the
# meeting's own request; with anyone else ("letting agents ask for ...") it reports a demand.
SPEAKERS = {"we", "i", "us", "group", "groups", "table", "tables", "people", "participants", "participant",
            "attendees", "members", "residents", "delegates", "everyone", "everybody", "many", "several",
            "some", "most", "all", "others", "one", "meeting", "room", "forum", "panel"}
# What a measure "would" do that makes it a proposal ("... would let the council inspect more homes").
ENABLING = _forms("let", "allow", "enable", "help", "protect", "save", "give", "ease", "improve", "ensure",
                  "free", "support") | {"let", "gave"}
WANTING = _forms("like", "love", "prefer", "welcome")
# What a measure "would" change, said as the reason to have it ("A bus twice a day would change
# everything", "... would make a real difference"): the verb's lemma, and the object it needs.
TRANSFORMING = {"change": {"everything", "lives", "things", "that"}, "make": {"difference"},
                "transform": None, "revolutionise": None, "revolutionize": None}
GOOD = {"good", "better", "best", "useful", "helpful", "great", "nice", "sensible", "fairer", "easier",
        "worth", "welcome", "ideal", "wise"}
# Who "could" act in a proposal: the table itself, or a body that can be asked to.
BODIES = {"council", "councils", "government", "county", "parish", "district", "borough", "authority",
          "authorities", "nhs", "surgery", "school", "schools", "library", "association", "associations",
          "trust", "funders", "funder", "commissioners", "department", "service", "services", "board",
          "partnership", "bank", "providers", "employers", "charity", "charities", "landlords", "police"}
HEDGES = {"maybe", "perhaps", "instead"}
MIN_CHARS = 12
MAX_CHARS = 400


def is_question(sent) -> bool:
    """True for a sentence that asks or reports a question."""
    text = sent.text.strip()
    if text.endswith("?"):
        return True
    first, root = sent[0], sent.root
    # An inverted auxiliary of the main verb ("How can we ...", "What do they want"), not a clause
    # used as a subject ("What would help is a commissioner who ...").
    if first.lower_ in WH_WORDS - {"whether"} and any(t.dep_ == "aux" and t.head == root and t.i < root.i
                                                       for t in sent if t.i > first.i):
        return True
    for tok in sent:
        if _reports_a_question(tok):
            return True
    return False


def _reports_a_question(tok) -> bool:
    """"The group questioned how ..." reports a question. Not: "Ask the users what ..." (an imperative),
    "funders who all ask the same thing" (a relative clause), "People asked for X" (a request)."""
    if tok.lower_ not in ASKING_VERBS or tok.pos_ != "VERB" or tok.dep_ == "relcl" or _requests(tok):
        return False
    if not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children):
        return False
    if any(c.dep_ in ("ccomp", "xcomp", "advcl") or
           (c.lower_ in WH_WORDS and c.dep_ not in ("nsubj", "nsubjpass")) for c in tok.children):
        return True
    return any(t.lower_ in WH_WORDS | {"if"} for t in tok.subtree if t.i > tok.i)


def _requests(tok) -> bool:
    """An asking verb used for a request: "asked for", "called for", "called on the council to",
    "asked the county to reopen ..."."""
    calls = tok.lower_.startswith("call")
    for child in tok.children:
        if child.dep_ == "prep" and (child.lower_ == "for" or calls and child.lower_ == "on"):
            return True
        # "asked for the library to open later": the parser makes "for" the clause's marker.
        if child.dep_ in ("advcl", "ccomp") and any(
                g.dep_ == "mark" and g.lower_ == "for" and g.i == tok.i + 1 for g in child.children):
            return True
    # "We asked the council to publish the list": someone asked to do something.
    return any(c.dep_ == "dobj" for c in tok.children) and any(c.dep_ == "xcomp" for c in tok.children)


def _subject(tok):
    return next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)


def _speaks(tok) -> bool:
    """Whether the verb's subject is the meeting's own voice: SPEAKERS, or a person the minutes
    name ("Sue suggested pairing ..."), not a body ("the agency asked for ...")."""
    subject = _subject(tok)
    if subject is None:
        return False
    return subject.lower_ in SPEAKERS or (subject.pos_ == "PROPN" and subject.ent_type_ in ("PERSON", ""))


def _negated(tok) -> bool:
    return any(c.dep_ == "neg" for c in tok.children) or \
        (_subject(tok) is not None and _subject(tok).lower_ in ("nobody", "nothing", "none", "noone"))


def _conditional_proposal(aux) -> bool:
    """A "would" or "could" sentence that proposes: what a measure would make possible ("selective
    licensing would let the council inspect ..."), what it would be good to do ("it would help if
    ...", "it would be good to ..."), what we would like, or what the table or a body could do ("the
    council could fund a night bus"). Not a guess ("rents could rise"), nor hindsight ("could have
    acted"), nor a negation."""
    verb = aux.head
    if aux.dep_ != "aux" or verb.pos_ not in ("VERB", "AUX") or _negated(verb) or \
            any(c.dep_ == "aux" and c.lower_ in ("have", "'ve") for c in verb.children):
        return False
    subject = _subject(verb)
    pronoun = subject is not None and subject.pos_ == "PRON"
    if aux.lower_ == "would":
        if verb.lower_ in WANTING:
            return _speaks(verb)
        if verb.lower_ == "be":
            return any(c.dep_ == "acomp" and c.lower_ in GOOD for c in verb.children)
        if verb.lower_ in ENABLING:
            if subject is not None and subject.lower_ == "it":  # "it would help if ..."
                return any(c.dep_ in ("advcl", "xcomp", "ccomp") for c in verb.children)
            return subject is not None and not pronoun
        if verb.lemma_ in TRANSFORMING:
            needs = TRANSFORMING[verb.lemma_]
            objects = {c.lower_ for c in verb.children if c.dep_ == "dobj"}
            return (needs is None or bool(objects & needs)) and subject is not None and not pronoun
        return False
    if aux.lower_ == "could" and verb.lower_ != "be" and \
            any(c.dep_ in ("dobj", "xcomp", "ccomp") for c in verb.children):
        if subject is not None and (subject.lower_ in SPEAKERS or subject.lower_ in BODIES):
            return True
        return subject is not None and not pronoun and any(t.lower_ in HEDGES for t in aux.sent)
    return False


def is_proposal(sent) -> bool:
    """True for a sentence that proposes, recommends or says what should be done."""
    root = sent.root
    words = [t.lower_ for t in sent]
    if "let" in words[:2] or "let's" in " ".join(words[:3]):
        return True
    for tok in sent:
        if tok.lower_ in MODALS and tok.dep_ == "aux":
            return True
        if tok.lower_ in ("would", "could") and _conditional_proposal(tok):
            return True
        if tok.lower_ in NEED_FORMS and any(c.dep_ == "xcomp" for c in tok.children):
            return True
        # "We need the pre-market conversation months earlier": what the table asks for.
        if tok.lower_ in NEED_FORMS and tok.pos_ == "VERB" and \
                any(c.dep_ == "nsubj" and c.lower_ == "we" for c in tok.children) and \
                any(c.dep_ == "dobj" for c in tok.children):
            return True
        if tok.lower_ in PROPOSING_VERBS and tok.pos_ == "VERB" and _speaks(tok):
            return True
        # "People asked for the Act to be applied to grants": a request made at the table; not
        # "Letting agents ask for six months' rent in advance", a demand made of the table.
        if tok.lower_ in ASKING_VERBS and tok.pos_ == "VERB" and tok.dep_ != "relcl" and _requests(tok) \
                and _speaks(tok):
            return True
    # An imperative: the sentence opens with its main verb in the base form and has no subject.
    return (root.i == sent.start and root.tag_ == "VB"
            and not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in root.children))


def note_asks(doc) -> list[tuple[str, int, int]]:
    """The asking and proposing sentences of one parsed note: (kind, start, end) offsets in its text,
    kind "questions" or "proposals". Kept per note in the segmentation cache, so the digest parses
    nothing the synthesis run parsed already."""
    from synthesis.segment import line_labels

    labels = line_labels(doc.text)
    out = []
    for sent in _units(doc, labels):
        text = sent.text.strip()
        if not MIN_CHARS <= len(text) <= MAX_CHARS:
            continue
        kind = "questions" if is_question(sent) else "proposals" if is_proposal(sent) else None
        if kind:
            start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            out.append((kind, start, start + len(text)))
    return out


def _units(doc, labels: list[int]):
    """spaCy's sentences, each cut again where a line label starts ("... officers Question raised:
    could the council ...?"), as segment.sentence_spans cuts them: a question is listed from its
    label, not with the quotation the importer joined before it."""
    for sent in doc.sents:
        cuts = [at for at in labels if sent.start_char < at < sent.end_char]
        if not cuts:
            yield sent
            continue
        for a, b in zip([sent.start_char, *cuts], [*cuts, sent.end_char], strict=True):
            piece = doc.char_span(a, b, alignment_mode="contract")
            if piece is not None and len(piece):
                yield piece


def collect_asks(notes: Iterable[tuple[str, str, list[tuple[str, int, int]]]]) -> dict[str, list[dict]]:
    """{"questions": [...], "proposals": [...]} from notes given as (ref, text, note_asks), each item
    {"text", "note", "start", "end"} verbatim from its note; a sentence said twice in one note is
    listed once, and one said in two notes is listed for each (the digest lists it once, citing both)."""
    out: dict[str, list[dict]] = {"questions": [], "proposals": []}
    seen: set[tuple[str, str]] = set()
    for ref, text, found in notes:
        for kind, start, end in found:
            sentence = text[start:end]
            if (ref, sentence) not in seen:
                seen.add((ref, sentence))
                out[kind].append({"text": sentence, "note": ref, "start": start, "end": end})
    return out


def find_asks(notes: Iterable[tuple[str, str]], nlp=None) -> dict[str, list[dict]]:
    """Questions and proposals in notes given as (ref, text), parsed now: see collect_asks."""
    from capture.models import Note
    from synthesis.segment import load_nlp, spacy_docs  # spaCy's pipeline, shared with segmentation

    notes = list(notes)
    nlp = nlp or load_nlp()
    # spacy_docs parses a very long note in pieces (spaCy refuses texts over its max_length).
    docs = spacy_docs(nlp, [Note(text=text) for _, text in notes])
    return collect_asks((ref, text, note_asks(doc)) for (ref, text), doc in zip(notes, docs, strict=True))


def event_asks(db: Database, event: Event, notes: Sequence[Note], nlp=None) -> dict[str, list[dict]]:
    """The questions and proposals of the event's notes, from the segmentation cache the synthesis
    run filled (under the settings of its latest succeeded run); a note it lacks is parsed now,
    and nothing is written: the digest is read, never stored, by the pages that show it."""
    from synthesis.runs import latest_succeeded_run
    from synthesis.segment_cache import SEGMENT_SETTINGS, segmentation_entries
    from synthesis.settings import resolve

    if not notes:
        return {"questions": [], "proposals": []}
    stored = (latest_succeeded_run(db, event) or {}).get("settings") or {}
    settings = resolve({name: stored[name] for name in SEGMENT_SETTINGS if name in stored})
    entries, _model = segmentation_entries(db, notes, settings, nlp, store=False)
    return collect_asks((n.ref, n.text, entry.asks) for n, entry in zip(notes, entries, strict=True))
