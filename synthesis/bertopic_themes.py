"""Stage 3 for large events: BERTopic itself, with Harvest's components passed in.

Above `small_event_segments` segments, the themes come from `bertopic.BERTopic.fit_transform`
on the segments' own (precomputed) embeddings, with its stages given from outside, as BERTopic
is meant to be used:

- `umap_model`: the seeded UMAP reduction, computed once and kept in the database
  (cluster.CachedReducer: fit() reads or makes it, transform() returns it), so a re-run on the
  same notes does not run UMAP again;
- `hdbscan_model`: HDBSCAN sized for the event (cluster.large_components);
- `vectorizer_model`: the words Harvest's keywords count (no stop words, no numbers, none of
  the notes' probable typos), so BERTopic's c-TF-IDF gives the themes' keywords.

BERTopic's import (pandas, plotly, its 5,000-line class) costs seconds, so only this path pays
it, and only when a large event is clustered; its topics and keywords are kept in the database
(bertopic_cache), so a re-run on unchanged notes reads them and does not import it.

Usage:
    topics = LargeEventTopics(settings, db)
    labels = topics.fit(texts, embeddings)        # BERTopic's topics, -1 = outlier
    ...                                            # leftovers reassigned, seeded themes added
    words = topics.keywords(texts, final_labels, 6, leave_out=typos)
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence

import numpy as np

# BERTopic's optional components that need transformers or sentence-transformers (image
# embeddings, text generation, zero-shot and visual labels). Its package imports them eagerly,
# each in a try that falls back to a "not installed" stand-in; Harvest uses none of them and
# gives BERTopic its embeddings, so they are skipped: 8 s of CPU (transformers, then
# torch.distributed) saved on every large event's run.
_UNUSED_PARTS = ("bertopic.backend._multimodal", "bertopic.representation._textgeneration",
                 "bertopic.representation._zeroshot", "bertopic.representation._visual")


def import_bertopic():
    """The BERTopic class, imported without the optional parts Harvest does not use (where it
    is not imported yet); those stay importable by name afterwards."""
    if "bertopic" not in sys.modules:
        skipped = [name for name in _UNUSED_PARTS if name not in sys.modules]
        for name in skipped:
            sys.modules[name] = None  # makes `import name` raise ModuleNotFoundError
        try:
            import bertopic  # noqa: F401
        finally:
            for name in skipped:
                if sys.modules.get(name, ...) is None:
                    del sys.modules[name]
    from bertopic import BERTopic

    return BERTopic


# Two words no text holds, counted in every text when the texts hold fewer than two words a
# keyword may be ("text 1", "text 2"): BERTopic's c-TF-IDF fails on a vocabulary of one word
# (scipy's diags of a scalar) or none (scikit-learn: "empty vocabulary"). Never a keyword.
_PADDING = ("\x00pad-a", "\x00pad-b")


def _vectorizer(texts: Sequence[str], leave_out: set[str] | frozenset[str] = frozenset()):
    """BERTopic's word counter over `texts`, counting the words Harvest's keywords may be
    (label.keyword_words)."""
    from sklearn.feature_extraction.text import CountVectorizer

    from synthesis.label import keyword_words

    vocabulary: set[str] = set()
    for text in texts:
        vocabulary.update(keyword_words(text, leave_out))
        if len(vocabulary) >= 2:
            return CountVectorizer(analyzer=lambda text: keyword_words(text, leave_out))
    return CountVectorizer(analyzer=lambda text: keyword_words(text, leave_out) + list(_PADDING))


def _versions() -> str:
    """The versions of what makes the topics and keywords, for the cache key."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("bertopic", "hdbscan", "scikit-learn"):
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(package)
    return ", ".join(found)


