"""Chatham House redaction: the SEEE transcript under the rule publishes no name in any output."""

from __future__ import annotations

import json
import re

import pytest
from conftest import SEEE, TRANSCRIPTS
from publishing_data import make_result, seed_event, store_result

from capture.errors import ValidationError
from capture.importing import import_file
from capture.models import Note
from capture.store import add_notes, get_event, save_event
from web.cli import cli
from web.publish.publishing import digest_output, publish
from web.publish.redact import Redactor, list_redactions, redaction_rows, set_redaction

pytestmark = pytest.mark.models  # spaCy's NER finds the names

SEEE_THEMES = [
    ("Bigger contracts need consortia", ("larger contract", "consortia working", "bigger")),
    ("No money for convening", ("management costs", "usual suspects")),
    ("Commissioners and the Social Value Act", ("Social Value Act", "first principles", "commissioners")),
    ("Distrust between small and large", ("distrust", "divide", "work together")),
    ("Tender timelines", ("ITT", "tender", "month")),
    ("Standing partnerships", ("Manchester", "providers", "competitive")),
    ("Competing with corporates", ("corporate", "Virgin")),
]
FORMATS = ("markdown", "html", "json", "csv")
NAMES = ("Alison", "Reid")


@pytest.fixture
def seee(db):
    import_file(db, SEEE, event="seee")
    event = save_event(db, "seee", chatham_house=True, date="2015-10-23")
    store_result(db, event, make_result(db, event, SEEE_THEMES))
    return event


def outputs_of(client, db_path, runner, slug):
    """Every published output: pages, downloads, feed, and `harvest digest` in every format."""
    out = {}
    for path in ("/digests", f"/digests/{slug}", f"/digests/{slug}/v1", "/digests.atom",
                 f"/digests/{slug}/digest.md", f"/digests/{slug}/digest.html",
                 f"/digests/{slug}/digest.json", f"/digests/{slug}/themes.csv",
                 f"/digests/{slug}/v1/charts/theme-sizes.svg",
                 f"/digests/{slug}/v1/charts/themes-by-table.svg"):
        res = client.get(path)
        assert res.status_code == 200, path
        out[path] = res.get_data(as_text=True)
    for fmt in FORMATS:
        res = runner.invoke(cli, ["--db", str(db_path), "digest", slug, "--format", fmt])
        assert res.exit_code == 0, res.output
        out[f"harvest digest --format {fmt}"] = res.stdout
    return out


def assert_no_names(outputs, names=NAMES):
    for where, text in outputs.items():
        for name in names:
            assert not re.search(rf"\b{name}\b", text), f"{name!r} in {where}"


def assert_no_note_refs(db, outputs):
    """An imported ref hashes the speaker and the text: published beside a quote it would confirm a
    guessed speaker, so under the rule the outputs number the notes instead."""
    refs = [r["ref"] for r in db.query("SELECT ref FROM note")]
    assert refs
    for where, text in outputs.items():
        for ref in refs:
            assert ref not in text, f"note ref {ref} in {where}"


def test_seee_names_are_found_with_context(db, seee):
    rows = {r["original"]: r for r in redaction_rows(db, seee)}
    assert "Alison Reid" in rows
    assert rows["Alison Reid"]["replacement"] == "a participant"
    assert "Community Dental Services" in rows["Alison Reid"]["context"]
    assert rows["Alison Reid"]["status"] == "suggested"
    assert list_redactions(db, seee) == []  # suggestions are computed, not stored


def test_publishing_is_refused_until_confirmed(db_path, db, seee, runner):
    with pytest.raises(ValidationError, match="'Alison Reid' -> 'a participant'"):
        publish(db, seee)
    res = runner.invoke(cli, ["--db", str(db_path), "publish", "seee"])
    assert res.exit_code == 1 and "--accept-redactions" in res.output and "Traceback" not in res.output
    assert list(db.query("SELECT * FROM digest WHERE draft = 0")) == []
    # Even the unpublished draft is redacted, in every format.
    for fmt in FORMATS:
        text, which = digest_output(db, seee, fmt)
        assert which == "draft (not published)"
        assert "Alison" not in text and "Reid" not in text


