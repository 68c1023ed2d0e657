"""Unit tests of the synthesis stages alone: settings, segmentation, seeds, clustering, quotes."""

from __future__ import annotations

import numpy as np
import pytest

from capture.errors import ValidationError
from capture.models import Note
from synthesis import cluster, quotes, seeds
from synthesis.embed import FakeEmbedder
from synthesis.segment import segment_notes
from synthesis.settings import DEFAULTS, SETTINGS, resolve


def segments_of(nlp, *texts, **overrides):
    notes = [Note(text=t, ref=f"n{i}", id=i) for i, t in enumerate(texts)]
    return notes, segment_notes(notes, [nlp(n.text) for n in notes], resolve(overrides))


def test_settings_document_themselves():
    assert all(s.help.strip() and s.name in DEFAULTS for s in SETTINGS)
    assert resolve({"max_quotes": "3"})["max_quotes"] == 3
    with pytest.raises(ValidationError, match="Unknown synthesis setting.*colour"):
        resolve({"colour": "blue"})
    with pytest.raises(ValidationError, match="max_quotes must be a int"):
        resolve({"max_quotes": "many"})


def test_segments_are_sentences_with_exact_offsets(nlp):
    text = ("  First point about funding.\u00a0 Second point about trust between partners."
            "\n\nThird point about the tender. ")
    notes, segs = segments_of(nlp, text)
    assert [s.text for s in segs] == ["First point about funding.",
                                      "Second point about trust between partners.",
                                      "Third point about the tender."]
    for s in segs:
        assert text[s.start:s.end] == s.text and s.note_ref == "n0"


def test_short_fragments_join_their_neighbour(nlp):
    text = "Yes. Commissioners never fund the convening work that partnerships need. Agreed!"
    _, segs = segments_of(nlp, text)
    assert len(segs) == 1 and segs[0].text == text


def test_long_sentences_split_at_clause_boundaries(nlp):
    clause = "the commissioners want one contact for every contract in the county"
    text = "; ".join([clause] * 8) + "."
    _, segs = segments_of(nlp, text, max_segment_chars=160)
    assert len(segs) > 1
    assert all(len(s.text) <= 160 for s in segs)
    assert all(text[s.start:s.end] == s.text for s in segs)
    # Cuts fall after a semicolon, never inside a word.
    assert all(text[s.end - 1] == ";" or s.end == len(text) for s in segs)


def test_a_long_run_without_punctuation_is_still_split(nlp):
    text = " ".join(["word"] * 2000)
    _, segs = segments_of(nlp, text)
    assert len(segs) > 10 and all(len(s.text) <= DEFAULTS["max_segment_chars"] for s in segs)
    assert "".join(text[s.start:s.end] + " " for s in segs).strip() == text


def test_parse_seeds():
    assert seeds.parse_seeds(" distrust; capacity ;; Social  Value Act; Distrust") == [
        "distrust", "capacity", "Social Value Act"]
    assert seeds.parse_seeds(None) == [] and seeds.parse_seeds(["a", " "]) == ["a"]


def test_unsupported_seed_releases_its_segments():
    embedder = FakeEmbedder()
    texts = ["trust trust trust", "trust between partners", "money money", "money for convening"]
    vectors = embedder.encode(texts)
    seed_vectors = embedder.encode(["trust", "money", "weather"])
    labels = seeds.assign_seeds(seed_vectors, vectors, np.ones(4, bool),
                                resolve({"seed_threshold": 0.3, "seed_min_support": 2}))
    assert labels.tolist() == [0, 0, 1, 1]
    labels = seeds.assign_seeds(seed_vectors, vectors, np.ones(4, bool),
                                resolve({"seed_threshold": 0.3, "seed_min_support": 3}))
    assert labels.tolist() == [-1, -1, -1, -1]


def test_clusters_are_deterministic_and_numbered_by_size():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 32))
    points = np.vstack([centres[i] + 0.1 * rng.normal(size=(n, 32)) for i, n in enumerate((10, 6, 4))])
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    texts = [f"text {i}" for i in range(len(points))]
    first = cluster.cluster(texts, points, resolve())
    second = cluster.cluster(texts, points, resolve())
    assert first.tolist() == second.tolist()
    assert first.tolist() == [0] * 10 + [1] * 6 + [2] * 4


def test_reassign_only_above_threshold():
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = cluster.reassign(vectors, np.array([0, 0, -1, -1]), threshold=0.5)
    assert labels.tolist() == [0, 0, 0, -1]


def test_quotes_are_diverse():
    vectors = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.8, 0.0, 0.6]])
    texts = ["one two three four", "one two three four!", "five six seven eight", "nine ten eleven twelve"]
    centre = vectors.mean(axis=0)
    centre /= np.linalg.norm(centre)
    chosen = quotes.pick_quotes([0, 1, 2, 3], texts, vectors, centre, k=3, diversity=0.5)
    assert not {0, 1} <= set(chosen)  # the near-duplicate pair never both appear
    assert len(chosen) == 3


