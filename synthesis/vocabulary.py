"""The event's own words: what every note shares, taken out so themes split on what differs.

Notes of one event share its subject. In the ArgKP debates every argument about school uniform
says "school uniform"; in a survey every answer repeats the question's words. A sentence
embedding is dominated by that shared subject, so themes split on phrasing rather than on the
point being made. This module finds the event's common words (content-word lemmas found in more
than `common_word_share` of its notes) and gives each segment:

- a neutral text: the segment with those words removed, embedded for clustering (quotes, labels
  and the stored segments keep the verbatim text);
- a lexical vector: TF-IDF over its other content lemmas, so two segments that use the same
  uncommon words ("bullying", "discipline") are drawn together.

An event with no common word (a big conference on many subjects, a short table) gets its texts
back unchanged, so the cached embeddings serve and nothing is embedded twice.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

Term = tuple[int, int, str]  # (start, end) offsets in the note, and the lemma
MIN_NOTES = 10  # below this a "common" word is just a word two notes share
_SPACES = re.compile(r"\s{2,}")


def content_terms(doc, start: int, end: int) -> list[Term]:
    """The content words (alphabetic, not stop words) of doc's text between start and end, with
    their offsets and lower-case lemma (the word itself where the pipeline has no lemmatizer)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    out: list[Term] = []
    for token in span if span is not None else ():
        if token.is_alpha and not token.is_stop and start <= token.idx and token.idx + len(token) <= end:
            lemma = (token.lemma_ or token.text).lower()
            out.append((token.idx, token.idx + len(token), lemma))
    return out


def common_words(terms: Sequence[Sequence[Term]], note_index: Sequence[int], eligible: np.ndarray,
                 share: float) -> set[str]:
    """Lemmas found in more than `share` of the notes (counting the eligible segments' words; none
    for fewer than MIN_NOTES notes, or when share >= 1).

    Counted per note rather than per segment: an argument or answer split into two sentences
    names its subject once, and a per-sentence count would miss the subject it shares.
    """
    per_note: dict[int, set[str]] = {}
    for row, note, ok in zip(terms, note_index, eligible, strict=True):
        if ok:
            per_note.setdefault(note, set()).update(lemma for _, _, lemma in row)
    if len(per_note) < MIN_NOTES or share >= 1:
        return set()
    counts: Counter = Counter()
    for lemmas in per_note.values():
        counts.update(lemmas)
    return {lemma for lemma, c in counts.items() if c / len(per_note) > share}


def neutral_texts(texts: Sequence[str], starts: Sequence[int], terms: Sequence[Sequence[Term]],
                  common: set[str]) -> list[str]:
    """Each segment's text without its common words (offsets in `terms` are in the note; a
    segment's own text starts at `starts[i]`). A segment left with no word keeps its text."""
    if not common:
        return list(texts)
    out = []
    for text, start, row in zip(texts, starts, terms, strict=True):
        cut = [(s - start, e - start) for s, e, lemma in row if lemma in common]
        if not cut:
            out.append(text)
            continue
        pieces, position = [], 0
        for s, e in cut:
            pieces.append(text[position:s])
            position = e
        pieces.append(text[position:])
        neutral = _SPACES.sub(" ", "".join(pieces)).strip()
        out.append(neutral if re.search(r"[^\W\d_]{2}", neutral) else text)
    return out


def lexical_vectors(terms: Sequence[Sequence[Term]], common: set[str], min_df: int = 2) -> np.ndarray:
    """(n, v) unit TF-IDF rows over the content lemmas that are not common and appear in at least
    `min_df` segments (sublinear term frequency, smoothed idf, as scikit-learn's TfidfVectorizer
    with sublinear_tf=True). A segment with none of them gets a zero row."""
    docs = [Counter(lemma for _, _, lemma in row if lemma not in common) for row in terms]
    df: Counter = Counter()
    for doc in docs:
        df.update(doc.keys())
    vocab = sorted(w for w, c in df.items() if c >= min_df)
    matrix = np.zeros((len(docs), len(vocab)), dtype=np.float32)
    if not vocab:
        return matrix
    column = {w: j for j, w in enumerate(vocab)}
    n = len(docs)
    idf = np.array([math.log((1 + n) / (1 + df[w])) + 1 for w in vocab], dtype=np.float32)
    for i, doc in enumerate(docs):
        for word, count in doc.items():
            j = column.get(word)
            if j is not None:
                matrix[i, j] = (1 + math.log(count)) * idf[j]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms
