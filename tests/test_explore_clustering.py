"""benchmarks/explore_clustering.py helpers: the supervised leave-one-out upper bound and k range."""

from __future__ import annotations

import numpy as np

from benchmarks.eval_data import Group
from benchmarks.explore_clustering import k_range, upper_loo_centroid, upper_nearest_kp


def _entry(X: np.ndarray, gold: dict[str, str], kp_vectors: np.ndarray | None = None) -> dict:
    ids = [f"a{i}" for i in range(len(X))]
    group = Group(name="g", topic="t", stance="1", arguments=[(a, a) for a in ids], key_points={}, gold=gold)
    return {"group": group, "vectors": {"raw": X}, "kp_vectors": kp_vectors}


def _brute_force(X: np.ndarray, gold: dict[str, str], ids: list[str]) -> list[int]:
    """The definition, written the slow way: centroids recomputed without the argument itself."""
    kps = sorted(set(gold.values()))
    out = []
    for i in range(len(ids)):
        best = None
        for j, kp in enumerate(kps):
            members = [m for m, b in enumerate(ids) if gold.get(b) == kp and m != i]
            if not members:
                continue
            centre = X[members].mean(axis=0)
            s = X[i] @ centre / np.linalg.norm(centre)
            if best is None or s > best[0]:
                best = (s, j)
        out.append(best[1])
    return out


def test_loo_centroid_matches_the_definition_and_leaves_the_argument_out():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 8))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    ids = [f"a{i}" for i in range(30)]
    gold = {a: f"kp{i % 3}" for i, a in enumerate(ids[:24])}  # the last 6 are unscored
    labels = upper_loo_centroid(_entry(X, gold))
    assert labels.tolist() == _brute_force(X, gold, ids)
    # A scored argument alone in its gold cluster cannot be given that cluster once left out.
    lonely = dict(gold, a0="kp-alone")
    labels = upper_loo_centroid(_entry(X, lonely))
    alone = sorted(set(lonely.values())).index("kp-alone")
    assert labels[0] != alone
    assert labels.tolist() == _brute_force(X, lonely, ids)


def test_nearest_key_point_and_k_range():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1]])
    K = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert upper_nearest_kp(_entry(X, {}, K)).tolist() == [1, 0, 1]
    assert list(k_range(100)) == list(range(3, 13))   # 1.2 * sqrt(100) = 12
    assert max(k_range(10_000)) == 30                   # capped as the pipeline's max_themes
