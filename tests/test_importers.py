"""Each import format read from a real file: notes, titles, tables, speakers, refs, encodings."""

from __future__ import annotations

import openpyxl
import pytest
from conftest import FILES, SEEE, TRANSCRIPTS

from capture.errors import ImportFailed
from capture.importers.turns import match_turn
from capture.importing import ImportOptions, import_file, parse_file
from capture.store import get_event, list_notes


def parse(path, **options):
    return parse_file(path.read_bytes(), path.name, ImportOptions(**options))


# --- the SEEE transcript ----------------------------------------------------------------------

def test_seee_one_note_per_paragraph_and_alison_reid_attributed():
    parsed = parse(SEEE)
    assert parsed.title == "Partnership structures (with the commissioning models seeking prime vendors)"
    texts = [n.text for n in parsed.notes]
    # 7 paragraphs of group feedback and context, then Alison Reid's three paragraphs.
    assert len(texts) == 10
    assert not any(t.startswith("Partnership structures") for t in texts), "title is not a note"
    assert not any(t.startswith("Alison Reid CEO") for t in texts), "the turn line is not a note"
    assert texts[0].startswith("Discussion feedback taken from SEEE")
    assert texts[2].startswith("Certainly from the round the table")
    assert texts[6].startswith("The group felt that there is a culture of distrust")
    for note in parsed.notes[:7]:
        assert note.author is None and note.role == "scribe"
    alison = parsed.notes[7:]
    assert [n.text[:30] for n in alison] == [
        "There seems to be capacity con", "I think the other point being ", "If you are operating in health"]
    for note in alison:
        assert note.author == "Alison Reid"
        assert note.attribution == "Alison Reid CEO of Community Dental Services responds"
        assert note.role == "speaker"
    assert "Manchester Systems" in alison[1].text


def test_seee_import_stores_notes_approved_with_source(db):
    report = import_file(db, SEEE, event="seee-2015")
    assert (report.added, report.skipped, report.event_created) == (10, 0, True)
    event = get_event(db, "seee-2015")
    assert event.title.startswith("Partnership structures")
    notes = list_notes(db, event)
    assert len(notes) == 10
    assert {n.status for n in notes} == {"approved"}
    assert {n.source for n in notes} == {"seee-partnership-structures.txt"}
    assert [n.author for n in notes].count("Alison Reid") == 3


def test_reimport_skips_everything_and_refs_are_stable(db):
    first = import_file(db, SEEE, event="seee-2015")
    refs = [n.ref for n in list_notes(db, get_event(db, "seee-2015"))]
    again = import_file(db, SEEE, event="seee-2015")
    assert (again.added, again.skipped, again.event_created) == (0, 10, False)
    assert first.added == 10
    assert [n.ref for n in list_notes(db, get_event(db, "seee-2015"))] == refs
    assert len(set(refs)) == 10


def test_same_text_in_another_event_is_imported_there(db):
    import_file(db, SEEE, event="one")
    report = import_file(db, SEEE, event="two")
    assert report.added == 10


# --- Markdown and plain text -----------------------------------------------------------------

def test_markdown_write_up_tables_turns_and_bullets():
    parsed = parse(TRANSCRIPTS / "social-value-roundtable.md")
    assert parsed.title == "Making social value real in local commissioning"
    texts = [n.text for n in parsed.notes]
    assert not any("Making social value real" == t for t in texts)
    assert not any(t.startswith("Table 1") for t in texts), "headings are not notes"
    first_bullet = next(n for n in parsed.notes if n.text.startswith("Most tenders still weight"))
    assert first_bullet.table == "Table 1" and first_bullet.author is None
    priya = [n for n in parsed.notes if n.author == "Priya Shah"]
    assert len(priya) == 2 and all(n.table == "Table 1" for n in priya)
    assert priya[0].attribution.startswith("Priya Shah, Chief Executive of Broadland")
    tom = next(n for n in parsed.notes if n.author == "Tom Okafor")
    assert tom.text.startswith("We hear this.") and tom.table == "Table 2"
    assert tom.attribution == "Tom Okafor (commissioning manager, Norfolk County Council)"
    # A new table heading ends the speaker turn.
    table3 = [n for n in parsed.notes if n.table == "Table 3"]
    assert len(table3) == 4 and all(n.author is None for n in table3)
    # Emphasis marks are gone from the text.
    assert not any("*" in t for t in texts)
    # The Actions heading closes Table 3.
    assert parsed.notes[-1].table is None and parsed.notes[-1].text.startswith("Table hosts will share")


