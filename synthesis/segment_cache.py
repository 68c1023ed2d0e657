"""Stage 1, cached: each note's spaCy-derived results, stored so a re-run parses nothing.

Parsing is the only use of spaCy, and it gives five things per note: the segment spans
(start, end offsets; the texts are note.text[start:end]), the candidate label phrases of each
segment, its content words (offsets and lemma, for the event's own vocabulary; see
synthesis/vocabulary.py), the named-entity mentions, the note's whole sentences (what
quotes and summaries are made of), and its questions and proposals (synthesis/asks.py, for the
digest). They are stored in
`segmentation_cache` (migration m005) under a hash of the note text, the spaCy pipeline (name,
version, components, spaCy's version) and the segmentation settings, so a changed note, model or
setting misses the cache. When every note hits, the spaCy model is not even loaded. One batched
read and one batched write per run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlite_utils import Database

from capture.models import Note
from synthesis import asks as asks_stage
from synthesis import context as context_stage
from synthesis import entities as entity_stage
from synthesis import label as labelling
from synthesis import parallel_parse, vocabulary
from synthesis.segment import SPACY_MODELS, load_nlp, model_name, segment_notes, sentence_spans, spacy_docs

# Bump when the segmentation, phrase or entity code changes its output: old entries then miss.
CACHE_FORMAT = 22  # 6: each note's whole sentences (quotes and summaries are made of them); 7: context;
# 8: questions and proposals; 9: entity mentions with their offsets, junk left out;
# 10: label candidates include compressed clauses; 11: context of form answers and scribes' notes
# (answers that say nothing, joined headings, table labels), mentions that label a line; 12: no
# joined heading in a line in capitals or before a named thing's verb; 13: compressions keep
# 'still', 'even', 'instead of'; 14: a day and month without a year is a date (context);
# 15: proposals in the meeting's own voice, and what a measure would or a body could do (asks);
# 16: a scribe's lead-in ("Phone note A at Table 1:") is one label up to its colon (context);
# 17: a line label ("Question raised:", "Action:") starts a unit; labels hold no shorthand ("->");
# 18: the same for questions and proposals (asks); 19: a label keeps "this" before a singular noun;
# 20: a label keeps a leading limiter ("Too much time on presentations"); 21: a joined heading in
# capitals is all its capitalised words ("HOMES FOR OLDER PEOPLE Bungalows ...", not "HOMES");
# 22: a proposal says what a measure would change ("... would change everything") (asks)
# The settings that change segmentation (the others act on segments, not on parsing).
SEGMENT_SETTINGS = ("min_segment_words", "max_segment_chars")
_CHUNK = 500  # SQLite host parameters per IN (...) query


@dataclass
class SegmentationEntry:
    """What segmentation, labelling and entities need from one note's parse."""

    spans: list[tuple[int, int]]
    phrases: list[list[str]]  # candidate label phrases, one list per span
    mentions: list[tuple[str, str, int, int]]  # (name, label, start, end) entity mentions, reading order
    terms: list[list[tuple[int, int, str]]]  # content words per span: (start, end, lemma)
    sentences: list[tuple[int, int]]  # the note's whole sentences (segment.sentence_spans)
    # Lines that describe the event, not report it: (start, end, kind) (synthesis/context.py).
    context: list[tuple[int, int, str]] = field(default_factory=list)
    # Its asking and proposing sentences: (kind, start, end) (synthesis/asks.py, for the digest).
    asks: list[tuple[str, int, int]] = field(default_factory=list)


def pipeline_identity(nlp) -> str:
    """Everything about an injected spaCy pipeline that changes its parse: name, version,
    enabled components and their configuration (e.g. a sentencizer's punctuation)."""
    import spacy

    config = hashlib.sha256(nlp.config.to_str().encode()).hexdigest()[:16]
    return f"{model_name(nlp)} | spacy {spacy.__version__} | {','.join(nlp.pipe_names)} | {config}"


def default_identity() -> tuple[str, str] | None:
    """(identity, model name) of the pipeline load_nlp() would load, read from the installed
    package's meta.json without loading it; None when that cannot be told (then load it).

    Neither spaCy nor the model package is imported (spaCy's import brings thinc and torch: 2-3 s
    of a warm run, which parses nothing): the package is found as spaCy finds it (an installed
    distribution of that name, then its folder) and the versions are the installed ones."""
    import importlib.util
    from importlib import metadata
    from pathlib import Path

    for name in SPACY_MODELS:
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        try:
            spec = importlib.util.find_spec(name)
            folder = Path(next(iter(spec.submodule_search_locations)))
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            spacy_version = metadata.version("spacy")
        except Exception:  # noqa: BLE001 - unreadable meta: fall back to loading the model
            return None
        if not all(meta.get(key) for key in ("lang", "name", "version")):
            return None  # spaCy refuses such a meta.json (E054): let load_nlp say so
        shown = model_name(SimpleNamespace(meta=meta))
        # load_nlp's way of loading (what it enables) is part of the identity.
        return f"{shown} | spacy {spacy_version} | load_nlp", shown
    return None