def test_no_name_in_any_published_output(app, client, db_path, db, seee, runner):
    row = next(r for r in redaction_rows(db, seee) if r["original"] == "Alison Reid")
    set_redaction(db, seee, row["key"], "a dental services chief executive")
    res = runner.invoke(cli, ["--db", str(db_path), "publish", "seee", "--accept-redactions"])
    assert res.exit_code == 0, res.output
    outputs = outputs_of(client, db_path, runner, "seee")
    assert_no_names(outputs)
    assert_no_note_refs(db, outputs)
    for where, text in outputs.items():
        assert "Community Dental Services" not in text, where  # her attribution, not what was said
    md = outputs["/digests/seee/digest.md"]
    assert "Chatham House Rule" in md
    assert "Distrust between small and large" in md  # the digest itself is all there


def test_names_in_note_text_and_their_parts(app, client, db_path, db, runner):
    notes = [
        ("a1", "Table 1", "Jane Okafor said contracts are getting bigger and bigger."),
        ("a2", "Table 1", "Okafor thinks small charities cannot bid alone. Jane was clear about that."),
        ("a3", "Table 2", "Dr Peter Marsh from Cambridge said commissioners skip co-design."),
        ("a4", "Table 2", "Peter's point was that tender timelines are too tight. We will mark the date.",
         "Sam"),
        ("a5", "Table 3", "Mark Will agreed the distrust is real; people will mark it."),
    ]
    event = seed_event(db, slug="named", notes=notes, chatham_house=True)
    store_result(db, event, make_result(db, event))
    found = {r["original"] for r in redaction_rows(db, event)}
    assert {"Jane Okafor", "Peter Marsh", "Sam"} <= found
    publish(db, event, accept_redactions=True)
    outputs = outputs_of(client, db_path, runner, "named")
    assert_no_names(outputs, ("Jane", "Okafor", "Peter", "Marsh", "Sam"))
    md = outputs["/digests/named/digest.md"]
    # A sentence that began with a name begins with the replacement, capitalised.
    assert "A participant said contracts are getting bigger" in md
    assert "A participant thinks small charities cannot bid alone" in md


def test_partial_names_but_not_ordinary_words():
    redact = Redactor([{"original": "Mark Will", "replacement": "a participant"},
                       {"original": "Alison Reid", "replacement": "a chief executive"},
                       {"original": "Grace Okonjo-Smith", "replacement": "a participant"}])
    assert redact("Alison Reid spoke. Then Reid's team replied, and Alison agreed.") == \
        "A chief executive spoke. Then a chief executive's team replied, and a chief executive agreed."
    # "Mark" and "Will" are everyday words: only the full name goes.
    assert redact("Mark Will said we will mark the date. Will it work?") == \
        "A participant said we will mark the date. Will it work?"
    # A part that is an everyday word ("grace") goes only where it reads as the name: capitalised
    # inside a sentence (changed with issue 13: first names alone are names).
    assert redact("Okonjo-Smith said grace and Grace matter; Reidy and Alisons stay.") == \
        "A participant said grace and a participant matter; Reidy and Alisons stay."
    # A full name typed in lower case or capitals goes too; an all-everyday-words name only as written.
    text = "so alison reid and ALISON  REID agreed; the mark will fade, said grace okonjo-smith."
    assert redact(text) == \
        "so a chief executive and a chief executive agreed; the mark will fade, said a participant."


def test_not_under_the_rule_nothing_is_redacted(db):
    event = seed_event(db, slug="open-event", notes=[("b1", "T", "Jane Okafor said contracts are bigger.")])
    store_result(db, event, make_result(db, event))
    text, _ = digest_output(db, get_event(db, "open-event"), "markdown")
    assert list_redactions(db, event) == []
    assert "Jane Okafor said contracts are bigger." in text


def test_organiser_confirms_in_context_on_the_web(app, client, db, seee):
    from web_helpers import csrf, login

    login(client)
    page = client.get("/review/seee/redactions").get_data(as_text=True)
    assert "Alison Reid" in page and "Community Dental Services" in page and "not confirmed" in page
    token = csrf(client, "/review/seee/redactions")
    refused = client.post("/review/seee/publish", data={"csrf_token": token})
    assert refused.status_code == 400 and b"not confirmed" in refused.data
    row = next(r for r in redaction_rows(db, seee) if r["original"] == "Alison Reid")
    res = client.post("/review/seee/redactions", data={
        "csrf_token": token, "confirm": row["key"], f"replacement-{row['key']}": "Alison Reid of CDS"})
    assert res.status_code == 400 and b"must not contain the name" in res.data
    assert b'value="Alison Reid of CDS"' in res.data  # the refused input is kept on the page
    role = "a dental services chief executive"
    res = client.post("/review/seee/redactions", data={
        "csrf_token": token, "confirm": row["key"], f"replacement-{row['key']}": role})
    # The Names tab again, with the other boxes as typed (a later "Confirm all" sends them).
    assert res.status_code == 200 and b"Replacement confirmed." in res.data
    assert [r["confirmed"] for r in list_redactions(db, seee) if r["original"] == "Alison Reid"] == [1]
    client.post("/review/seee/redactions", data={"csrf_token": token, "action": "confirm-all"})
    res = client.post("/review/seee/publish", data={"csrf_token": token})
    assert res.status_code == 302
    page = client.get("/digests/seee").get_data(as_text=True)
    assert "Alison" not in page and "Reid" not in page


