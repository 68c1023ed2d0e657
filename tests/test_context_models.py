"""Issue 12, points 4 and 6, with the real models (spaCy en_core_web_sm, MiniLM) on the SEEE
transcript and the sample minutes written for it: no line that describes the event (the
hand-marked context lines of benchmarks/context_gold.json) is in a theme, the event's details are
read from them, and every quote cites the number moderation shows for its note."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import FILES, TRANSCRIPTS

from capture.importing import import_file
from capture.store import get_event, list_notes
from synthesis import runs
from synthesis.embed import MiniLMEmbedder
from synthesis.pipeline import synthesise
from synthesis.publishable import context_in_themes
from synthesis.quotes import reads_alone

pytestmark = pytest.mark.models
GOLD = json.loads((Path(__file__).resolve().parent.parent / "benchmarks" / "context_gold.json")
                  .read_text(encoding="utf-8"))["files"]
# The SEEE transcript, the minutes written for issue 12, and three inputs written after the rules
# and never tuned on (a form's comments, a survey, a scribe's messy notes).
UNTUNED = ["feedback-comments-microsoft-forms.csv", "members-survey-google-forms.xlsx",
           "housing-round-table-scribe-notes.txt"]
SAMPLES = ["seee-partnership-structures.txt", "trustee-board-minutes.docx",
           "older-peoples-network-minutes.txt", "youth-mental-health-workshop.md", *UNTUNED]
# What each sample's context lines say about the event (read by the rules, checked by hand).
DETAILS = {
    "seee-partnership-structures.txt": {"date": None, "venue": "the Future Business Centre in Cambridge"},
    "trustee-board-minutes.docx": {"date": "2025-10-14", "present": 7},
    "older-peoples-network-minutes.txt": {"date": "2025-11-05", "present": 15},
    "youth-mental-health-workshop.md": {"date": "2025-11-27", "venue": "The Junction, Cambridge",
                                        "present": 31},
    "feedback-comments-microsoft-forms.csv": {"date": None, "present": None},
    "members-survey-google-forms.xlsx": {"date": None, "present": None},
    # Five named and "plus approx 8 others"; the date has no year ("12/02").
    "housing-round-table-scribe-notes.txt": {"date": None, "venue": "Kings Lynn Town Hall, Stone Hall room",
                                             "present": 13},
}


@pytest.fixture(scope="module")
def embedder():
    return MiniLMEmbedder()


def _synthesised(db, name, embedder):
    from benchmarks.publishability import import_sample

    slug = Path(name).stem
    import_sample(db, TRANSCRIPTS / name, slug)  # with the options an organiser gives it
    event = get_event(db, slug)
    synthesise(db, event, embedder=embedder)
    return event, runs.latest_result(db, event)


@pytest.mark.parametrize("name", SAMPLES)
def test_no_context_line_is_in_a_theme(db, embedder, name):
    event, result = _synthesised(db, name, embedder)
    notes = {n.ref: n.text for n in list_notes(db, event)}
    # None of the hand-marked lines...
    missed = context_in_themes(result, notes, GOLD[name])
    assert not missed, missed
    # ... and none is quoted or summarised.
    shown = " ".join(q["text"] for t in result["themes"] for q in t["quotes"] + t.get("summary_quotes", []))
    assert not [line for line in GOLD[name] if len(line) > 25 and line in shown]
    assert result["context"], name
    for line in result["context"]:
        assert notes[line["note"]][line["start"]:line["end"]] == line["text"]
    for key, value in DETAILS[name].items():
        assert result["event"][key] == value, (key, result["event"])


@pytest.mark.parametrize("name", ["trustee-board-minutes.docx", "seee-partnership-structures.txt", *UNTUNED])
def test_citations_match_the_moderation_numbers(app, client, db, embedder, name):
    from web_helpers import login

    event, result = _synthesised(db, name, embedder)
    notes = {n.ref: n for n in list_notes(db, event)}
    login(client)
    page = client.get(f"/events/{event.slug}/moderate").get_data(as_text=True)
    quotes = [q for t in result["themes"] for q in t["quotes"] + t.get("summary_quotes", [])]
    assert quotes
    for quote in quotes:
        note = notes[quote["note"]]
        assert quote["number"] == note.number
        assert quote["cite"] == (f"{note.table}, note {note.number}" if note.table else f"note {note.number}")
        card = page[page.index(f'id="note-{note.id}"'):]
        assert re.search(rf"Note {note.number}</strong>", card[:600]), quote["cite"]


def test_minutes_nobody_tuned_on_read_as_an_editor_would_publish_them(db, embedder):
    """The defects found on a coastal forum's minutes (tests/files/coastal-forum-minutes.txt,
    written after the rules): the document's title and the number present in the digest, no
    "AOB None", time or listed first name among the organisations, headings that are notes of their
    own ("Network updates") in no theme, a summary wherever a sentence reads alone, and no speaker
    the scribe reports counted as a contributor."""
    from web.publish.digest import build_data, compose_markdown

    import_file(db, FILES / "coastal-forum-minutes.txt", event="coastal-jan")
    event = get_event(db, "coastal-jan")
    synthesise(db, event, embedder=embedder)
    result = runs.latest_result(db, event)
    notes = {n.ref: n.text for n in list_notes(db, event)}
    headings = ["Evening transport", "Network updates", "Second homes", "AOB None",
                "Present: Jo Pritchard (chair), Sam Okafor, Lesley Dunn, Tariq Hussain",
                "Apologies: Marian Cole", "The minutes of the meeting held on 12 November were agreed.",
                "Date of next meeting: Wed 11 March, 7pm"]
    assert not context_in_themes(result, notes, headings)
    assert {c["text"] for c in result["context"]} >= set(headings)
    assert result["event"]["present"] == 4 and result["event"]["date"] == "2026-01-14"
    data = build_data(db, event)
    listed = [name for names in data["entities"].values() for name in names]
    junk = {"None", "AOB None", "AOB", "6.10pm", "2MB", "Lesley", "Tariq", "Jo", "Sam"}
    assert not junk & set(listed), listed
    md = compose_markdown(db, event)
    assert md.startswith("# Minutes of the Coastal Communities Forum meeting held on Wednesday 14 January "
                         "2026 at Walton Community Centre\n")
    assert "**Present:** 4" in md and "**Date:** 14 January 2026" in md
    assert "Contributors" not in md  # "Jo said:" is the scribe's report, not Jo's note
    assert result["themes"]
    for theme in result["themes"]:
        readable = [q for q in theme["quotes"] if reads_alone(q["text"])]
        assert theme["summary"] or not readable, (theme["label"], theme["quotes"])


@pytest.mark.parametrize("text", [
    "WEAPONS KILL PEOPLE IF THEY WERE NOT READILY AVAILABLE THEN LESS PEOPLE WOULD DIE",
    "Guantanamo harms America's image abroad, making diplomacy more difficult.",
    "Sam updates Jo on the bus timetable every week.",
])
def test_arguments_the_parser_cuts_oddly_are_not_headings(text):
    # Two ArgKP arguments the heading rules once cut (a line in capitals; a name and a verb read as
    # a compound noun, "Network updates"): they are content, whole.
    from synthesis.context import note_context
    from synthesis.segment import load_nlp

    assert note_context(load_nlp()(text), text) == []


def test_headings_the_tagger_reads_as_a_noun_and_a_verb_are_headings():
    from synthesis.context import HEADING_ALONE, note_context
    from synthesis.segment import load_nlp

    nlp = load_nlp()
    joined = "Network updates Lesley said the council's new grant portal takes hours to complete."
    assert note_context(nlp(joined), joined) == [(0, len("Network updates"), "heading")]
    assert note_context(nlp("Network updates"), "Network updates") == [(0, 15, HEADING_ALONE)]
    messy = "prevention (this was the longest bit) People come to us too late, usually after the notice."
    assert note_context(nlp(messy), messy) == [(0, len("prevention (this was the longest bit)"), "heading")]


@pytest.mark.parametrize(("text", "heading"), [
    # helper-digest's own coastal notes: the heading was cut to "HOMES"; mine after it.
    ("HOMES FOR OLDER PEOPLE Bungalows are being sold off under right to buy and not replaced.",
     "HOMES FOR OLDER PEOPLE"),
    ("TEMPORARY ACCOMMODATION Families wait in bed and breakfasts for months.", "TEMPORARY ACCOMMODATION"),
    ("TRANSPORT & ACCESS Buses stop at six in the evening.", "TRANSPORT & ACCESS"),
    ("HOUSING Rents went up by a third this year.", "HOUSING"),
    # An acronym opening a sentence is no heading.
    ("NHS Trusts are cutting the posts that link them to charities.", None),
])
def test_a_heading_in_capitals_joined_to_its_paragraph_is_all_its_words(text, heading):
    from synthesis.context import note_context
    from synthesis.segment import load_nlp

    found = [text[a:b] for a, b, kind in note_context(load_nlp()(text), text) if kind == "heading"]
    assert found == ([heading] if heading else [])


@pytest.mark.parametrize(("text", "label"), [
    ("Phone note A at Table 1: the food bank now sees working families every week.",
     "Phone note A at Table 1:"),
    ("Table 3 summary: rents are rising faster than wages.", "Table 3 summary:"),
    ("Group B: the hostel is full every night.", "Group B:"),
    ("Notes from Group C: the library cut its opening hours.", "Notes from Group C:"),
    ("Scribe notes Table 2 - buses stop at six in the evening.", "Scribe notes Table 2 -"),
    ("Breakout room 2 feedback: we need more warm spaces.", "Breakout room 2 feedback:"),
])
def test_a_scribes_lead_in_is_a_label_up_to_its_colon(text, label):
    """The second walk-through's N10: "Phone note" was taken for a heading, so the quote started
    mid-phrase on "A at Table 1: ...". A lead-in naming where the note came from is one label, up
    to its colon or dash; what follows is the note."""
    from synthesis.context import note_context
    from synthesis.segment import load_nlp

    assert note_context(load_nlp()(text), text) == [(0, len(label), "heading")]


@pytest.mark.parametrize("text", ["Our notes show the rents went up again.",
                                  "The report said rents are up by a third.",
                                  "The report - published in May - shows rents up by a third."])
def test_a_sentence_about_notes_is_no_lead_in(text):
    from synthesis.context import note_context
    from synthesis.segment import load_nlp

    assert note_context(load_nlp()(text), text) == []


def test_a_dash_after_a_joined_heading_opens_an_aside_not_a_label():
    # Only a colon ends a label a heading was found inside: the quote keeps "Richard - our chair -".
    from synthesis.context import note_context
    from synthesis.segment import load_nlp

    text = "Digital inclusion Richard - our chair - said the sessions are full."
    assert note_context(load_nlp()(text), text) == [(0, len("Digital inclusion"), "heading")]


def test_phone_notes_quote_whole_and_a_bare_agreement_is_no_quote(db, embedder):
    """N10 end to end: notes sent from phones open with a lead-in; no quote starts inside one, and
    no theme is quoted by a note that only agrees ("Agreed.")."""
    from capture.models import Note
    from capture.store import add_notes, save_event

    event = save_event(db, "phones", title="Winter housing")
    texts = [
        ("Table 1", "Phone note A at Table 1: the food bank now sees working families every week."),
        ("Table 1", "Phone note B at Table 1: working parents queue at the food bank after their shifts."),
        ("Table 2", "Table 2 summary: rents have gone up by a third since last winter."),
        ("Table 2", "Rents rose again in January and wages did not."),
        ("Table 3", "Group C: the hostel is full every night and people sleep in cars."),
        ("Table 3", "Notes from Group C - the night shelter turns people away most nights."),
        ("Table 1", "Agreed."),
        ("Table 2", "Agreed."),
        ("Table 3", "Good point, yes."),
        ("Table 2", "Landlords are selling up and fewer homes are let to families on benefits."),
        ("Table 1", "Food bank volunteers say demand doubled over the summer holidays."),
        ("Table 3", "Young people sofa surf for months before anyone counts them as homeless."),
    ]
    add_notes(db, event, [Note(text=t, ref=f"p{i}", table=table, status="approved")
                          for i, (table, t) in enumerate(texts)])
    synthesise(db, event, embedder=embedder)
    result = runs.latest_result(db, event)
    quoted = [q["text"] for t in result["themes"] for q in t["quotes"] + t.get("summary_quotes", [])]
    assert quoted
    for text in quoted:
        assert not re.match(r"(?:A|B) at Table|at Table \d:|summary:|Group C\b", text), text
        assert text not in ("Agreed.", "Good point, yes."), text