def test_chat_style_minutes_split_at_each_speaker():
    parsed = parse(FILES / "chat-minutes.txt")
    assert parsed.title == "Youth services round table"
    by = [(n.author, n.attribution) for n in parsed.notes]
    assert by[0] == (None, "Chair")
    assert by[1] == ("Kemi Adebayo", "Kemi Adebayo (Youth Action Norfolk)")
    assert parsed.notes[1].text.endswith("The rent alone is eight thousand pounds a year.")
    assert by[2] == ("Tom Bradley", "TOM BRADLEY")
    assert parsed.notes[2].text == "We share a building with the library now, which halved our costs."
    # "Key issues:" is a label heading the bullets, not a person and not a note; it ends Tom's turn.
    assert len(parsed.notes) == 5
    assert [(n.text, n.author) for n in parsed.notes[-2:]] == [("Short-term grants", None),
                                                               ("Buildings and rent", None)]


def _notes_of(text: str):
    from capture.importers.text import parse_text

    return parse_text(text.encode(), ImportOptions()).notes


# Minutes of my own wording (not a sample file): an attendance line, a speaker's turn whose lines
# go on to report other people, and the scribe's interruptions.
REPORTING_MINUTES = """Food poverty round table
Present: Grace Obi (food bank), Sam Hill, Sam Patel, Marek Nowak (housing association)

Marek: we see tenants choosing between heating and eating every week.
Grace said the food bank now opens three evenings for working families. Referrals doubled.
Council said it would look at the hardship fund again.
Sam said the pantry model works better than parcels.
(note: the chair moved on before this was finished)
Grace Obi argued that vouchers should come without a referral.

Marek: the winter is the worst.
10.45 - coffee
Nobody can cook on a prepayment meter that has run out.
"""


def test_a_line_reporting_someone_the_minutes_name_is_theirs_not_the_speakers():
    notes = _notes_of(REPORTING_MINUTES)
    by_text = {n.text: n for n in notes}
    marek = by_text["we see tenants choosing between heating and eating every week."]
    assert marek.author == "Marek"  # the turn as written
    grace = next(n for n in notes if n.text.startswith("Grace said"))
    # Every word kept, credited to the person the attendance line names, no longer Marek's.
    assert grace.text == ("Grace said the food bank now opens three evenings for working families. "
                          "Referrals doubled.")
    assert (grace.author, grace.attribution) == ("Grace Obi", "Grace")
    assert by_text["Grace Obi argued that vouchers should come without a referral."].author == "Grace Obi"
    assert not any("Grace" in n.text and n.author == "Marek" for n in notes)


def test_a_reported_body_or_an_ambiguous_first_name_is_credited_to_nobody_it_might_not_be():
    notes = _notes_of(REPORTING_MINUTES)
    # "Council" is no one the minutes name: Marek's report of it is not turned into a person.
    council = next(n for n in notes if n.text.startswith("Council said"))
    assert council.author is None
    # Two people called Sam were present: this is one of them, not Marek, and not a guess.
    sam = next(n for n in notes if n.text.startswith("Sam said"))
    assert (sam.author, sam.attribution) == (None, "Sam")


def test_an_aside_or_an_agenda_time_ends_a_speakers_turn():
    notes = _notes_of(REPORTING_MINUTES)
    by_text = {n.text: n for n in notes}
    assert by_text["(note: the chair moved on before this was finished)"].author is None
    assert by_text["10.45 - coffee"].author is None
    # After the break the scribe writes again: not Marek's words.
    assert by_text["Nobody can cook on a prepayment meter that has run out."].author is None
    assert by_text["the winter is the worst."].author == "Marek"


def test_the_housing_scribes_report_of_priya_is_hers_not_dans():
    notes = parse(TRANSCRIPTS / "housing-round-table-scribe-notes.txt").notes
    priya = next(n for n in notes if n.text.startswith("Priya said"))
    assert priya.author == "Priya Shah"
    dan = next(n for n in notes if n.author == "Dan")
    assert "landlords" not in dan.text and "ran out of time" not in dan.text
    assert next(n for n in notes if n.text == "11.15 - break").author is None


TABLE_FEEDBACK = """Food network round table

Table 3 fed back:
- pantries work better than parcels
- no cooking at the hostel
Waiting lists are long.

Next steps agreed by everyone
1. Ask the council for a pantry grant
2. Share the volunteer rota
"""


