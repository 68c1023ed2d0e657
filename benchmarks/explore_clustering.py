"""Clusterings of the ArgKP arguments tried outside the pipeline, and two upper bounds.

Not a benchmark of Harvest: this reproduces the figures in RESULTS.md, "Tried and not kept".
It works on one MiniLM vector per whole argument (no segmenting, no context, no dissolving or
reassigning of small themes), so its "kept configuration" row is close to, not equal to, what
`benchmarks/quality.py` measures for the pipeline.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/explore_clustering.py [--split dev|train|both]
        [--only NAME ...] [--cache-dir DIR] [--list]

One row per method; for each split the mean over groups (every group weighs the same) of ARI,
NMI, theme recall, unassigned share and number of themes, scored by benchmarks/metrics.py.

The two upper bounds use the gold answers, so no clustering can be expected to reach them:
- `upper-nearest-kp`: each argument gets the gold key point whose MiniLM vector is nearest (raw
  cosine). It says how well these embeddings place an argument beside the sentence that
  summarises it.
- `upper-loo-centroid`: each scored argument gets the nearest (cosine) centroid of the gold
  clusters computed without it (leave-one-out), each unscored argument the nearest centroid.
  It says how separable the gold clusters are in this space when one knows them.

The embeddings (raw texts, and texts with the common words cut) and spaCy lemmas (the pipeline's
`synthesis.segment.load_nlp`) are cached in a pickle per split under --cache-dir (default
/tmp/harvest-explore-cache), so a second run only clusters. Everything is seeded (seed 0).
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import sys
import time
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.eval_data import load_groups  # noqa: E402
from benchmarks.metrics import UNASSIGNED, average, score_group  # noqa: E402
from synthesis.cluster import SpectralThemes, affinity, neighbour_graph, refine, silhouette  # noqa: E402
from synthesis.vocabulary import common_words, content_terms, lexical_vectors, neutral_texts  # noqa: E402

CACHE_VERSION = 1
SEED = 0
NEIGHBOURS = 10
LEXICAL_WEIGHT = 0.4
GRANULARITY = 1.2          # k at most 1.2 sqrt(n), as the pipeline's theme_granularity
K_MIN, K_MAX = 3, 30       # as the pipeline's min_themes / max_themes
# The texts embedded per argument: "raw" the argument itself; the others with common words cut.
VARIANTS = ("raw", "share0.3", "share0.5", "title")
LDA_DIM, LDA_RIDGE = 64, 0.1
LDA_TRAIN, HELD_OUT = slice(0, 24), slice(24, 48)   # argkp-train groups 1-24 / 25-48


# --- data: embeddings and lemmas, cached ----------------------------------------------------------

def build_split(split: str) -> list[dict]:
    """Per group of the split: the group, content terms per argument, the common-word sets, the
    vectors of each text variant (VARIANTS) and of the gold key points."""
    from synthesis.embed import default_embedder
    from synthesis.segment import load_nlp

    nlp, embedder = load_nlp(), default_embedder()
    out = []
    for group in load_groups(split):
        texts = [t for _, t in group.arguments]
        terms = [content_terms(doc, 0, len(doc.text)) for doc in nlp.pipe(texts)]
        everything = np.ones(len(texts), dtype=bool)
        index = list(range(len(texts)))
        topic = nlp(group.topic)
        common = {"raw": set(),
                  "share0.3": common_words(terms, index, everything, 0.3),
                  "share0.5": common_words(terms, index, everything, 0.5),
                  "title": {lemma for _, _, lemma in content_terms(topic, 0, len(topic.text))}}
        vectors = {name: embedder.encode(neutral_texts(texts, [0] * len(texts), terms, common[name]))
                   for name in VARIANTS}
        kp_ids = list(group.key_points)
        out.append({"group": group, "terms": terms, "common": common, "vectors": vectors,
                    "kp_ids": kp_ids, "kp_vectors": embedder.encode([group.key_points[k] for k in kp_ids])})
        print(f"  embedded {group.name} ({len(texts)} arguments)", file=sys.stderr, flush=True)
    return out


class Data:
    """The cached per-group data of each split, loaded (or built) on first use."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self._splits: dict[str, list[dict]] = {}

    def split(self, name: str) -> list[dict]:
        """The groups of a split, from the pickle cache when it matches the evaluation data."""
        if name not in self._splits:
            path = self.cache_dir / f"argkp-{name}-v{CACHE_VERSION}.pkl"
            names = [g.name for g in load_groups(name)]
            data = None
            if path.is_file():
                with path.open("rb") as handle:
                    data = pickle.load(handle)
                if [e["group"].name for e in data] != names:
                    data = None
            if data is None:
                print(f"Embedding argkp-{name} (cached in {path})...", file=sys.stderr, flush=True)
                data = build_split(name)
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                with path.open("wb") as handle:
                    pickle.dump(data, handle)
            self._splits[name] = data
        return self._splits[name]


