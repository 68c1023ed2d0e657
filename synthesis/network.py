"""Themes across a network's events: which recur, which are new, which are fading.

The input is what each event *published* (its latest version's themes: labels, segments and
quotes as published, so edits, hidden quotes and Chatham House redactions hold), passed in as
plain data by the caller; this module never reads a raw synthesis run.

Matching: going through the events in date order, each event theme (its vector is the mean of
its published segments' embeddings) joins the most similar earlier group (cosine similarity of
the group's centre at least `threshold`, one theme per event per group) or starts a new group.
Groups are built in date order, so adding a later event never regroups earlier ones: a network
editor's renames, merges and splits keep their place. The threshold was chosen by
benchmarks/network_scale.py (purity against known motions; see RESULTS.md).

Status, over the latest `window` events (two by default):
- new: first raised within the window;
- fading: last raised before the window;
- recurring: every other theme (raised before the window and again within it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import date

import numpy as np

THRESHOLD = 0.6
WINDOW = 2
STATUSES = ("recurring", "new", "fading")

Vectors = Callable[[list[str]], np.ndarray]


def segment_prints(theme: dict) -> list[str]:
    """Short fingerprints of an event theme's published segments (note and text): an edit stores
    them with its anchors, so it can find the theme again after a passage moved in or out of it."""
    return sorted(hashlib.sha256(f"{s.get('note', '')}\x1f{s['text']}".encode()).hexdigest()[:12]
                  for s in theme.get("segments", []))


def member_key(slug: str, theme: dict) -> str:
    """An event theme's identity in a network: its event and a hash of its published segments.
    Network edits anchor on these, so they survive another event joining the network."""
    texts = sorted(f"{s.get('note', '')}\x1f{s['text']}" for s in theme.get("segments", []))
    digest = hashlib.sha256("\x1e".join(texts or [theme.get("label", "")]).encode("utf-8")).hexdigest()
    return f"{slug}#{digest[:16]}"


def status_of(raised_in: Sequence[str], order: Sequence[str], window: int = WINDOW) -> str:
    """Recurring, new or fading: where the events that raised a theme fall in the date order."""
    positions = sorted(order.index(slug) for slug in set(raised_in))
    recent = len(order) - min(window, len(order))
    if positions[0] >= recent:
        return "new"
    if positions[-1] < recent:
        return "fading"
    return "recurring"


def network_themes(events: Sequence[dict], vectors: Vectors, threshold: float = THRESHOLD,
                   window: int = WINDOW) -> dict:
    """Network themes of published events.

    `events`: dicts with slug, title, date and the published `themes` (label, segments, quotes)
    and `segments` (how many segments the event had in all, for shares), in any order.
    Returns `{"events": [...], "themes": [...]}` (see docs/network.md).
    """
    events = sorted(events, key=lambda e: (e.get("date") or "", e["slug"]))
    events = [e for e in events if e.get("themes")]
    groups: list[dict] = []
    for event in events:
        themes = event["themes"]
        centres = _theme_centres(themes, vectors)
        quotes = _central_quotes(themes, centres, vectors)
        for theme, centre, quote in zip(themes, centres, quotes, strict=True):
            best, best_sim = None, threshold
            for group in groups:
                if event["slug"] in group["slugs"]:
                    continue
                sim = float(group["centre"] @ centre)
                if sim >= best_sim:
                    best, best_sim = group, sim
            if best is None:
                best = {"slugs": [], "members": [], "sum": np.zeros_like(centre)}
                groups.append(best)
            best["slugs"].append(event["slug"])
            best["members"].append(_member(event, theme, quote))
            best["sum"] = best["sum"] + centre
            best["centre"] = best["sum"] / (np.linalg.norm(best["sum"]) or 1.0)
    summary = [{"slug": e["slug"], "title": e["title"], "date": e.get("date"),
                "segments": _total_segments(e)} for e in events]
    themes = [theme_from_members(group["members"], summary, window) for group in groups]
    return {"events": summary, "themes": sort_themes(themes)}


def theme_from_members(members: list[dict], events: Sequence[dict], window: int = WINDOW,
                       label: str | None = None) -> dict:
    """A network theme from its event themes: label (the latest wording unless given), status,
    where it was raised with its share of each event's segments, and one quote per event."""
    order = [e["slug"] for e in events]
    members = sorted(members, key=lambda m: order.index(m["slug"]))
    totals = {e["slug"]: e["segments"] or 1 for e in events}
    by_event: dict[str, dict] = {}
    for m in members:
        entry = by_event.setdefault(m["slug"], {"slug": m["slug"], "title": m["title"], "date": m["date"],
                                                "themes": [], "size": 0, "quote": None})
        entry["themes"].append(m["label"])
        entry["size"] += m["size"]
        entry["quote"] = entry["quote"] or m["quote"]
    raised = list(by_event.values())
    for entry in raised:
        entry["share"] = round(entry["size"] / totals[entry["slug"]], 4)
    first = members[0]["key"] if members else ""
    return {
        "id": "n" + hashlib.sha256(first.encode("utf-8")).hexdigest()[:10],
        "label": label or members[-1]["label"],
        "status": status_of([m["slug"] for m in members], order, window),
        "events": [{k: e[k] for k in ("slug", "title", "date", "themes", "size", "share")} for e in raised],
        "quotes": [e["quote"] for e in raised if e["quote"]],
        "shares": [{"slug": e["slug"], "date": e["date"],
                    "share": by_event[e["slug"]]["share"] if e["slug"] in by_event else 0.0} for e in events],
        "members": members,
        "edited": False,
    }