def test_a_tables_feedback_label_heads_its_points_up_to_the_next_section():
    notes = _notes_of(TABLE_FEEDBACK)
    tables = {n.text: n.table for n in notes}
    # Points without full stops stay the table's; the list under the next section is the meeting's.
    assert tables["pantries work better than parcels"] == "Table 3"
    assert tables["no cooking at the hostel"] == "Table 3"
    assert tables["Waiting lists are long."] == "Table 3"
    assert tables["Ask the council for a pantry grant"] is None
    assert tables["Share the volunteer rota"] is None


def test_the_housing_asks_are_not_table_2s():
    notes = parse(TRANSCRIPTS / "housing-round-table-scribe-notes.txt").notes
    table_of = {n.text[:30]: n.table for n in notes}
    assert table_of["No supported lodgings scheme i"] == "Table 2"
    assert table_of["A named contact in housing opt"] is None


@pytest.mark.parametrize("line, author", [
    ("Alison Reid CEO of Community Dental Services responds", "Alison Reid"),
    ("John McDonald, Director of Policy at NCVO, responds", "John McDonald"),
    ("Alison Reid:", "Alison Reid"),
    ("Alison Reid (CEO): we did it", "Alison Reid"),
    ("ALISON REID: yes", "Alison Reid"),
    ("Sarah O'Neill adds:", "Sarah O'Neill"),
])
def test_speaker_turn_lines(line, author):
    assert match_turn(line).author == author


@pytest.mark.parametrize("line", ["Key issues:", "Next Steps:", "The group felt", "Summary",
                                  "Time: 10:30", "Note: this is a draft", "Project Lead: x",
                                  "The group felt that commissioners skip co-design."])
def test_lines_that_are_not_turns(line):
    assert match_turn(line) is None


def test_utf8_bom_is_not_part_of_the_title():
    parsed = parse(FILES / "bom.txt")
    assert parsed.title == "Commissioning notes"
    assert [n.text for n in parsed.notes] == ["The group felt the tender window was too short.",
                                              "Small charities need core funding."]


