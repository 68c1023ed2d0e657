"""Stage 3b: seeded themes, the ones an organiser names ("distrust; capacity; Social Value Act").

Each seed phrase is embedded; a segment joins the seed it is most similar to when the cosine
similarity reaches `seed_threshold`. A seed with fewer than `seed_min_support` segments produces
no theme (the notes do not support it) and its segments go back to be clustered with the rest.
"""

from __future__ import annotations

import re

import numpy as np

UNSEEDED = -1


def parse_seeds(themes: str | list[str] | None) -> list[str]:
    """Seed phrases from "a; b; c" (or a list), stripped, empty ones and repeats dropped."""
    if not themes:
        return []
    parts = re.split(r"[;\n]", themes) if isinstance(themes, str) else list(themes)
    seen: dict[str, str] = {}
    for part in parts:
        phrase = re.sub(r"\s+", " ", str(part)).strip()
        if phrase and phrase.lower() not in seen:
            seen[phrase.lower()] = phrase
    return list(seen.values())


def assign_seeds(seed_vectors: np.ndarray, embeddings: np.ndarray, eligible: np.ndarray,
                 settings: dict) -> np.ndarray:
    """Index of the seed each segment belongs to, or UNSEEDED; unsupported seeds hold nothing."""
    n = len(embeddings)
    labels = np.full(n, UNSEEDED, dtype=int)
    if len(seed_vectors) == 0 or n == 0:
        return labels
    sims = embeddings @ seed_vectors.T
    kept = np.ones(len(seed_vectors), dtype=bool)
    # Dropping a seed can move its segments to another seed, so repeat until stable.
    while True:
        masked = np.where(kept[None, :], sims, -np.inf)
        best = np.argmax(masked, axis=1)
        ok = (masked[np.arange(n), best] >= settings["seed_threshold"]) & eligible
        labels = np.where(ok, best, UNSEEDED)
        support = np.bincount(labels[labels >= 0], minlength=len(seed_vectors))
        weak = kept & (support < settings["seed_min_support"])
        if not weak.any():
            return labels
        kept &= ~weak
        if not kept.any():
            return np.full(n, UNSEEDED, dtype=int)
