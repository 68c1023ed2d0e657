"""synthesis/cluster.py, small events: the affinity (centred cosine blended with shared uncommon
words), the nearest-neighbour graph, refinement, SpectralThemes and cluster() with lexical rows.
Synthetic data only (no model), so these are fast and exact.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, homogeneity_score, silhouette_score
from sklearn.metrics.pairwise import cosine_similarity

from synthesis.cluster import (
    UNASSIGNED,
    SpectralThemes,
    affinity,
    cluster,
    neighbour_graph,
    refine,
    silhouette,
)
from synthesis.settings import resolve
from synthesis.vocabulary import lexical_vectors


def blobs(k: int, per: int, dim: int = 20, noise: float = 0.3,
          seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """k groups of `per` unit vectors around random centres, and the group of each."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim))
    vectors = np.repeat(centres, per, axis=0) + noise * rng.normal(size=(k * per, dim))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32), np.repeat(np.arange(k), per)


def unit_rows(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    rows = rng.normal(size=(n, dim))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


# affinity --------------------------------------------------------------------------------------


def test_affinity_is_cosine_of_event_centred_vectors():
    rng = np.random.default_rng(1)
    # Every vector shares a large component (the event's subject): raw cosines are all near 1.
    vectors = 5.0 + rng.normal(size=(12, 8))
    expected = cosine_similarity(vectors - vectors.mean(axis=0))
    got = affinity(vectors, None, 0.4)
    np.testing.assert_allclose(got, expected, atol=1e-9)
    assert not np.allclose(got, cosine_similarity(vectors), atol=0.1)
    # A zero weight, or lexical rows with no column, leave the embedding part alone.
    lexical = unit_rows(rng, 12, 5)
    np.testing.assert_allclose(affinity(vectors, lexical, 0.0), expected, atol=1e-9)
    np.testing.assert_allclose(affinity(vectors, np.zeros((12, 0)), 0.4), expected, atol=1e-9)


def test_affinity_blends_lexical_cosine_by_weight():
    rng = np.random.default_rng(2)
    vectors = rng.normal(size=(10, 6))
    lexical = unit_rows(rng, 10, 4)
    lexical[3] = 0.0  # a segment with no shared uncommon word
    centred = cosine_similarity(vectors - vectors.mean(axis=0))
    for weight in (0.25, 0.4, 1.0):
        expected = (1 - weight) * centred + weight * cosine_similarity(lexical)
        np.testing.assert_allclose(affinity(vectors, lexical, weight), expected, atol=1e-9)
        # Given the centred cosine already computed, the same blend without recomputing it.
        np.testing.assert_allclose(affinity(None, lexical, weight, centred=centred), expected, atol=1e-9)


# neighbour_graph -------------------------------------------------------------------------------


def test_neighbour_graph_is_symmetric_zero_one_without_self_loops():
    rng = np.random.default_rng(3)
    similarity = cosine_similarity(rng.normal(size=(30, 10)))
    k = 5
    graph = neighbour_graph(similarity, k)
    assert graph.shape == (30, 30)
    assert set(np.unique(graph).tolist()) <= {0.0, 1.0}
    np.testing.assert_array_equal(graph, graph.T)
    assert np.all(np.diag(graph) == 0)
    assert np.all(graph.sum(axis=1) >= k)
    # Each row is joined to its k most similar other segments.
    masked = similarity.copy()
    np.fill_diagonal(masked, -np.inf)
    for i in range(30):
        nearest = np.argsort(-masked[i])[:k]
        assert np.all(graph[i, nearest] == 1)
    # Not everything is joined: the graph is sparse, so it is a nearest-neighbour graph.
    assert graph.sum() < 30 * 29 / 2


def test_neighbour_graph_clamps_k_and_breaks_ties_by_position():
    complete = neighbour_graph(np.eye(4), 10)
    np.testing.assert_array_equal(complete, np.ones((4, 4)) - np.eye(4))
    # All similarities equal: each segment joins the first k others, on every run.
    flat = np.ones((6, 6))
    graph = neighbour_graph(flat, 2)
    expected = np.zeros((6, 6))
    for i in range(6):
        for j in [j for j in range(6) if j != i][:2]:
            expected[i, j] = expected[j, i] = 1
    np.testing.assert_array_equal(graph, expected)


# refine ----------------------------------------------------------------------------------------


def test_refine_moves_a_planted_mislabelled_point():
    vectors, groups = blobs(3, 10, seed=4)
    similarity = affinity(vectors, None, 0.0)
    labels = np.array([7, 11, 13])[groups]  # label names are kept, whatever they are
    wrong = labels.copy()
    wrong[4] = 13  # a point of the first group, put in the third
    refined = refine(similarity, wrong)
    np.testing.assert_array_equal(refined, labels)
    assert wrong[4] == 13  # the input is not modified


def test_refine_leaves_each_point_out_of_its_own_theme():
    # p (index 5) is like the A group (similarity 0.3) and unlike B's two points (0). Counting
    # itself (similarity 1) in B would keep it there: (1 + 0 + 0) / 3 > 0.3.
    n = 8
    similarity = np.zeros((n, n))
    a, b, p = [0, 1, 2, 3, 4], [6, 7], 5
    for i in a:
        for j in a:
            similarity[i, j] = 0.3
        similarity[i, p] = similarity[p, i] = 0.3
    similarity[b[0], b[1]] = similarity[b[1], b[0]] = 0.9
    np.fill_diagonal(similarity, 1.0)
    labels = np.array([0, 0, 0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(refine(similarity, labels), [0, 0, 0, 0, 0, 0, 1, 1])


class CountingMatrix(np.ndarray):
    """A similarity matrix that counts the products taken with it (one per refinement round)."""

    products = 0

    def __matmul__(self, other):
        CountingMatrix.products += 1
        return np.asarray(self) @ other


def test_refine_stops_when_nothing_moves():
    vectors, groups = blobs(3, 10, seed=4)
    similarity = affinity(vectors, None, 0.0).view(CountingMatrix)
    CountingMatrix.products = 0
    np.testing.assert_array_equal(refine(similarity, groups, rounds=5), groups)
    assert CountingMatrix.products == 1
    wrong = groups.copy()
    wrong[4] = 2
    CountingMatrix.products = 0
    np.testing.assert_array_equal(refine(similarity, wrong, rounds=5), groups)
    assert CountingMatrix.products == 2  # one round moves the point, the next finds it settled


# SpectralThemes --------------------------------------------------------------------------------


def test_silhouette_matches_scikit_learn():
    vectors, groups = blobs(4, 8, seed=6)
    distances = np.clip(1.0 - affinity(vectors, None, 0.0), 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    labels = groups.copy()
    labels[[0, 9, 17]] = 3  # not a perfect cut, so the scores are not all alike
    expected = silhouette_score(distances, labels, metric="precomputed")
    assert silhouette(distances, labels) == pytest.approx(expected, abs=1e-9)


def test_spectral_themes_find_well_separated_clusters_exactly():
    vectors, groups = blobs(4, 15, seed=0)
    similarity = affinity(vectors, None, 0.0)
    model = SpectralThemes().fit(similarity)
    assert adjusted_rand_score(groups, model.labels_) == 1.0
    assert sorted(set(model.labels_.tolist())) == [0, 1, 2, 3]
    assert max(model.scores_, key=model.scores_.get) == 4
    again = SpectralThemes().fit(similarity)
    np.testing.assert_array_equal(again.labels_, model.labels_)


def test_spectral_themes_repeat_on_noisy_data():
    # Overlapping groups, where k-means in the spectral step could land differently if unseeded.
    vectors, _ = blobs(5, 12, noise=1.2, seed=8)
    similarity = affinity(vectors, None, 0.0)
    first = SpectralThemes().fit(similarity).labels_
    second = SpectralThemes().fit(similarity).labels_
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_spectral_themes_tiny_input_is_one_theme(n):
    vectors, _ = blobs(n, 1, seed=9)
    model = SpectralThemes().fit(affinity(vectors, None, 0.0))
    np.testing.assert_array_equal(model.labels_, np.zeros(n, dtype=int))


def test_spectral_themes_k_within_k_min_and_granularity_sqrt_n():
    # 12 true groups of 3 (n = 36): more than sqrt(36) = 6, so the cap binds.
    vectors, _ = blobs(12, 3, seed=10)
    similarity = affinity(vectors, None, 0.0)
    model = SpectralThemes(granularity=1.0, k_min=3).fit(similarity)
    assert set(model.scores_) == {3, 4, 5, 6}
    assert 1 < len(set(model.labels_.tolist())) <= 6
    coarse = SpectralThemes(granularity=0.5, k_min=2).fit(similarity)
    assert set(coarse.scores_) == {2, 3}
    assert len(set(coarse.labels_.tolist())) <= 3
    capped = SpectralThemes(granularity=1.0, k_min=3, k_max=4).fit(similarity)
    assert set(capped.scores_) == {3, 4}
    # Two true groups, but at least k_min = 3 themes are tried and none fewer.
    two, _ = blobs(2, 15, seed=11)
    model = SpectralThemes(k_min=3).fit(affinity(two, None, 0.0))
    assert min(model.scores_) == 3 and 2 not in model.scores_


def test_spectral_themes_refine_the_cut():
    # A loose group A (similarity ~0.3), a tight group B (~0.8) and a point p whose 10 nearest
    # neighbours are in A (0.9 to A's first ten, 0 to the rest) but which is closer to B on
    # average (0.5 to all of B against 0.3 to A). The graph cut puts p in A; refinement moves it.
    rng = np.random.default_rng(0)
    n_a, n_b = 30, 15
    p = n_a + n_b
    similarity = np.zeros((p + 1, p + 1))
    similarity[:n_a, :n_a] = 0.3 + 0.05 * rng.random((n_a, n_a))
    similarity[n_a:p, n_a:p] = 0.8 + 0.05 * rng.random((n_b, n_b))
    similarity = (similarity + similarity.T) / 2
    similarity[p, :10] = similarity[:10, p] = 0.9
    similarity[p, n_a:p] = similarity[n_a:p, p] = 0.5
    np.fill_diagonal(similarity, 1.0)
    labels = SpectralThemes(k_min=2).fit(similarity).labels_
    groups = np.array([0] * n_a + [1] * (n_b + 1))
    assert adjusted_rand_score(groups, labels) == 1.0


def test_spectral_themes_judge_the_cuts_by_judge():
    vectors, _ = blobs(4, 10, seed=12)
    similarity = affinity(vectors, None, 0.0)
    plain = SpectralThemes().fit(similarity)
    same = SpectralThemes().fit(similarity, judge=similarity)
    assert same.scores_ == plain.scores_
    rng = np.random.default_rng(12)
    other = affinity(rng.normal(size=(40, 20)), None, 0.0)
    judged = SpectralThemes().fit(similarity, judge=other)
    assert set(judged.scores_) == set(plain.scores_)
    # The cuts are the same (the graph comes from `similarity`); only their scores change.
    assert all(abs(judged.scores_[k] - plain.scores_[k]) > 1e-3 for k in plain.scores_)


# cluster() with lexical rows -------------------------------------------------------------------


def two_word_groups(seed: int = 1):
    """40 segments in two groups that share uncommon words within a group ("bullying",
    "discipline"... or "cost", "supplier"...) and have embeddings with no structure at all;
    8 of them (spread through) are not eligible."""
    rng = np.random.default_rng(seed)
    n = 48
    groups = np.array([0, 1] * (n // 2))
    words = (["bullying", "discipline", "fairness", "behaviour"], ["cost", "supplier", "price", "budget"])
    terms = []
    for i, group in enumerate(groups):
        lemmas = [*rng.choice(words[group], size=2, replace=False), f"own{i}"]
        terms.append([(0, 0, str(lemma)) for lemma in lemmas])
    lexical = lexical_vectors(terms, set())
    embeddings = unit_rows(rng, n, 50).astype(np.float32)
    eligible = np.ones(n, dtype=bool)
    eligible[[3, 10, 17, 24, 25, 31, 38, 45]] = False
    return embeddings, lexical, groups, eligible


def test_cluster_separates_groups_by_shared_uncommon_words():
    embeddings, lexical, groups, eligible = two_word_groups()
    texts = [f"segment {i}" for i in range(len(groups))]
    settings = {"min_themes": 2}
    with_words = cluster(texts, embeddings, resolve({**settings, "lexical_weight": 0.4}), eligible=eligible,
                         lexical=lexical)
    without = cluster(texts, embeddings, resolve({**settings, "lexical_weight": 0.0}), eligible=eligible,
                      lexical=lexical)
    no_rows = cluster(texts, embeddings, resolve({**settings, "lexical_weight": 0.4}), eligible=eligible)
    assert np.all(with_words[~eligible] == UNASSIGNED)
    kept = eligible & (with_words != UNASSIGNED)
    assert kept.sum() >= 0.9 * eligible.sum()
    # With the shared words, no theme mixes the two groups; without, the themes are noise.
    assert homogeneity_score(groups[kept], with_words[kept]) == 1.0
    assert adjusted_rand_score(groups[kept], with_words[kept]) > 0.5
    for labels in (without, no_rows):
        assigned = eligible & (labels != UNASSIGNED)
        assert homogeneity_score(groups[assigned], labels[assigned]) < 0.3
        assert adjusted_rand_score(groups[assigned], labels[assigned]) < 0.1
    np.testing.assert_array_equal(without, no_rows)
