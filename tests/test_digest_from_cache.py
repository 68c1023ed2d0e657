"""The digest's questions and proposals come from the segmentation cache the synthesis run filled:
building it parses no note the run parsed, and writes nothing (a note approved since is parsed,
not stored)."""

from __future__ import annotations

import pytest

from capture.models import Note
from capture.store import add_notes, approved_notes, save_event
from synthesis import segment_cache
from synthesis.asks import event_asks, find_asks
from synthesis.embed import FakeEmbedder
from synthesis.pipeline import synthesise

NOTES = [
    "Should funders cover the cost of convening? Contracts are getting bigger every year.",
    "Commissioners should allow three months for a consortium to form. Six weeks is too short.",
    "We propose a standing partnership of nine providers. It worked well in Manchester.",
    "How can small charities compete with corporate providers? Nobody funds the bid writing.",
]


def _parsed(monkeypatch) -> list[int]:
    """Counts the notes the spaCy stage parses from now on."""
    counted: list[int] = []
    real = segment_cache.compute_entries

    def counting(nlp, notes, settings):
        counted.append(len(notes))
        return real(nlp, notes, settings)

    monkeypatch.setattr(segment_cache, "compute_entries", counting)
    return counted


def _cache_rows(db) -> int:
    return db.execute("SELECT count(*) FROM segmentation_cache").fetchone()[0]


def test_asks_come_from_the_cache_and_nothing_is_written(db, nlp, monkeypatch):
    event = save_event(db, "asks", title="Asks")
    add_notes(db, event, [Note(text=t, ref=f"n{i}") for i, t in enumerate(NOTES)])
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    notes = approved_notes(db, event)
    expected = find_asks([(n.ref, n.text) for n in notes], nlp=nlp)
    assert expected["questions"]  # the "?" rule works with a blank pipeline (proposals need tags)
    parsed, rows = _parsed(monkeypatch), _cache_rows(db)
    assert event_asks(db, event, notes, nlp=nlp) == expected
    assert parsed == []  # every note read from the cache
    # A note approved after the run: parsed for the digest, and not stored.
    add_notes(db, event, [Note(text="Should we meet again in the spring? Everyone agreed.", ref="late")])
    notes = approved_notes(db, event)
    found = event_asks(db, event, notes, nlp=nlp)
    assert parsed == [1] and _cache_rows(db) == rows
    assert "Should we meet again in the spring?" in [q["text"] for q in found["questions"]]


@pytest.mark.models
def test_the_digest_after_a_real_run_parses_no_note(db, monkeypatch):
    from web.publish.digest import build_data

    event = save_event(db, "asks-real", title="Asks")
    add_notes(db, event, [Note(text=t, ref=f"n{i}") for i, t in enumerate(NOTES)])
    synthesise(db, event)  # the real models, as `harvest synthesise`
    parsed = _parsed(monkeypatch)
    data = build_data(db, event)
    assert parsed == []
    questions = [q["text"] for q in data["asks"]["questions"]]
    assert "Should funders cover the cost of convening?" in questions
    notes = approved_notes(db, event)
    assert data["asks"]["proposals"] and [p["text"] for p in data["asks"]["proposals"]] == [
        p["text"] for p in find_asks([(n.ref, n.text) for n in notes])["proposals"]]
