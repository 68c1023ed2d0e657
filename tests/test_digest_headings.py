"""A digest an editor would publish as it stands: theme labels hold no scribe's shorthand ("->",
"hrs", a fragment cut from its infinitive) and no summary or quote runs across a line label
("Question raised:", "Action:", "Q:") the importer joined to the line before. Fast unit tests on
wording of our own, then the real models on our own scribe's notes
(tests/files/food-network-scribe-notes.txt) and on the housing sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.importing import import_file
from capture.store import approved_notes, get_event
from synthesis import publishable, quotes, runs
from synthesis.publishable import check_result, label_problems, sentence_bounds, shorthand
from synthesis.segment import line_breaks, line_labels

FILES = Path(__file__).parent / "files"
HOUSING = Path(__file__).parent.parent / "transcripts" / "housing-round-table-scribe-notes.txt"
FOOD = FILES / "food-network-scribe-notes.txt"


@pytest.mark.parametrize("label, sign", [
    ("Kids at school in Thetford -> 3 hrs", "->"),
    ("Storage = the real bottleneck", "="),
    ("Opening remarks / who is here", "/"),
    ("Two hrs a day on the bus", "hrs"),
    ("Costs approx doubled since the spring", "approx"),
    ("Rents → up by a third", "→"),
])
def test_a_label_in_shorthand_breaks_the_rules(label, sign):
    assert shorthand(label) == sign
    assert any("shorthand" in p for p in label_problems(label))


@pytest.mark.parametrize("label", ["Pantry model keeps dignity", "B&B costs more than leasing homes",
                                   "Co-design with young carers", "Rents up 40% in a year",
                                   "Help with DBS checks"])
def test_a_heading_a_person_writes_is_no_shorthand(label):
    assert shorthand(label) is None


def test_a_line_label_starts_a_point_where_the_line_break_was_lost():
    text = ('"we are a permanent service now" - volunteer coordinator Question raised: should we stop '
            'calling it emergency food? Action: Tom to ask about a Thursday run. Q: who pays?')
    starts = line_labels(text)
    assert [text[s:s + 8] for s in starts] == ["Question", "Action: ", "Q: who p"]
    assert set(starts) <= set(line_breaks(text).breaks)
    # A letter naming a plan or an option, a label at the very start, a colon mid-sentence: none.
    assert line_labels("We chose Plan A: the cheaper one. The next option B: wait.") == []
    assert line_labels("Action: Tom to write to the council.") == []
    assert line_labels("The question: who holds the risk?") == []


def test_a_passage_across_a_line_label_is_a_problem():
    text = "the B&B is dearer every year after - a tenancy officer Question raised: could they lease?"
    bounds = sentence_bounds(text)
    across = {"text": text, "note": "n1", "parts": [{"start": 0, "end": len(text)}]}
    problem = publishable.quote_problem(across, text, bounds)
    assert problem is not None and "line label 'Question raised: cou'" in problem
    at = text.index("Question")
    alone = {"text": text[at:], "note": "n1", "parts": [{"start": at, "end": len(text)}]}
    assert publishable.quote_problem(alone, text, bounds) is None


def test_a_question_or_a_task_is_no_summary():
    assert not quotes.reads_alone("Question raised: should the network stop calling it emergency food?")
    assert not quotes.reads_alone("Action: Tom to ask the community transport scheme about a run.")
    assert quotes.reads_alone("Villages beyond Watton have no bus after two in the afternoon.")


@pytest.mark.models
@pytest.mark.parametrize("path", [FOOD, HOUSING], ids=["own-food-notes", "housing-sample"])
def test_scribes_notes_give_labels_and_summaries_an_editor_keeps(db, path):
    from synthesis.embed import MiniLMEmbedder
    from synthesis.pipeline import synthesise
    from synthesis.segment import load_nlp

    import_file(db, path, event="notes")
    event = get_event(db, "notes")
    synthesise(db, event, embedder=MiniLMEmbedder())
    result = runs.latest_result(db, event)
    notes = {n.ref: n.text for n in approved_notes(db, event)}
    report = check_result(result, notes, load_nlp())
    assert report.quotes_not_whole == []
    assert report.summary_sentences_not_whole == []
    assert report.labels_breaking_rules == []
    for theme in result["themes"]:
        assert shorthand(theme["label"]) is None, theme["label"]
        assert not theme["label"].lower().endswith(("with nowhere", "nothing", "somewhere")), theme["label"]
        for quote in theme["summary_quotes"]:
            assert not any(0 < at for at in line_labels(quote["text"])), quote["text"]
            assert not quote["text"].startswith(("Question raised:", "Action:")), quote["text"]
        for quote in theme["quotes"]:
            assert not any(0 < at for at in line_labels(quote["text"])), quote["text"]


@pytest.mark.models
def test_a_question_is_listed_from_its_line_label_not_with_the_quote_before_it():
    from synthesis.asks import find_asks

    text = ('"we are a permanent service now, not an emergency one" - volunteer coordinator Question '
            'raised: should the network stop calling it emergency food? no agreement on that.')
    questions = [q["text"] for q in find_asks([("n1", text)])["questions"]]
    assert questions == ["Question raised: should the network stop calling it emergency food?"]


@pytest.mark.models
def test_a_label_keeps_this_before_a_singular_noun():
    from synthesis.label_candidates import candidate_phrases
    from synthesis.segment import Segment, load_nlp

    texts = ["The tenants felt that a single visit doesn't help this estate.",
             "These larger grants by their nature need a lead partner."]
    docs = list(load_nlp().pipe(texts))
    segments = [Segment(note_id=i, note_ref=f"n{i}", table=None, start=0, end=len(t), text=t, note_index=i)
                for i, t in enumerate(texts)]
    phrases = candidate_phrases(docs, segments)
    assert not any(p.endswith("help estate") for p in phrases[0]), phrases[0]
    assert any(p.endswith("help this estate") for p in phrases[0]), phrases[0]
    # A plural keeps its headline form: "these larger grants" is "larger grants".
    assert any(p.startswith("larger grants") for p in phrases[1]), phrases[1]


@pytest.mark.models
def test_a_label_keeps_the_limiter_it_opens_on():
    from synthesis.label_candidates import candidate_phrases
    from synthesis.segment import Segment, load_nlp

    text = "Too much time on speeches, not enough on questions."
    segment = Segment(note_id=1, note_ref="n1", table=None, start=0, end=len(text), text=text)
    phrases = candidate_phrases([load_nlp()(text)], [segment])[0]
    assert "Too much time on speeches" in phrases, phrases
    assert not any(p.lower().startswith(("much time", "time on")) for p in phrases), phrases
