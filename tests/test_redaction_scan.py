"""The redaction guarantee: every serialised output of an event under the Chatham House Rule is
scanned, case-insensitively, for every confirmed name, its first name and surname alone, and the
initials written after it; words that are not people stay as written."""

from __future__ import annotations

import json
import re

import pytest
from redaction_events import (
    HOSTILE_NAMES,
    MINUTES_KEPT,
    MINUTES_NAMES,
    hostile_event,
    minutes_event,
)

from web.cli import cli
from web.publish.publishing import digest_output, publish, save_draft
from web.publish.redact import confirm_all, keep_as_written, redaction_rows
from web.review import edited_result, record_edit

pytestmark = pytest.mark.models  # spaCy's NER finds the names

FORMATS = ("markdown", "html", "json", "csv")


def every_output(client, db_path, runner, slug: str) -> dict[str, str]:
    """Pages, downloads (the HTML download too), charts, feed and `harvest digest` in every format."""
    out = {}
    for path in ("/digests", f"/digests/{slug}", f"/digests/{slug}/v1", "/digests.atom",
                 *(f"/digests/{slug}/{name}" for name in ("digest.md", "digest.html", "digest.json",
                                                          "themes.csv")),
                 *(f"/digests/{slug}/v1/{name}" for name in ("digest.html", "digest.json")),
                 *(f"/digests/{slug}/v1/charts/{name}.svg" for name in ("theme-sizes", "themes-by-table"))):
        res = client.get(path)
        assert res.status_code == 200, path
        out[path] = res.get_data(as_text=True)
    for fmt in FORMATS:
        res = runner.invoke(cli, ["--db", str(db_path), "digest", slug, "--format", fmt])
        assert res.exit_code == 0, res.output
        out[f"harvest digest --format {fmt}"] = res.stdout
    return out


def forms_of(names) -> set[str]:
    """Each name, its parts alone (first name, surname, each half of a double-barrelled one) and
    its initials."""
    forms = set()
    for name in names:
        forms.add(name)
        for word in name.split():
            forms.add(word)
            forms.update(p for p in word.split("-") if len(p) > 1)
        forms.add("".join(w[0] for w in re.split(r"[\s-]+", name)))
    return forms


def leaks(outputs: dict[str, str], names) -> list[str]:
    found = []
    for where, text in outputs.items():
        plain = text.replace("\\", "")  # Markdown escapes: "\(JS\)"
        for form in forms_of(names):
            flags = 0 if form.isupper() else re.IGNORECASE  # initials as written: "JS", not "js"
            if re.search(rf"(?<![^\W_]){re.escape(form)}(?![^\W_])", plain, flags):
                found.append(f"{form!r} in {where}")
    return found


def test_minutes_every_output_is_free_of_every_confirmed_name(app, client, db_path, db, runner):
    event = minutes_event(db)
    rows = {r["original"]: r for r in redaction_rows(db, event)}
    # Attendance lines, authors, attributions and bracketed initials are all found ...
    assert set(MINUTES_NAMES) <= set(rows), sorted(rows)
    assert {"JS", "PS"} <= set(rows)
    assert rows["Grace Okonjo-Smith"]["kind"] == "attendance"
    # ... and a building, a body and the organisations' acronyms are not taken for people.
    for word in ("Keynes House", "SEEE", "NCVO", "Social Value Act"):
        assert not any(word.lower() in r.lower() for r in rows), (word, sorted(rows))
    # Nothing stored until the organiser decides (a GET page, `harvest digest`, never write).
    digest_output(db, event, "json")
    assert client.get("/digests").status_code == 200
    assert list(db.query("SELECT * FROM redaction")) == []
    assert "Covid" in rows  # spaCy takes it for a person: the organiser keeps it as written
    keep_as_written(db, event, "Covid")
    assert confirm_all(db, event, {rows["Jane Smith"]["key"]: "the chair"}) == len(rows) - 1
    assert publish(db, event) == 1
    outputs = every_output(client, db_path, runner, "minutes")
    assert leaks(outputs, MINUTES_NAMES) == []
    md = outputs["/digests/minutes/digest.md"]
    assert "The chair opened the meeting" in md  # "Jane Smith (JS)" is one role, not two
    for kept in MINUTES_KEPT:
        assert kept in md, kept
    data = json.loads(outputs["/digests/minutes/digest.json"])
    # The JSON lists segments without their text; the version's stored data (which the network
    # digest reads) holds them, redacted.
    from web.publish.publishing import get_version

    stored = get_version(db, event)["data"]
    said = " ".join(s["text"] for t in stored["themes"] for s in t["segments"])
    assert "Covid drivers after lockdown" in said and "Rural Covid recovery" in said
    assert "The chair said small charities cannot bid alone" in said  # her initials take her role
    keywords = [k for t in data["themes"] for k in t["keywords"]]
    assert keywords and not {"jane", "smith"} & set(keywords)
    labels = [t["label"] for t in data["themes"]]
    # The theme synthesis labelled with a name gets a label that is not one (nor "A participant").
    assert "Tom Brown" not in labels and not any("participant" in label.lower() for label in labels)
    # The organiser sees on the review page how that label will be published.
    from web_helpers import login, text

    login(client)
    page = text(client.get("/review/minutes"))
    assert f"Published as \u201c{labels[-1]}\u201d" in page and "Tom Brown</h2>" in page


