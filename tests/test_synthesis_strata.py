"""Themes never mix kinds an editor keeps apart (synthesis/strata.py): comments about the event
itself ("the coffee was cold", "email round the slides") and points about its subject; a form's
answers to two questions (a worry and an ask). Fast unit tests on wording of our own, then the
real models on a feedback form and a survey written for these tests (tests/files/) and on the
samples in transcripts/."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from capture.importing import ImportOptions, import_file
from capture.store import get_event
from synthesis import runs, strata

FILES = Path(__file__).parent / "files"
TRANSCRIPTS = Path(__file__).parent.parent / "transcripts"
FEEDBACK = FILES / "library-feedback-form.csv"
SURVEY = FILES / "partnership-survey.csv"
# The comments of FEEDBACK about the event itself, marked by hand when the file was written.
ABOUT_THE_EVENT = {"1", "3", "5", "7", "9", "11"}


@pytest.mark.parametrize("text", [
    "Brilliant morning, thank you to the organisers", "The coffee was cold by ten o'clock",
    "Could you email round the slides from the opening talk?", "Finished late so I missed my train",
    "Room was far too hot and the projector kept failing", "Thanks, see you next time",
])
def test_a_comment_about_the_event_itself(text):
    assert strata.about_event(text)


@pytest.mark.parametrize("text", [
    "Our lunch club has lost its minibus", "The coffee morning is the only place some people talk to anyone",
    "Tenants' homes are too cold to live in", "Small organisations cannot bid for the big contracts",
    "Mobile library stops have been cut to once a month",
])
def test_a_point_about_the_subject_is_not_about_the_event(text):
    assert not strata.about_event(text)


def test_tables_named_as_questions_are_strata_and_round_tables_are_not():
    assert strata.question_tables(["Biggest worry", "What the partnership should do", None])
    assert strata.question_tables(["Q1", "Q2"]) and strata.question_tables(["Question 1", "What next?"])
    assert not strata.question_tables(["Table 1", "Table 2", "Table 3"])
    assert not strata.question_tables(["Group A", "Red table"])
    assert not strata.question_tables(["Biggest worry"])  # one question: nothing to keep apart
    texts = ["Funding ends in July", "Speak to the council", "Funding fairs"]
    tables = ["Worries", "Asks", "Asks"]
    assert strata.strata(texts, tables) == [0, 1, 1]
    # Round tables share strata; comments about the event are their own where there are two.
    texts = ["Lunch ran out", "Rents are up", "Please share the slides", "Landlords are leaving"]
    assert strata.strata(texts, ["Table 1"] * 4) == [0, 1, 0, 1]
    assert strata.strata(texts[:2], ["Table 1"] * 2) == [0, 0]  # one such comment stays with the rest


def test_a_mixed_theme_is_split_and_a_lone_piece_joins_its_own_kind():
    vectors = np.eye(6)[[0, 0, 1, 1, 2, 2]] + 0.01
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = np.array([0, 0, 0, 1, 1, 1])
    groups = [0, 0, 1, 1, 1, 0]  # theme 0 holds one segment of stratum 1; theme 1 one of stratum 0
    out = strata.split_mixed(labels, groups, vectors)
    for label in set(out.tolist()):
        assert len({groups[i] for i in np.flatnonzero(out == label)}) == 1
    assert out[2] == out[3]  # the lone piece of stratum 1 joined stratum 1's theme
    unmixed = np.array([0, 0, 1, 1, 2, 2])
    assert strata.split_mixed(unmixed, [0, 0, 0, 0, 0, 0], vectors) is unmixed


def _themes(db, path, imports):
    from synthesis.embed import MiniLMEmbedder
    from synthesis.pipeline import synthesise

    for options in imports:
        import_file(db, path, event="forms", options=ImportOptions(**options))
    event = get_event(db, "forms")
    synthesise(db, event, embedder=MiniLMEmbedder())
    return runs.latest_result(db, event)["themes"]


@pytest.mark.models
def test_comments_about_the_event_and_points_about_libraries_never_share_a_theme(db):
    rows = list(csv.DictReader(FEEDBACK.open(encoding="utf-8")))
    event_texts = {r["Your comments"] for r in rows if r["Response ID"] in ABOUT_THE_EVENT}
    themes = _themes(db, FEEDBACK, [{"text_column": "Your comments"}])
    assert len(themes) >= 2
    for theme in themes:
        kinds = {any(s["text"] in text for text in event_texts) for s in theme["segments"]}
        assert len(kinds) == 1, [s["text"] for s in theme["segments"]]


@pytest.mark.models
@pytest.mark.parametrize("path, columns", [
    (SURVEY, ["What is your biggest worry for next year?", "What should the partnership do?"]),
    (TRANSCRIPTS / "members-survey-google-forms.xlsx",
     ["What is the biggest challenge your organisation faces in the next 12 months?",
      "What should the network do more of?", "Is there anything else you would like to tell us?"]),
], ids=["own-survey", "members-sample"])
def test_a_survey_theme_answers_one_question(db, path, columns):
    themes = _themes(db, path, [{"text_column": c, "table": f"Q{k}"} for k, c in enumerate(columns, 1)])
    assert len(themes) >= 2
    for theme in themes:
        assert len(theme["tables"]) == 1, (theme["label"], theme["tables"])


# The sample's comments about the event and points about transport, marked by hand for this test.
SAMPLE_EVENT = ("Great event", "Thanks for organising", "lunch ran out", "Please share the attendee list",
                "slides sent round", "Loved the networking", "Venue was freezing", "Well chaired")
SAMPLE_SUBJECT = ("mileage rate", "45p a mile", "dial-a-ride contracts", "Patients missing hospital",
                  "Demand responsive transport", "running on reserves")


@pytest.mark.models
def test_the_feedback_sample_keeps_lunch_and_thanks_apart_from_transport(db):
    themes = _themes(db, TRANSCRIPTS / "feedback-comments-microsoft-forms.csv",
                     [{"text_column": "Any other comments?"}])
    for theme in themes:
        texts = " ".join(s["text"] for s in theme["segments"])
        assert not (any(e in texts for e in SAMPLE_EVENT) and any(p in texts for p in SAMPLE_SUBJECT)), texts


def test_sections_under_two_headings_are_strata():
    texts = ["Families in hotels", "Hotel rooms have no kitchen", "Bungalows sold off",
             "Care leavers sleep on floors", "Tents"]
    sections = ["EMERGENCY HOUSING", "EMERGENCY HOUSING", "OLDER PEOPLE", None, None]
    assert strata.strata(texts, [None] * 5, sections=sections) == [0, 0, 1, 2, 2]
    texts, sections = texts[:2] + texts[3:], sections[:2] + sections[3:]
    # One heading in the whole write-up says nothing about where its points end.
    assert strata.strata(texts, [None] * 4, sections=["Housing", "Housing", None, None]) == [0, 0, 0, 0]
    sections = ["EMERGENCY HOUSING", "EMERGENCY HOUSING", "YOUNG PEOPLE", "YOUNG PEOPLE"]
    assert strata.strata(texts, [None] * 4, sections=sections) == [0, 0, 1, 1]


# Each section's points of a scribe's notes, marked by hand: a theme holds points of one only.
SECTIONS = {
    TRANSCRIPTS / "housing-round-table-scribe-notes.txt": (
        ("B&Bs in Hunstanton", "nightly-rate TA", "jointly lease"),
        ("sofa surfing", "17 year olds", "supported lodgings")),
    FILES / "coastal-housing-forum-notes.txt": (
        ("hotels in Cromer", "no kitchen", "hotel rates"),
        ("Bungalows", "downsize"),
        ("Care leavers 18-21", "living in tents", "supported housing for care leavers")),
}


@pytest.mark.models
@pytest.mark.parametrize("path", list(SECTIONS), ids=["housing-sample", "own-coastal-notes"])
def test_a_theme_of_a_scribes_notes_keeps_to_one_section(db, path):
    themes = _themes(db, path, [{}])
    assert len(themes) >= 3
    for theme in themes:
        texts = " ".join(s["text"] for s in theme["segments"])
        found = [k for k, marks in enumerate(SECTIONS[path]) if any(m in texts for m in marks)]
        assert len(found) <= 1, (theme["label"], texts)
