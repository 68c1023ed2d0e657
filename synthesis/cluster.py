"""Stage 3: cluster segment embeddings into themes, with components sized to the data.

BERTopic's defaults (UMAP + HDBSCAN, min_topic_size=10) put most of a small event in the
outlier topic. So the components are chosen for the size of the data (see fit_themes):

- small events (up to `small_event_segments` segments, e.g. one table's 25 sentences or a few
  hundred survey answers): no dimension reduction; spectral clustering of a nearest-neighbour
  graph built from event-centred embeddings and shared uncommon words, with the number of
  themes chosen by silhouette up to about sqrt(n); BERTopic's class is not imported (seconds);
- larger events: BERTopic itself (synthesis/bertopic_themes.py) with these components: UMAP
  (seeded, so runs repeat, on exact neighbours, and cached in the database) to 5 dimensions and
  HDBSCAN with a minimum cluster size scaled to n.

Leftovers are then reassigned to the nearest theme centre where they are similar enough; the
rest stay unassigned (label -1). Everything here is deterministic.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

UNASSIGNED = -1
# How a large event's reduction is made (part of its cache key): UMAP on exact_neighbours.
UMAP_METHOD = "umap-exact-cosine-knn-1"


def silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette over a precomputed distance matrix (as scikit-learn's silhouette_score,
    without its input checks, which cost more than the sum on a matrix of this size)."""
    labels = np.asarray(labels)
    names, index = np.unique(labels, return_inverse=True)
    if len(names) < 2:
        return 0.0
    onehot = np.zeros((len(labels), len(names)))
    onehot[np.arange(len(labels)), index] = 1.0
    sizes = onehot.sum(axis=0)
    sums = distances @ onehot  # total distance from each point to each cluster
    own = sizes[index]
    a = np.where(own > 1, sums[np.arange(len(labels)), index] / np.maximum(own - 1, 1), 0.0)
    mean_other = sums / sizes
    mean_other[np.arange(len(labels)), index] = np.inf
    b = mean_other.min(axis=1)
    s = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def affinity(vectors: np.ndarray, lexical: np.ndarray | None, lexical_weight: float,
             centred: np.ndarray | None = None) -> np.ndarray:
    """(n, n) similarity of segments: cosine of their event-centred vectors, blended with the
    cosine of their lexical (TF-IDF) rows by `lexical_weight`. `centred` is the first part when
    the caller already has it (affinity(vectors, None, 0)).

    Centring takes away what every segment of the event shares, so the similarity measures how
    two segments differ from the rest; the lexical part draws together segments that use the same
    uncommon words, which sentence embeddings of short texts weigh too little.
    """
    A = centred
    if A is None:
        X = np.asarray(vectors, dtype=np.float64)
        X = X - X.mean(axis=0)
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        X = X / norms
        A = X @ X.T
    if lexical is not None and lexical_weight > 0 and lexical.shape[1]:
        L = np.asarray(lexical, dtype=np.float64)
        A = (1.0 - lexical_weight) * A + lexical_weight * (L @ L.T)
    return A


def neighbour_graph(similarity: np.ndarray, neighbours: int) -> np.ndarray:
    """A symmetric 0/1 graph joining each segment to its `neighbours` most similar segments
    (ties broken by position, so the graph is the same on every run)."""
    n = len(similarity)
    k = max(1, min(neighbours, n - 1))
    masked = similarity.copy()
    np.fill_diagonal(masked, -np.inf)
    nearest = np.argsort(-masked, axis=1, kind="stable")[:, :k]
    graph = np.zeros((n, n))
    graph[np.repeat(np.arange(n), k), nearest.ravel()] = 1.0
    return np.maximum(graph, graph.T)


def refine(similarity: np.ndarray, labels: np.ndarray, rounds: int = 5) -> np.ndarray:
    """Move each segment to the theme it is most similar to on average (itself left out), a few
    rounds or until nothing moves: spectral clustering cuts the graph, this tidies its edges."""
    labels = np.asarray(labels).copy()
    n = len(labels)
    for _ in range(rounds):
        names, index = np.unique(labels, return_inverse=True)
        onehot = np.zeros((n, len(names)))
        onehot[np.arange(n), index] = 1.0
        sums = similarity @ onehot
        sums[np.arange(n), index] -= np.diag(similarity)
        sizes = onehot.sum(axis=0)[None, :] - onehot
        mean = np.where(sizes > 0, sums / np.maximum(sizes, 1), -np.inf)
        moved = names[np.argmax(mean, axis=1)]
        if np.array_equal(moved, labels):
            break
        labels = moved
    return labels