# --- building blocks --------------------------------------------------------------------------------

def unit(X: np.ndarray) -> np.ndarray:  # noqa: N803
    """Rows scaled to unit length."""
    return X / (np.linalg.norm(X, axis=1, keepdims=True) + 1e-12)


def similarity(e: dict, variant: str = "share0.3", weight: float = LEXICAL_WEIGHT,
               projection: np.ndarray | None = None) -> np.ndarray:
    """The pipeline's similarity: event-centred cosine of the variant's vectors (optionally
    projected after centring), blended by `weight` with TF-IDF over the remaining content lemmas."""
    X = e["vectors"][variant].astype(np.float64)
    if projection is not None:
        X = (X - X.mean(axis=0)) @ projection
    lexical = lexical_vectors(e["terms"], e["common"][variant]) if weight > 0 else None
    return affinity(X, lexical, weight)


def judge(e: dict, variant: str = "share0.3") -> np.ndarray:
    """What silhouette judges cuts by, as in the pipeline: the centred embeddings alone."""
    return affinity(e["vectors"][variant], None, 0.0)


def k_range(n: int) -> range:
    """The numbers of themes tried: 3 to 1.2 sqrt(n) (at most 30), as the pipeline."""
    top = max(2, min(K_MAX, int(round(GRANULARITY * math.sqrt(n))), n - 1))
    return range(min(K_MIN, top), top + 1)


def spectral(graph: np.ndarray, k: int) -> np.ndarray:
    """Spectral clustering of a precomputed graph into k clusters, seeded, warnings silenced as in
    SpectralThemes (a disconnected graph or ARPACK falling back to LOBPCG still gives labels)."""
    from sklearn.cluster import SpectralClustering

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.filterwarnings("ignore", message="ARPACK has failed", category=RuntimeWarning)
        return SpectralClustering(k, affinity="precomputed", random_state=SEED, assign_labels="kmeans",
                                  n_init=10).fit_predict(graph)


def by_silhouette(candidates: Callable[[int], np.ndarray], distances: np.ndarray) -> np.ndarray:
    """The labelling with the best silhouette over `distances` among candidates(k), k in k_range."""
    best = None
    for k in k_range(len(distances)):
        labels = candidates(k)
        score = silhouette(distances, labels)
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    return best[1]


def distances_of(sim: np.ndarray) -> np.ndarray:
    """1 - similarity, clipped to [0, 2], zero diagonal."""
    D = np.clip(1.0 - sim, 0.0, 2.0)
    np.fill_diagonal(D, 0.0)
    return D


def kept_labels(e: dict, variant: str = "share0.3", weight: float = LEXICAL_WEIGHT,
                projection: np.ndarray | None = None) -> np.ndarray:
    """The kept configuration: 10-NN graph, spectral, k by silhouette, refined (SpectralThemes)."""
    A = similarity(e, variant, weight, projection)
    themes = SpectralThemes(granularity=GRANULARITY, k_min=K_MIN, k_max=K_MAX, neighbours=NEIGHBOURS,
                            random_state=SEED)
    return themes.fit(A, judge=judge(e, variant)).labels_


# --- methods: each takes one group's data and returns a label per argument (-1 = unassigned) -----

def upper_nearest_kp(e: dict) -> np.ndarray:
    """Upper bound: the gold key point whose vector is nearest (raw cosine)."""
    return np.argmax(e["vectors"]["raw"] @ e["kp_vectors"].T, axis=1)


