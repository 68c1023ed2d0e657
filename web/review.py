"""Organiser review of themes: edits stored as edits, applied over the latest synthesis result.

An edit names what it changes by things that survive a new synthesis run: a segment is its note
ref, offsets and a hash of its text; a theme is the set of its segments (matched to the new run's
themes by best overlap), never the run-local theme id. Each edit is applied in order; an edit
whose segments are gone is skipped and reported, so the organiser knows what was not kept.
Every segment stays in exactly one place: a theme or `unassigned`.
"""

from __future__ import annotations

import copy
import hashlib
import json

from sqlite_utils import Database

from capture.errors import NotFound, ValidationError
from capture.models import Event
from capture.store import atomic, insert
from synthesis.runs import latest_result  # the one reader of synthesis_run results

OPS = ("rename", "summary", "merge", "split", "hide_quote", "pin_quote", "reorder", "drop")
MAX_LABEL = 200
MAX_SUMMARY = 5000


def segment_key(segment: dict) -> str:
    """A segment identity that survives re-synthesis: note ref, offsets and a hash of the text."""
    digest = hashlib.sha256(segment["text"].encode("utf-8")).hexdigest()[:12]
    return f"{segment['note']}:{segment['start']}:{segment['end']}:{digest}"


def quote_key(quote: dict) -> str:
    """A quote identity: its note ref and a hash of its verbatim text."""
    digest = hashlib.sha256(quote["text"].encode("utf-8")).hexdigest()[:12]
    return f"{quote['note']}:{digest}"


def theme_anchor(theme: dict) -> list[str]:
    """The keys of a theme's segments: how an edit finds 'the same theme' in a later run."""
    return sorted(segment_key(s) for s in theme.get("segments", []))


def _find_theme(result: dict, anchor: list[str]) -> dict | None:
    """The theme sharing most segments with the anchor (ties: the earlier theme), or None.

    It must hold at least half of the anchor's segments that still exist: when a new run scatters a
    theme, an edit does not follow one stray segment into an unrelated theme (it is reported instead).
    """
    wanted = set(anchor)
    present = {segment_key(s) for s in result.get("unassigned", [])}
    best, best_overlap = None, 0
    for theme in result["themes"]:
        keys = {segment_key(s) for s in theme["segments"]}
        present |= keys
        overlap = len(wanted & keys)
        if overlap > best_overlap:
            best, best_overlap = theme, overlap
    return best if best_overlap * 2 >= len(wanted & present) else None


def _refresh(theme: dict) -> None:
    """Recompute size and tables from the segments (the tables in first-seen order)."""
    theme["size"] = len(theme["segments"])
    tables: list[str] = []
    for seg in theme["segments"]:
        if seg.get("table") and seg["table"] not in tables:
            tables.append(seg["table"])
    theme["tables"] = tables


def _quote_in(quote: dict, segments: list[dict]) -> bool:
    return any(s["note"] == quote["note"] and (quote["text"] in s["text"] or s["text"] in quote["text"])
               for s in segments)


def _move_segments(result: dict, source: dict, keys: set[str], target: dict) -> int:
    """Move the segments with these keys (and their quotes) from source to target; returns count."""
    moving = [s for s in source["segments"] if segment_key(s) in keys]
    source["segments"] = [s for s in source["segments"] if segment_key(s) not in keys]
    target["segments"].extend(moving)
    moved_quotes = [q for q in source.get("quotes", []) if _quote_in(q, moving)]
    source["quotes"] = [q for q in source.get("quotes", []) if q not in moved_quotes]
    target.setdefault("quotes", []).extend(moved_quotes)
    return len(moving)


def _describe(edit: dict) -> str:
    p = edit["payload"]
    names = {
        "rename": f"rename to {p.get('label')!r}", "summary": "edited summary",
        "merge": f"merge {p.get('other_label')!r} into {p.get('theme_label')!r}",
        "split": f"move {len(p.get('segments', []))} segment(s) out of {p.get('theme_label')!r}",
        "hide_quote": f"hide quote {p.get('text', '')[:60]!r}",
        "pin_quote": f"pin quote {p.get('text', '')[:60]!r}",
        "reorder": "theme order", "drop": f"move {p.get('theme_label')!r} to other",
    }
    return names.get(edit["op"], edit["op"])


def _apply_edit(result: dict, edit: dict) -> str | None:
    """Apply one edit in place; return why it could not be kept, or None."""
    op, p = edit["op"], edit["payload"]
    gone = f"Not kept: {_describe(edit)} (its segments are no longer in the synthesis result)."
    if op == "reorder":
        placed = []
        for anchor in p["order"]:
            theme = _find_theme(result, anchor)
            if theme is not None and theme not in placed:
                placed.append(theme)
        if not placed:
            return gone
        result["themes"] = placed + [t for t in result["themes"] if t not in placed]
        return None
    theme = _find_theme(result, p["theme"])
    if theme is None:
        return gone
    if op == "rename":
        theme["label"] = p["label"]
    elif op == "summary":
        theme["summary"] = p["summary"]
    elif op == "drop":
        result["unassigned"].extend(theme["segments"])
        result["themes"].remove(theme)
    elif op == "merge":
        other = _find_theme(result, p["other"])
        if other is None or other is theme:
            return gone
        _move_segments(result, other, {segment_key(s) for s in other["segments"]}, theme)
        result["themes"].remove(other)
        _refresh(theme)
    elif op == "split":
        if p.get("to"):
            target = _find_theme(result, p["to"])
            if target is None or target is theme:
                return gone
        else:
            target = {"id": f"edit-{edit['id']}", "label": p.get("label") or "New theme",
                      "keywords": [], "summary": "", "segments": [], "quotes": []}
            result["themes"].insert(result["themes"].index(theme) + 1, target)
        moved = _move_segments(result, theme, set(p["segments"]), target)
        if not target["quotes"]:
            # A new theme still shows verbatim text: its first segments are its quotes.
            target["quotes"] = [{"text": s["text"], "note": s["note"]} for s in target["segments"][:2]]
        for t in (theme, target):
            _refresh(t)
        result["themes"] = [t for t in result["themes"] if t["segments"]]
        if moved == 0:
            return gone
    elif op in ("hide_quote", "pin_quote"):
        quotes = theme.setdefault("quotes", [])
        match = [q for q in quotes if quote_key(q) == p["quote"]]
        if op == "hide_quote":
            if not match:
                return gone
            theme["quotes"] = [q for q in quotes if quote_key(q) != p["quote"]]
        else:
            quote = {"text": p["text"], "note": p["note"]}
            if not match and not _quote_in(quote, theme["segments"]):
                return gone
            theme["quotes"] = [quote] + [q for q in quotes if quote_key(q) != p["quote"]]
    return None


