"""Context is not content (issue 12, point 4): lines that describe the event are recognised,
kept out of themes, quotes and summaries, listed in the result, and fill the event's details.
Fast: the words-only rules and a blank spaCy pipeline with a fake embedder; the real models run
in test_context_models.py."""

from __future__ import annotations

import pytest

from capture.models import Event, Note
from capture.store import add_notes, get_event, save_event
from synthesis import runs
from synthesis.context import (
    HEADING_ALONE,
    event_details,
    event_info,
    note_context,
    separate,
    slug_title,
    text_kind,
)
from synthesis.embed import FakeEmbedder
from synthesis.pipeline import synthesise
from synthesis.result import validate
from synthesis.segment_cache import SegmentationEntry

# Sentences of the SEEE transcript and the older samples that report the discussion: never context.
CONTENT = [
    "These larger contracts by their very nature do need more partnership and consortia working.",
    "There seems to be capacity constraints for commissioners.",
    "Small charities cannot afford a bid writer, so the organisations with the most genuine social "
    "value often score lowest on the social value question.",
    "Tom Okafor (commissioning manager, Norfolk County Council): We hear this.",
    "Key issue: funding is short term and nobody pays for the coordination.",
    "The event was the first time the council had listened to us.",
    "Trust-based grants, light reporting, and a conversation instead of a form.",
    "Recognition that volunteers are not free: training, supervision and insurance all cost money.",
    "None of the small groups could apply for core costs.",
    "We sat 4 hours waiting for the bus on Saturday.",
    "Well chaired.",
    "Cromer Library closed last year and nothing replaced it.",
    "No supported lodgings scheme in West Norfolk since the funding went in 2019.",
]


@pytest.mark.parametrize("text, kind", [
    ("Present: Margaret Oduya (Chair), Keith Barnard (Treasurer), Dr Sunita Rao", "attendance"),
    ("In attendance: Colin Fairweather (Chief Officer), Hannah Webb (minutes)", "attendance"),
    ("Attendees: Jo Bloggs (Age UK), Sam Reid, plus 6 online", "attendance"),
    ("Trustees present - A. Khan, B. Osei, C. Lewis", "attendance"),
    ("Board members: Aisha Malik, Tom Green (Vice Chair), Ruth Ellis", "attendance"),
    ("Host: Jenny Carver, Voluntary Norfolk    Scribe: Amir Haddad", "attendance"),
    ("Apologies: [REDACTED], Peter Tilney", "apologies"),
    ("Apologies for absence: Claire Dunstan", "apologies"),
    ("Date: Wednesday 5 November 2025, 10.00am - 12.00pm", "date"),
    ("Thursday 3rd April 2025, 2pm", "date"),
    ("Venue: Cromer Parish Hall", "venue"),
    ("The minutes of the previous meeting were approved as a correct record.", "procedural"),
    ("Minutes of the last meeting were agreed and signed.", "procedural"),
    ("Matters arising: none.", "procedural"),
    ("Any other business", "procedural"),
    ("Date of next meeting: 14 January 2026", "procedural"),
    ("Discussion feedback taken from SEEE's A Conversation with Social Enterprise event on Friday "
     "23rd October at the Future Business Centre in Cambridge.", "blurb"),
    ("This session brought together commissioners and providers from across the county.", "blurb"),
    ("Notes written up by the table hosts after the event.", "blurb"),
    ("The meeting was held under the Chatham House Rule.", "blurb"),
    ("Minutes of the Steering Group meeting held on 2 May 2025 at the Guildhall", "title"),
    ("[REDACTED]", "redaction"),
    # On minutes nobody tuned on: an empty item, a date without a year, a weekday written short.
    ("None.", "procedural"),
    ("AOB None", "procedural"),
    ("Nothing to report", "procedural"),
    ("Wed 4 Feb, 7pm, Jaywick Martello Tower", "date"),
    ("Thursday 22 January, 7pm", "date"),
    ("Date of next meeting: Wed 11 March, 7pm", "procedural"),
    # A scribe's messy notes: a list with an aside, who opened, the time that ran out, a break.
    ("Attendees (from sign-in sheet): Karen Mills (Housing Trust), Priya Shah (Shelter), plus approx 8 "
     "others", "attendance"),
    ("Intro / why we're here Karen opened.", "procedural"),
    ("(ran out of time here - come back to mental health and housing next time)", "procedural"),
    ("11.15 - break", "procedural"),
    ("JK to circulate notes.", "procedural"),
    ("Purpose = agree 3 asks to take to the borough council before the strategy refresh.", "blurb"),
])
def test_context_lines_by_their_words(text, kind):
    assert text_kind(text) == kind


