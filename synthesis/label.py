"""Stage 4: a label a person could have written, and keywords, for each theme.

Keywords come from class-based TF-IDF (BERTopic's c-TF-IDF: words frequent in this theme and
rare in the others). The label is chosen among each theme's candidate phrases
(synthesis/label_candidates.py: noun phrases, short clauses, short segments and compressed
clauses, all the notes' own words in their order, none breaking the rules of a headline).
Candidates are scored by how central they are to the theme (embedding similarity to its centre),
how distinct from the other themes, how well they cover the theme's keywords, and a length prior
(3 to 8 words), less a small penalty for a compressed clause (a run of the notes' words wins
near-ties) and a large one for a probable typo of the notes (synthesis/typos.py: "Commissinoers
are focusing on the end point" gives way to any clean candidate of 3 words or more). Capitalised,
no trailing punctuation, unique within the event.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from synthesis import publishable, typos
from synthesis.label_candidates import candidate_phrases

__all__ = ["candidate_phrases", "capitalise", "has_word_in", "keyword_words", "keywords", "label_themes",
           "shortlist"]

SHORTLIST = 8  # candidates embedded per theme (16 or 24 changed no label on argkp-dev)
# Weights of the label score (tuned on argkp-dev, checked on argkp-train and SEEE).
DISTINCT = 1.0
MARGIN = 0.0
COVER = 0.2
FREQUENT = 0.05
SHORT = 0.5  # less for a 2-word label, twice that for one word: a headline has 3 to 9 words
LONG = 0.05  # less per word beyond 8
COMPRESSED = 0.02  # less for a compressed clause (words left out) than for a run of the notes' words
# Less for a phrase with a probable typo ("commissinoers"): an editor would have to fix it, so any
# clean candidate of 3 words or more goes first (a 2-word one costs SHORT = 0.5).
TYPO = 0.4
_WORD = re.compile(r"(?u)\b\w[\w'-]*\w\b|\b\w\b")


def _tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def has_word_in(text: str, words: set[str] | frozenset[str]) -> bool:
    """Whether `text` holds one of `words` (lower-case), also as part of a hyphenated or
    apostrophised word ("commissinoers-led")."""
    return any(part in words for token in _tokens(text) for part in re.split(r"[-'’]", token))


def keyword_words(text: str, leave_out: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The words of `text` that may be keywords: lower-case, three letters or more, not a stop
    word (spaCy's English list) or a number, none of `leave_out` (the event's probable typos)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return [w for w in _tokens(text) if w not in STOP_WORDS and len(w) > 2 and not w.isdigit()
            and not (leave_out and has_word_in(w, leave_out))]


def keywords(texts: Sequence[str], labels: np.ndarray, top_n: int,
             leave_out: set[str] | frozenset[str] = frozenset()) -> dict[int, list[tuple[str, float]]]:
    """c-TF-IDF keywords with weights for each label >= 0: {label: [(word, weight), ...]}.
    Words in `leave_out` (lower-case; the event's probable typos) are never keywords."""
    per_class: dict[int, Counter] = {}
    for text, label in zip(texts, labels.tolist(), strict=True):
        if label < 0:
            continue
        per_class.setdefault(label, Counter()).update(keyword_words(text, leave_out))
    if not per_class:
        return {}
    total = Counter()
    for counts in per_class.values():
        total.update(counts)
    avg_words = sum(total.values()) / len(per_class)
    out = {}
    for label, counts in per_class.items():
        size = sum(counts.values()) or 1
        scored = [(w, (c / size) * math.log(1 + avg_words / total[w])) for w, c in counts.items()]
        # Ties broken alphabetically so runs are identical.
        scored.sort(key=lambda p: (-p[1], p[0]))
        out[label] = scored[:top_n]
    return out


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def capitalise(text: str) -> str:
    """First letter upper-case, the rest as written (keeps acronyms and names)."""
    return text[:1].upper() + text[1:] if text else text


def _coverage(phrase: str, weights: dict[str, float], normalise: bool = True) -> float:
    """Share of the theme's keyword weight the phrase's words carry (per sqrt(word) if normalise)."""
    top_weight = max(weights.values(), default=1.0) or 1.0
    words = _tokens(phrase)
    total = sum(weights.get(w, 0.0) for w in set(words)) / top_weight
    return total / math.sqrt(len(words) or 1) if normalise else total


def _length_fit(phrase: str) -> float:
    """Prior on length: people's theme labels run 3 to 8 words; 1 or 2 words only where a theme
    has no longer candidate."""
    n = len(phrase.split())
    return {1: -2 * SHORT, 2: -SHORT}.get(n, 0.0) if n <= 8 else -LONG * (n - 8)


def shortlist(phrases: Sequence[str], weights: dict[str, float], taken: set[str] | None = None,
              size: int | None = None) -> list[str]:
    """The candidate phrases worth embedding for a theme (as first written), leaving out labels
    already `taken` (lower-case): half by keyword coverage per word (short phrases), half by
    keyword coverage in all (longer ones), each with a bonus for frequent phrases."""
    taken, size = taken or set(), size or SHORTLIST
    counts = Counter(p.lower() for p in phrases if p.lower() not in taken)
    first_form: dict[str, str] = {}
    for p in phrases:
        first_form.setdefault(p.lower(), p)
    chosen: list[str] = []
    for normalise in (True, False):
        ranked = sorted(counts, key=lambda p: (-(_coverage(p, weights, normalise) + _length_fit(p)
                                                 + 0.1 * math.log1p(counts[p])), p))
        chosen += [p for p in ranked if p not in chosen][:size // 2]
    return [first_form[p] for p in chosen]


def _score(own: float, other: float, phrase: str, weights: dict[str, float], count: int,
           typo_words: set[str] | frozenset[str] = frozenset()) -> float:
    """How good `phrase` is as a label: similarity to its theme's centre (`own`), less part of its
    similarity to the nearest other theme, plus keyword coverage, length prior and frequency,
    less TYPO if it has one of the event's probable typos (`typo_words`, lower-case)."""
    return (own - DISTINCT * max(0.0, other - own + MARGIN) + COVER * _coverage(phrase, weights)
            + _length_fit(phrase)
            + FREQUENT * math.log(max(count, 1))
            - (TYPO if typo_words and has_word_in(phrase, typo_words) else 0.0))


def _fallback(label: int, labels: np.ndarray, texts: Sequence[str], weights: dict[str, float],
              taken: set[str]) -> str:
    """A label for a theme without a usable candidate: a keyword or the start of a segment."""
    starts = [" ".join(texts[i].split()[:8]).rstrip(".,;:!?-–—'\"") for i in np.flatnonzero(labels == label)]
    # A segment's start in shorthand ("kids at school -> 2 hrs") only where nothing else is left.
    options = sorted((option for option in list(weights) + starts if option),
                     key=lambda option: publishable.shorthand(option) is not None)
    for option in options:
        if option.lower() not in taken:
            return capitalise(option)
    # Everything taken (identical segments in two themes): still unique, by a number.
    first = options[0] if options else "Theme"
    number = 2
    while f"{first} ({number})".lower() in taken:
        number += 1
    return capitalise(f"{first} ({number})")


def label_themes(phrases: Sequence[Sequence[str]], labels: np.ndarray, centres: dict[int, np.ndarray],
                 keyword_sets: dict[int, list[tuple[str, float]]], texts: Sequence[str],
                 embed: Callable[[list[str]], np.ndarray],
                 seeds: dict[int, str] | None = None,
                 typo_words: set[str] | None = None) -> dict[int, str]:
    """A label for every theme (the keys of `centres`), unique within the event (case-insensitive).

    `phrases` are the candidate phrases of each segment, `labels` each segment's theme (-1: none),
    `embed` turns phrases into unit vectors; seeded themes (`seeds`: theme -> the organiser's
    phrase) keep their phrase. Every shortlisted candidate is embedded in one call; the best
    (theme, phrase) pairs are taken first, so a phrase goes to the theme it fits best.
    `typo_words` are the event's probable typos (lower-case); by default they are found in
    `texts` with spaCy's lexicon (synthesis/typos.py).
    """
    seeds = seeds or {}
    names = {label: capitalise(seeds[label]) for label in centres if label in seeds}
    taken = {name.lower() for name in names.values()}
    order = sorted(centres)
    matrix = np.vstack([centres[label] for label in order]) if order else np.zeros((0, 0))
    counts, pools = {}, {}
    for label in order:
        if label in seeds:
            continue
        found = [p for i in np.flatnonzero(labels == label) for p in phrases[i]]
        counts[label] = Counter(p.lower() for p in found)
        pools[label] = shortlist(found, dict(keyword_sets.get(label, [])), taken)
    if typo_words is None:
        typo_words = typos.probable_typos(texts, typos.default_lexicon()) if pools else set()
    wanted = sorted({p for pool in pools.values() for p in pool})
    vectors = dict(zip(wanted, embed(wanted), strict=True)) if wanted else {}
    scored = []
    for label, pool in pools.items():
        row = order.index(label)
        weights = dict(keyword_sets.get(label, []))
        written = [_squash(texts[i]) for i in np.flatnonzero(labels == label)]
        for phrase in pool:
            sims = matrix @ vectors[phrase]
            own = float(sims[row])
            other = float(np.delete(sims, row).max()) if len(order) > 1 else 0.0
            score = _score(own, other, phrase, weights, counts[label][phrase.lower()], typo_words)
            if not any(_squash(phrase) in text for text in written):
                score -= COMPRESSED  # a reader finds a label as written in the notes: it wins near-ties
            scored.append((-round(score, 6), label, phrase.lower(), phrase))
    scored.sort()
    for _score_key, label, lower, phrase in scored:
        if label not in names and lower not in taken:
            names[label] = capitalise(phrase)
            taken.add(lower)
    for label in order:
        if label not in names:
            names[label] = _fallback(label, labels, texts, dict(keyword_sets.get(label, [])), taken)
            taken.add(names[label].lower())
    return {label: names[label] for label in order}
