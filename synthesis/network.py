"""Themes across a network's events: which recur, which are new, which are fading.

Each event contributes its current themes (the organiser's edited ones where the caller passes
them). A theme is represented by the mean embedding of its segments, so two events' themes match
when they gather similar sentences, whatever their labels say. Matching themes form one network
theme; its status follows from the dates of the events that raised it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlite_utils import Database

from capture.models import Event
from synthesis.embed import Embedder, embed_cached

# Cosine similarity of two themes' mean embeddings above which they are one network theme.
# Mean vectors of related sentences sit close together; 0.7 joins "commissioners' capacity" at
# two events, not "capacity" with "funding".
MATCH_SIMILARITY = 0.7
MAX_QUOTES = 4


@dataclass
class EventThemes:
    """One event and its current synthesis result (the DESIGN.md JSON contract)."""

    event: Event
    result: dict


def _theme_vector(db: Database, embedder: Embedder, theme: dict) -> np.ndarray | None:
    texts = [seg["text"] for seg in theme.get("segments", [])] or [theme["label"]]
    vectors = embed_cached(db, embedder, texts)
    if not len(vectors):
        return None
    mean = vectors.mean(axis=0)
    norm = np.linalg.norm(mean)
    return mean / norm if norm else None


def _group(vectors: np.ndarray) -> list[list[int]]:
    """Average-link groups of themes whose mean vectors are at least MATCH_SIMILARITY alike."""
    if len(vectors) == 1:
        return [[0]]
    from sklearn.cluster import AgglomerativeClustering

    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=1 - MATCH_SIMILARITY).fit_predict(vectors)
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    return list(groups.values())


def status_of(dates: Sequence[str], all_dates: Sequence[str]) -> str:
    """'new' if first raised in the latest third of the events, 'fading' if last raised before it,
    else 'recurring'."""
    ordered = sorted(all_dates)
    recent_from = ordered[len(ordered) - max(1, -(-len(ordered) // 3))]
    if max(dates) < recent_from:
        return "fading"
    if min(dates) >= recent_from and len(set(ordered)) > 1:
        return "new"
    return "recurring" if len(dates) > 1 else "new"


def network_themes(db: Database, embedder: Embedder, events: Sequence[EventThemes]) -> dict:
    """Network themes across `events`: `{"themes": [{id, label, status, events, quotes}]}`."""
    items: list[tuple[int, dict]] = []
    vectors: list[np.ndarray] = []
    for index, entry in enumerate(events):
        for theme in entry.result.get("themes", []):
            vector = _theme_vector(db, embedder, theme)
            if vector is not None:
                items.append((index, theme))
                vectors.append(vector)
    if not items:
        return {"themes": []}
    owners = [index for index, _ in items]
    dates = [(e.event.date or "") + e.event.slug for e in events]
    grouped = _group(np.stack(vectors))
    out = []
    for members in grouped:
        members.sort(key=lambda i: (dates[owners[i]], owners[i]))
        lead = max(members, key=lambda i: (items[i][1].get("size", 0), -i))
        raised = [{"slug": events[owners[i]].event.slug, "date": events[owners[i]].event.date,
                   "theme": items[i][1]["label"]} for i in members]
        quotes = []
        for i in members:
            for quote in items[i][1].get("quotes", [])[:1]:
                quotes.append({**quote, "event": events[owners[i]].event.slug})
        out.append({
            "label": items[lead][1]["label"],
            "status": status_of([dates[owners[i]] for i in members], dates),
            "events": raised,
            "quotes": quotes[:MAX_QUOTES],
            "_order": (-len(members), -sum(items[i][1].get("size", 0) for i in members)),
        })
    out.sort(key=lambda t: (t["_order"], t["label"]))
    for n, theme in enumerate(out, start=1):
        theme.pop("_order")
        theme["id"] = f"n{n}"
    return {"themes": [{k: t[k] for k in ("id", "label", "status", "events", "quotes")} for t in out]}
