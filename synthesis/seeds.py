"""Stage 3b: seeded themes, the ones an organiser names ("distrust; capacity; Social Value Act").

Each seed phrase is embedded; a segment joins the seed it matches best when the match reaches
`seed_threshold`. The match is the cosine similarity plus a bonus (`seed_word_bonus`) for the
share of the seed's words the segment uses: organisers name themes in the words people used,
and a one-word seed ("capacity") embeds poorly on its own. A seed with too few matching
segments (`seed_min_support`, growing with the size of the event) produces no theme: the notes
do not support it, and its segments go back to be clustered with the rest.
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


STOP = {"the", "and", "for", "with", "from", "between", "about", "into", "our", "their", "its",
        "not", "are", "was", "were", "has", "have", "that", "this", "these", "those", "who"}


def _stems(text: str) -> set[str]:
    # A crude stem (the first six letters) is enough to match "distrust"/"distrustful" or
    # "commissioner"/"commissioners" without a language-specific stemmer.
    return {w[:6] for w in re.findall(r"[^\W\d_]{3,}", text.lower()) if w not in STOP}


def word_overlap(seed_phrases: list[str], texts: list[str]) -> np.ndarray:
    """(n_texts, n_seeds): the share of each seed's words that each text uses."""
    seed_stems = [_stems(p) for p in seed_phrases]
    out = np.zeros((len(texts), len(seed_phrases)), dtype=np.float32)
    for i, text in enumerate(texts):
        stems = _stems(text)
        for j, wanted in enumerate(seed_stems):
            if wanted:
                out[i, j] = len(wanted & stems) / len(wanted)
    return out


def min_support(n_segments: int, settings: dict) -> int:
    """Segments a seed needs: `seed_min_support`, or 0.5% of the event when that is more."""
    return max(settings["seed_min_support"], int(round(0.005 * n_segments)))


def assign_seeds(seed_vectors: np.ndarray, embeddings: np.ndarray, eligible: np.ndarray,
                 settings: dict, overlap: np.ndarray | None = None) -> np.ndarray:
    """Index of the seed each segment belongs to, or UNSEEDED; unsupported seeds hold nothing.

    `overlap` is `word_overlap(seeds, texts)`; without it the match is the similarity alone.
    """
    n = len(embeddings)
    labels = np.full(n, UNSEEDED, dtype=int)
    if len(seed_vectors) == 0 or n == 0:
        return labels
    sims = embeddings @ seed_vectors.T
    if overlap is not None:
        sims = sims + settings["seed_word_bonus"] * overlap
    needed = min_support(n, settings)
    kept = np.ones(len(seed_vectors), dtype=bool)
    # Dropping a seed can move its segments to another seed, so repeat until stable.
    while True:
        masked = np.where(kept[None, :], sims, -np.inf)
        best = np.argmax(masked, axis=1)
        ok = (masked[np.arange(n), best] >= settings["seed_threshold"]) & eligible
        labels = np.where(ok, best, UNSEEDED)
        support = np.bincount(labels[labels >= 0], minlength=len(seed_vectors))
        weak = kept & (support < needed)
        if not weak.any():
            return labels
        kept &= ~weak
        if not kept.any():
            return np.full(n, UNSEEDED, dtype=int)