PANEL_THEMES = [
    ("Capacity of commissioners", ("stretched", "half the team", "bundle", "timelines")),
    ("Tender windows shut small charities out", ("six-week", "shuts us out", "pre-market", "fair process")),
    ("Co-design and social value", ("Co-design", "Ask the people", "Social Value Act", "standing")),
]
PANEL_NAMES = ("Sarah", "Whitfield", "Daniel", "Mensah", "Helen", "Cartwright")


def test_the_demo_panel_names_go_and_ordinary_words_stay(app, client, db_path, db, runner):
    """The demo's Chatham House sample (a WebVTT with speaker voices): no name in any output, and
    nothing but names replaced."""
    import_file(db, TRANSCRIPTS / "commissioning-panel.vtt", event="panel")
    event = save_event(db, "panel", chatham_house=True)
    store_result(db, event, make_result(db, event, PANEL_THEMES))
    rows = {r["original"]: r for r in redaction_rows(db, event)}
    assert {"Sarah Whitfield", "Daniel Mensah", "Helen Cartwright"} <= set(rows)
    # The organiser sees each voice with what it said, not just the name again.
    assert rows["Helen Cartwright"]["context"].startswith("Helen Cartwright: And that is exactly what shuts")
    # Confirming some is not enough: publishing waits for the last one, and names it.
    for name in ("Sarah Whitfield", "Daniel Mensah"):
        set_redaction(db, event, rows[name]["key"], "a participant")
    with pytest.raises(ValidationError, match=r"1 replacement\(s\) are not confirmed: 'Helen Cartwright'"):
        publish(db, event)
    publish(db, event, accept_redactions=True)
    outputs = outputs_of(client, db_path, runner, "panel")
    assert_no_names(outputs, PANEL_NAMES)
    assert_no_note_refs(db, outputs)
    assert "- Notes: 7\n- Contributors: 3\n" in outputs["/digests/panel/digest.md"]  # every note has a voice
    data = json.loads(outputs["/digests/panel/digest.json"])
    # The JSON lists segments without their text: the version's stored data holds them, redacted.
    from web.publish.publishing import get_version

    said = [s["text"] for t in get_version(db, event)["data"]["themes"] for s in t["segments"]]
    said += [q["text"] for q in data["asks"]["questions"] + data["asks"]["proposals"]]
    # Only the names changed: the sentences around them, and ordinary words, are intact.
    for verbatim in ("From the commissioning side, I'll be honest: we are stretched.",
                     "And apply the Social Value Act properly: count the volunteers, the local spend, "
                     "the trust we hold.",
                     "A participant, what would a fair process look like for a group like yours?"):
        assert verbatim in said, verbatim
    notes = {n["text"] for n in db.query("SELECT text FROM note")}
    changed = [text for text in said if not any(text in note for note in notes)]
    assert changed and all("participant" in text for text in changed), changed
    # Quotes point at notes by number, not by their (speaker-derived) ref.
    assert all(q["note"].isdigit() for t in data["themes"] for q in t["quotes"])


def test_a_name_in_a_late_note_stops_the_next_publication(db):
    """After a publication, a newly approved note naming someone is caught before the next one."""
    event = seed_event(db, slug="late", chatham_house=True)
    store_result(db, event, make_result(db, event))
    assert publish(db, event, accept_redactions=True) == 1
    add_notes(db, event, [Note(text="Priya Shah said the tender timelines are far too tight.", ref="late1",
                               table="Table 2", status="approved")])
    with pytest.raises(ValidationError, match="'Priya Shah' -> 'a participant'"):
        publish(db, event)
    assert [r["version"] for r in db.query("SELECT version FROM digest WHERE draft = 0")] == [1]


