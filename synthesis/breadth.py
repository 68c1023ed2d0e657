"""After clustering: a theme is a point the room raised, not one note's ramble (issue 12, point 5).

Where an event has many notes (survey answers, feedback comments, table notes: MANY_NOTES or
more), a theme whose segments all come from one note is that note's train of thought, however
long. Its segments join the nearest theme that spans several notes where they are close to it
(cosine to its centre at least JOIN), and are otherwise left unassigned. A write-up of a few
long paragraphs (the SEEE transcript's ten notes) keeps such themes: there one paragraph is
often the whole of one table's point. Seeded themes (named by the organiser) are kept as found.

Usage:
    labels = breadth.fold_one_note_themes(labels, note_index, vectors, protected={0})
"""

from __future__ import annotations

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
                         join: float = JOIN) -> np.ndarray:
    """Labels with every one-note theme (not `protected`) folded away when the event has at
    least `many` notes: each of its segments to the nearest other theme's centre if the cosine
    is at least `join`, else UNASSIGNED. Renumbered by size, as clustering numbers them."""
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
    for i in np.flatnonzero(np.isin(labels, single)):
        if matrix is None:
            out[i] = UNASSIGNED
            continue
        sims = matrix @ vectors[i]
        best = int(np.argmax(sims))
        out[i] = order[best] if sims[best] >= join else UNASSIGNED
    return renumber(out)
