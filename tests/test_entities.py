"""Entities the digest lists are what the notes discuss (issue 12, point 4, on minutes nobody tuned
on): not the names in context lines ("AOB None", the attendance list), not times or the minutes'
own words, and a first name the attendance list gives is a person's, whatever spaCy called it.
Fast: the rules on given mentions; the real spaCy model runs in test_context_models.py."""

from __future__ import annotations

import pytest

from synthesis.entities import content_mentions, count_mentions, first_names, is_junk


@pytest.mark.parametrize("name", ["None", "AOB None", "AOB", "6.10pm", "10am", "2MB", "tbc", "x",
                                  "Apologies", "Matters arising", "the council", "Q&A",
                                  "Lobby the district council"])
def test_what_is_not_a_name(name):
    assert is_junk(name)


@pytest.mark.parametrize("name", ["Walton Community Centre", "Centre 33", "Social Value Act",
                                  "Age UK Norfolk", "NHS", "Frinton", "Care Act 2014",
                                  "Friends of the Earth"])
def test_names_stay(name):
    assert not is_junk(name)


def test_mentions_in_context_lines_are_not_listed_but_people_are_kept():
    text = "AOB None. Present: Jo Pritchard, Lesley Dunn. Lesley said Walton Library is closing."
    aob = (0, 9, "procedural")
    present = (10, 45, "attendance")
    mentions = [("AOB None", "ORG", 0, 8), ("Jo Pritchard", "PERSON", 19, 31), ("Lesley Dunn", "ORG", 33, 44),
                ("Lesley", "ORG", 46, 52), ("Walton Library", "ORG", 58, 72)]
    assert [text[a:b] for _, _, a, b in mentions] == ["AOB None", "Jo Pritchard", "Lesley Dunn", "Lesley",
                                                      "Walton Library"]
    names = first_names([text[present[0]:present[1]]])
    assert names == {"jo", "lesley"}
    kept = content_mentions(mentions, [aob, present], names)
    # "AOB None" and the ORG the tagger made of "Lesley Dunn" in the list go; the person in the list
    # stays (the Chatham House redaction needs it); "Lesley" in what was said is a person.
    assert [(name, label) for name, label, _, _ in kept] == [
        ("Jo Pritchard", "PERSON"), ("Lesley", "PERSON"), ("Walton Library", "ORG")]
    listed = {e.text: e.label for e in count_mentions([kept])}
    assert listed == {"Jo Pritchard": "PERSON", "Lesley": "PERSON", "Walton Library": "ORG"}


def test_first_names_of_attendance_lists_leave_out_roles_bodies_and_titles():
    names = first_names(["Present: Dr Sunita Rao, Keith Barnard (Treasurer), Sue Blakeley (Age UK Norfolk)",
                         "Apologies: Marian; Tariq Hussain and Pat Ingram"])
    assert names == {"sunita", "keith", "sue", "marian", "tariq", "pat"}


def test_a_word_that_labels_its_line_is_not_a_name():
    # "Digital - our website is out of date": a survey answer's label, which the model tags ORG.
    import spacy
    from spacy.tokens import Span

    from synthesis.entities import note_mentions

    nlp = spacy.blank("en")
    doc = nlp("Digital - our website is out of date. We asked Digital Norfolk for help.")
    doc.ents = [Span(doc, 0, 1, "ORG"), Span(doc, 11, 13, "ORG")]
    assert [m[:2] for m in note_mentions(doc)] == [("Digital Norfolk", "ORG")]
    doc = nlp("Demand. We have had a rise in referrals.\nOxfam said so.")
    doc.ents = [Span(doc, 0, 1, "ORG"), Span(doc, 11, 12, "ORG")]
    assert [m[:2] for m in note_mentions(doc)] == [("Oxfam", "ORG")]