def sort_themes(themes: list[dict]) -> list[dict]:
    """Recurring first, then new, then fading; within each, the most widely raised first."""
    rank = {status: i for i, status in enumerate(STATUSES)}
    return sorted(themes, key=lambda t: (rank[t["status"]], -len(t["events"]), t["label"].lower(), t["id"]))


def _member(event: dict, theme: dict, quote: dict | None) -> dict:
    cited = None
    if quote:
        where = ", ".join(x for x in (event["title"], _long_date(event.get("date"))) if x)
        own = quote.get("cite")
        cited = {"text": quote["text"], "event": event["slug"], "cite": f"{where}, {own}" if own else where}
    return {"key": member_key(event["slug"], theme), "slug": event["slug"], "title": event["title"],
            "date": event.get("date"), "label": theme["label"],
            "size": int(theme.get("size") or len(theme.get("segments", []))), "quote": cited,
            "prints": segment_prints(theme)}


def _long_date(day: str | None) -> str | None:
    """'2026-03-01' as '1 March 2026', as readers see dates (returned as given if not a date)."""
    try:
        when = date.fromisoformat(day or "")
    except ValueError:
        return day
    return f"{when.day} {when:%B %Y}"


def _total_segments(event: dict) -> int:
    if event.get("segments"):
        return int(event["segments"])
    return sum(int(t.get("size") or len(t.get("segments", []))) for t in event["themes"]) or 1


def _central_quotes(themes: Sequence[dict], centres: Sequence[np.ndarray], vectors: Vectors) -> list:
    """Each event theme's quote for the network: of the verbatim passages its published digest
    shows (the summary's sentences, then the quotes), the one nearest the theme's centre. The first
    quote alone could be a side point: a theme on volunteer drivers was quoted by its leftover
    sentence on e-bikes, its two sentences on drivers being the summary's (third walk-through W1)."""
    candidates = [[*(t.get("summary_quotes") or []), *(t.get("quotes") or [])] for t in themes]
    flat = [q["text"] for cands in candidates for q in cands]
    matrix = vectors(flat) if flat else np.zeros((0, 1))
    chosen, at = [], 0
    for cands, centre in zip(candidates, centres, strict=True):
        sims = [float(np.asarray(matrix[at + i]) @ centre) for i in range(len(cands))]
        at += len(cands)
        # Ties go to the earlier passage: the summary's lead, then the quotes in the editor's order.
        chosen.append(cands[max(range(len(cands)), key=lambda i: (sims[i], -i))] if cands else None)
    return chosen


def _theme_centres(themes: Sequence[dict], vectors: Vectors) -> list[np.ndarray]:
    """Each theme's normalised mean segment vector (its label and quotes where it has no segments)."""
    texts_per_theme = [[s["text"] for s in t.get("segments", [])] or
                       [t["label"], *(q["text"] for q in t.get("quotes", []))] for t in themes]
    flat = [text for texts in texts_per_theme for text in texts]
    matrix = vectors(flat) if flat else np.zeros((0, 1))
    centres, at = [], 0
    for texts in texts_per_theme:
        centre = np.asarray(matrix[at:at + len(texts)]).mean(axis=0)
        at += len(texts)
        centres.append(centre / (np.linalg.norm(centre) or 1.0))
    return centres
