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
it, and only when a large event is clustered.

Usage:
    topics = LargeEventTopics(settings, db)
    labels = topics.fit(texts, embeddings)        # BERTopic's topics, -1 = outlier
    ...                                            # leftovers reassigned, seeded themes added
    words = topics.keywords(texts, final_labels, 6, leave_out=typos)
"""

from __future__ import annotations

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


class LargeEventTopics:
    """BERTopic for a large event: `fit` clusters (and records that it ran), `keywords` gives
    the c-TF-IDF words of the final themes. `model` is the fitted BERTopic, None until fit."""

    method = "bertopic"  # the result's run.method

    def __init__(self, settings: dict, cache=None) -> None:
        self.settings = settings
        self.cache = cache
        self.model = None

    @property
    def fitted(self) -> bool:
        """Whether the event went through BERTopic."""
        return self.model is not None

    def describe(self) -> str:
        """What clustered the event, for the run's `models`: "bertopic 0.17.4"."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"bertopic {version('bertopic')}"
        except PackageNotFoundError:
            return "bertopic"

    def fit(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """BERTopic's topic of each text (-1 = outlier), on the given embeddings."""
        from synthesis.cluster import UMAP_METHOD, CachedReducer, large_components, umap_reduce

        params, clusterer = large_components(len(texts), self.settings)
        reducer = CachedReducer(umap_reduce, params, self.cache, method=UMAP_METHOD)
        # language=None: BERTopic's English preprocessing would strip every letter outside
        # A-Z before counting words ("don't" -> "dont", "café" -> "caf").
        bertopic = import_bertopic()
        self.model = bertopic(umap_model=reducer, hdbscan_model=clusterer,
                              vectorizer_model=_vectorizer(texts), top_n_words=self.settings["keywords"],
                              language=None, calculate_probabilities=False, verbose=False)
        topics, _ = self.model.fit_transform(list(texts), np.asarray(embeddings, dtype=np.float32))
        return np.asarray(topics, dtype=int)

    def keywords(self, texts: Sequence[str], labels: np.ndarray, top_n: int,
                 leave_out: set[str] | frozenset[str] = frozenset()) -> dict[int, list[tuple[str, float]]]:
        """BERTopic's c-TF-IDF keywords with weights of each label >= 0, over the final themes
        (after leftovers were reassigned and named themes added): {label: [(word, weight)]}."""
        if not self.fitted:
            raise RuntimeError("LargeEventTopics.keywords before fit")
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
        return out
