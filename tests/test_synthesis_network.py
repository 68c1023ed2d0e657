"""Themes across events: recurring, new and fading, from each event's latest result."""

from __future__ import annotations

import spacy

from capture.models import Note
from capture.store import add_notes, save_event
from synthesis.embed import FakeEmbedder
from synthesis.network import network_themes
from synthesis.pipeline import synthesise

FUNDING = ["No funding for convening partnerships of small charities.",
           "Funding for convening partnerships never arrives for small charities.",
           "Small charities get no funding for convening partnerships."]
TENDERS = ["Tender deadlines are far too tight for small charities.",
           "Tight tender deadlines shut small charities out.",
           "Small charities cannot meet such tight tender deadlines."]
VOLUNTEERS = ["Volunteers burn out when rotas and training are missing.",
              "Volunteers burn out without proper training and rotas.",
              "Rotas and training would stop volunteers burning out."]


def run_event(db, slug, date, *topics):
    event = save_event(db, slug, title=slug.title(), date=date)
    add_notes(db, event, [Note(text=t) for topic in topics for t in topic])
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp, settings={"min_theme_size": 2})
    return event


def test_recurring_new_and_fading(db):
    run_event(db, "spring", "2026-03-01", FUNDING, VOLUNTEERS)
    run_event(db, "autumn", "2026-10-01", FUNDING, TENDERS)
    save_event(db, "not-run", title="Never synthesised", date="2026-11-01")
    result = network_themes(db, embedder=FakeEmbedder())
    by_status = {}
    for theme in result["themes"]:
        words = " ".join(q["text"] for q in theme["quotes"]).lower()
        by_status.setdefault(theme["status"], []).append(words)
        assert [e["slug"] for e in theme["events"]] in (["spring", "autumn"], ["spring"], ["autumn"])
    assert len(by_status["recurring"]) == 1 and "funding" in by_status["recurring"][0]
    assert len(by_status["new"]) == 1 and "tender" in by_status["new"][0]
    assert len(by_status["fading"]) == 1 and "volunteers" in by_status["fading"][0]
    assert [t["id"] for t in result["themes"]] == ["n1", "n2", "n3"]
    # A date range that leaves out the spring event: nothing recurs, and nothing fades.
    autumn_only = network_themes(db, since="2026-06-01", embedder=FakeEmbedder())
    assert {t["status"] for t in autumn_only["themes"]} == {"new"}
