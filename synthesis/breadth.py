"""After clustering: a theme is a point the room raised, not one note's ramble (issue 12, point 5).

Where an event has many notes (survey answers, feedback comments, table notes: MANY_NOTES or
more), a theme whose segments all come from one note is that note's train of thought, however
long. Its segments join the nearest theme that spans several notes where they are close to it
(cosine to its centre at least JOIN), and are otherwise left unassigned. A write-up of a few
long paragraphs (the SEEE transcript's ten notes) keeps such themes: there one paragraph is
often the whole of one table's point. Seeded themes (named by the organiser) are kept as found.

The other way round, in such a write-up (fewer than MANY_NOTES notes) a theme can carry one
paragraph's point as a passenger. A note's segments in a theme, making a point in at least two
sentences (a theme of one sentence could show no quote beside its summary), that are not close to
the rest of it (the cosine of their centres below JOIN, the closeness a one-note theme needs to
join another) become a theme of their own (`split_passengers`).

Usage:
    labels = breadth.split_passengers(labels, note_index, vectors, protected={0})
    labels = breadth.fold_one_note_themes(labels, note_index, vectors, protected={0})
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

import numpy as np

from synthesis.cluster import UNASSIGNED, centroids, renumber

MANY_NOTES = 20
JOIN = 0.5


def one_note_themes(labels: np.ndarray, note_index: Sequence[int]) -> list[int]:
    """The themes (labels >= 0) whose segments all come from one note."""
    notes = np.asarray(note_index)
    return [int(label) for label in sorted(set(labels.tolist()) - {UNASSIGNED})
            if len(set(notes[labels == label].tolist())) == 1]


def fold_one_note_themes(labels: np.ndarray, note_index: Sequence[int], vectors: np.ndarray,
                         protected: Iterable[int] = (), many: int = MANY_NOTES,
                         join: float = JOIN, strata: Sequence[int] | None = None) -> np.ndarray:
    """Labels with every one-note theme (not `protected`) folded away when the event has at
    least `many` notes: each of its segments to the nearest other theme's centre if the cosine
    is at least `join`, else UNASSIGNED. With `strata` (synthesis/strata.py, one per segment) a
    segment goes only to a theme of its own stratum. Renumbered by size, as clustering numbers them."""
    if len(set(note_index)) < many:
        return labels
    protected = set(protected)
    single = [label for label in one_note_themes(labels, note_index) if label not in protected]
    if not single:
        return labels
    kept = {label: centre for label, centre in centroids(vectors, labels).items() if label not in single}
    out = labels.copy()
    order = sorted(kept)
    matrix = np.vstack([kept[label] for label in order]) if order else None
    first = {label: int(np.flatnonzero(labels == label)[0]) for label in order}
    stratum_of = {label: strata[first[label]] for label in order} if strata is not None else {}
    for i in np.flatnonzero(np.isin(labels, single)):
        if matrix is None:
            out[i] = UNASSIGNED
            continue
        sims = matrix @ vectors[i]
        if strata is not None:
            sims = np.where([stratum_of[label] == strata[i] for label in order], sims, -np.inf)
        best = int(np.argmax(sims))
        out[i] = order[best] if sims[best] >= join else UNASSIGNED
    return renumber(out)


def _centre(vectors: np.ndarray) -> np.ndarray:
    centre = vectors.mean(axis=0)
    norm = np.linalg.norm(centre)
    return centre / norm if norm else centre


def sentence_of(note_index: Sequence[int], starts: Sequence[int],
                sentences: Sequence[Sequence[tuple[int, int]]]) -> list[tuple[int, int]]:
    """For each segment, (its note, the number of the note's sentence it starts in): a sentence
    cut into clauses is one sentence. `sentences` are each note's sentence spans in order."""
    out = []
    for note, start in zip(note_index, starts, strict=True):
        spans = sentences[note] if note < len(sentences) else []
        out.append((note, max(0, bisect.bisect_right([a for a, _ in spans], start) - 1)))
    return out


def split_passengers(labels: np.ndarray, note_index: Sequence[int], vectors: np.ndarray,
                     protected: Iterable[int] = (), many: int = MANY_NOTES, join: float = JOIN,
                     sentences: Sequence[tuple[int, int]] | None = None, least: int = 2) -> np.ndarray:
    """Labels where, in an event of fewer than `many` notes, each theme (not `protected`) that
    holds a note's point made in at least `least` sentences (`sentences`: each segment's
    sentence, from sentence_of; by default each segment is one), beside at least `least` others,
    whose centre has a cosine below `join` with the centre of the theme's other segments loses
    them to a new theme: the least alike such note per theme. Renumbered by size. (A theme of one
    sentence could not have quotes beside its summary.)"""
    if len(set(note_index)) >= many:
        return labels
    notes = np.asarray(note_index)
    sentence = list(sentences) if sentences is not None else list(range(len(labels)))
    protected = set(protected)
    out = labels.copy()
    new = int(labels.max()) + 1 if len(labels) else 0
    for label in sorted(set(labels.tolist()) - {UNASSIGNED} - protected):
        members = np.flatnonzero(labels == label)
        found = []
        for note in sorted(set(notes[members].tolist())):
            block = members[notes[members] == note]
            rest = members[notes[members] != note]
            if min(len({sentence[i] for i in block}), len({sentence[i] for i in rest})) < least:
                continue
            found.append((float(_centre(vectors[block]) @ _centre(vectors[rest])), note, block))
        if found:
            cosine, _note, block = min(found, key=lambda f: (f[0], f[1]))
            if cosine < join:
                out[block] = new
                new += 1
    return renumber(out) if new != (int(labels.max()) + 1 if len(labels) else 0) else labels
