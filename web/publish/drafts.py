"""The organiser's digest draft, and what it was made from.

A draft is the Markdown the organiser edits (a `digest` row with draft = 1, version 0). It records
its sources: the synthesis run, a hash of the edited result (every theme edit changes it), the
theme labels and segments at the time, and the template's Markdown it started from. When the
result or the edits change, the draft is stale: the Digest tab says so and what changed, and
publishing waits until it is regenerated (`regenerate_draft`: the template's new Markdown with
the organiser's own paragraphs merged in) or reset. So every output of a version (page,
downloads, charts, JSON, CSV) tells one story.
"""

from __future__ import annotations

import hashlib
import json

from sqlite_utils import Database

from capture.errors import ValidationError
from capture.models import Event
from capture.store import approved_notes, atomic, insert
from synthesis.runs import latest_succeeded_run
from web.publish.digest import build_data, markdown_from_data, next_version
from web.publish.draft_merge import merge3, merge_by_theme  # noqa: F401 (merge3: tests, callers)
from web.publish.redact import redactor_for
from web.publish.verbatim import describe, describe_edited, in_texts, unverified_quotes
from web.review import edited_result, segment_key, theme_anchor

MAX_DRAFT = 500_000


def sources(db: Database, event: Event, data: dict | None = None) -> dict:
    """What a draft made now is made from: run id, a hash of the edited result, the published
    labels (redacted) with each theme's segment keys."""
    run = latest_succeeded_run(db, event)
    result = edited_result(db, event)
    data = data if data is not None else build_data(db, event)
    themes = (result or {}).get("themes", [])
    labels = [[shown["label"], theme_anchor(theme)]
              for shown, theme in zip(data["themes"], themes, strict=False)]
    blob = json.dumps(result, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return {"run_id": run["id"] if run else None, "source_hash": hashlib.sha256(blob).hexdigest(),
            "source_labels": labels}


def _row(db: Database, event: Event) -> dict | None:
    rows = list(db.query("SELECT * FROM digest WHERE event_id = ? AND draft = 1", [event.id]))
    return rows[0] if rows else None


def get_draft(db: Database, event: Event) -> str | None:
    """The organiser's edited draft Markdown, or None."""
    row = _row(db, event)
    return row["markdown"] if row else None


def template_markdown(db: Database, event: Event, data: dict | None = None) -> str:
    """The digest as the template writes it from the current data (redacted under the rule)."""
    data = data if data is not None else build_data(db, event)
    return redactor_for(db, event)(markdown_from_data(data, next_version(db, event)))


def check_quotes(db: Database, event: Event, markdown: str) -> None:
    """Raise ValidationError naming the quoted passages of `markdown` that are not the words of
    an approved note (as written, or redacted under the Chatham House Rule)."""
    notes, redact = approved_notes(db, event), redactor_for(db, event)
    missing = unverified_quotes(markdown, [n.text for n in notes], redact)
    if not missing:
        return
    # Words of a note as it was before a moderator edited it: the synthesis quoted them, not
    # the organiser; running it again is the remedy, not restoring the words.
    edited = in_texts(missing, [n.original_text for n in notes if n.original_text], redact)
    if edited:
        raise ValidationError(describe_edited(edited))
    raise ValidationError(describe(missing))


def save_draft(db: Database, event: Event, markdown: str) -> None:
    """Store the organiser's edited Markdown as the draft to publish, with what it was made from.

    A stale draft saved again keeps its old sources: editing its text does not make it current
    (regenerating it does). A draft whose quotes are not the notes' words is refused."""
    markdown = (markdown or "").replace("\r\n", "\n")
    if not markdown.strip():
        raise ValidationError("The draft is empty. Write the digest, or reset it to the template.")
    if len(markdown) > MAX_DRAFT:
        raise ValidationError(f"The draft is too long (limit {MAX_DRAFT:,} characters).")
    check_quotes(db, event, markdown)
    old = _row(db, event)
    if old is not None and old["run_id"] is not None and draft_status(db, event)["stale"]:
        keep = {k: old[k] for k in ("run_id", "source_hash", "source_labels", "base_markdown")}
    else:
        data = build_data(db, event)
        now = sources(db, event, data)
        keep = {**now, "source_labels": json.dumps(now["source_labels"]),
                "base_markdown": template_markdown(db, event, data)}
    with atomic(db):
        db.conn.execute("DELETE FROM digest WHERE event_id = ? AND draft = 1", [event.id])
        insert(db, "digest", {"event_id": event.id, "version": 0, "markdown": markdown, "draft": 1, **keep})


def discard_draft(db: Database, event: Event) -> None:
    """Drop the edited draft: the next digest comes from the template again."""
    with atomic(db):
        db.conn.execute("DELETE FROM digest WHERE event_id = ? AND draft = 1", [event.id])


def _changes(old: list, new: list) -> list[str]:
    """What changed between two lists of [label, segment keys]: renamed, added, removed themes."""
    out, matched = [], set()
    for label, keys in old:
        best, overlap = None, 0
        for i, (_, new_keys) in enumerate(new):
            shared = len(set(keys) & set(new_keys))
            if shared > overlap:
                best, overlap = i, shared
        if best is None:
            out.append(f"Theme removed: \u201c{label}\u201d")
            continue
        matched.add(best)
        if new[best][0] != label:
            # "Heading changed", not "Renamed": a new run's labeller changes headings too.
            out.append(f"Heading changed: \u201c{label}\u201d is now \u201c{new[best][0]}\u201d")
    out += [f"Theme added: \u201c{label}\u201d" for i, (label, _) in enumerate(new) if i not in matched]
    return out


def draft_status(db: Database, event: Event, data: dict | None = None, *, preview: bool = False) -> dict:
    """{'draft': bool, 'stale': bool, 'changes': [...], 'kept_apart': [...]}: whether the draft was
    made from an earlier result or edits than the current ones, what changed since (labels as
    published), and the organiser's text the last regenerate could not keep with its theme.

    `preview` (the Digest tab) adds to the changes of a stale draft where regenerating would put
    the organiser's text: with its theme under a new heading or place, or apart, its theme gone."""
    row = _row(db, event)
    if row is None:
        return {"draft": False, "stale": False, "changes": [], "kept_apart": []}
    kept_apart = json.loads(row["kept_apart"]) if row.get("kept_apart") else []
    now = sources(db, event, data)
    if row["run_id"] is None and row["source_hash"] is None:
        # A draft saved before drafts recorded their sources: nothing says what it was made from.
        return {"draft": True, "stale": True, "kept_apart": kept_apart,
                "changes": ["This draft was saved before Harvest recorded what a draft is made from."]}
    stale = (row["run_id"], row["source_hash"]) != (now["run_id"], now["source_hash"])
    changes = _changes(json.loads(row["source_labels"] or "[]"), now["source_labels"]) if stale else []
    if stale and not changes:
        changes = ["The themes' passages, quotes or summaries changed (a new synthesis run or an edit)."]
    if stale and preview:
        merged = _merge(db, event, row, data if data is not None else build_data(db, event), now)[0]
        changes += [f"Your text {line}." for line in merged.followed]
        changes += [f"Your text \u201c{' '.join(' '.join(k.paragraphs).split())[:80]}\u201d was under "
                    f"{k.was}, which the themes no longer have ({k.why}): regenerating keeps it {k.now}, "
                    "for you to move under the theme it is about" for k in merged.kept_apart]
    return {"draft": True, "stale": stale, "changes": changes, "kept_apart": kept_apart}


def _merge(db: Database, event: Event, row: dict, data: dict, now: dict):
    """The draft row's text merged into the template's text for `data` (`merge_by_theme`), and that
    template text."""
    theirs = template_markdown(db, event, data)
    unassigned = {segment_key(s) for s in (edited_result(db, event) or {}).get("unassigned", [])}
    return merge_by_theme(row["base_markdown"] or theirs, row["markdown"], theirs,
                          json.loads(row["source_labels"] or "[]"), now["source_labels"], unassigned), theirs


def describe_kept_apart(kept_apart: list[dict]) -> str:
    """What regenerating could not keep with its theme, where it is now, and what to do."""
    parts = [f"\u201c{' '.join(' '.join(k['paragraphs']).split())[:80]}\u201d was under {k['was']}, "
             f"which the themes no longer have ({k['why']}); it is now {k['now']}" for k in kept_apart]
    return ("Some of your text could not stay with its theme when the draft was regenerated: "
            + "; ".join(parts) + ". Move it under the theme it is about, or delete it, and save the draft; "
            "then publish.")


def regenerate_draft(db: Database, event: Event) -> dict:
    """Remake a stale draft from the current result, keeping the organiser's own text edits with
    the theme they were written under (`draft_merge.merge_by_theme`).

    Returns {'conflicts': paragraphs both the organiser and the new result changed (theirs kept),
    'followed': text that moved with its theme, 'kept_apart': text whose theme is gone, with where
    it now sits}; text kept apart holds publishing until the draft is saved again."""
    row = _row(db, event)
    if row is None:
        raise ValidationError("There is no draft to regenerate: the digest already follows the template.")
    data = build_data(db, event)
    now = sources(db, event, data)
    merged, theirs = _merge(db, event, row, data, now)
    kept_apart = [vars(k) for k in merged.kept_apart]
    with atomic(db):
        db.conn.execute("DELETE FROM digest WHERE event_id = ? AND draft = 1", [event.id])
        insert(db, "digest", {"event_id": event.id, "version": 0, "markdown": merged.text, "draft": 1,
                              "run_id": now["run_id"], "source_hash": now["source_hash"],
                              "source_labels": json.dumps(now["source_labels"]), "base_markdown": theirs,
                              "kept_apart": json.dumps(kept_apart) if kept_apart else None})
    return {"conflicts": merged.conflicts, "followed": merged.followed, "kept_apart": kept_apart}
