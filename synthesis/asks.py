"""Questions raised and proposals made: sentences that ask or propose, found by rules over the parse.

A question is a sentence ending in "?", one opening with a question word and an inverted auxiliary,
or one reporting a question ("the group questioned how ..."). A proposal is a sentence whose main
verb carries "should", "must", "need to" or "ought to", one saying what "we need", one that
proposes or recommends ("we propose ...", "let's ...", "people asked for ..."), or an imperative.
Sentences are returned verbatim with their note.
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
    """An asking verb used for a request: "asked for", "called for"."""
    return any(c.dep_ == "prep" and c.lower_ == "for" for c in tok.children)


def is_proposal(sent) -> bool:
    """True for a sentence that proposes, recommends or says what should be done."""
    root = sent.root
    words = [t.lower_ for t in sent]
    if "let" in words[:2] or "let's" in " ".join(words[:3]):
        return True
    for tok in sent:
        if tok.lower_ in MODALS and tok.dep_ == "aux":
            return True
        if tok.lower_ in NEED_FORMS and any(c.dep_ == "xcomp" for c in tok.children):
            return True
        # "We need the pre-market conversation months earlier": what the table asks for.
        if tok.lower_ in NEED_FORMS and tok.pos_ == "VERB" and \
                any(c.dep_ == "nsubj" and c.lower_ == "we" for c in tok.children) and \
                any(c.dep_ == "dobj" for c in tok.children):
            return True
        if tok.lower_ in PROPOSING_VERBS and tok.pos_ == "VERB" and \
                any(c.dep_ == "nsubj" and c.lower_ in ("we", "i", "group", "table")
                    for c in tok.children):
            return True
        # "People asked for the Act to be applied to grants": a request made at the table.
        if tok.lower_ in ASKING_VERBS and tok.pos_ == "VERB" and tok.dep_ != "relcl" and _requests(tok) \
                and any(c.dep_ == "nsubj" for c in tok.children):
            return True
    # An imperative: the sentence opens with its main verb in the base form and has no subject.
    return (root.i == sent.start and root.tag_ == "VB"
            and not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in root.children))


def note_asks(doc) -> list[tuple[str, int, int]]:
    """The asking and proposing sentences of one parsed note: (kind, start, end) offsets in its text,
    kind "questions" or "proposals". Kept per note in the segmentation cache, so the digest parses
    nothing the synthesis run parsed already."""
    out = []
    for sent in doc.sents:
        text = sent.text.strip()
        if not MIN_CHARS <= len(text) <= MAX_CHARS:
            continue
        kind = "questions" if is_question(sent) else "proposals" if is_proposal(sent) else None
        if kind:
            start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            out.append((kind, start, start + len(text)))
    return out


def collect_asks(notes: Iterable[tuple[str, str, list[tuple[str, int, int]]]]) -> dict[str, list[dict]]:
    """{"questions": [...], "proposals": [...]} from notes given as (ref, text, note_asks), each item
    {"text", "note", "start", "end"} verbatim from its note; a sentence said twice is listed once."""
    out: dict[str, list[dict]] = {"questions": [], "proposals": []}
    seen: set[str] = set()
    for ref, text, found in notes:
        for kind, start, end in found:
            sentence = text[start:end]
            if sentence not in seen:
                seen.add(sentence)
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