def test_hostile_every_output_is_free_of_every_confirmed_name(app, client, db_path, db, runner):
    event = hostile_event(db)
    rows = {r["original"] for r in redaction_rows(db, event)}
    assert set(HOSTILE_NAMES) <= rows, sorted(rows)
    # The organiser renames a theme after a person and types names into the draft.
    theme = edited_result(db, event)["themes"][0]
    record_edit(db, event, "rename", theme=theme["id"], label="jane okafor")
    record_edit(db, event, "summary", theme=theme["id"], summary="As Dr Marsh and SAM WHITLOW put it.")
    text, _ = digest_output(db, event, "markdown")
    save_draft(db, event, text + "\nThanks to Jane Okafor, Peter (PM) and Whitlow's team.\n")
    confirm_all(db, event)
    assert publish(db, event) == 1
    outputs = every_output(client, db_path, runner, "hostile-names")
    assert leaks(outputs, HOSTILE_NAMES) == []
    md = outputs["/digests/hostile-names/digest.md"]
    assert "Thanks to a participant, a participant and a participant's team." in md
    labels = [t["label"] for t in json.loads(outputs["/digests/hostile-names/digest.json"])["themes"]]
    assert len(labels) == 3 and not any("participant" in label.lower() for label in labels), labels


def test_the_scan_finds_a_leak():
    """The scan itself can fail: a lower-cased surname, or initials, in one output are reported."""
    assert leaks({"x": "keywords: okafor, tender"}, HOSTILE_NAMES) == ["'Okafor' in x"]
    assert leaks({"y": "as \\(SW\\) said"}, HOSTILE_NAMES) == ["'SW' in y"]
    assert leaks({"z": "js and sw are fine in lower case"}, HOSTILE_NAMES) == []


def test_sample_minutes_names_found_and_bodies_left_alone(db):
    """The sample minutes as a network writes them: every attendee and apology is a name; the
    host line, the hall, the groups in brackets, a bus company and an acronym after a first name
    are not."""
    from conftest import TRANSCRIPTS

    from capture.importing import import_file
    from capture.store import save_event

    import_file(db, TRANSCRIPTS / "older-peoples-network-minutes.txt", event="network")
    event = save_event(db, "network", chatham_house=True)
    found = {r["original"] for r in redaction_rows(db, event)}
    listed = {"Jenny Carver", "Amir Haddad", "Sue Blakeley", "Richard Lowe", "Pat Ingram", "Dev Patel",
              "Marion Tully", "Fiona Grey", "Bernard Quigley", "Claire Dunstan", "Mike Sayer"}
    assert listed <= found, sorted(listed - found)
    for body in ("Host", "Voluntary Norfolk", "Parish Hall", "Good Neighbours", "Sanders Coaches", "ICB"):
        assert not any(body.lower() in name.lower() for name in found), (body, sorted(found))
