"""Edits survive re-synthesis with the real pipeline (spaCy + MiniLM + BERTopic) on the SEEE transcript."""

from __future__ import annotations

import json
import re

import pytest
from conftest import SEEE

from capture.importing import import_file
from capture.store import approved_notes, get_event, save_event, set_note_status
from synthesis.pipeline import synthesise
from web.publish.publishing import digest_output, publish
from web.review import edited_result_with_report, quote_key, record_edit, segment_key

pytestmark = pytest.mark.models


def placement(result):
    keys = [segment_key(s) for t in result["themes"] for s in t["segments"]]
    return keys + [segment_key(s) for s in result["unassigned"]]


def test_edits_survive_resynthesis_and_report_what_is_lost(db):
    import_file(db, SEEE, event="seee")
    event = get_event(db, "seee")
    synthesise(db, event)
    first, _ = edited_result_with_report(db, event)
    assert len(first["themes"]) >= 3
    all_keys = sorted(placement(first))
    t0, t1, t2 = first["themes"][:3]
    record_edit(db, event, "rename", theme=t0["id"], label="Contracts are getting bigger")
    record_edit(db, event, "summary", theme=t0["id"], summary="Written by the organiser.")
    record_edit(db, event, "hide_quote", theme=t1["id"], quote=quote_key(t1["quotes"][0]))
    record_edit(db, event, "merge", theme=t1["id"], other=t2["id"])
    edited, unkept = edited_result_with_report(db, event)
    assert unkept == []
    assert edited["themes"][0]["label"] == "Contracts are getting bigger"
    assert t1["quotes"][0] not in edited["themes"][1]["quotes"]
    assert edited["themes"][1]["size"] == t1["size"] + t2["size"]
    assert sorted(placement(edited)) == all_keys

    # Same notes, new run: every edit is kept.
    synthesise(db, event)
    again, unkept = edited_result_with_report(db, event)
    assert unkept == []
    assert again["themes"][0]["label"] == "Contracts are getting bigger"
    assert again["themes"][0]["summary"] == "Written by the organiser."

    # Hide every note behind the renamed theme's segments: the edits on it cannot be kept.
    notes = {n.ref: n for n in approved_notes(db, event)}
    hidden = {s["note"] for s in t0["segments"]}
    for ref in hidden:
        set_note_status(db, notes[ref].id, "hidden")
    synthesise(db, event)
    later, unkept = edited_result_with_report(db, event)
    assert any("rename to 'Contracts are getting bigger'" in u for u in unkept)
    assert any("edited summary" in u for u in unkept)
    assert "Contracts are getting bigger" not in [t["label"] for t in later["themes"]]
    keys = placement(later)
    assert len(keys) == len(set(keys))
    assert not any(k.split(":")[0] in hidden for k in keys)


def test_seee_published_under_the_rule_with_the_real_pipeline(db_path, db, runner):
    from web.cli import cli

    import_file(db, SEEE, event="seee")
    event = save_event(db, "seee", chatham_house=True)
    synthesise(db, event)
    res = runner.invoke(cli, ["--db", str(db_path), "publish", "seee"])
    assert res.exit_code == 1 and "Alison Reid" in res.output
    assert publish(db, event, accept_redactions=True) == 1
    for fmt in ("markdown", "html", "json", "csv"):
        text, which = digest_output(db, event, fmt)
        assert which == "version 1"
        assert not re.search(r"\b(Alison|Reid)\b", text), fmt
        assert "Community Dental Services" not in text, fmt  # her attribution is not published either
    data = json.loads(digest_output(db, event, "json")[0])
    assert data["themes"] and all(q["text"] for t in data["themes"] for q in t["quotes"])
    md = digest_output(db, event, "markdown")[0]
    assert "Social Value Act" in md and "## How this digest was made" in md
