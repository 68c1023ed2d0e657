"""Organiser review of themes: edits stored as edits, applied over the latest synthesis result.

An edit names what it changes by things that survive a new synthesis run: a segment is its note
ref, offsets and a hash of its text; a theme is the set of its segments, never the run-local
theme id. On a new run an edit goes to the theme that now holds more than half of its segments
(`_locate`), and is reported where none does; a split moves its segments from wherever they are
now; a hidden quote is hidden in every theme
(by its note and text or offsets); a pinned quote is pinned in the theme its passage is in. Each
edit is applied in order; one that cannot be is listed with the reason, so the organiser knows
what was not kept. Every segment stays in exactly one place: a theme or `unassigned`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re

from sqlite_utils import Database

from capture.errors import NotFound, ValidationError
from capture.models import Event
from capture.store import atomic, insert, note_numbers
from synthesis.citation import quote_from_segment, with_citation
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


def _locate(result: dict, anchor: list[str], *, majority: bool = True) -> tuple[dict | None, str]:
    """The theme that now holds more than half of the anchor's segments, or (None, why there is none).

    Of the anchor's segments still in the notes, a theme must hold the majority: a rename, summary,
    merge or drop goes to a theme only where that is clearly the theme it was made on. Where a new
    run spread them over several themes, the edit is reported with where they went, not put on the
    theme that happens to hold the most (a heading on a theme about something else). Where more of
    them are in 'other' than in any one theme, the theme has dissolved. `majority=False` (the order
    of themes, where a split's new theme goes) takes the theme holding the most; ties go to the
    theme the segments make up most of, then to the earlier one.
    """
    wanted = set(anchor)
    best, best_score, holders = None, (0, 0.0), []
    for theme in result["themes"]:
        keys = {segment_key(s) for s in theme["segments"]}
        overlap = len(wanted & keys)
        if overlap:
            holders.append((overlap, _mark(theme)))
        score = (overlap, overlap / len(wanted | keys) if overlap else 0.0)
        if score > best_score:
            best, best_score = theme, score
    in_other = len(wanted & {segment_key(s) for s in result.get("unassigned", [])})
    if best is None and not in_other:
        return None, "its passages are no longer in the notes: a note was hidden, edited or removed"
    if best is None or best_score[0] < in_other:
        return None, "most of its passages are now in 'other' (no theme) after the new synthesis"
    present = sum(n for n, _ in holders) + in_other
    if majority and best_score[0] * 2 <= present:
        # Themes are named by a mark _name_themes resolves once every edit is applied: the page
        # heads them by their final label and number, not the new run's label at this step.
        where = [f"{n} in {label}" for n, label in sorted(holders, key=lambda h: -h[0])[:3]]
        where += [f"{in_other} in 'other'"] if in_other else []
        return None, (f"the new synthesis spread its {present} passages over several themes "
                      f"({'; '.join(where)}): make it again on the theme you mean")
    return best, ""


_MARK = re.compile("\x1f([^\x1e\x1f]*)\x1e([^\x1f]*)\x1f")


def _mark(theme: dict) -> str:
    """A theme named in a 'not kept' reason, by its id in this result (unique, kept through the
    edits) and its label now: resolved by _name_themes after every edit."""
    theme_id, label = (re.sub("[\x1e\x1f]", "", str(v)) for v in (theme["id"], theme["label"]))
    return f"\x1f{theme_id}\x1e{label}\x1f"


def _name_themes(text: str, themes: list[dict]) -> str:
    """The marked themes of a reason named as the review page heads them: number and final label
    (second walk-through N13: the new run's labels, since renamed, appeared nowhere on the page)."""
    where = {str(t["id"]): (i, t) for i, t in enumerate(themes)}

    def named(m: re.Match) -> str:
        i, theme = where.get(m.group(1), (None, None))
        if theme is None:
            return f"\u2018{m.group(2)}\u2019 (no longer a theme)"
        return f"theme {i + 1}, \u2018{theme['label']}\u2019"

    return _MARK.sub(named, text)


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


def _same_quote(hidden: dict, quote: dict) -> bool:
    """The quote a hide names, wherever it is now: same note, and the same text or overlapping
    offsets or text (a new run may quote a sentence whole where it quoted a piece)."""
    if quote.get("note") != hidden["note"]:
        return False
    if quote_key(quote) == hidden["quote"] or hidden["text"] in quote["text"] \
            or quote["text"] in hidden["text"]:
        return True
    return any(a["start"] < b["end"] and b["start"] < a["end"]
               for a in hidden.get("parts") or [] for b in quote.get("parts") or [])


def _move(result: dict, keys: set[str], target: dict) -> int:
    """Move the segments with these keys (and their quotes) from wherever they are to target."""
    moved = 0
    for source in [*result["themes"], None]:
        if source is target:
            continue
        segments = source["segments"] if source is not None else result["unassigned"]
        moving = [s for s in segments if segment_key(s) in keys]
        if not moving:
            continue
        kept = [s for s in segments if segment_key(s) not in keys]
        if source is None:
            result["unassigned"] = kept
        else:
            source["segments"] = kept
            quotes = [q for q in source.get("quotes", []) if _quote_in(q, moving)]
            source["quotes"] = [q for q in source.get("quotes", []) if q not in quotes]
            target.setdefault("quotes", []).extend(quotes)
            _refresh(source)
        target["segments"].extend(moving)
        moved += len(moving)
    _refresh(target)
    result["themes"] = [t for t in result["themes"] if t["segments"]]
    return moved


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


class _Replay:
    """Applies edits in order to one result, remembering which edit set each theme's label and
    summary, so two old themes that a new run joins do not silently overwrite each other."""

    def __init__(self, result: dict, numbers: dict[str, int] | None = None):
        self.result = result
        self.numbers = numbers or {}  # note ref -> number: what quotes made here cite
        self.claims: dict[tuple[str, int], dict] = {}  # (op, id(theme)) -> the edit that set it
        self.unkept: dict[int, str] = {}

    def not_kept(self, edit: dict, why: str) -> None:
        self.unkept[edit["id"]] = f"Not kept: {_describe(edit)} ({why})."

    def _claim(self, op: str, theme: dict, edit: dict) -> bool:
        """Whether this rename or summary may set the theme's text (a later edit of the same theme
        may; of another old theme now in the same one, the edit holding more of it wins)."""
        earlier = self.claims.get((op, id(theme)))
        anchor = set(edit["payload"]["theme"])
        if earlier is not None and not anchor & set(earlier["payload"]["theme"]):
            keys = {segment_key(s) for s in theme["segments"]}
            mine, theirs = len(anchor & keys), len(set(earlier["payload"]["theme"]) & keys)
            if mine <= theirs:
                self.not_kept(edit, f"its passages are now in the theme {_describe(earlier)} applies to")
                return False
            self.not_kept(earlier, f"its passages are now in the theme {_describe(edit)} applies to")
        self.claims[(op, id(theme))] = edit
        return True

    def apply(self, edit: dict) -> None:
        op, p, result = edit["op"], edit["payload"], self.result
        if op == "hide_quote":
            self.hide(p)  # wherever the quote is now: it stays hidden, never "not kept"
            return
        if op == "pin_quote":
            theme = next((t for t in result["themes"] if _quote_in(p, t["segments"])), None)
            if theme is None:
                return self.not_kept(edit, "its passage is no longer in a theme")
            quotes = [q for q in theme.get("quotes", []) if quote_key(q) != p["quote"]]
            pinned = next((q for q in theme.get("quotes", []) if quote_key(q) == p["quote"]), None)
            if pinned is None:
                table = next((s.get("table") for s in theme["segments"] if s["note"] == p["note"]), None)
                pinned = {"text": p["text"], "note": p["note"], "table": table,
                          **({"parts": p["parts"]} if p.get("parts") else {})}
            theme["quotes"] = [with_citation(pinned, self.numbers)] + quotes
            return None
        if op == "reorder":
            placed = []
            for anchor in p["order"]:
                theme, _ = _locate(result, anchor, majority=False)
                if theme is not None and theme not in placed:
                    placed.append(theme)
            if not placed:
                return self.not_kept(edit, "none of the themes it ordered are in the new synthesis")
            result["themes"] = placed + [t for t in result["themes"] if t not in placed]
            return None
        if op == "split":
            return self.split(edit)
        theme, why = _locate(result, p["theme"])
        if theme is None:
            return self.not_kept(edit, why)
        if op in ("rename", "summary") and self._claim(op, theme, edit):
            theme["label" if op == "rename" else "summary"] = p["label" if op == "rename" else "summary"]
        elif op == "drop":
            result["unassigned"].extend(theme["segments"])
            result["themes"].remove(theme)
        elif op == "merge":
            other, why = _locate(result, p["other"])
            if other is None:
                return self.not_kept(edit, why.replace("its passages", "the passages of the other theme"))
            if other is not theme:  # the new run may already have joined them
                _move(result, {segment_key(s) for s in other["segments"]}, theme)
            if ("rename", id(theme)) not in self.claims and p.get("theme_label"):
                # The merged theme keeps the heading the editor merged into: a new run's label
                # (perhaps the label of the theme merged away) would read as a rename nobody made.
                theme["label"] = p["theme_label"]
        return None

    def split(self, edit: dict) -> None:
        p, result = edit["payload"], self.result
        present = {segment_key(s) for t in result["themes"] for s in t["segments"]}
        present |= {segment_key(s) for s in result["unassigned"]}
        keys = set(p["segments"]) & present
        if not keys:
            return self.not_kept(edit, "the passages it moved are no longer in the notes")
        if p.get("to"):
            target, why = _locate(result, p["to"])
            if target is None:
                return self.not_kept(edit, why.replace("its passages",
                                                       "the passages of the theme it moved to"))
        else:
            source, _ = _locate(result, p["theme"], majority=False)
            target = {"id": f"edit-{edit['id']}", "label": p.get("label") or "New theme",
                      "keywords": [], "summary": "", "size": 0, "tables": [], "segments": [], "quotes": []}
            at = result["themes"].index(source) + 1 if source is not None else len(result["themes"])
            result["themes"].insert(at, target)
        moved = _move(result, keys - {segment_key(s) for s in target["segments"]}, target)
        if moved and not target["quotes"]:
            # A new theme still shows verbatim text: its first segments are its quotes.
            target["quotes"] = [quote_from_segment(s, self.numbers) for s in target["segments"][:2]]
        return None

    def hide(self, payload: dict) -> None:
        for theme in self.result["themes"]:
            for field in ("quotes", "summary_quotes"):
                if field in theme:
                    theme[field] = [q for q in theme[field] if not _same_quote(payload, q)]


def list_edits(db: Database, event: Event) -> list[dict]:
    """The event's stored edits, oldest first, with their payload decoded."""
    rows = db.query("SELECT * FROM theme_edit WHERE event_id = ? ORDER BY id", [event.id])
    return [{**r, "payload": json.loads(r["payload"])} for r in rows]


def apply_edits(result: dict, edits: list[dict],
                numbers: dict[str, int] | None = None) -> tuple[dict, list[str]]:
    """Apply the edits, in order, to a copy of a result; returns (edited result, what was not kept,
    each with the reason). `numbers` (note ref -> number) cite the quotes the edits make."""
    replay = _Replay(copy.deepcopy(result), numbers)
    replay.result.setdefault("unassigned", [])
    edits = [{**edit, "id": edit.get("id", -i - 1)} for i, edit in enumerate(edits)]
    # Pins last: a pinned quote is first in the theme its passage ends up in, whether a merge or a
    # split made before or after the pin moved it (a merge used to push it to fifth of seven).
    for edit in [e for e in edits if e["op"] != "pin_quote"] + [e for e in edits if e["op"] == "pin_quote"]:
        replay.apply(edit)
    # A hidden quote stays hidden even where a later edit (a split's first quotes) brought it back.
    for edit in edits:
        if edit["op"] == "hide_quote":
            replay.hide(edit["payload"])
    return replay.result, [_name_themes(replay.unkept[k], replay.result["themes"])
                           for k in sorted(replay.unkept, key=_edit_order(edits))]


def _edit_order(edits: list[dict]):
    order = {edit.get("id", -i - 1): i for i, edit in enumerate(edits)}
    return lambda edit_id: order.get(edit_id, 0)


def edited_result_with_report(db: Database, event: Event,
                              result: dict | None = None) -> tuple[dict | None, list[str]]:
    """The latest result (or the one given) with the stored edits applied, and what was not kept."""
    if result is None:
        result = latest_result(db, event)
    if result is None:
        return None, []
    return apply_edits(result, list_edits(db, event), note_numbers(db, event))


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
        if not form.get("other"):
            raise ValidationError("Choose the theme to merge into this one.")
        other = _theme_by_id(result, form["other"])
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
        if found[0].get("parts"):
            payload["parts"] = found[0]["parts"]  # the quote's offsets: found again if re-quoted longer
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
