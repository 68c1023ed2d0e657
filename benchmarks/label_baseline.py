"""The labeller as it was before issue 3 item 5 (commit 891e031), frozen for benchmarks/labels.py.

Noun chunks (and noun chunk + preposition + noun chunk) of the theme's segments, scored by
centrality and keyword coverage. Kept verbatim so the benchmark compares old and new in one run;
`label_themes` is the old pipeline's labelling block.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

PREPOSITIONS = {"of", "for", "between", "with", "in", "on", "around", "to", "from", "about",
                "against", "across", "within", "among", "through"}
STRIP_LEADING = {"DET", "PRON", "CCONJ", "ADP", "PUNCT", "PART", "SCONJ", "NUM", "AUX", "ADV", "INTJ"}
GENERIC = {"thing", "things", "people", "way", "ways", "lot", "lots", "group", "table", "point",
           "issue", "issues", "time", "something", "anything", "everything", "kind", "sort",
           "part", "fact", "one", "ones", "bit", "idea", "question", "case", "example"}
MAX_LABEL_WORDS = 8
_WORD = re.compile(r"(?u)\b\w[\w'-]*\w\b|\b\w\b")


def _tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _clean_span(span) -> str | None:
    tokens = list(span)
    while tokens and (tokens[0].pos_ in STRIP_LEADING or tokens[0].is_stop or not tokens[0].text.strip()):
        tokens = tokens[1:]
    while tokens and (tokens[-1].pos_ in {"PUNCT", "ADP", "CCONJ", "DET", "PART"}
                      or not tokens[-1].text.strip()):
        tokens = tokens[:-1]
    if not tokens or len(tokens) > MAX_LABEL_WORDS:
        return None
    doc = tokens[0].doc
    text = doc.text[tokens[0].idx:tokens[-1].idx + len(tokens[-1].text)]
    text = re.sub(r"\s+", " ", text).strip(" '\"‘’“”")
    if len(text) < 3 or not re.search(r"[^\W\d_]{3}", text):
        return None
    if all(t.is_stop or t.lower_ in GENERIC for t in tokens):
        return None
    return text


def _phrases_in(doc, chunks, start: int, end: int) -> list[str]:
    inside = [c for c in chunks if c.start_char >= start and c.end_char <= end]
    out: list[str] = []
    for i, chunk in enumerate(inside):
        cleaned = _clean_span(chunk)
        if cleaned:
            out.append(cleaned)
        after = chunk.end
        if i + 1 < len(inside) and after < len(doc) and doc[after].lower_ in PREPOSITIONS \
                and inside[i + 1].start == after + 1:
            cleaned = _clean_span(doc[chunk.start:inside[i + 1].end])
            if cleaned:
                out.append(cleaned)
    return out


def candidate_phrases(docs: Sequence, segments: Sequence) -> list[list[str]]:
    """For each segment: noun phrases inside it, plus 'phrase + preposition + phrase'.

    Each note's noun chunks are computed once (a 100,000-character note has many segments).
    """
    by_note: dict[int, list[int]] = {}
    for i, seg in enumerate(segments):
        by_note.setdefault(seg.note_index, []).append(i)
    out: list[list[str]] = [[] for _ in segments]
    for note_index, members in by_note.items():
        doc = docs[note_index]
        if doc is None or not doc.has_annotation("DEP"):
            continue
        chunks = list(doc.noun_chunks)
        position = 0
        for i in sorted(members, key=lambda j: segments[j].start):
            seg = segments[i]
            while position < len(chunks) and chunks[position].end_char <= seg.start:
                position += 1
            j = position
            local = []
            while j < len(chunks) and chunks[j].start_char < seg.end:
                local.append(chunks[j])
                j += 1
            out[i] = _phrases_in(doc, local, seg.start, seg.end)
    return out


def capitalise(text: str) -> str:
    """First letter upper-case, the rest as written (keeps acronyms and names)."""
    return text[:1].upper() + text[1:] if text else text


def _coverage(phrase: str, weights: dict[str, float]) -> float:
    top_weight = max(weights.values(), default=1.0) or 1.0
    words = _tokens(phrase)
    return sum(weights.get(w, 0.0) for w in set(words)) / top_weight / math.sqrt(len(words) or 1)


def _length_fit(phrase: str) -> float:
    return {1: -0.15, 2: 0.0, 3: 0.03, 4: 0.03, 5: 0.0, 6: -0.03}.get(len(phrase.split()), -0.08)


def shortlist(phrases: Sequence[str], weights: dict[str, float], taken: set[str] | None = None,
              size: int = 8) -> list[str]:
    """The candidate phrases worth embedding for a theme (as first written), best keyword
    coverage and frequency first, leaving out labels already `taken` (lower-case)."""
    taken = taken or set()
    counts = Counter(p.lower() for p in phrases if p.lower() not in taken)
    first_form: dict[str, str] = {}
    for p in phrases:
        first_form.setdefault(p.lower(), p)
    ranked = sorted(counts, key=lambda p: (-(_coverage(p, weights) + 0.1 * math.log1p(counts[p])), p))
    return [first_form[p] for p in ranked[:size]]


def choose_label(phrases: Sequence[str], weights: dict[str, float],
                 embed: Callable[[list[str]], np.ndarray], centre: np.ndarray,
                 fallback: str, taken: set[str] | None = None, size: int = 8) -> str:
    """The best candidate phrase for a theme: central, covering its keywords, 2-6 words, and not
    already the label of another theme (`taken`, lower-case)."""
    pre = shortlist(phrases, weights, taken, size)
    if not pre:
        return capitalise(fallback)
    counts = Counter(p.lower() for p in phrases)
    vectors = embed(pre)
    scored = []
    for phrase, vec in zip(pre, vectors, strict=True):
        score = float(vec @ centre) + 0.25 * _coverage(phrase, weights) + _length_fit(phrase) \
            + 0.05 * math.log1p(counts[phrase.lower()] - 1)
        scored.append((-score, phrase.lower(), phrase))
    scored.sort()
    return capitalise(scored[0][2])


def label_themes(phrases: Sequence[Sequence[str]], labels: np.ndarray, centres: dict[int, np.ndarray],
                 keyword_sets: dict[int, list[tuple[str, float]]], texts: Sequence[str],
                 embed: Callable[[list[str]], np.ndarray]) -> dict[int, str]:
    """The old pipeline's labelling block: one label per theme, unique, in theme order."""
    candidates = {label: [p for i in np.flatnonzero(labels == label) for p in phrases[i]]
                  for label in centres}
    wanted = sorted({p for label, found in candidates.items()
                     for p in shortlist(found, dict(keyword_sets.get(label, [])))})
    vectors = dict(zip(wanted, embed(wanted), strict=True)) if wanted else {}

    def embed_phrases(batch: list[str]) -> np.ndarray:
        missing = [p for p in batch if p not in vectors]
        if missing:
            vectors.update(zip(missing, embed(missing), strict=True))
        return np.vstack([vectors[p] for p in batch])

    taken: set[str] = set()
    names = {}
    for label in sorted(centres):
        weights = dict(keyword_sets.get(label, []))
        members = np.flatnonzero(labels == label)
        fallback = next(iter(weights), texts[members[0]][:60])
        names[label] = choose_label(candidates[label], weights, embed_phrases, centres[label], fallback,
                                    taken)
        taken.add(names[label].lower())
    return names
