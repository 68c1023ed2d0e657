"""A theme is a point the room raised, not one note's ramble (issue 12, point 5)."""

from __future__ import annotations

import numpy as np

from synthesis import breadth


def unit(*rows):
    m = np.array(rows, dtype=float)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_a_theme_of_one_note_folds_into_its_nearest_theme_or_unassigned():
    # 20 notes; theme 2 is three segments of note 19 alone: one close to theme 0, two far from all.
    note_index = list(range(19)) + [19, 19, 19]
    labels = np.array([0] * 10 + [1] * 9 + [2, 2, 2])
    vectors = unit(*([[1, 0, 0]] * 10 + [[0, 1, 0]] * 9 + [[0.9, 0.1, 0.1], [0, 0, 1], [0.1, 0.1, 1]]))
    assert breadth.one_note_themes(labels, note_index) == [2]
    folded = breadth.fold_one_note_themes(labels, note_index, vectors)
    assert folded[19] == folded[0] and (folded[20:] == -1).all()
    assert breadth.one_note_themes(folded, note_index) == []
    assert (folded[:19] == labels[:19]).all()


def test_few_notes_and_seeded_themes_keep_their_one_note_themes():
    note_index = [0, 0, 1, 1, 2, 2]
    labels = np.array([0, 0, 1, 1, 2, 2])
    vectors = unit([1, 0], [1, 0], [0, 1], [0, 1], [1, 1], [1, 1])
    # Three notes (a write-up of a few paragraphs): every paragraph may be a theme.
    assert (breadth.fold_one_note_themes(labels, note_index, vectors) == labels).all()
    # Many notes, but the one-note theme was named by the organiser.
    many = list(range(25))
    labels = np.array([0] * 12 + [1] * 12 + [2])
    vectors = unit(*([[1, 0]] * 12 + [[0, 1]] * 12 + [[1, 0.8]]))
    assert (breadth.fold_one_note_themes(labels, many, vectors, protected={2}) == labels).all()
    assert breadth.fold_one_note_themes(labels, many, vectors)[-1] == 0  # joins the nearer theme
