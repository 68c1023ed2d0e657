"""One source for each version: a draft knows what it was made from, says when it is stale, and is
regenerated keeping the organiser's own text; every output of a version reads the same data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from publishing_data import make_result, seed_event, store_result
from web_helpers import csrf, login, text

from capture.errors import ValidationError
from web.publish.drafts import (
    draft_status,
    get_draft,
    merge3,
    regenerate_draft,
    save_draft,
    template_markdown,
)
from web.publish.publishing import publish
from web.review import record_edit

SLUG = "round-table"
NOTE = "Organiser's note: every table met for forty minutes."


@pytest.fixture
def event(db):
    event = seed_event(db, slug=SLUG)
    store_result(db, event, make_result(db, event))
    return event


def organisers_draft(db, event) -> str:
    """The template with one paragraph added and one rewritten, as an organiser would."""
    md = template_markdown(db, event)
    assert "Contracts are getting bigger." in md
    return md.replace("## Themes\n", f"## Themes\n\n{NOTE}\n").replace(
        "Contracts are getting bigger.", "Contracts keep growing, said every table.", 1)


def test_merge3_keeps_the_organisers_paragraphs_and_takes_the_rest_new():
    base = "# T\n\nA\n\nB\n\nC\n"
    mine = "# T\n\nA, edited\n\nB\n\nNew by me\n\nC\n"
    theirs = "# T\n\nA\n\nB renamed\n\nC\n\nD added\n"
    merged, both = merge3(base, mine, theirs)
    assert merged == "# T\n\nA, edited\n\nB renamed\n\nNew by me\n\nC\n\nD added\n" and both == 0
    merged, both = merge3(base, mine, "# T\n\nA changed too\n\nB\n\nC\n")
    assert merged.startswith("# T\n\nA, edited\n\nB") and both == 1  # the organiser's words win


def test_a_draft_goes_stale_on_a_rename_and_publishing_waits(db, event):
    save_draft(db, event, organisers_draft(db, event))
    assert draft_status(db, event) == {"draft": True, "stale": False, "changes": []}
    record_edit(db, event, "rename", theme="t0", label="Contracts too big")
    status = draft_status(db, event)
    assert status["stale"] and status["changes"] == [
        "Heading changed: \u201cBigger contracts\u201d is now \u201cContracts too big\u201d"]
    with pytest.raises(ValidationError, match="made from an earlier synthesis or earlier edits"):
        publish(db, event)
    # Saving the stale text again does not make it current.
    save_draft(db, event, get_draft(db, event) + "\nOne more line.\n")
    assert draft_status(db, event)["stale"]
    assert regenerate_draft(db, event) == 0
    draft = get_draft(db, event)
    assert "### 1. Contracts too big" in draft and "Bigger contracts" not in draft
    assert NOTE in draft and "Contracts keep growing, said every table." in draft
    assert "One more line." in draft
    assert not draft_status(db, event)["stale"]


def test_stale_banner_regenerate_and_every_output_of_the_version_agrees(app, client, db, event):
    login(client)
    token = csrf(client, f"/review/{SLUG}/digest")
    res = client.post(f"/review/{SLUG}/digest", data={"csrf_token": token, "action": "save",
                                                      "markdown": organisers_draft(db, event)})
    assert res.status_code == 302
    assert "out of date" not in text(client.get(f"/review/{SLUG}/digest"))
    res = client.post(f"/review/{SLUG}/edit", data={"csrf_token": token, "op": "rename", "theme": "t0",
                                                    "label": "Contracts too big"})
    assert res.status_code == 302
    page = text(client.get(f"/review/{SLUG}/digest"))
    assert "Your edited draft is out of date" in page
    assert "Heading changed: \u201cBigger contracts\u201d is now \u201cContracts too big\u201d" in page
    refused = client.post(f"/review/{SLUG}/publish", data={"csrf_token": token, "after": "keep-open"})
    assert refused.status_code == 400 and "Regenerate it on the Digest tab" in text(refused)
    assert list(db.query("SELECT * FROM digest WHERE draft = 0")) == []
    res = client.post(f"/review/{SLUG}/digest", data={"csrf_token": token, "action": "regenerate"})
    assert res.status_code == 302
    assert "out of date" not in text(client.get(f"/review/{SLUG}/digest"))
    res = client.post(f"/review/{SLUG}/publish", data={"csrf_token": token, "after": "keep-open"})
    assert res.status_code == 302

    # Every output of version 1 tells the same story: the new label, never the old one.
    outputs = {name: text(client.get(f"/digests/{SLUG}/v1/{name}"))
               for name in ("digest.md", "digest.html", "digest.json", "themes.csv",
                            "charts/theme-sizes.svg", "charts/themes-by-table.svg")}
    outputs["page"] = text(client.get(f"/digests/{SLUG}/v1"))
    for where, body in outputs.items():
        assert "Contracts too big" in body, where
        assert "Bigger contracts" not in body, where
    assert NOTE in outputs["page"] and NOTE in outputs["digest.md"]
    data = json.loads(outputs["digest.json"])
    assert [t["label"] for t in data["themes"]][0] == "Contracts too big"
    rows = list(csv.DictReader(io.StringIO(outputs["themes.csv"])))
    assert [r["label"] for r in rows] == [t["label"] for t in data["themes"]]
    version = next(db.query("SELECT run_id, source_hash, data FROM digest WHERE draft = 0"))
    assert version["run_id"] and version["source_hash"]
    # The downloads read the stored data; the JSON lists a theme's segments without their text
    # (the walk-through's F8: a quote the editor hid was still there, word for word).
    stored = json.loads(version["data"])["themes"]
    assert [{**t, "segments": [{"note": s["note"], "table": s["table"]} for s in t["segments"]]}
            for t in stored] == data["themes"]
    assert all(set(s) == {"note", "table"} for t in data["themes"] for s in t["segments"])