def upper_loo_centroid(e: dict) -> np.ndarray:
    """Upper bound: nearest centroid of the gold clusters, each scored argument left out of its own."""
    X = e["vectors"]["raw"].astype(np.float64)
    ids = [a for a, _ in e["group"].arguments]
    kps = sorted(set(e["group"].gold.values()))
    gold = np.array([kps.index(e["group"].gold[a]) if a in e["group"].gold else -1 for a in ids])
    onehot = np.zeros((len(X), len(kps)))
    onehot[gold >= 0, gold[gold >= 0]] = 1.0
    sums, sizes = onehot.T @ X, onehot.sum(axis=0)
    labels = np.zeros(len(X), dtype=int)
    for i in range(len(X)):
        own = onehot[i]  # zero row for an unscored argument: nothing to leave out
        centres, counts = sums - own[:, None] * X[i], sizes - own
        scores = np.where(counts > 0, (centres @ X[i]) / (np.linalg.norm(centres, axis=1) + 1e-12), -np.inf)
        labels[i] = int(np.argmax(scores))
    return labels


def kmeans(k: int) -> Callable[[dict], np.ndarray]:
    """Plain k-means on the raw vectors."""
    from sklearn.cluster import KMeans

    return lambda e: KMeans(k, n_init=10, random_state=SEED).fit_predict(e["vectors"]["raw"])


def kept(variant: str = "share0.3") -> Callable[[dict], np.ndarray]:
    """The kept configuration, with the common words of `variant` cut before embedding."""
    return lambda e: kept_labels(e, variant)


def gold_k(e: dict) -> np.ndarray:
    """The kept configuration with k fixed at the number of gold key points the group uses."""
    A = similarity(e)
    return refine(A, spectral(neighbour_graph(A, NEIGHBOURS), max(2, len(set(e["group"].gold.values())))))


def louvain(resolution: float) -> Callable[[dict], np.ndarray]:
    """Louvain communities (networkx, seed 0) of the 10-NN graph weighted by similarity, refined."""
    import networkx as nx

    def method(e: dict) -> np.ndarray:
        A = similarity(e)
        weighted = neighbour_graph(A, NEIGHBOURS) * np.clip(A, 0.01, None)
        communities = nx.community.louvain_communities(nx.from_numpy_array(weighted),
                                                       resolution=resolution, seed=SEED)
        labels = np.zeros(len(A), dtype=int)
        for number, members in enumerate(sorted(communities, key=min)):
            labels[sorted(members)] = number
        return refine(A, labels)
    return method


def average_link(e: dict) -> np.ndarray:
    """Average-linkage agglomerative clustering on 1 - similarity, k by silhouette, refined."""
    from sklearn.cluster import AgglomerativeClustering

    A = similarity(e)
    D = distances_of(A)
    labels = by_silhouette(
        lambda k: AgglomerativeClustering(k, metric="precomputed", linkage="average").fit_predict(D),
        distances_of(judge(e)))
    return refine(A, labels)


@cache
def lda_projection(data: Data) -> np.ndarray:
    """(384, LDA_DIM) projection maximising between- over within-key-point scatter of the
    group-centred share0.3 vectors of argkp-train groups 1-24 (ridge LDA_RIDGE * mean variance),
    columns weighted by the square root of their discriminability."""
    import scipy.linalg

    dim = 384
    within, between, count = np.zeros((dim, dim)), np.zeros((dim, dim)), 0
    for e in data.split("train")[LDA_TRAIN]:
        X = e["vectors"]["share0.3"].astype(np.float64)
        X = X - X.mean(axis=0)
        gold = np.array([e["group"].gold.get(a, "") for a, _ in e["group"].arguments])
        for kp in sorted(set(gold) - {""}):
            Y = X[gold == kp]
            if len(Y) < 2:
                continue
            centre = Y.mean(axis=0)
            within += (Y - centre).T @ (Y - centre)
            between += len(Y) * np.outer(centre, centre)
            count += len(Y)
    within, between = within / count, between / count
    ridge = within + LDA_RIDGE * np.trace(within) / dim * np.eye(dim)
    values, vectors = scipy.linalg.eigh(between, ridge)
    order = np.argsort(-values)[:LDA_DIM]
    return vectors[:, order] * np.sqrt(np.maximum(values[order], 0.0))[None, :]