@pytest.mark.parametrize("text", CONTENT)
def test_what_was_said_is_not_context(text):
    assert text_kind(text) is None


def test_a_heading_line_above_its_paragraph_without_a_parser():
    text = "1. Transport\nThe bus cuts mean some villages now have one bus a day."
    assert [(text[a:b], kind) for a, b, kind in note_context(None, text)] == [("1. Transport", "heading")]


@pytest.mark.parametrize("answer", ["n/a", "N/A", "No", "nothing to add", "see above", "Nothing else, thanks",
                                    "No thank you", "None."])
def test_an_answer_that_says_nothing_is_context(answer):
    # A form's required question answered by someone with nothing to say: never a quote.
    assert note_context(None, answer) == [(0, len(answer), "procedural")]


@pytest.mark.parametrize("answer", ["No supported lodgings scheme since 2019.",
                                    "Not enough time on the tables", "Nothing works without transport."])
def test_an_answer_that_starts_like_one_but_says_something_is_not(answer):
    assert note_context(None, answer) == []


def test_a_tables_feedback_label_is_a_heading_before_what_it_reported():
    text = "Table 2 fed back: Young people 16-25: sofa surfing is invisible, they don't count in any figures."
    assert note_context(None, text) == [(0, len("Table 2 fed back:"), "heading")]


def test_the_number_present_counts_approximate_others_and_not_remarks():
    line = ("Attendees (from sign-in sheet): Karen Mills (West Norfolk Housing Trust), Joe Kitchener "
            "(scribe), Priya Shah (Shelter), plus approx 8 others, sheet incomplete")
    assert event_details([{"text": line, "kind": "attendance"}])["present"] == 11


def test_an_attendance_line_the_parser_cut_after_its_label_is_one_line():
    # spaCy cuts "Present:" from the names; the count of names needs the whole line.
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": [":"]})
    text = "Present: Jo, Sam, Lesley, Tariq"
    assert [s.text for s in nlp(text).sents] == ["Present:", "Jo, Sam, Lesley, Tariq"]
    assert note_context(nlp(text), text) == [(0, len(text), "attendance")]
    assert event_details([{"text": text, "kind": "attendance"}])["present"] == 4


def _entry(context, spans=((0, 1),)):
    return SegmentationEntry(spans=list(spans), phrases=[[] for _ in spans], mentions=[],
                             terms=[[] for _ in spans], sentences=list(spans), context=list(context))


def test_a_short_line_alone_heads_what_follows_in_a_write_up_not_in_a_form():
    # "Network updates" (a note of its own, sentence case; spaCy reads "updates" as a verb) is a
    # heading in a scribe's minutes, and a comment ("More parking") in a spreadsheet of comments.
    written = [Note(text="Network updates", ref="h", role="scribe", source="minutes.txt"),
               Note(text="Age UK are recruiting in Cromer.", ref="p", role="scribe", source="minutes.txt")]
    entries = [_entry([(0, 15, HEADING_ALONE)], [(0, 15)]), _entry([], [(0, 32)])]
    out = separate(entries, written)
    assert [(line["text"], line["kind"]) for line in out.lines] == [("Network updates", "heading")]
    assert out.topics[-1] == "Network updates"
    assert out.entries[0].context == [(0, 15, "heading")]
    comments = [Note(text="More parking", ref="c1", source="feedback.csv"),
                Note(text="Better coffee please", ref="c2", source="feedback.csv")]
    out = separate([_entry([(0, 12, HEADING_ALONE)], [(0, 12)]), _entry([], [(0, 20)])], comments)
    assert out.lines == [] and out.entries[0].spans == [(0, 12)] and out.entries[0].context == []
    # The last line of a write-up heads nothing.
    out = separate([_entry([(0, 15, HEADING_ALONE)], [(0, 15)])], written[:1])
    assert out.lines == []