def test_quotes_prefer_whole_sentences_to_pieces_cut_mid_sentence():
    # From the SEEE transcript: long sentences with no boundary were cut at a middle space.
    cut = ["I think sometimes we are not very good in collectively getting back together and "
           "saying 'has that been a fair and",
           "We don't have a connective voice for saying you cannot realistically expect a "
           "consortia partnership to be established in one week of one month and"]
    whole = ["If generally it is happening within a month is it not going to be an open process.",
             "Partnerships take longer than a month to establish",
             "They just want one person to negotiate with."]
    assert all(quotes.is_cut_short(t) for t in cut)
    assert not any(quotes.is_cut_short(t) for t in whole)
    # Sentences may end on a preposition, "be" or a capital "A"; a closing quotation mark of any
    # kind ends one; odd input is not a cut.
    ends = ["Who are we talking to", "It should be", "We went with Plan A", "Er sagte „es reicht“",
            "", "   ", "...", "etc", "e.g.", "中文没有标点"]
    assert not any(quotes.is_cut_short(t) for t in ends)
    # Only the tail is read: a 50,000-character run of letters (pasted junk, an unbroken
    # identifier) is judged by its last word like any other segment.
    assert quotes.is_cut_short("a" * 50_000 + "-b the") and not quotes.is_cut_short("a" * 50_000 + "-b")
    # Two segments equally central: the whole sentence is quoted first, the cut one only after it.
    vectors = np.array([[1.0, 0.0], [1.0, 0.0]])
    texts = [cut[0], whole[0]]
    assert quotes.pick_quotes([0, 1], texts, vectors, np.array([1.0, 0.0]), k=1, diversity=0.0) == [1]
    assert quotes.pick_quotes([1, 0], texts, vectors, np.array([1.0, 0.0]), k=1, diversity=0.0) == [1]


# Whole-sentence quotes and summaries: tests/test_synthesis_quotes.py.


def test_silhouette_matches_scikit_learn():
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(1)
    points = rng.normal(size=(40, 8))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    distances = np.clip(1 - points @ points.T, 0, 2)
    np.fill_diagonal(distances, 0)
    labels = rng.integers(0, 4, 40)
    labels[0] = 9  # a singleton counts as 0, as in scikit-learn
    assert cluster.silhouette(distances, labels) == pytest.approx(
        silhouette_score(distances, labels, metric="precomputed"), abs=1e-9)


def test_reduction_is_cached_in_the_database(db):
    from sklearn.decomposition import PCA

    def pca(points, n_components):
        return PCA(n_components=n_components).fit_transform(points)

    points = np.random.default_rng(2).normal(size=(30, 8)).astype(np.float32)
    first = cluster.CachedReducer(pca, {"n_components": 3}, db).fit(points)
    assert not first.cache_hit

    def must_not_run(*_, **__):
        raise AssertionError("the cached reduction should have been used")

    again = cluster.CachedReducer(must_not_run, {"n_components": 3}, db).fit(points)
    assert again.cache_hit and np.array_equal(again.embedding_, first.embedding_)
    other = cluster.CachedReducer(pca, {"n_components": 2}, db).fit(points)  # other settings: no hit
    assert not other.cache_hit and other.embedding_.shape == (30, 2)


def test_exact_neighbours_match_a_full_sort():
    points = np.random.default_rng(3).normal(size=(50, 6)).astype(np.float32)
    indices, distances = cluster.exact_neighbours(points, 7, block=16)  # several blocks
    unit = points / np.linalg.norm(points, axis=1, keepdims=True)
    full = 1.0 - unit @ unit.T
    np.fill_diagonal(full, -1.0)
    expected = np.argsort(full, axis=1, kind="stable")[:, :7]
    assert np.array_equal(indices, expected)
    assert np.array_equal(indices[:, 0], np.arange(50))  # each point is its own first neighbour
    assert np.allclose(distances[:, 1:], np.take_along_axis(full, expected, axis=1)[:, 1:], atol=1e-5)


def test_exact_neighbours_with_duplicates_zero_rows_and_k_over_n():
    points = np.array([[1.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    indices, distances = cluster.exact_neighbours(points, 9)  # k > n: every row, n columns
    assert indices.shape == distances.shape == (5, 5)
    assert np.array_equal(indices[:, 0], np.arange(5)) and np.all(distances[:, 0] == 0)
    assert np.all(distances >= 0)
    assert set(indices[0, :3].tolist()) == {0, 1, 2} and np.allclose(distances[0, :3], 0, atol=1e-6)
    assert np.allclose(distances[3, 1:], 1.0)  # a zero vector is at distance 1 from everything


def test_large_path_gives_umap_our_neighbours_even_when_few(monkeypatch):
    """UMAP must take the exact neighbours, not search itself, also with fewer points than its
    usual 15 neighbours (when `small_event_segments` is set low)."""
    import umap.umap_

    def must_not_search(*_, **__):
        raise AssertionError("UMAP searched for neighbours itself")

    monkeypatch.setattr(umap.umap_, "nearest_neighbors", must_not_search)
    rng = np.random.default_rng(4)
    points = np.vstack([rng.normal(loc, 0.05, size=(6, 8)) for loc in (-1.0, 1.0)]).astype(np.float32)
    settings = {**resolve(), "small_event_segments": 5}
    labels = cluster.fit_themes([f"text {i}" for i in range(12)], points, settings)
    assert len(labels) == 12


def test_umaps_compiled_functions_are_kept_on_disk_but_never_a_twins():
    """cluster.cache_umap_compiles lets numba keep UMAP's compiled functions (a later process
    loads them instead of compiling, about 8 s of a large event's cold run); of the layout's
    serial and parallel variants, made from one Python function and so sharing a cache entry,
    only the serial one (a seeded UMAP's) is kept."""
    from numba.core.caching import NullCache
    from umap import layouts, umap_

    from synthesis import cluster

    kept = cluster.cache_umap_compiles()
    assert kept >= 10 and cluster.cache_umap_compiles() == kept  # once a process
    assert not isinstance(layouts._nb_optimize_layout_euclidean_single_epoch._cache, NullCache)
    assert isinstance(layouts._nb_optimize_layout_euclidean_single_epoch_parallel._cache, NullCache)
    assert not isinstance(umap_.smooth_knn_dist._cache, NullCache)
