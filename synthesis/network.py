"""Themes across a network's events: which recur, which are new, which are fading.

Each event's current result (its latest succeeded run) gives themes; a theme's vector is the
mean of its segments' embeddings (cached, so nothing is re-embedded). Going through events in
date order, a theme joins the most similar group of earlier themes (cosine similarity at least
`threshold`, one theme per event per group) or starts a new group. A group is "recurring" when
it spans two or more events including the latest, "new" when only the latest event raised it,
and "fading" when the latest event did not.
"""

from __future__ import annotations

import numpy as np
from sqlite_utils import Database

from capture.store import list_events
from synthesis.embed import Embedder, default_embedder, embed_cached
from synthesis.runs import latest_result

THRESHOLD = 0.6
MAX_QUOTES = 3


def network_themes(db: Database, since: str | None = None, until: str | None = None,
                   embedder: Embedder | None = None, threshold: float = THRESHOLD) -> dict:
    """`{"themes": [{"id", "label", "status", "events": [{"slug", "date", "theme"}], "quotes"}]}`
    over the events (dated within since..until, inclusive) that have a synthesis result."""
    events = [e for e in list_events(db)
              if (since is None or (e.date or "") >= since)
              and (until is None or (e.date or "9999") <= until)]
    events.sort(key=lambda e: (e.date or "", e.id))
    embedder = embedder or default_embedder()
    groups: list[dict] = []
    seen_events: list[str] = []
    for event in events:
        result = latest_result(db, event)
        if not result or not result["themes"]:
            continue
        seen_events.append(event.slug)
        for theme in result["themes"]:
            vectors = embed_cached(db, embedder, [s["text"] for s in theme["segments"]])
            centre = vectors.mean(axis=0)
            centre /= np.linalg.norm(centre) or 1.0
            best, best_sim = None, threshold
            for group in groups:
                if event.slug in group["slugs"]:
                    continue
                sim = float(group["centre"] @ centre)
                if sim >= best_sim:
                    best, best_sim = group, sim
            if best is None:
                best = {"slugs": [], "events": [], "quotes": [], "sum": np.zeros_like(centre)}
                groups.append(best)
            best["slugs"].append(event.slug)
            best["events"].append({"slug": event.slug, "date": event.date, "theme": theme["id"]})
            best["label"] = theme["label"]  # the most recent wording
            best["quotes"] = [{**q, "event": event.slug} for q in theme["quotes"]] + best["quotes"]
            best["sum"] = best["sum"] + centre
            best["centre"] = best["sum"] / (np.linalg.norm(best["sum"]) or 1.0)
    latest = seen_events[-1] if seen_events else None
    out = []
    for group in groups:
        if latest not in group["slugs"]:
            status = "fading"
        elif len(group["slugs"]) > 1:
            status = "recurring"
        else:
            status = "new"
        out.append({"label": group["label"], "status": status, "events": group["events"],
                    "quotes": group["quotes"][:MAX_QUOTES]})
    order = {"recurring": 0, "new": 1, "fading": 2}
    out.sort(key=lambda t: (order[t["status"]], -len(t["events"]), t["label"].lower()))
    return {"themes": [{"id": f"n{i}", **t} for i, t in enumerate(out, 1)]}