def test_the_title_line_titles_an_event_the_import_named_from_its_slug():
    title = "Minutes of the Coastal Forum meeting held on Wednesday 14 January 2026 at Walton Hall."
    notes = [Note(text=title, ref="t"), Note(text="Present: Jo Pritchard, Sam Okafor", ref="p")]
    entries = [_entry([(0, len(title), "title")]), _entry([(0, len(notes[1].text), "attendance")])]
    unnamed = Event(slug="coastal-jan", title=slug_title("coastal-jan"))
    assert unnamed.title == "Coastal jan"
    assert event_info(unnamed, entries, notes) == {
        "slug": "coastal-jan", "title": title.rstrip("."), "date": "2026-01-14", "venue": "Walton Hall",
        "present": 2}
    named = Event(slug="coastal-jan", title="Coastal Forum, January")
    assert event_info(named, entries, notes)["title"] == "Coastal Forum, January"
    # A date in the title the importer took from the document is the event's date.
    imported = Event(slug="coastal-jan", title="Coastal Forum minutes, 14 January 2026")
    assert event_info(imported, [_entry([])], notes[:1])["date"] == "2026-01-14"


def test_event_details_from_context_lines():
    lines = [{"text": "Minutes of the Board meeting held on Tuesday 14 October 2025 at 6.30pm, "
                      "Wisbech Baptist Church Hall", "kind": "title"},
             {"text": "Present: A Oduya (Chair), K Barnard, S Rao", "kind": "attendance"},
             {"text": "In attendance: C Fairweather (minutes)", "kind": "attendance"},
             {"text": "Date of next meeting: 13 January 2026", "kind": "procedural"}]
    assert event_details(lines) == {"date": "2025-10-14", "venue": "Wisbech Baptist Church Hall",
                                    "present": 4}
    assert event_details([{"text": "In attendance: 31 participants from 19 organisations",
                           "kind": "attendance"}])["present"] == 31
    assert event_details([]) == {"date": None, "venue": None, "present": None}


MINUTES = [
    "Present: Ann Lee (Chair), Bo Chen, Cat Diaz",
    "Apologies: Dev Patel",
    "Date: Wednesday 5 November 2025, 10am\nVenue: Cromer Parish Hall",
    "The minutes of the previous meeting were approved.",
    "Uniforms reduce bullying because poorer pupils do not stand out from richer pupils.",
    "Without uniforms the bullying about clothes and brands gets much worse for pupils.",
    "Bullying over clothes disappears when every pupil wears the same uniform.",
    "Uniforms are expensive for parents and the cost of uniforms adds up every year.",
    "Parents pay a high cost for uniforms from a single expensive supplier.",
    "The cost of uniforms is a burden for parents on low incomes.",
]


def _minutes_event(db):
    event = save_event(db, "minutes", title="Governors' meeting")
    add_notes(db, event, [Note(text=t, ref=f"m{i}") for i, t in enumerate(MINUTES)])
    return event


def test_pipeline_keeps_context_out_of_themes_and_fills_the_event(db, nlp):
    event = _minutes_event(db)
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    result = runs.latest_result(db, event)
    validate(result)
    context = {line["text"]: line["kind"] for line in result["context"]}
    assert context == {"Present: Ann Lee (Chair), Bo Chen, Cat Diaz": "attendance",
                       "Apologies: Dev Patel": "apologies",
                       "Date: Wednesday 5 November 2025, 10am": "date",
                       "Venue: Cromer Parish Hall": "venue",
                       "The minutes of the previous meeting were approved.": "procedural"}
    shown = [s["text"] for t in result["themes"] for s in t["segments"]]
    shown += [q["text"] for t in result["themes"] for q in t["quotes"] + t.get("summary_quotes", [])]
    shown += [t["summary"] for t in result["themes"]] + [s["text"] for s in result["unassigned"]]
    assert not [text for text in shown if any(line in text for line in context)]
    assert result["event"] == {"slug": "minutes", "title": "Governors' meeting", "date": "2025-11-05",
                               "venue": "Cromer Parish Hall", "present": 3}
    assert get_event(db, "minutes").date is None and get_event(db, "minutes").venue is None  # not written
    # Every segment once: in a theme, unassigned, or context; together they cover every note.
    places = [(p["note"], p["start"], p["end"]) for t in result["themes"] for p in t["segments"]]
    places += [(p["note"], p["start"], p["end"]) for p in result["unassigned"] + result["context"]]
    assert len(places) == len(set(places))
    for i, text in enumerate(MINUTES):
        covered = sorted((a, b) for ref, a, b in places if ref == f"m{i}")
        joined = "".join(text[a:b] for a, b in covered)
        assert joined.replace(" ", "") == text.replace("\n", "").replace(" ", "")
    assert result["run"]["segments"] == sum(t["size"] for t in result["themes"]) + len(result["unassigned"])


