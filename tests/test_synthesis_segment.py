"""Segmentation of notes as people write them: one point per line on a phone, bulleted and
numbered lists, hard-wrapped minutes, and long sentences cut at clause boundaries (not inside a
quotation). spaCy's blank pipeline with its rule-based sentencizer is enough for these rules."""

from __future__ import annotations

import pytest

from capture.models import Note
from synthesis.segment import line_breaks, segment_notes
from synthesis.settings import resolve


def spans(nlp, text, **overrides):
    note = Note(text=text, ref="n0", id=1)
    segs = segment_notes([note], [nlp(text)], resolve(overrides))
    for s in segs:
        assert text[s.start:s.end] == s.text  # verbatim, always
    return [s.text for s in segs]


def test_one_point_per_line_gives_one_segment_per_line(nlp):
    text = "Funding cuts hit youth services hardest\nVolunteers are burning out\nNo one measures social value"
    assert spans(nlp, text) == ["Funding cuts hit youth services hardest", "Volunteers are burning out",
                                "No one measures social value"]


@pytest.mark.parametrize("marker", ["- ", "* ", "• ", "1. ", "2) ", "(3) ", "a) "])
def test_list_items_are_segments_without_their_markers(nlp, marker):
    items = ["commissioners have no time to talk to us", "tenders are too big for small charities",
             "the Social Value Act is ignored"]
    text = "\n".join(marker + item for item in items)
    assert spans(nlp, text) == items


def test_numbered_list_items_of_two_words_stand_alone(nlp):
    text = "1. Bigger contracts\n2. Distrust of large charities taking the fee\n3. Commissioner capacity"
    assert spans(nlp, text) == ["Bigger contracts", "Distrust of large charities taking the fee",
                                "Commissioner capacity"]


def test_inline_bullets_separate_points(nlp):
    text = "• Need a shared outcomes framework • Smaller lots in tenders"
    assert spans(nlp, text) == ["Need a shared outcomes framework", "Smaller lots in tenders"]


def test_a_bullet_with_nothing_after_it_is_dropped(nlp):
    text = "- Most tenders weight social value at ten percent\n-\n- Nobody checks delivery after the contract"
    assert spans(nlp, text) == ["Most tenders weight social value at ten percent",
                                "Nobody checks delivery after the contract"]


def test_hard_wrapped_prose_is_not_cut_at_its_line_ends(nlp):
    text = ("Most tenders still weight social value at 10%, and the questions are so\n"
            "generic that every bidder writes the same answer about apprenticeships\n"
            "and local spend.")
    assert spans(nlp, text) == [text]
    assert line_breaks(text).breaks == []


def test_blank_lines_and_complete_lines_start_new_points(nlp):
    text = "We met at the Forum in Norwich\n\nTable two talked about monitoring forms"
    assert spans(nlp, text) == ["We met at the Forum in Norwich", "Table two talked about monitoring forms"]


def test_short_fragments_still_join_within_a_list(nlp):
    # A one-word line is not a point of its own: it joins the next line, verbatim.
    assert spans(nlp, "Costs\n- too high for us\n- no time for bids") == ["Costs\n- too high for us",
                                                                        "no time for bids"]


def test_a_number_that_starts_a_wrapped_line_is_not_a_list_marker(nlp):
    # "20." continues the sentence above it: nothing is dropped, the two sentences stay apart.
    text = "There were more than\n20. Most of them were from small charities."
    assert spans(nlp, text) == ["There were more than\n20.", "Most of them were from small charities."]
    assert spans(nlp, "We need to talk to\n10 more organisations about it") == [
        "We need to talk to\n10 more organisations about it"]


def test_one_word_list_items_stand_alone(nlp):
    assert spans(nlp, "- Funding\n- Trust\n- Capacity") == ["Funding", "Trust", "Capacity"]


def test_windows_line_endings(nlp):
    text = "- Funding cuts hit youth services\r\n- Volunteers are burning out\r\n"
    assert spans(nlp, text) == ["Funding cuts hit youth services", "Volunteers are burning out"]


def test_a_note_that_is_only_a_marker_is_still_one_segment(nlp):
    assert spans(nlp, "-") == ["-"]


def test_long_sentences_are_not_cut_inside_a_quotation(nlp):
    # The comma inside the quotation is nearest the middle; the cut goes to the one outside it.
    quotation = ("'how can we all work together on this as equal partners, and who will pay for the "
                 "convening work that partnerships need'")
    text = f"The commissioners keep on asking all of us, {quotation} and nobody at the table had an answer"
    parts = spans(nlp, text, max_segment_chars=160)
    assert parts == ["The commissioners keep on asking all of us,",
                     f"{quotation} and nobody at the table had an answer"]
