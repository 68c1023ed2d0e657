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


def test_a_paragraph_riding_in_another_theme_becomes_its_own_theme():
    # A write-up of 4 notes: theme 0 holds note 0's two sentences and note 1's two, which are far
    # apart (cosine 0); theme 1 holds notes 2 and 3, close to each other.
    note_index = [0, 0, 1, 1, 2, 2, 3, 3]
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    vectors = unit([1, 0, 0], [1, 0.2, 0], [0, 1, 0], [0, 1, 0.2], [0, 0, 1], [0.1, 0, 1], [0, 0.1, 1],
                   [0, 0, 1])
    split = breadth.split_passengers(labels, note_index, vectors)
    assert split[0] == split[1] and split[2] == split[3] and split[0] != split[2]
    assert len(set(split.tolist())) == 3
    assert split[4] == split[5] == split[6] == split[7]  # close notes stay together
    # A seeded theme is kept as found, and so is every theme where the event has many notes.
    assert (breadth.split_passengers(labels, note_index, vectors, protected={0}) == labels).all()
    assert (breadth.split_passengers(labels, note_index, vectors, many=4) == labels).all()


def test_a_single_sentence_or_a_close_paragraph_is_no_passenger():
    # Note 2 says one sentence far from the rest (not a point made in several sentences), and
    # note 1's two sentences are close to note 0's (cosine about 0.8, above JOIN).
    note_index = [0, 0, 1, 1, 2]
    labels = np.array([0, 0, 0, 0, 0])
    vectors = unit([1, 0, 0], [1, 0.1, 0], [1, 0.7, 0], [1, 0.8, 0], [0, 0, 1])
    assert (breadth.split_passengers(labels, note_index, vectors) == labels).all()
    # Below the closeness a one-note theme needs to join another theme, it is its own theme.
    far = unit([1, 0, 0], [1, 0.1, 0], [0, 1, 0], [0.1, 1, 0], [0, 0, 1])
    split = breadth.split_passengers(labels, note_index, far)
    assert split[0] == split[1] != split[2] == split[3]
    assert split[4] in (split[0], split[2])


def test_a_passenger_of_one_sentence_cut_into_clauses_stays():
    # Note 0's two segments are far from note 1's, but they are clauses of one sentence: a theme
    # of one sentence would have no quote beside its summary, so nothing is split.
    note_index = [0, 0, 1, 1]
    labels = np.array([0, 0, 0, 0])
    vectors = unit([1, 0], [1, 0.1], [0, 1], [0.1, 1])
    starts = [0, 40, 0, 50]
    sentences = [[(0, 90)], [(0, 45), (46, 100)]]
    ids = breadth.sentence_of(note_index, starts, sentences)
    assert ids == [(0, 0), (0, 0), (1, 0), (1, 1)]
    assert (breadth.split_passengers(labels, note_index, vectors, sentences=ids) == labels).all()
    # As two sentences, it is a point of its own.
    two = [[(0, 39), (40, 90)], [(0, 45), (46, 100)]]
    split = breadth.split_passengers(labels, note_index, vectors,
                                     sentences=breadth.sentence_of(note_index, starts, two))
    assert split[0] == split[1] != split[2] == split[3]
