"""Stage 5: 2-4 representative verbatim quotes per theme (diverse, by maximal marginal
relevance) and a short extractive summary (its most central sentences other than the quotes, in
reading order).

Quotes and summary sentences are whole segments, so each is an exact substring of its note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

NEAR_DUPLICATE = 0.9  # cosine similarity above which two quotes say the same thing
# Words a complete sentence essentially never ends on: a segment ending on one, lower-case and with
# no closing punctuation, is a piece of a long sentence cut where it had no better boundary
# ("... saying 'has that been a fair and"). Prepositions and "be" can end a sentence ("who we are
# talking to", "it should be"), so they are not here.
DANGLING = {"a", "an", "the", "and", "or", "but", "nor", "than", "because", "if", "their", "our",
            "my", "your", "its"}
_LAST_WORD = re.compile(r"(\w+)\W*$")


def _quotable(text: str) -> float:
    """A small bonus for segments that read as a quote: a few words, not a wall of text, not a
    sentence cut off in the middle."""
    words = len(re.findall(r"\w+", text))
    if words < 4:
        return -0.2
    if words > 60:
        return -0.1
    if is_cut_short(text):
        return -0.1
    return 0.0


def is_cut_short(text: str) -> bool:
    """Whether a segment stops mid-sentence: no closing punctuation, and its last word is one a
    sentence does not end on (an article, a conjunction, a possessive), in lower case."""
    stripped = text.rstrip()
    if not stripped or stripped[-1] in ".!?;:)]\"'’”“»«…":
        return False
    last = _LAST_WORD.search(stripped[-64:])  # the tail only: a search of the whole is quadratic
    return bool(last) and last.group(1) in DANGLING


def centrality(indices: Sequence[int], embeddings: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Cosine similarity of each member segment to the theme centre."""
    return embeddings[list(indices)] @ centre


def pick_quotes(indices: Sequence[int], texts: Sequence[str], embeddings: np.ndarray,
                centre: np.ndarray, k: int, diversity: float) -> list[int]:
    """Up to k segment indices: the most central first, then by MMR, skipping near-duplicates."""
    indices = list(indices)
    if not indices:
        return []
    relevance = centrality(indices, embeddings, centre)
    relevance = relevance + np.array([_quotable(texts[i]) for i in indices])
    chosen: list[int] = []
    seen_text: set[str] = set()
    candidates = list(range(len(indices)))
    while candidates and len(chosen) < k:
        best, best_score = None, -np.inf
        for c in candidates:
            if chosen:
                redundancy = max(float(embeddings[indices[c]] @ embeddings[indices[j]]) for j in chosen)
            else:
                redundancy = 0.0
            score = (1 - diversity) * relevance[c] - diversity * redundancy
            if score > best_score + 1e-12:
                best, best_score = c, score
        candidates.remove(best)
        key = re.sub(r"\W+", " ", texts[indices[best]].lower()).strip()
        too_close = chosen and max(
            float(embeddings[indices[best]] @ embeddings[indices[j]]) for j in chosen) > NEAR_DUPLICATE
        if key in seen_text or too_close:
            continue
        seen_text.add(key)
        chosen.append(best)
    return [indices[c] for c in chosen]


def summary(indices: Sequence[int], texts: Sequence[str], order: Sequence[tuple], embeddings: np.ndarray,
            centre: np.ndarray, sentences: int, quoted: Sequence[int] = (),
            pieces: Sequence[int] = ()) -> str:
    """The theme's most central segments (at most `sentences`), joined in reading order.

    Segments already shown as the theme's quotes (`quoted`), and near-duplicates of them, are
    left out where others remain, so a digest does not print the same sentence twice; so are
    pieces of a sentence cut mid-way (is_cut_short, and `pieces`: right-hand halves known to the
    caller). A theme whose only other segments are such pieces summarises with its quotes.
    """
    indices = list(indices)
    if not indices:
        return ""
    quoted = list(quoted)
    rest = [i for i in indices if i not in quoted and not (
        quoted and max(float(embeddings[i] @ embeddings[q]) for q in quoted) > NEAR_DUPLICATE)]
    whole = [i for i in indices if not is_cut_short(texts[i]) and i not in pieces]
    # Whole sentences not quoted; else whole sentences, quoted or not; else whatever there is.
    pool = [i for i in rest if i in whole] or whole or rest or indices
    relevance = centrality(pool, embeddings, centre) + np.array([_quotable(texts[i]) for i in pool])
    top = [pool[i] for i in np.argsort(-relevance, kind="stable")[:sentences]]
    top.sort(key=lambda i: order[i])
    return " ".join(re.sub(r"\s+", " ", texts[i]).strip() for i in top)


def whole_sentence_quotes(members: Sequence[int], texts: Sequence[str], embeddings: np.ndarray,
                          centre: np.ndarray, k: int, diversity: float,
                          spans: Sequence[tuple[int, int, int]],
                          note_texts: Sequence[str]) -> list[tuple[int, str, set[int]]]:
    """pick_quotes, then each quoted segment joined with its other half where the segmenter cut
    a sentence in two (is_cut_short) and both halves are in this theme (`members`): the quote is
    then the whole sentence, still one verbatim span of its note. `spans[i]` is segment i's
    (note index, start, end); segments are in reading order. Where both halves were picked, the
    sentence is quoted once and one more quote is picked in place of the repeat.

    Returns (segment, text, the segments the quote covers) for at most k quotes."""
    theme = set(members)
    out: list[tuple[int, str, set[int]]] = []
    # Picking is greedy, so the first k of 2k picks are the k picks; each repeat costs one pick.
    for i in pick_quotes(members, texts, embeddings, centre, 2 * k, diversity):
        first, last = i, i
        if i - 1 in theme and _joined(i - 1, i, texts, spans, note_texts):
            first = i - 1
        elif i + 1 in theme and _joined(i, i + 1, texts, spans, note_texts):
            last = i + 1
        note, start, _ = spans[first]
        text = note_texts[note][start:spans[last][2]]
        if all(text != seen for _, seen, _ in out):
            out.append((i, text, {first, last}))
        if len(out) == k:
            break
    return out


def _joined(left: int, right: int, texts: Sequence[str], spans: Sequence[tuple[int, int, int]],
            note_texts: Sequence[str]) -> bool:
    """Whether segment `left` is a sentence cut short and `right` its continuation: the next
    segment of the same note, with only spaces between them."""
    (note, _, end), (other, start, _) = spans[left], spans[right]
    return note == other and is_cut_short(texts[left]) and not note_texts[note][end:start].strip()