def cache_key(text: str, identity: str, settings: dict) -> str:
    """The cache key of one note's text under a pipeline and segmentation settings."""
    parts = {"format": CACHE_FORMAT, "pipeline": identity,
             "settings": {name: settings[name] for name in SEGMENT_SETTINGS}}
    head = json.dumps(parts, sort_keys=True)
    return hashlib.sha256(f"{head}\n{text}".encode()).hexdigest()


def read_cache(db: Database, keys: Sequence[str]) -> dict[str, SegmentationEntry]:
    """The cached entries among `keys` (a few IN queries of 500 keys, no per-note query)."""
    found: dict[str, SegmentationEntry] = {}
    unique = list(dict.fromkeys(keys))
    for i in range(0, len(unique), _CHUNK):
        chunk = unique[i:i + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        rows = db.conn.execute(f"SELECT key, data FROM segmentation_cache WHERE key IN ({marks})", chunk)
        for key, data in rows:
            item = json.loads(data)
            found[key] = SegmentationEntry(spans=[tuple(s) for s in item["spans"]], phrases=item["phrases"],
                                    mentions=[tuple(m) for m in item["mentions"]],
                                    terms=[[tuple(t) for t in seg] for seg in item["terms"]],
                                    sentences=[tuple(s) for s in item["sentences"]],
                                    context=[tuple(c) for c in item.get("context", [])],
                                    asks=[tuple(a) for a in item.get("asks", [])])
    return found


def write_cache(db: Database, entries: dict[str, SegmentationEntry]) -> None:
    """Store entries in one executemany and one commit (worth keeping even if the run fails)."""
    if not entries:
        return
    rows = [(key, json.dumps({"spans": p.spans, "phrases": p.phrases, "mentions": p.mentions,
                              "terms": p.terms, "sentences": p.sentences,
                              "context": p.context, "asks": p.asks}))
            for key, p in entries.items()]
    db.conn.executemany("INSERT OR REPLACE INTO segmentation_cache (key, data) VALUES (?, ?)", rows)
    db.conn.commit()


def compute_entries(nlp, notes: Sequence[Note], settings: dict) -> list[SegmentationEntry]:
    """Parse the notes with spaCy and keep what later stages need, per note."""
    docs = spacy_docs(nlp, notes)
    segments = segment_notes(notes, docs, settings)
    phrases = labelling.candidate_phrases(docs, segments)
    out = [SegmentationEntry(spans=[], phrases=[], mentions=entity_stage.note_mentions(doc), terms=[],
                             sentences=sentence_spans(doc, note.text),
                             context=context_stage.note_context(doc, note.text),
                             asks=asks_stage.note_asks(doc))
           for note, doc in zip(notes, docs, strict=True)]
    for seg, found in zip(segments, phrases, strict=True):
        out[seg.note_index].spans.append((seg.start, seg.end))
        out[seg.note_index].phrases.append(found)
        out[seg.note_index].terms.append(vocabulary.content_terms(docs[seg.note_index], seg.start, seg.end))
    return out


def segmentation_entries(db: Database, notes: Sequence[Note], settings: dict,
                         nlp=None, store: bool = True) -> tuple[list[SegmentationEntry], str]:
    """Every note's SegmentationEntry (cached, or parsed now and cached) and the spaCy model's name.

    `nlp` is an injected pipeline, else load_nlp()'s, loaded only when some note misses.
    With store=False the notes parsed now are not written (readers such as the digest)."""
    if nlp is not None:
        identity, shown = pipeline_identity(nlp), model_name(nlp)
    else:
        default = default_identity()
        if default is None:
            nlp = load_nlp()
            identity, shown = pipeline_identity(nlp), model_name(nlp)
        else:
            identity, shown = default
    keys = [cache_key(note.text, identity, settings) for note in notes]
    found = read_cache(db, keys)
    missing: dict[str, Note] = {}
    for key, note in zip(keys, notes, strict=True):
        if key not in found and key not in missing:
            missing[key] = note
    if missing:
        nlp = nlp if nlp is not None else load_nlp()
        # Many notes are parsed on two cores (parallel_parse: half in a forked process).
        parsed = parallel_parse.compute(compute_entries, nlp, list(missing.values()), settings)
        fresh = dict(zip(missing, parsed, strict=True))
        if store:
            write_cache(db, fresh)
        found.update(fresh)
    return [found[key] for key in keys], shown
