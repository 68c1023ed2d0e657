"""Minutes as people write them: host, scribe, present and apologies lines are event details, not
speakers, and a speaker's turn ends where the group speaks again (issue 13, finding 8)."""

from __future__ import annotations

import pytest
from conftest import REPO

from capture.importing import import_file, parse_file
from capture.store import list_notes

MINUTES = """Round table on partnerships

Host: Jane Smith. Scribe: Bob Jones.
Present: Alison Reid (CDS), Tom Lee, Priya Shah
Apologies: Sam Patel
Chair: Alison Reid

Alison Reid: Commissioners keep contracts too big for small charities. We need lots split.

The table agreed three asks: split lots, fund convening, allow three months.

The group felt that trust takes time to build.

Tom Lee: Consortia need a lead partner.
Participants also noted that the Social Value Act is ignored.

Priya Shah: Funders should pay for convening. Attendees said the same at every table.

Chair: Let us close with what each of us will do next.
"""


def _notes(name: str, text: str = MINUTES):
    return parse_file(text.encode("utf-8"), name).notes


@pytest.mark.parametrize("name", ["minutes.txt", "minutes.md"])
def test_details_are_not_speakers_and_the_group_ends_a_turn(name):
    notes = _notes(name)
    by_text = {n.text: n for n in notes}
    assert all(n.attribution != "Host" and n.author != "Host" for n in notes)
    for line in ("Host: Jane Smith. Scribe: Bob Jones.", "Present: Alison Reid (CDS), Tom Lee, Priya Shah",
                 "Apologies: Sam Patel", "Chair: Alison Reid"):
        detail = by_text[line]  # kept whole, for the synthesis to read as the event's details
        assert (detail.author, detail.attribution, detail.role) == (None, None, "scribe"), line
    alison = by_text["Commissioners keep contracts too big for small charities. We need lots split."]
    assert alison.author == "Alison Reid"
    for group in ("The table agreed three asks: split lots, fund convening, allow three months.",
                  "The group felt that trust takes time to build.",
                  "Participants also noted that the Social Value Act is ignored."):
        assert (by_text[group].author, by_text[group].attribution) == (None, None), group
    assert by_text["Consortia need a lead partner."].author == "Tom Lee"
    # Within one paragraph: the speaker's sentence is hers, the group's sentence is not.
    assert by_text["Funders should pay for convening."].author == "Priya Shah"
    assert by_text["Attendees said the same at every table."].author is None
    # "Chair:" followed by what the chair said is still the chair speaking.
    chair = by_text["Let us close with what each of us will do next."]
    assert chair.attribution == "Chair" and chair.author is None and chair.role == "speaker"


def test_a_detail_line_after_a_turn_is_not_credited_to_the_speaker():
    text = "Notes\n\nTom Lee: We need a lead partner.\n\nApologies: Sam Patel, Ann Cole\n\nMore was said.\n"
    notes = _notes("t.txt", text)
    assert [(n.text, n.author) for n in notes] == [("We need a lead partner.", "Tom Lee"),
                                                  ("Apologies: Sam Patel, Ann Cole", None),
                                                  ("More was said.", None)]


def test_the_minutes_import_into_the_database(db):
    report = import_file(db, MINUTES.encode("utf-8"), filename="minutes.txt", event="partners")
    assert report.added == 12
    from capture.store import get_event

    stored = list_notes(db, get_event(db, "partners"))
    assert not [n for n in stored if n.attribution in ("Host", "Scribe", "Present", "Apologies")]
    assert {n.author for n in stored} == {None, "Alison Reid", "Tom Lee", "Priya Shah"}


def test_roles_typed_in_columns_on_one_line_are_details():
    """The sample minutes in transcripts/ put only spaces between "Host: ..." and "Scribe: ..."."""
    text = "Network meeting\n\nHost: Jenny Carver, Voluntary Norfolk    Scribe: Amir Haddad\n\n" \
           "Jenny said the buses are the barrier.\n\nChair: Let us begin with transport.\n"
    notes = _notes("m.txt", text)
    assert [(n.text, n.author, n.attribution, n.role) for n in notes[:1]] == [
        ("Host: Jenny Carver, Voluntary Norfolk Scribe: Amir Haddad", None, None, "scribe")]
    assert (notes[-1].attribution, notes[-1].role) == ("Chair", "speaker")  # a turn is still a turn
    sample = parse_file((REPO / "transcripts" / "older-peoples-network-minutes.txt").read_bytes(), "m.txt")
    assert not [n for n in sample.notes if n.attribution in ("Host", "Scribe")]


def test_numbered_agenda_items_are_headings_not_part_of_the_discussion():
    text = ("Network meeting\n\n1. Welcome and introductions\nJenny welcomed everyone.\n\n"
            "2. Winter pressures and loneliness\nLunch clubs empty out in November.\n\n"
            "- Sue suggested pairing champions with lunch clubs\n"
            "3. Fund convening for at least two years, because partnerships take time\n"
            "   to build and nobody pays for it.\n")
    notes = [n.text for n in _notes("m.txt", text)]
    assert notes == ["Jenny welcomed everyone.", "Lunch clubs empty out in November.",
                     "Sue suggested pairing champions with lunch clubs",
                     "Fund convening for at least two years, because partnerships take time to build and "
                     "nobody pays for it."]
