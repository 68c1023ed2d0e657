"""The synthesis pipeline with the real models (spaCy English, all-MiniLM-L6-v2) on the SEEE
round-table transcript. Marked `models`: slower, and run by CI like the rest."""

from __future__ import annotations

import json

import numpy as np
import pytest

from capture.importing import import_file
from capture.models import Note
from capture.store import add_notes, get_event, save_event
from synthesis import runs
from synthesis.embed import FakeEmbedder, MiniLMEmbedder, SentenceTransformerEmbedder
from synthesis.pipeline import synthesise
from synthesis.segment import load_nlp
from tests.conftest import SEEE

pytestmark = pytest.mark.models


@pytest.fixture
def seee(db):
    import_file(db, SEEE, event="seee")
    return get_event(db, "seee")


def segments(result):
    return [s for t in result["themes"] for s in t["segments"]] + list(result["unassigned"])


def test_seee_themes_with_real_models(db, seee):
    embedder = MiniLMEmbedder()
    synthesise(db, seee, embedder=embedder)
    result = runs.latest_result(db, seee)
    notes = {r["ref"]: r["text"] for r in db.query("SELECT ref, text FROM note WHERE event_id = ?",
                                                   [seee.id])}
    # Every segment once, verbatim; every note covered.
    segs = segments(result)
    keys = [(s["note"], s["start"], s["end"]) for s in segs]
    assert len(keys) == len(set(keys))
    assert {s["note"] for s in segs} == set(notes)
    for s in segs:
        assert notes[s["note"]][s["start"]:s["end"]] == s["text"]
    assert len(result["unassigned"]) <= 0.15 * len(segs)
    assert 3 <= len(result["themes"]) <= 10
    for theme in result["themes"]:
        assert theme["quotes"] and all(q["text"] in notes[q["note"]] for q in theme["quotes"])
        # The label is a phrase a person wrote in this theme's notes, not a keyword string.
        members = " ".join(s["text"] for s in theme["segments"]).lower()
        assert theme["label"].lower() in " ".join(members.split())
        assert theme["label"][0].isupper() and "," not in theme["label"]
        assert theme["summary"]
    entities = {(e["text"], e["label"]) for e in result["entities"]}
    assert ("Social Value Act", "LAW") in entities
    assert ("Manchester", "GPE") in entities
    # A second run embeds nothing (all cached) and gives the same JSON.
    again = MiniLMEmbedder()
    synthesise(db, seee, embedder=again)
    assert again.calls == 0
    assert json.dumps(runs.latest_result(db, seee), sort_keys=True) == json.dumps(result, sort_keys=True)


def test_seeded_themes_with_real_models(db, seee):
    synthesise(db, seee, themes="distrust; Social Value Act; lunar exploration")
    result = runs.latest_result(db, seee)
    by_label = {t["label"]: t for t in result["themes"]}
    assert "Distrust" in by_label and "Social Value Act" in by_label
    assert not any("lunar" in label.lower() for label in by_label)
    assert any("distrust" in s["text"] for s in by_label["Distrust"]["segments"])
    assert any("Social Value Act" in s["text"] for s in by_label["Social Value Act"]["segments"])
    # The rest is still discovered.
    assert len(result["themes"]) >= 4


def test_minilm_matches_sentence_transformers():
    texts = ["Commissioners want one person to negotiate with.", "Tight tender timelines " * 40, "🙂"]
    ours = MiniLMEmbedder().encode(texts)
    reference = SentenceTransformerEmbedder().encode(texts)
    assert np.allclose((ours * reference).sum(axis=1), 1.0, atol=1e-4)


def test_long_note_with_real_spacy(db):
    paragraph = open(SEEE, encoding="utf-8").read()
    text = ("\n\n".join([paragraph] * 25))[:100_000]
    event = save_event(db, "long", title="Long minutes")
    add_notes(db, event, [Note(text=text, ref="minutes")])
    # Real spaCy on 100,000 characters; the small-event clusterer keeps the test quick (the
    # UMAP + HDBSCAN path for large events is timed and scored in benchmarks/).
    synthesise(db, event, embedder=FakeEmbedder(), nlp=load_nlp(), settings={"small_event_segments": 2000})
    result = runs.latest_result(db, event)
    segs = segments(result)
    assert len(segs) > 300
    assert all(text[s["start"]:s["end"]] == s["text"] for s in segs)
    assert len({(s["start"], s["end"]) for s in segs}) == len(segs)
    assert len(result["themes"]) >= 2
    assert len(result["unassigned"]) <= 0.15 * len(segs)