def test_the_events_own_details_win_over_the_notes(db, nlp):
    event = _minutes_event(db)
    event = save_event(db, "minutes", date="2025-11-06", venue="Town Hall")
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    info = runs.latest_result(db, event)["event"]
    assert (info["date"], info["venue"], info["present"]) == ("2025-11-06", "Town Hall", 3)


def test_a_heading_gives_the_paragraphs_under_it_their_topic(db, nlp):
    event = save_event(db, "headed", title="Network meeting")
    texts = ["Transport", "The bus cuts mean some villages now have one bus a day.",
             "Community car schemes are full every week now.",
             "Digital Inclusion", "People are pushed online to book appointments and give up.",
             "One-off sessions do not work; people need someone they trust."]
    add_notes(db, event, [Note(text=t, ref=f"h{i}") for i, t in enumerate(texts)])
    seen = []

    class Recording(FakeEmbedder):
        def encode(self, batch):
            seen.extend(batch)
            return super().encode(batch)

    synthesise(db, event, embedder=Recording(), nlp=nlp)
    result = runs.latest_result(db, event)
    assert [(c["text"], c["kind"]) for c in result["context"]] == [("Transport", "heading"),
                                                                   ("Digital Inclusion", "heading")]
    # Compared with the heading's words in front; shown without them.
    assert "Transport: The bus cuts mean some villages now have one bus a day." in seen
    assert "Digital Inclusion: One-off sessions do not work; people need someone they trust." in seen
    shown = [s["text"] for t in result["themes"] for s in t["segments"]]
    shown += [s["text"] for s in result["unassigned"]]
    assert "The bus cuts mean some villages now have one bus a day." in shown
    assert not [s for s in shown if s.startswith(("Transport", "Digital Inclusion"))]


def test_a_note_that_is_all_context_leaves_no_theme(db, nlp):
    event = save_event(db, "only-context", title="Attendance only")
    add_notes(db, event, [Note(text="Present: Ann Lee, Bo Chen"), Note(text="Apologies: Cat Diaz")])
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    result = runs.latest_result(db, event)
    validate(result)
    assert result["themes"] == [] and result["unassigned"] == []
    assert [c["kind"] for c in result["context"]] == ["attendance", "apologies"]


def test_a_blurb_guides_the_clustering_but_is_in_no_theme(db, nlp):
    event = save_event(db, "blurb", title="Uniforms")
    blurb = "This session brought together parents, governors and pupils to talk about uniforms."
    add_notes(db, event, [Note(text=blurb, ref="b0")] + [Note(text=t, ref=f"u{i}")
                                                        for i, t in enumerate(MINUTES[4:])])
    seen = []

    class Recording(FakeEmbedder):
        def encode(self, batch):
            seen.extend(batch)
            return super().encode(batch)

    synthesise(db, event, embedder=Recording(), nlp=nlp)
    result = runs.latest_result(db, event)
    assert [(c["text"], c["kind"]) for c in result["context"]] == [(blurb, "blurb")]
    assert blurb in seen  # embedded: it shapes the neighbour graph
    placed = [s["text"] for t in result["themes"] for s in t["segments"]]
    placed += [s["text"] for s in result["unassigned"]]
    assert blurb not in placed and len(placed) == len(MINUTES[4:])
    assert result["run"]["segments"] == len(placed)