def list_edits(db: Database, event: Event) -> list[dict]:
    """The event's stored edits, oldest first, with their payload decoded."""
    rows = db.query("SELECT * FROM theme_edit WHERE event_id = ? ORDER BY id", [event.id])
    return [{**r, "payload": json.loads(r["payload"])} for r in rows]


def apply_edits(result: dict, edits: list[dict]) -> tuple[dict, list[str]]:
    """Apply the edits, in order, to a copy of a result; returns (edited result, what was not kept)."""
    edited = copy.deepcopy(result)
    edited.setdefault("unassigned", [])
    unkept = []
    for edit in edits:
        problem = _apply_edit(edited, edit)
        if problem:
            unkept.append(problem)
    return edited, unkept


def edited_result_with_report(db: Database, event: Event,
                              result: dict | None = None) -> tuple[dict | None, list[str]]:
    """The latest result (or the one given) with the stored edits applied, and what was not kept."""
    if result is None:
        result = latest_result(db, event)
    if result is None:
        return None, []
    return apply_edits(result, list_edits(db, event))


def edited_result(db: Database, event: Event) -> dict | None:
    """The latest synthesis result (JSON contract of docs/result.md) with the organiser's edits applied."""
    return edited_result_with_report(db, event)[0]


def _theme_by_id(result: dict, theme_id: str) -> dict:
    for theme in result["themes"]:
        if theme["id"] == theme_id:
            return theme
    raise NotFound(f"No theme {theme_id!r} in the current result. Reload the review page.")


def record_edit(db: Database, event: Event, op: str, actor: str | None = None, **form) -> int:
    """Store one edit, given run-local theme ids from the current edited result; returns its id.

    form: theme (id), label, summary, other (id), segments (keys), to (id or ''), quote (key),
    order (list of ids). The ids are turned into segment anchors before storing.
    """
    if op not in OPS:
        raise ValidationError(f"Unknown edit {op!r}: use one of {', '.join(OPS)}.")
    result = edited_result(db, event)
    if result is None:
        raise ValidationError("There are no themes to edit yet: run the synthesis first.")
    payload: dict = {}
    if op == "reorder":
        payload["order"] = [theme_anchor(_theme_by_id(result, t)) for t in form.get("order", [])]
    else:
        theme = _theme_by_id(result, form.get("theme", ""))
        payload.update(theme=theme_anchor(theme), theme_label=theme["label"])
    if op == "rename":
        label = " ".join((form.get("label") or "").split())
        if not label or len(label) > MAX_LABEL:
            raise ValidationError(f"A theme label needs 1 to {MAX_LABEL} characters.")
        payload["label"] = label
    elif op == "summary":
        summary = (form.get("summary") or "").strip()
        if len(summary) > MAX_SUMMARY:
            raise ValidationError(f"The summary is too long (limit {MAX_SUMMARY} characters).")
        payload["summary"] = summary
    elif op == "merge":
        other = _theme_by_id(result, form.get("other", ""))
        if other is theme:
            raise ValidationError("Choose a different theme to merge.")
        payload.update(other=theme_anchor(other), other_label=other["label"])
    elif op == "split":
        keys = set(form.get("segments") or [])
        own = {segment_key(s) for s in theme["segments"]}
        if not keys or not keys <= own:
            raise ValidationError("Tick one or more segments of this theme to move.")
        payload["segments"] = sorted(keys)
        if form.get("to"):
            target = _theme_by_id(result, form["to"])
            if target is theme:
                raise ValidationError("Move the segments to another theme, or to a new one.")
            payload["to"] = theme_anchor(target)
        payload["label"] = " ".join((form.get("label") or "").split())[:MAX_LABEL] or None
    elif op in ("hide_quote", "pin_quote"):
        candidates = theme.get("quotes", []) + [{"text": s["text"], "note": s["note"]}
                                                for s in theme["segments"]]
        found = [q for q in candidates if quote_key(q) == form.get("quote")]
        if not found:
            raise ValidationError("That quote is not in this theme. Reload the review page.")
        payload.update(quote=form["quote"], text=found[0]["text"], note=found[0]["note"])
    with atomic(db):
        return insert(db, "theme_edit", {"event_id": event.id, "op": op,
                                         "payload": json.dumps(payload), "actor": actor})


def undo_last_edit(db: Database, event: Event) -> bool:
    """Remove the most recent edit; returns False when there was none."""
    edits = list_edits(db, event)
    if not edits:
        return False
    with atomic(db):
        db.conn.execute("DELETE FROM theme_edit WHERE id = ?", [edits[-1]["id"]])
    return True
