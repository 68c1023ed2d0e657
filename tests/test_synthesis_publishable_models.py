"""Issue 12, points 1-3, with the real models on the SEEE transcript and on three inputs written
after the rules and never tuned on (a form's comments, a survey, a scribe's messy notes): every
quote and summary sentence is a whole verbatim sentence of its note at its offsets, summaries and
quotes never repeat each other, and (on SEEE) labels keep the rules of a headline
(synthesis.publishable's checks)."""

from __future__ import annotations

import pytest

from capture.importing import import_file
from capture.store import get_event
from synthesis import quotes, runs
from synthesis.embed import MiniLMEmbedder
from synthesis.pipeline import synthesise
from synthesis.publishable import check_result
from synthesis.segment import load_nlp
from tests.conftest import SEEE

pytestmark = pytest.mark.models


@pytest.fixture
def seee_result(db):
    import_file(db, SEEE, event="seee")
    event = get_event(db, "seee")
    synthesise(db, event, embedder=MiniLMEmbedder())
    rows = db.query("SELECT ref, text FROM note WHERE event_id = ?", [event.id])
    notes = {r["ref"]: r["text"] for r in rows}
    return runs.latest_result(db, event), notes


def test_seee_quotes_and_summaries_are_whole_verbatim_sentences(seee_result):
    result, notes = seee_result
    report = check_result(result, notes, load_nlp())
    assert report.quotes_not_whole == []
    assert report.summaries_not_verbatim == []
    assert report.summary_sentences_not_whole == []
    for theme in result["themes"]:
        shown = theme.get("summary_quotes", []) + theme["quotes"]
        for quote in shown:
            pieces = [notes[quote["note"]][p["start"]:p["end"]] for p in quote["parts"]]
            assert quote["text"] == quotes.ELLIPSIS.join(pieces)
            assert quote["text"][0].isupper() or len(quote["parts"]) > 1 or not quote["text"][0].isalpha()
        # The summary is its sentences, and no sentence is shown twice in a theme.
        assert theme["summary"] == " ".join(q["text"] for q in theme.get("summary_quotes", []))
        spans = sorted((q["note"], p["start"], p["end"]) for q in shown for p in q["parts"])
        for (n1, _, end), (n2, start, _) in zip(spans, spans[1:], strict=False):
            assert n1 != n2 or end <= start, theme["label"]
        for quote in theme.get("summary_quotes", []):
            assert quotes.reads_alone(quote["text"]), quote["text"]


def test_seee_labels_keep_the_rules_of_a_headline(seee_result):
    result, notes = seee_result
    report = check_result(result, notes, load_nlp())
    assert report.labels_breaking_rules == []
    labels = [t["label"] for t in result["themes"]]
    assert "Council can talk to providers before a tender" not in labels
    assert not any(label.lower().startswith(("because", "and ", "but ")) for label in labels)


UNTUNED = ["feedback-comments-microsoft-forms.csv", "members-survey-google-forms.xlsx",
           "housing-round-table-scribe-notes.txt"]


@pytest.fixture(scope="module")
def embedder():
    return MiniLMEmbedder()


@pytest.mark.parametrize("name", UNTUNED)
def test_untuned_inputs_quote_and_summarise_whole_verbatim_sentences(db, embedder, name):
    from benchmarks.publishability import import_sample
    from tests.conftest import TRANSCRIPTS

    import_sample(db, TRANSCRIPTS / name, "untuned")
    event = get_event(db, "untuned")
    synthesise(db, event, embedder=embedder)
    result = runs.latest_result(db, event)
    rows = db.query("SELECT ref, text FROM note WHERE event_id = ?", [event.id])
    notes = {r["ref"]: r["text"] for r in rows}
    report = check_result(result, notes, load_nlp())
    assert (report.quotes_not_whole, report.summaries_not_verbatim, report.summary_sentences_not_whole) == (
        [], [], []), report.problems()
    assert result["themes"]
    for theme in result["themes"]:
        shown = theme.get("summary_quotes", []) + theme["quotes"]
        assert shown, theme["label"]
        for quote in shown:
            text = notes[quote["note"]]
            assert quote["text"] == quotes.ELLIPSIS.join(text[p["start"]:p["end"]] for p in quote["parts"])
            # Lower case only where the writer started a line so (a form's answer, a bullet), or
            # after a question mark: never the tail of a sentence.
            start = quote["parts"][0]["start"]
            before = text[:start].rstrip()
            assert not quote["text"][0].islower() or not before or before[-1] in "\n?!", quote["text"]
        assert theme["summary"] == " ".join(q["text"] for q in theme.get("summary_quotes", []))
        spans = sorted((q["note"], p["start"], p["end"]) for q in shown for p in q["parts"])
        for (n1, _, end), (n2, start, _) in zip(spans, spans[1:], strict=False):
            assert n1 != n2 or end <= start, theme["label"]