class SpectralThemes:
    """A clusterer (sklearn-style `fit` -> `labels_`) for a small event: spectral clustering of
    the segments' nearest-neighbour graph, the number of themes chosen by silhouette between
    `k_min` and about `granularity * sqrt(n)` (25 sentences -> up to 5 themes, 120 -> 11), then
    refined. `fit` takes the similarity matrix from `affinity` (which builds the graph) and,
    optionally, the one the silhouette judges the cuts by (`judge`: the embeddings alone, since
    shared rare words make a sparse, noisy distance). Seeded, so runs repeat.

    On the ArgKP development set this finds the key points far better than a Ward tree or
    k-means on the raw embeddings (benchmarks/RESULTS.md).
    """

    def __init__(self, granularity: float = 1.0, k_min: int = 3, k_max: int = 30, neighbours: int = 10,
                 random_state: int = 42) -> None:
        self.granularity = granularity
        self.k_min = k_min
        self.k_max = k_max
        self.neighbours = neighbours
        self.random_state = random_state
        self.labels_: np.ndarray | None = None
        self.scores_: dict[int, float] = {}

    def fit(self, similarity: np.ndarray, y=None, judge: np.ndarray | None = None) -> SpectralThemes:
        """Fit on an (n, n) similarity matrix; sets `labels_` (0..k-1) and `scores_` (silhouette per
        k, over 1 - `judge`, by default the same similarity)."""
        from threadpoolctl import threadpool_limits

        n = len(similarity)
        top = max(2, min(self.k_max, int(round(self.granularity * math.sqrt(n))), n - 1))
        low = max(2, min(self.k_min, top))
        if n < 4:
            self.labels_ = np.zeros(n, dtype=int)
            return self
        graph = neighbour_graph(similarity, self.neighbours)
        distances = np.clip(1.0 - (similarity if judge is None else judge), 0.0, 2.0)
        np.fill_diagonal(distances, 0.0)
        best = None
        # One thread: on matrices this small threads gain nothing, and on a busy machine (or
        # beside another run in the web worker) BLAS and OpenMP threads waiting on each other
        # made the eigenvectors 70x slower (17 s against 0.25 s at 400 segments, load 13).
        with threadpool_limits(1):
            maps = spectral_maps(graph, top, self.random_state)
            for k in range(low, top + 1):
                labels = spectral_cut(maps, k, self.random_state)
                if len(set(labels.tolist())) < 2:
                    continue
                score = silhouette(distances, labels)
                self.scores_[k] = score
                if best is None or score > best[0] + 1e-9:
                    best = (score, labels)
        labels = best[1] if best is not None else np.zeros(n, dtype=int)
        self.labels_ = refine(similarity, labels)
        return self


def spectral_maps(graph: np.ndarray, components: int, random_state: int) -> np.ndarray:
    """The graph's spectral embedding in `components` dimensions (the eigenvectors of its
    normalised Laplacian with the smallest eigenvalues, first kept), computed once per fit:
    scikit-learn's SpectralClustering computes it again for every number of themes tried, and
    its first k columns are what it computes for k (4.6 s -> 0.6 s over the candidate k at 400
    segments)."""
    import warnings

    from sklearn.manifold import spectral_embedding

    with warnings.catch_warnings():
        # "Graph is not fully connected": the spectral embedding is still usable; and
        # "ARPACK has failed, falling back to LOBPCG": the fallback gives the eigenvectors.
        warnings.simplefilter("ignore", UserWarning)
        warnings.filterwarnings("ignore", message="ARPACK has failed", category=RuntimeWarning)
        return spectral_embedding(graph, n_components=components, random_state=random_state,
                                  drop_first=False)


def spectral_cut(maps: np.ndarray, k: int, random_state: int) -> np.ndarray:
    """k themes from the first k columns of `maps` by k-means, as SpectralClustering(k,
    assign_labels="kmeans", n_init=10) does; its seeded generator has drawn ARPACK's starting
    vector first, so that draw is made here too and k-means starts where it started."""
    from sklearn.cluster import k_means

    rng = np.random.RandomState(random_state)
    rng.uniform(-1, 1, len(maps))
    _, labels, _ = k_means(maps[:, :k], k, random_state=rng, n_init=10)
    return labels