def lda(data: Data) -> Callable[[dict], np.ndarray]:
    """The kept configuration on vectors projected by the LDA learned on train groups 1-24."""
    return lambda e: kept_labels(e, projection=lda_projection(data))


def consensus(e: dict) -> np.ndarray:
    """Co-association over spectral cuts of a grid of variants (common words share 0.3 / title
    words, lexical weight 0.3 / 0.5, 7 / 12 neighbours, every other k), then average linkage on
    1 - co-association, k by silhouette, refined on the kept similarity."""
    from sklearn.cluster import AgglomerativeClustering

    n = len(e["vectors"]["raw"])
    together, runs = np.zeros((n, n)), 0
    for variant in ("share0.3", "title"):
        for weight in (0.3, 0.5):
            A = similarity(e, variant, weight)
            for neighbours in (7, 12):
                graph = neighbour_graph(A, neighbours)
                for k in k_range(n)[::2]:
                    labels = spectral(graph, k)
                    together += labels[:, None] == labels[None, :]
                    runs += 1
    D = distances_of(together / runs)
    labels = by_silhouette(
        lambda k: AgglomerativeClustering(k, metric="precomputed", linkage="average").fit_predict(D),
        distances_of(judge(e)))
    return refine(similarity(e), labels)


# --- registry and scoring -----------------------------------------------------------------------------

def registry(data: Data) -> dict[str, tuple[Callable[[dict], np.ndarray], slice | None]]:
    """Method name -> (function, the argkp-train groups it is scored on; None = all)."""
    return {
        "upper-nearest-kp": (upper_nearest_kp, None),
        "upper-loo-centroid": (upper_loo_centroid, None),
        "kmeans-raw-k4": (kmeans(4), None),
        "kmeans-raw-k6": (kmeans(6), None),
        "kept": (kept("share0.3"), None),
        "kept-gold-k": (gold_k, None),
        "louvain-0.8": (louvain(0.8), None),
        "louvain-1.0": (louvain(1.0), None),
        "average-link": (average_link, None),
        "kept-share0.5": (kept("share0.5"), None),
        "kept-title-words": (kept("title"), None),
        "kept-train25-48": (kept("share0.3"), HELD_OUT),
        "lda64-train25-48": (lda(data), HELD_OUT),
        "consensus": (consensus, None),
    }


def score(method: Callable[[dict], np.ndarray], groups: list[dict]) -> dict[str, float]:
    """The mean scores of a method over groups."""
    scores = []
    for e in groups:
        labels = method(e)
        produced = {a: (UNASSIGNED if lab < 0 else f"t{lab}")
                    for (a, _), lab in zip(e["group"].arguments, labels, strict=True)}
        scores.append(score_group(e["group"].gold, produced))
    return average(scores)


def main(argv: list[str] | None = None) -> int:
    """Print one table row per method; exit status 1 on an unknown method name."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "train", "both"), default="both")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these methods (see --list)")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/harvest-explore-cache"))
    parser.add_argument("--list", action="store_true", help="list the method names and exit")
    args = parser.parse_args(argv)
    data = Data(args.cache_dir)
    methods = registry(data)
    if args.list:
        print("\n".join(methods))
        return 0
    unknown = [name for name in args.only or [] if name not in methods]
    if unknown:
        print(f"Unknown method {', '.join(unknown)}: use one of {', '.join(methods)}.", file=sys.stderr)
        return 1
    splits = ("dev", "train") if args.split == "both" else (args.split,)
    for split in splits:
        data.split(split)
    header = "| method | " + " | ".join(f"{s} ARI | {s} NMI | {s} recall | {s} unassigned | {s} themes"
                                        for s in splits) + " |"
    print(header)
    print("|---" * (1 + 5 * len(splits)) + "|", flush=True)
    for name in args.only or methods:
        method, train_groups = methods[name]
        start, cells = time.perf_counter(), []
        for split in splits:
            groups = data.split(split)
            if split == "train" and train_groups is not None:
                groups = groups[train_groups]
            m = score(method, groups)
            cells += [f"{m['ari']:.3f}", f"{m['nmi']:.3f}", f"{m['recall']:.2f}", f"{m['unassigned']:.0%}",
                      f"{m['themes']:.1f}"]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
        print(f"  {name}: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