def _key(*parts) -> str:
    """A sha256 over arrays (their bytes and shape) and anything else (its repr)."""
    import hashlib

    digest = hashlib.sha256(repr(CACHE_FORMAT).encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            digest.update(repr((part.dtype.str, part.shape)).encode())
            digest.update(np.ascontiguousarray(part).tobytes())
        elif isinstance(part, (list, tuple)) and all(isinstance(p, str) for p in part):
            for text in part:  # texts: each one's length first, so no two lists hash alike
                digest.update(f"{len(text)}:".encode())
                digest.update(text.encode("utf-8", "surrogatepass"))
        else:
            digest.update(repr(part).encode())
        digest.update(b"\x1f")
    return digest.hexdigest()


# Bump when what is stored in bertopic_cache changes: old entries then miss.
CACHE_FORMAT = 1


class LargeEventTopics:
    """BERTopic for a large event: `fit` clusters (and records that it ran), `keywords` gives
    the c-TF-IDF words of the final themes. `model` is the fitted BERTopic, None until fit
    (and still None when fit and keywords came from the cache).

    Both results are kept in the database (table bertopic_cache), keyed by what they are made
    of: the topics by the UMAP reduction (itself cached by the embeddings, cluster.CachedReducer),
    the texts, HDBSCAN's settings and the versions; the keywords by those, the final themes, the
    number of words and the words left out. So a re-run on unchanged notes gets BERTopic's
    answer without importing it (its import with pandas, plotly and HDBSCAN is 3-4 s, the whole
    of a warm run's budget), and the run still says it went through BERTopic."""

    method = "bertopic"  # the result's run.method

    def __init__(self, settings: dict, cache=None) -> None:
        self.settings = settings
        self.cache = cache
        self.model = None
        self.cache_hits = 0  # results read from bertopic_cache (tests count them)
        self._went_through = False
        self._fit_key = ""
        self._inputs = None  # (texts, embeddings, reducer, HDBSCAN's settings) for _fit_model

    @property
    def fitted(self) -> bool:
        """Whether the event went through BERTopic (now, or in the run the cache keeps)."""
        return self._went_through

    def describe(self) -> str:
        """What clustered the event, for the run's `models`: "bertopic 0.17.4"."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"bertopic {version('bertopic')}"
        except PackageNotFoundError:
            return "bertopic"

    def fit(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """BERTopic's topic of each text (-1 = outlier), on the given embeddings."""
        from synthesis.cluster import UMAP_METHOD, CachedReducer, large_settings, umap_reduce

        umap_params, hdbscan_params = large_settings(len(texts), self.settings)
        vectors = np.asarray(embeddings, dtype=np.float32)
        # The reduction first (from its cache, else UMAP now): the topics' key is made of it.
        reducer = CachedReducer(umap_reduce, umap_params, self.cache, method=UMAP_METHOD).fit(vectors)
        self._inputs = (list(texts), vectors, reducer, hdbscan_params)
        self._fit_key = _key("topics", reducer.embedding_, list(texts), sorted(hdbscan_params.items()),
                             self.settings["keywords"], _versions())
        stored = self._read(self._fit_key)
        if stored is not None:
            self._went_through = True
            return np.asarray(stored, dtype=int)
        topics = self._fit_model()
        self._write(self._fit_key, topics.tolist())
        return topics

    def _fit_model(self) -> np.ndarray:
        """BERTopic.fit_transform on fit's input; its topics."""
        from hdbscan import HDBSCAN

        texts, vectors, reducer, hdbscan_params = self._inputs
        # language=None: BERTopic's English preprocessing would strip every letter outside
        # A-Z before counting words ("don't" -> "dont", "café" -> "caf").
        bertopic = import_bertopic()
        self.model = bertopic(umap_model=reducer, hdbscan_model=HDBSCAN(**hdbscan_params),
                              vectorizer_model=_vectorizer(texts), top_n_words=self.settings["keywords"],
                              language=None, calculate_probabilities=False, verbose=False)
        topics, _ = self.model.fit_transform(texts, vectors)
        self._went_through = True
        return np.asarray(topics, dtype=int)

    def keywords(self, texts: Sequence[str], labels: np.ndarray, top_n: int,
                 leave_out: set[str] | frozenset[str] = frozenset()) -> dict[int, list[tuple[str, float]]]:
        """BERTopic's c-TF-IDF keywords with weights of each label >= 0, over the final themes
        (after leftovers were reassigned and named themes added): {label: [(word, weight)]}."""
        if not self.fitted:
            raise RuntimeError("LargeEventTopics.keywords before fit")
        key = _key("keywords", self._fit_key, list(texts), np.asarray(labels, dtype=np.int64), top_n,
                   sorted(leave_out))
        stored = self._read(key)
        if stored is not None:
            return {int(label): [(str(w), float(s)) for w, s in pairs] for label, pairs in stored}
        if self.model is None:
            self._fit_model()  # the topics came from the cache: fit BERTopic now, on the same input
        # BERTopic logs "Using a custom list of topic assignments may lead to errors ...": these
        # are the final themes, nothing comes after; not worth a line on the user's terminal.
        log = logging.getLogger("BERTopic")
        level = log.level
        log.setLevel(logging.ERROR)
        try:
            self.model.update_topics(list(texts), topics=[int(t) for t in labels], top_n_words=top_n,
                                     vectorizer_model=_vectorizer(texts, leave_out))
        finally:
            log.setLevel(level)
        out = {}
        for label in sorted(set(labels.tolist()) - {-1}):
            words = self.model.get_topic(label) or []
            # Words of zero weight are BERTopic's padding of a theme with fewer words than top_n.
            ranked = sorted(((w, float(s)) for w, s in words if w and s > 0 and w not in _PADDING),
                            key=lambda p: (-p[1], p[0]))
            out[label] = ranked[:top_n]
        self._write(key, [[label, pairs] for label, pairs in out.items()])
        return out

    def _read(self, key: str):
        if self.cache is None:
            return None
        row = self.cache.conn.execute("SELECT data FROM bertopic_cache WHERE key = ?", [key]).fetchone()
        if row is None:
            return None
        self.cache_hits += 1
        return json.loads(row[0])

    def _write(self, key: str, data) -> None:
        if self.cache is None:
            return
        self.cache.conn.execute("INSERT OR REPLACE INTO bertopic_cache (key, data) VALUES (?, ?)",
                                [key, json.dumps(data)])
        self.cache.conn.commit()