def small_clusterer(settings: dict) -> SpectralThemes:
    """The clusterer for a small event, from the run's settings."""
    return SpectralThemes(granularity=settings["theme_granularity"], k_min=settings["min_themes"],
                          k_max=settings["max_themes"], neighbours=settings["neighbours"],
                          random_state=settings["random_state"])


def exact_neighbours(X: np.ndarray, k: int, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k nearest rows by cosine distance (itself first), exactly, in blocks of rows so
    memory stays at block x n. UMAP computes the same neighbours for fewer than 4,096 points by
    calling a numba metric once per pair from Python, which took 42 of its 74 s on 3,500
    segments; a matrix product takes a fraction of a second."""
    Y = np.asarray(X, dtype=np.float32)
    norms = np.linalg.norm(Y, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    Y = Y / norms
    n = len(Y)
    k = min(k, n)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float32)
    for lo in range(0, n, block):
        d = 1.0 - Y[lo:lo + block] @ Y.T
        rows = np.arange(len(d))
        d[rows, rows + lo] = -1.0  # itself first, whatever rounding says
        part = np.argpartition(d, k - 1, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(d, part, axis=1), axis=1, kind="stable")
        indices[lo:lo + block] = np.take_along_axis(part, order, axis=1)
        distances[lo:lo + block] = np.clip(np.take_along_axis(d, indices[lo:lo + block], axis=1), 0.0, 2.0)
    return indices, distances


class CachedReducer:
    """A dimension reduction (UMAP) whose result is stored in the database, keyed by a hash of
    the input vectors and the reducer's settings: re-running on the same notes reuses it, as the
    embedding cache does for embeddings, without even importing UMAP. `make(X, **params)` reduces
    when the cache misses; `method` names how, so a change of method does not reuse old results.
    UMAP is seeded, so the result is the same."""

    def __init__(self, make, params: dict, db=None, method: str = "") -> None:
        self.make = make
        self.params = params
        self.db = db
        self.method = method
        self.embedding_: np.ndarray | None = None
        self.cache_hit = False
        self._fitted_key = ""

    def _key(self, X: np.ndarray) -> str:  # noqa: N803
        import hashlib

        digest = hashlib.sha256(np.ascontiguousarray(X, dtype=np.float32).tobytes())
        digest.update(repr((self.method, sorted((k, repr(v)) for k, v in self.params.items()))).encode())
        return digest.hexdigest()

    def transform(self, X: np.ndarray) -> np.ndarray:  # noqa: N803 - sklearn API
        """The reduction of the X given to fit (BERTopic calls fit, then transform)."""
        if self.embedding_ is None or len(X) != len(self.embedding_):
            raise ValueError("CachedReducer.transform: call fit on the same vectors first")
        return self.embedding_

    def fit(self, X: np.ndarray, y=None) -> CachedReducer:  # noqa: N803 - sklearn API
        """Reduce X, from the cache when the same input was reduced before."""
        key = self._key(X)
        if key == self._fitted_key:
            return self  # fit again on the same vectors (BERTopic fits what was fitted before it)
        if self.db is not None:
            row = self.db.conn.execute("SELECT rows, dim, vector FROM reduction_cache WHERE key = ?",
                                       [key]).fetchone()
            if row is not None:
                self.embedding_ = np.frombuffer(row[2], dtype=np.float32).reshape(row[0], row[1])
                self.cache_hit = True
                self._fitted_key = key
                return self
        self.embedding_ = np.asarray(self.make(X, **self.params), dtype=np.float32)
        if self.db is not None:
            self.db.conn.execute(
                "INSERT OR REPLACE INTO reduction_cache (key, rows, dim, vector) VALUES (?, ?, ?, ?)",
                [key, *self.embedding_.shape, self.embedding_.tobytes()])
            self.db.conn.commit()
        self._fitted_key = key
        return self


_umap_compiles_cached: list[int] = []


def cache_umap_compiles() -> int:
    """Let numba keep UMAP's compiled functions on disk; how many it keeps (done once a process).

    UMAP's numba functions are compiled on first use in every process, about 8 s of a large
    event's cold run on 2 cores (more than UMAP's own work on 3,000 points), because UMAP does
    not ask numba to cache them. numba's `enable_caching` stores the machine code beside the
    source (else in its user cache folder), keyed by the function's bytecode, signature and CPU,
    so later processes load it instead of compiling; it is the same code, so the same layout.
    Two dispatchers made from one Python function (the layout's serial and parallel variants)
    would share one cache entry, so of such twins only the serial one is cached (the one a
    seeded UMAP, as here, runs); the parallel one compiles as before."""
    if _umap_compiles_cached:
        return _umap_compiles_cached[0]
    import sys

    import umap  # noqa: F401 - loads its modules
    from numba.core.registry import CPUDispatcher

    unique = {id(obj): obj for name, module in list(sys.modules.items())
              if name == "umap" or name.startswith("umap.")
              for obj in vars(module).values() if isinstance(obj, CPUDispatcher)}
    functions = Counter(id(d.py_func) for d in unique.values())
    serial = Counter(id(d.py_func) for d in unique.values() if not d.targetoptions.get("parallel"))
    kept = 0
    for dispatcher in unique.values():
        twins = functions[id(dispatcher.py_func)] > 1
        if twins and (dispatcher.targetoptions.get("parallel") or serial[id(dispatcher.py_func)] != 1):
            continue
        try:
            dispatcher.enable_caching()
        except RuntimeError:  # no writable cache folder: it compiles, as before
            continue
        kept += 1
    _umap_compiles_cached.append(kept)
    return kept


def umap_reduce(X: np.ndarray, **params) -> np.ndarray:  # noqa: N803
    """UMAP of X with `params`, given its exact cosine neighbours (exact_neighbours)."""
    import warnings

    from umap import UMAP

    cache_umap_compiles()
    knn = exact_neighbours(X, params["n_neighbors"])
    with warnings.catch_warnings():
        # Only transform() needs the search index; and a seed means one thread, as intended.
        warnings.filterwarnings("ignore", message=r".*knn_search_index.*", category=UserWarning)
        warnings.filterwarnings("ignore", message=r"n_jobs value .* overridden", category=UserWarning)
        reducer = UMAP(**params, precomputed_knn=(*knn, None), force_approximation_algorithm=True)
        return reducer.fit_transform(X)


def large_settings(n: int, settings: dict) -> tuple[dict, dict]:
    """The settings of a large event's two components, sized for it: seeded UMAP to 5
    dimensions, and HDBSCAN with leaf selection (fine themes rather than a few broad ones; on
    3,000 arguments the default 'eom' gave 20 themes for 115 key points) and a minimum cluster
    size that grows with n (3,000 segments -> 11). Plain dicts: neither library is imported."""
    # UMAP takes its neighbours from us only when there are at least n_neighbors of them (a
    # point counts as its own first); `small_event_segments` may be set low.
    umap_params = {"n_neighbors": max(2, min(15, n - 1)), "n_components": 5, "min_dist": 0.0,
                   "metric": "cosine", "random_state": settings["random_state"], "low_memory": True}
    min_size = max(5, int(round(math.sqrt(n) / 5)))
    hdbscan_params = {"min_cluster_size": min_size, "min_samples": max(2, min_size // 2),
                      "metric": "euclidean", "cluster_selection_method": "leaf", "prediction_data": False}
    return umap_params, hdbscan_params


def large_components(n: int, settings: dict):
    """BERTopic's two components for a large event (large_settings): the UMAP settings, for a
    cached reducer, and the HDBSCAN clusterer."""
    from hdbscan import HDBSCAN

    umap_params, hdbscan_params = large_settings(n, settings)
    return umap_params, HDBSCAN(**hdbscan_params)


def fit_themes(texts: Sequence[str], embeddings: np.ndarray, settings: dict, cache=None,
               lexical: np.ndarray | None = None, large=None) -> np.ndarray:
    """Topic of each text (-1 = outlier), with components chosen for the size of the data.

    Small events: spectral clustering here (no BERTopic: its import alone costs seconds, which
    a cold `harvest synthesise` on one table cannot afford). Large events: BERTopic itself,
    through `large` (a bertopic_themes.LargeEventTopics, made here when not given), with the
    cached UMAP reduction and HDBSCAN as its components.
    """
    n = len(texts)
    if n <= settings["small_event_segments"]:
        judge = affinity(embeddings, None, 0.0)
        similarity = affinity(embeddings, lexical, settings["lexical_weight"], centred=judge)
        return small_clusterer(settings).fit(similarity, judge=judge).labels_
    if large is None:
        from synthesis.bertopic_themes import LargeEventTopics

        large = LargeEventTopics(settings, cache)
    return large.fit(texts, embeddings)


def with_context(embeddings: np.ndarray, note_index: Sequence[int], weight: float,
                 window: int = 1) -> np.ndarray:
    """Each segment's vector blended with its neighbours in the same note (`window` segments
    each side, together weighing `weight`), re-normalised.

    Minutes and transcripts are written a topic per paragraph, so a sentence's neighbours say
    what it is about ("This is seen as a real constraint" means nothing alone); a one-sentence
    note (a survey answer, an argument) has no neighbours and keeps its own vector.
    """
    if weight <= 0 or len(embeddings) == 0:
        return embeddings
    out = embeddings.copy()
    notes = np.asarray(note_index)
    n = len(embeddings)
    for i in range(n):
        lo, hi = max(0, i - window), min(n, i + window + 1)
        neighbours = [j for j in range(lo, hi) if j != i and notes[j] == notes[i]]
        if neighbours:
            out[i] = embeddings[i] + weight * embeddings[neighbours].mean(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (out / norms).astype(np.float32)


def centroids(embeddings: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """Unit-length mean vector of each label other than UNASSIGNED."""
    out = {}
    for label in sorted(set(labels.tolist()) - {UNASSIGNED}):
        centre = embeddings[labels == label].mean(axis=0)
        norm = np.linalg.norm(centre)
        out[label] = centre / norm if norm else centre
    return out


def dissolve_small(labels: np.ndarray, min_size: int) -> np.ndarray:
    """Clusters smaller than min_size become UNASSIGNED (they may be reassigned afterwards)."""
    labels = labels.copy()
    for label in set(labels.tolist()) - {UNASSIGNED}:
        if (labels == label).sum() < min_size:
            labels[labels == label] = UNASSIGNED
    return labels


def reassign(embeddings: np.ndarray, labels: np.ndarray, threshold: float,
             eligible: np.ndarray | None = None) -> np.ndarray:
    """Give each UNASSIGNED (eligible) segment the theme whose centre is most similar, if above
    `threshold`; the others stay UNASSIGNED."""
    labels = labels.copy()
    centres = centroids(embeddings, labels)
    if not centres:
        return labels
    keys = list(centres)
    matrix = np.vstack([centres[k] for k in keys])
    for i in np.flatnonzero(labels == UNASSIGNED):
        if eligible is not None and not eligible[i]:
            continue
        sims = matrix @ embeddings[i]
        best = int(np.argmax(sims))
        if sims[best] >= threshold:
            labels[i] = keys[best]
    return labels


def cluster(texts: Sequence[str], embeddings: np.ndarray, settings: dict,
            eligible: np.ndarray | None = None, cache=None, lexical: np.ndarray | None = None,
            large=None) -> np.ndarray:
    """Theme label per segment (0..k-1, or UNASSIGNED). Only `eligible` segments are clustered
    (segments with no words, e.g. only emoji, are not); labels are renumbered by size.
    `cache` is the database, where a large event's UMAP reduction is kept for re-runs;
    `lexical` holds the segments' TF-IDF rows (vocabulary.py), used for small events; `large`
    is the BERTopic component for a large event (bertopic_themes.LargeEventTopics), which the
    caller keeps to ask it for the themes' keywords."""
    n = len(texts)
    labels = np.full(n, UNASSIGNED, dtype=int)
    if eligible is None:
        eligible = np.ones(n, dtype=bool)
    index = np.flatnonzero(eligible)
    if len(index) == 0:
        return labels
    if len(index) < 3:
        # Too few to cluster: one theme (one note of three words gives one theme).
        labels[index] = 0
        return labels
    sub = fit_themes([texts[i] for i in index], embeddings[index], settings, cache,
                     None if lexical is None else lexical[index], large)
    labels[index] = sub
    labels = dissolve_small(labels, settings["min_theme_size"])
    labels = reassign(embeddings, labels, settings["reassign_threshold"], eligible)
    return renumber(labels)


def renumber(labels: np.ndarray) -> np.ndarray:
    """Labels 0..k-1 by decreasing size (ties: first appearance), UNASSIGNED kept."""
    counts: dict[int, int] = {}
    first: dict[int, int] = {}
    for i, label in enumerate(labels.tolist()):
        if label == UNASSIGNED:
            continue
        counts[label] = counts.get(label, 0) + 1
        first.setdefault(label, i)
    order = sorted(counts, key=lambda lab: (-counts[lab], first[lab]))
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping.get(lab, UNASSIGNED) for lab in labels.tolist()], dtype=int)