def test_cp1252_fallback_keeps_pound_sign_and_curly_quotes():
    data = (FILES / "cp1252.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    parsed = parse(FILES / "cp1252.txt")
    assert parsed.notes[0].text == "A grant of £500 is “not enough” for a café – the group agreed."
    assert parsed.notes[1].text == "Volunteers’ expenses must be paid on the day."


def test_non_breaking_and_repeated_spaces_are_normalised():
    parsed = parse(FILES / "nbsp.md")
    assert parsed.title == "Volunteering table"
    assert [n.text for n in parsed.notes] == ["Volunteers need flexible roles.",
                                              "Expenses paid on the day."]


def test_default_table_option_applies_to_prose():
    parsed = parse(FILES / "bom.txt", table="Table 4")
    assert {n.table for n in parsed.notes} == {"Table 4"}


# --- Word ----------------------------------------------------------------------------------------

def test_docx_headings_by_style_tables_and_speaker():
    parsed = parse(TRANSCRIPTS / "community-anchors.docx")
    assert parsed.title == "Community anchors and the cost of convening"
    assert len(parsed.notes) == 10
    assert parsed.notes[0].text.startswith("Notes of the Cambridgeshire community anchors")
    assert parsed.notes[0].table is None
    assert [n.table for n in parsed.notes[1:5]] == ["Table 1"] * 4
    rachel = [n for n in parsed.notes if n.author == "Rachel Dunmore"]
    assert len(rachel) == 2
    assert rachel[0].attribution == "Rachel Dunmore, Director of Fenland Community Action"
    assert rachel[0].text.startswith("We are invited to every engagement event")
    assert parsed.notes[-1].table == "Table 3" and parsed.notes[-1].author is None


# --- spreadsheets --------------------------------------------------------------------------------

def test_google_forms_csv_guesses_the_question_column():
    parsed = parse(TRANSCRIPTS / "volunteering-survey-google-forms.csv")
    assert len(parsed.notes) == 10
    first = parsed.notes[0]
    assert first.text.startswith("Funding for a paid volunteer coordinator.")
    assert first.table == "Table 1" and first.author is None and first.role == "attendee"
    assert parsed.notes[1].author == "Jo Harris"
    assert parsed.notes[3].author is None, "'Anonymous' is not a name"
    assert parsed.notes[7].author == "Pat"


def test_slido_xlsx_header_below_a_title_row():
    parsed = parse(TRANSCRIPTS / "funding-questions-slido.xlsx")
    assert len(parsed.notes) == 8
    assert parsed.notes[0].text == "How can small charities get core funding rather than project grants?"
    assert parsed.notes[1].author == "Lena Fischer"
    assert parsed.notes[0].author is None


def test_mentimeter_semicolon_csv_keeps_identical_answers_from_two_people(db):
    path = FILES / "mentimeter.csv"
    parsed = parse(path)
    assert [n.text for n in parsed.notes] == ["We need a paid volunteer coordinator",
                                              "Core funding, not projects", "Core funding, not projects"]
    assert len({n.ref for n in parsed.notes}) == 3
    report = import_file(db, path, event="menti")
    assert (report.added, report.skipped) == (3, 0)
    assert import_file(db, path, event="menti").skipped == 3


def test_explicit_column_mapping_and_id_as_ref(db, tmp_path):
    path = tmp_path / "cards.csv"
    path.write_text("Card,Said,Where,Who\nC7,Commissioners need capacity,T2,Ann Lee\n"
                    "C8,Tenders are too quick,T1,\n", encoding="utf-8")
    options = ImportOptions(text_column="said", id_column="Card", table_column="Where",
                            author_column="Who")
    report = import_file(db, path, event="cards", options=options)
    assert report.added == 2
    notes = list_notes(db, get_event(db, "cards"))
    assert [(n.ref, n.table, n.author, n.text) for n in notes] == [
        ("C7", "T2", "Ann Lee", "Commissioners need capacity"),
        ("C8", "T1", None, "Tenders are too quick")]
    # Re-import by id: a row whose id is known is skipped even if its text was corrected.
    path.write_text("Card,Said,Where,Who\nC7,Commissioners need more capacity,T2,Ann Lee\n"
                    "C9,New card,T1,\n", encoding="utf-8")
    again = import_file(db, path, event="cards", options=options)
    assert (again.added, again.skipped) == (1, 1)


def test_xlsx_with_one_sheet_per_question_finds_the_answers(tmp_path):
    path = tmp_path / "menti.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Overview"
    book.active.append(["Presentation", "Funding round table"])
    answers = book.create_sheet("Q1")
    answers.append(["Voter ID", "Response"])
    answers.append([1, "Core funding"])
    answers.append([2, 3.0])
    book.save(path)
    parsed = parse(path)
    assert [n.text for n in parsed.notes] == ["Core funding", "3"]


# --- captions --------------------------------------------------------------------------------

def test_vtt_voices_merge_consecutive_cues_and_drop_timestamps():
    parsed = parse(TRANSCRIPTS / "commissioning-panel.vtt")
    assert [n.author for n in parsed.notes] == ["Sarah Whitfield", "Daniel Mensah", "Helen Cartwright",
                                               "Daniel Mensah", "Sarah Whitfield", "Helen Cartwright",
                                               "Daniel Mensah"]
    assert parsed.notes[0].text == ("Thanks everyone. The question for this panel is how small charities "
                                    "get a fair chance at the contracts that matter to their communities.")
    assert all("-->" not in n.text and "<v" not in n.text for n in parsed.notes)
    assert not any("APPLAUSE" in n.text for n in parsed.notes)
    assert {n.role for n in parsed.notes} == {"speaker"}


def test_srt_shouted_labels_and_unlabelled_continuation():
    parsed = parse(TRANSCRIPTS / "funding-workshop.srt")
    assert [n.author for n in parsed.notes] == ["Martin Holloway", "Anna Kowalska", "Martin Holloway",
                                               "Grace Adeyemi", "Anna Kowalska", "Martin Holloway",
                                               "Grace Adeyemi"]
    assert parsed.notes[1].attribution == "ANNA KOWALSKA"
    assert parsed.notes[1].text.endswith("We end up inventing projects to keep the lights on.")
    assert parsed.notes[5].text == "So what would you ask the community foundation for?"


def test_vtt_without_speakers_splits_at_pauses():
    parsed = parse(FILES / "unlabelled.vtt")
    assert [n.text for n in parsed.notes] == ["Funding is short term. It always has been.",
                                              "A new point after a pause."]
    assert {n.author for n in parsed.notes} == {None}


def test_every_sample_transcript_imports(db):
    # With the options an organiser gives for it (transcripts/imports.json: a form export whose
    # comment column has the question as its header, a survey's questions one at a time).
    from benchmarks.publishability import import_sample

    samples = sorted(p for p in TRANSCRIPTS.iterdir() if p.suffix in
                     {".txt", ".md", ".docx", ".csv", ".xlsx", ".vtt", ".srt"})
    assert {p.suffix for p in samples} == {".txt", ".md", ".docx", ".csv", ".xlsx", ".vtt", ".srt"}
    for path in samples:
        added = import_sample(db, path, "samples")
        assert added and all(n > 0 for n in added), (path.name, added)


def test_control_characters_are_dropped_from_imported_notes(db):
    data = b"Answer,Table\n\"Funding \x1b[31mfor\x07 core costs\x7f\",Table 1\n"
    import_file(db, data, filename="form.csv", event="controls")
    notes = list_notes(db, get_event(db, "controls"))
    assert [n.text for n in notes] == ["Funding [31mfor core costs"]


def test_bytes_and_filename_work_like_a_path(db):
    report = import_file(db, SEEE.read_bytes(), filename="upload.txt", event="web-upload")
    assert report.added == 10 and report.filename == "upload.txt"
    with pytest.raises(ImportFailed, match="upload.txt"):
        import_file(db, b"", filename="upload.txt", event="web-upload")


def test_utf16_text_with_bom_as_excel_writes_it(tmp_path):
    path = tmp_path / "unicode-text.csv"
    path.write_bytes("Comment\tTable\r\nCafé funding – 3 years\tTable 2\r\n".encode("utf-16"))
    parsed = parse(path)
    assert [(n.text, n.table) for n in parsed.notes] == [("Café funding – 3 years", "Table 2")]


def test_commas_inside_answers_do_not_fool_the_separator(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text('Comment;Table\nShort, flexible roles, please;T1\n"Quoted; fine";T2\n', encoding="utf-8")
    assert [n.text for n in parse(path).notes] == ["Short, flexible roles, please", "Quoted; fine"]


def test_markdown_front_matter_title_without_a_heading(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("---\ntitle: \"Rural transport table\"\ndate: 2026-01-01\n---\n\nBuses twice a day "
                    "are not enough.\n", encoding="utf-8")
    parsed = parse(path)
    assert parsed.title == "Rural transport table"
    assert [n.text for n in parsed.notes] == ["Buses twice a day are not enough."]


def test_hard_wrapped_paragraphs_are_joined(tmp_path):
    path = tmp_path / "wrapped.txt"
    path.write_text("Minutes\n\nThe group felt that commissioners\nskip co-design and go straight\nto "
                    "the tender.\n\nSecond point.\n", encoding="utf-8")
    assert [n.text for n in parse(path).notes] == [
        "The group felt that commissioners skip co-design and go straight to the tender.", "Second point."]


def test_plain_text_table_lines_are_headings(tmp_path):
    path = tmp_path / "tables.txt"
    path.write_text("Round tables on funding\n\nTable 1: Core costs\n\nNobody funds the rent.\n\n"
                    "Table 2\n\nGrants are too short.\n\nTable 2 felt strongly about this.\n",
                    encoding="utf-8")
    parsed = parse(path)
    assert [(n.table, n.text) for n in parsed.notes] == [
        ("Table 1", "Nobody funds the rent."), ("Table 2", "Grants are too short."),
        ("Table 2", "Table 2 felt strongly about this.")]


def test_a_sentence_ending_in_a_speech_verb_is_a_note(tmp_path):
    path = tmp_path / "said.txt"
    path.write_text("Minutes\n\nCommissioners said.\n\nMore follows.\n", encoding="utf-8")
    assert [n.text for n in parse(path).notes] == ["Commissioners said.", "More follows."]


def test_caption_edge_cases(tmp_path):
    vtt = tmp_path / "edge.vtt"
    vtt.write_text(
        "WEBVTT - panel\n\nSTYLE\n::cue { color: yellow }\n\nNOTE a comment\n\n"
        "intro\n00:01.000 --> 00:04.000 align:start position:10%\n<v.loud Priya Shah>We need <b>core</b> "
        "funding &amp; time.</v>\n\n"
        "00:04.500 --> 00:06.000\n- PRIYA SHAH: Full stop.\n- Tom Okafor (council): Agreed.\n\n"
        "00:06.000 --> 00:08.000\n>> Who pays for convening?\n", encoding="utf-8")
    notes = parse(vtt).notes
    assert [(n.author, n.attribution, n.text) for n in notes] == [
        ("Priya Shah", "Priya Shah", "We need core funding & time."),
        ("Priya Shah", "PRIYA SHAH", "Full stop."),
        ("Tom Okafor", "Tom Okafor (council)", "Agreed."),
        (None, None, "Who pays for convening?"),
    ]
    srt = tmp_path / "crlf.srt"
    srt.write_bytes("\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\nGRACE: Trust-based grants.\r\n\r\n"
                    "2\r\n00:00:02,600 --> 00:00:04,000\r\n{\\an8}Light reporting.\r\n".encode("utf-8"))
    notes = parse(srt).notes
    assert [(n.author, n.text) for n in notes] == [("Grace", "Trust-based grants. Light reporting.")]


def test_docx_without_styles_and_with_line_breaks(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Youth services")
    document.add_paragraph("Table 2")
    paragraph = document.add_paragraph("Kemi Adebayo: Our grant ends in March.")
    paragraph.add_run().add_break()
    paragraph.add_run("TOM BRADLEY: We share the library building now.")
    document.add_paragraph("")
    document.add_paragraph("Rent is the biggest cost.")
    path = tmp_path / "plain.docx"
    document.save(path)
    parsed = parse(path)
    assert parsed.title == "Youth services"
    assert [(n.table, n.author, n.text) for n in parsed.notes] == [
        ("Table 2", "Kemi Adebayo", "Our grant ends in March."),
        ("Table 2", "Tom Bradley", "We share the library building now."),
        ("Table 2", "Tom Bradley", "Rent is the biggest cost."),
    ]


def test_a_scribes_one_point_per_line_notes_are_notes_of_their_own_and_wrapped_prose_is_joined():
    """A scribe's lines with no blank line between used to be joined into one note: a title with
    the date line under it, a heading with its paragraph, two people's points in one note."""
    from capture.importers.base import ImportOptions
    from capture.importers.text import parse_text

    scribe = ("Housing round table - scribe notes\n12/02, Town Hall, Stone room\n\n"
              "prevention (this was the longest bit)\n"
              "People come to us too late, usually after the notice.\n"
              "Landlords are leaving the market because of the mortgage rates.\n")
    parsed = parse_text(scribe.encode(), ImportOptions())
    assert parsed.title == "Housing round table - scribe notes"
    # A heading stays with the paragraph it heads (the synthesis takes it as the topic).
    assert [n.text for n in parsed.notes] == [
        "12/02, Town Hall, Stone room",
        "prevention (this was the longest bit) People come to us too late, usually after the notice.",
        "Landlords are leaving the market because of the mortgage rates."]
    wrapped = ("Minutes\n\nThe group felt that commissioners were focusing on the end point and\n"
               "that the co-design aspects of the Social Value Act were being lost as a\n"
               "result, which small charities feel most.\n")
    [note] = parse_text(wrapped.encode(), ImportOptions()).notes
    assert note.text.startswith("The group felt") and note.text.endswith("which small charities feel most.")


def test_a_numbered_agenda_item_first_in_the_file_is_a_heading_not_the_title():
    from capture.importers.base import ImportOptions
    from capture.importers.text import parse_text

    parsed = parse_text(b"1. Welcome\nJenny welcomed everyone and the notes were agreed.\n", ImportOptions())
    assert parsed.title is None
    assert [n.text for n in parsed.notes] == ["Jenny welcomed everyone and the notes were agreed."]


def test_a_form_question_asking_for_the_table_is_the_table_column(tmp_path):
    """Third walk-through W7: a survey's 'Which table were you at?' column was not recognised, so
    `harvest import` refused ('cannot tell which column holds the note text') and the web's column
    page left the table at '(none)'. A header asking which/what table is the table column, and never
    the note text; 'What did your table discuss?' is still a question, not the table."""
    from capture.importers.tabular import preview

    survey = tmp_path / "june-survey.csv"
    survey.write_text("Timestamp,What is the biggest problem getting about?,Which table were you at?\n"
                      "18/06/2026 10:02,No bus after six so I cannot work evenings,Table 1\n"
                      "18/06/2026 10:05,My mum misses her hospital appointments,Table 3\n", encoding="utf-8")
    parsed = parse(survey)
    assert [(n.text, n.table) for n in parsed.notes] == [
        ("No bus after six so I cannot work evenings", "Table 1"),
        ("My mum misses her hospital appointments", "Table 3")]
    assert preview(survey.read_bytes(), ".csv").guesses["table"] == 2
    discussed = tmp_path / "discussed.csv"
    discussed.write_text("Timestamp,What did your table discuss?\n18/06/2026 10:02,Evening buses\n",
                         encoding="utf-8")
    assert [(n.text, n.table) for n in parse(discussed).notes] == [("Evening buses", None)]