def test_a_name_typed_into_the_draft_is_decided_on_like_a_name_in_the_notes(db):
    """The second walk-through's N3: under the rule, "Thanks to Sam Okafor and Priya Nair" typed
    into the digest's Markdown was published: only the notes were searched for names."""
    from web.publish.drafts import save_draft, template_markdown

    event = seed_event(db, slug="typed", chatham_house=True)
    store_result(db, event, make_result(db, event))
    assert unconfirmed_names(db, event) == []
    intro = "Thanks to Sam Okafor and Priya Nair for hosting the tables.\n\n"
    save_draft(db, event, intro + template_markdown(db, event))
    rows = {r["original"]: r for r in redaction_rows(db, event)}
    assert {"Sam Okafor", "Priya Nair"} <= set(rows) and rows["Sam Okafor"]["kind"] == "draft"
    with pytest.raises(ValidationError, match="Sam Okafor"):
        publish(db, event)  # waits for the organiser's decision, as for a name in the notes
    publish(db, event, accept_redactions=True)
    published, _ = digest_output(db, event, "markdown")
    assert "Okafor" not in published and "Nair" not in published
    assert "Thanks to a participant and a participant for hosting the tables." in published


def unconfirmed_names(db, event) -> list[str]:
    return [r["original"] for r in redaction_rows(db, event) if r["status"] == "suggested"]


def test_an_everyday_word_opening_a_sentence_is_not_suggested_as_a_name(db):
    """The second walk-through's N15: "Café notes in latin-1: ..." put "Café" on the Names tab, and
    "Confirm all as suggested" published "A participant notes in latin-1". A capitalised common
    noun that opens a sentence and modifies the noun after it is not a name; real names opening a
    sentence, everyday-word names among them, are still caught."""
    notes = [
        ("c1", "Table 1", "Café notes in latin-1: rents are too high."),
        ("c2", "Table 1", "Café staff say rents doubled this year."),
        ("c3", "Table 2", "Victor said the bus to the hostel is always late."),
        ("c4", "Table 2", "Jasmine notes: rents are too high for young families."),
        ("c5", "Table 3", "Brown notes: the hostel beds are full every night."),
        ("c6", "Table 3", "Priya Shah asked whether the council could inspect more homes."),
    ]
    event = seed_event(db, slug="cafe", notes=notes, chatham_house=True)
    result = make_result(db, event, [("Rents", ("rents",)), ("Hostels", ("hostel",)), ("Homes", ("homes",))])
    # A result of the pipeline before this fix lists the word as a person: it is not taken from there.
    result["entities"].append({"text": "Café", "label": "PERSON", "count": 2})
    store_result(db, event, result)
    found = {r["original"] for r in redaction_rows(db, event)}
    assert "Café" not in found
    assert {"Victor", "Jasmine", "Brown", "Priya Shah"} <= found
    publish(db, event, accept_redactions=True)
    published, _ = digest_output(db, event, "markdown")
    assert "Café notes in latin-1: rents are too high." in published
    assert "participant notes in latin-1" not in published
    assert not {"Victor", "Jasmine", "Brown", "Priya"} & set(re.findall(r"\w+", published))


def test_a_word_of_a_bodys_name_the_event_gives_is_not_suggested_from_the_results_people(db):
    """The third walk-through's W6: "Chatteris", which the model took for a person, was suggested
    from the result's entities although the attendance line gives "Chatteris Town Council" as a
    body, and "Confirm all" published "Venue: A participant Library"."""
    notes = [
        ("w1", None, "Present: Helen Marsh (Fenland Community Transport), "
                     "Oliver Pike (Chatteris Town Council)."),
        ("w2", "Table 1", "Venue: Chatteris Library. The evening buses stop at six."),
        ("w3", "Table 1", "There is nothing after six from Chatteris to March, so shift workers pay "
                          "for taxis."),
        ("w4", "Table 2", "Helen said the volunteer drivers are getting older."),
    ]
    event = seed_event(db, slug="fenland", notes=notes, chatham_house=True)
    result = make_result(db, event, [("Buses", ("buses", "six")), ("Drivers", ("drivers",))])
    result["entities"].append({"text": "Chatteris", "label": "PERSON", "count": 3})
    store_result(db, event, result)
    found = {r["original"] for r in redaction_rows(db, event)}
    assert "Chatteris" not in found
    assert {"Helen Marsh", "Oliver Pike"} <= found
