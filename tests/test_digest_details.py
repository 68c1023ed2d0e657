"""The event details and participation an editor reads at the top of the digest (issue 12, points
4 and 6, on minutes nobody tuned on): the document's title rather than one made from the slug, the
number present where the attendance list gives it, and contributors who are the people whose own
words the notes are (never a speaker a scribe's minutes report, never a name)."""

from __future__ import annotations

from publishing_data import make_result, store_result

from capture.models import Note
from capture.store import add_notes, save_event
from web.publish.digest import build_data, compose_markdown
from web.publish.redact import detect_names

JO = "Jo Pritchard"
MINUTES = [("m1", "Present: Jo Pritchard (chair), Sam Okafor, Lesley Dunn, Tariq Hussain", None, "scribe"),
           ("m2", "Contracts are getting bigger. Small charities cannot bid alone.", JO, "speaker"),
           ("m3", "Tender timelines are far too tight. Commissioners should allow three months.", JO,
            "speaker"),
           ("m4", "Commissioners skip co-design. The Social Value Act is ignored in Hertfordshire.", None,
            "scribe"),
           ("m5", "Nobody pays for convening a consortium. Should funders cover the cost?", None, "scribe")]
TITLE = "Minutes of the Coastal Communities Forum meeting held on Wednesday 14 January 2026"


def _event(db, slug="coastal-jan", source="coastal.txt", notes=MINUTES, **fields):
    event = save_event(db, slug, **fields)
    add_notes(db, event, [Note(text=text, ref=ref, author=author, role=role, source=source, status="approved")
                          for ref, text, author, role in notes])
    result = make_result(db, event)
    result["event"] = {"slug": slug, "title": TITLE, "date": "2026-01-14", "venue": "Walton Community Centre",
                       "present": 4}
    store_result(db, event, result)
    return event


def test_an_event_the_import_named_from_its_slug_takes_the_documents_title(db):
    event = _event(db)  # as `harvest import FILE --event coastal-jan` leaves it
    assert event.title == "Coastal jan"
    md = compose_markdown(db, event)
    assert md.startswith(f"# {TITLE}\n")
    assert "Coastal jan" not in md


def test_a_title_the_organiser_gave_is_kept(db):
    event = _event(db, title="Coastal forum, January")
    assert compose_markdown(db, event).startswith("# Coastal forum, January\n")


def test_the_date_venue_and_number_present_are_printed(db):
    md = compose_markdown(db, _event(db))
    assert "**Date:** 14 January 2026  \n**Venue:** Walton Community Centre  \n**Present:** 4  \n" in md
    assert build_data(db, _event(db, slug="coastal-feb"))["event"]["present"] == 4


def test_speakers_a_scribes_minutes_report_are_not_contributors(db):
    md = compose_markdown(db, _event(db))
    assert "- Notes: 5\n" in md and "Contributors" not in md  # not "Contributors: 1" for "Jo said"


def test_the_people_whose_own_words_the_notes_are_count(db):
    form = [(f"f{i}", text, author, None) for i, (_, text, author, _) in enumerate(MINUTES[1:])]
    form[2] = ("f2", MINUTES[3][1], "Sam Okafor", "attendee")
    md = compose_markdown(db, _event(db, slug="forms", source="form", notes=form))
    assert "- Notes: 4\n- Contributors: 2 (named on 3 of the 4 notes)\n" in md
    captions = [(f"c{i}", text, author or "Sam Okafor", "speaker") for i, (_, text, author, _)
                in enumerate(MINUTES[1:])]
    md = compose_markdown(db, _event(db, slug="panel", source="panel.vtt", notes=captions))
    assert "- Notes: 4\n- Contributors: 2\n" in md  # a transcript's voices are their own words


def test_under_the_chatham_house_rule_contributors_are_a_count_not_names(db):
    form = [(f"f{i}", text, name, None) for i, ((_, text, _, _), name)
            in enumerate(zip(MINUTES[1:], ["Jo Pritchard", "Sam Okafor", "Jo Pritchard", "Lesley Dunn"],
                             strict=True))]
    event = _event(db, slug="chatham", source="form", notes=form, chatham_house=True)
    md = compose_markdown(db, event)
    assert "- Contributors: 3\n" in md
    for name in ("Jo", "Pritchard", "Sam", "Okafor", "Lesley", "Dunn"):
        assert name not in md, name


def test_a_proposal_made_in_the_same_words_twice_is_listed_once_citing_both(db):
    answers = [("a1", "Bring commissioners into the room.", None, None),
               ("a2", "Bring commissioners into the room", None, None),
               ("a3", "Speak up for the sector in the local plan consultation", None, None)]
    md = compose_markdown(db, _event(db, slug="survey", source="survey.xlsx", notes=answers))
    proposals = md[md.index("## Proposals made"):].split("\n## ")[0]
    assert proposals.splitlines()[2:] == [
        '- "Bring commissioners into the room." (note 1, note 2)',
        '- "Speak up for the sector in the local plan consultation" (note 3)']


def test_a_scribes_label_the_model_takes_for_a_person_is_not_redacted(db):
    # Under the Chatham House Rule names go, not "Question raised:" (spaCy tags "Question" PERSON
    # there); the name beside it still goes.
    said = ('"the B&B is cheaper for this year\'s budget and dearer for every year after" - one of the '
            "trust's tenancy officers Question raised: could the council and housing associations jointly "
            "lease? nobody knew who would hold the risk.")
    notes = [("q1", said, None, "scribe"),
             ("q2", "Priya Shah said landlords are leaving the market, not evicting for its own sake.", None,
              "scribe")]
    event = _event(db, slug="housing", notes=notes, chatham_house=True)
    md = compose_markdown(db, event)
    assert "Priya Shah" in {n["original"] for n in detect_names(db, event)}
    assert "Priya" not in md and "Shah" not in md
    assert "a participant raised" not in md.lower()



def test_notes_that_are_all_the_events_details_are_not_counted_as_notes(db):
    # Imported minutes store their "Present:" and "Date: ... Venue: ..." lines as notes; the
    # synthesis reads them as the event's details (context). The digest said "Notes: 7" for 5.
    notes = [*MINUTES, ("m6", "Date: 14 January 2026. Venue: Walton Community Centre.", None, "scribe"),
             ("m7", "Apologies: Sandra Lowe. Present: eleven.", None, "scribe")]
    event = _event(db, notes=notes)
    result = make_result(db, event)
    texts = {ref: text for ref, text, _a, _r in notes}
    result["context"] = [
        {"text": texts["m1"], "note": "m1", "kind": "attendance", "start": 0, "end": len(texts["m1"])},
        {"text": "Date: 14 January 2026.", "note": "m6", "kind": "date", "start": 0, "end": 22},
        {"text": "Venue: Walton Community Centre.", "note": "m6", "kind": "venue", "start": 23,
         "end": len(texts["m6"])},
        # Only part of m7 is a detail line: the note is still counted.
        {"text": "Apologies: Sandra Lowe.", "note": "m7", "kind": "apologies", "start": 0, "end": 23},
    ]
    result["event"] = {"slug": event.slug, "title": TITLE, "date": "2026-01-14", "venue": None, "present": 4}
    store_result(db, event, result)
    data = build_data(db, event)
    assert data["participation"]["notes"] == 5  # m2-m5 and m7; not m1 or m6
    assert "- Notes: 5" in compose_markdown(db, event)
