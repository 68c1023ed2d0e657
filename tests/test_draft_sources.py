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
from web.publish.draft_merge import merge_by_theme
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


def test_merge_by_theme_follows_themes_renumbers_a_rewritten_heading_and_keeps_a_gone_themes_text():
    """Theme B moves first (the editor's heading for it takes its new number), A joins C's first
    half in a new theme, C's passages are spread (no theme holds more than half): its text is kept
    after the last theme and reported."""
    base = "# T\n\n## Themes\n\n### 1. A\n\na1\n\n### 2. B\n\nb1\n\n### 3. C\n\nc1\n\n## Charts\n\nx\n"
    mine = base.replace("### 2. B", "### 2. B, as I call it").replace("a1\n", "a1\n\nnote A\n").replace(
        "b1\n", "b1\n\nnote B\n").replace("c1\n", "c1\n\nnote C\n")
    theirs = ("# T\n\n## Themes\n\n### 1. B\n\nb1\n\n### 2. A and C\n\na1\n\nc1\n\n### 3. D\n\nd1\n\n"
              "## Charts\n\nx\n")
    old = [["A", ["a"]], ["B", ["b"]], ["C", ["c1", "c2"]]]
    new = [["B", ["b"]], ["A and C", ["a", "c1"]], ["D", ["c2", "d"]]]
    merged = merge_by_theme(base, mine, theirs, old, new)
    assert merged.text == ("# T\n\n## Themes\n\n### 1. B, as I call it\n\nb1\n\nnote B\n\n### 2. A and C\n\n"
                           "a1\n\nnote A\n\nc1\n\n### 3. D\n\nd1\n\nnote C\n\n## Charts\n\nx\n")
    [kept] = merged.kept_apart
    assert (kept.paragraphs, kept.was) == (["note C"], "3. C")
    assert kept.now == "after the last theme, 3. \u201cD\u201d"
    assert kept.why == "its 2 passages are now spread: 1 in 2. \u201cA and C\u201d, 1 in 3. \u201cD\u201d"
    assert merged.conflicts == 1  # B's heading: the editor's words, the template's number


def test_a_draft_goes_stale_on_a_rename_and_publishing_waits(db, event):
    save_draft(db, event, organisers_draft(db, event))
    assert draft_status(db, event) == {"draft": True, "stale": False, "changes": [], "kept_apart": []}
    record_edit(db, event, "rename", theme="t0", label="Contracts too big")
    status = draft_status(db, event)
    assert status["stale"] and status["changes"] == [
        "Heading changed: \u201cBigger contracts\u201d is now \u201cContracts too big\u201d"]
    with pytest.raises(ValidationError, match="made from an earlier synthesis or earlier edits"):
        publish(db, event)
    # Saving the stale text again does not make it current.
    save_draft(db, event, get_draft(db, event) + "\nOne more line.\n")
    assert draft_status(db, event)["stale"]
    made = regenerate_draft(db, event)
    assert made["conflicts"] == 0 and made["kept_apart"] == []
    # The rewritten quote is in theme 1's section: the flash says the theme's heading changed.
    assert made["followed"] == ["\u201cContracts keep growing, said every table.\u201d stays with its theme: "
                                "1. \u201cBigger contracts\u201d is now 1. \u201cContracts too big\u201d"]
    draft = get_draft(db, event)
    assert "### 1. Contracts too big" in draft and "Bigger contracts" not in draft
    assert NOTE in draft and "Contracts keep growing, said every table." in draft
    assert "One more line." in draft
    assert not draft_status(db, event)["stale"]


TRUST_NOTE = "EDITOR-TRUST: the shortest discussion of the day."
BIG_NOTE = "EDITOR-BIG: every table raised it first."
REORDERED = [("Trust and partnership", ("distrust", "partnership")), ("Time to bid", ("three months",)),
             ("Bigger contracts", ("bigger", "bid alone", "consortium", "convening", "funders")),
             ("Commissioning practice", ("co-design", "Social Value", "Tender"))]


def themes_draft(db, event) -> str:
    """The template with a paragraph written after theme 1 ('Bigger contracts') and one after
    the last theme, 3 ('Trust and partnership'), as the walk-through's editor wrote them."""
    md = template_markdown(db, event)
    assert "### 2. Commissioning practice" in md and "### 3. Trust and partnership" in md
    md = md.replace("### 2. Commissioning practice", f"{BIG_NOTE}\n\n### 2. Commissioning practice")
    return md.replace("## Charts", f"{TRUST_NOTE}\n\n## Charts")


def section(markdown: str, heading: str) -> str:
    """A theme's section of a draft: from its heading to the next heading."""
    start = markdown.index(heading)
    ends = [i for i in (markdown.find("\n### ", start + 1), markdown.find("\n## ", start + 1)) if i > 0]
    return markdown[start:min(ends)]


def test_regenerate_keeps_the_editors_text_with_its_theme_when_themes_reorder_and_one_comes_between(
        db, event):
    """Second walk-through N9: a paragraph written after one theme landed under another after a
    re-run reordered the themes and added one (the merge followed positions, not themes)."""
    save_draft(db, event, themes_draft(db, event))
    store_result(db, event, make_result(db, event, REORDERED))
    # The out-of-date box says beforehand where the text will go.
    changes = draft_status(db, event, preview=True)["changes"]
    assert (f"Your text \u201c{TRUST_NOTE}\u201d stays with its theme: 3. \u201cTrust and partnership\u201d "
            "is now 1. \u201cTrust and partnership\u201d.") in changes
    made = regenerate_draft(db, event)
    draft = get_draft(db, event)
    assert [line for line in draft.splitlines() if line.startswith("### ")] == [
        "### 1. Trust and partnership", "### 2. Time to bid", "### 3. Bigger contracts",
        "### 4. Commissioning practice"]
    assert TRUST_NOTE in section(draft, "### 1. Trust and partnership")
    assert BIG_NOTE in section(draft, "### 3. Bigger contracts")
    assert draft.count(TRUST_NOTE) == draft.count(BIG_NOTE) == 1
    assert made["kept_apart"] == [] and not draft_status(db, event)["kept_apart"]
    assert any("3. \u201cTrust and partnership\u201d is now 1. \u201cTrust and partnership\u201d" in line
               for line in made["followed"])
    publish(db, event)  # nothing holds it: every paragraph is with its theme


def test_text_under_a_theme_that_is_gone_is_kept_said_where_and_holds_publishing(app, client, db, event):
    """N9, the other half: where the theme the text was written under is gone, the text is kept,
    the page says where it went, and publishing waits until the editor has saved the draft."""
    save_draft(db, event, themes_draft(db, event))
    gone = [t for t in REORDERED if t[0] not in ("Trust and partnership", "Time to bid")]
    store_result(db, event, make_result(db, event, gone))  # 'Trust' dissolved: its passages in no theme
    login(client)
    token = csrf(client, f"/review/{SLUG}/digest")
    # Before regenerating, the out-of-date box says where the text will go.
    stale = text(client.get(f"/review/{SLUG}/digest"))
    assert (f"Your text \u201c{TRUST_NOTE}\u201d was under 3. Trust and partnership, which the themes no "
            "longer have (its 2 passages are now in no theme): regenerating keeps it after the "
            "last theme, 2. \u201cCommissioning practice\u201d, for you to move") in stale
    res = client.post(f"/review/{SLUG}/digest", data={"csrf_token": token, "action": "regenerate"})
    assert res.status_code == 302
    draft = get_draft(db, event)
    assert draft.count(TRUST_NOTE) == 1 and BIG_NOTE in section(draft, "### 1. Bigger contracts")
    page = text(client.get(f"/review/{SLUG}/digest"))
    assert "Check where your text went" in page and "out of date" not in page
    assert ("was under 3. Trust and partnership (its 2 passages are now in no theme); it is now "
            "after the last theme, 2. \u201cCommissioning practice\u201d") in page
    refused = client.post(f"/review/{SLUG}/publish", data={"csrf_token": token, "after": "keep-open"})
    assert refused.status_code == 400 and "could not stay with its theme" in text(refused)
    assert list(db.query("SELECT * FROM digest WHERE draft = 0")) == []
    # The editor moves it (here: deletes it) and saves: the box goes and publishing goes ahead.
    res = client.post(f"/review/{SLUG}/digest", data={"csrf_token": token, "action": "save",
                                                      "markdown": draft.replace(TRUST_NOTE, "")})
    assert res.status_code == 302
    assert "Check where your text went" not in text(client.get(f"/review/{SLUG}/digest"))
    res = client.post(f"/review/{SLUG}/publish", data={"csrf_token": token, "after": "keep-open"})
    assert res.status_code == 302


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


def test_publish_saves_typed_markdown_first_and_says_so_when_publishing_is_refused(app, client, db):
    """N2, the no-JavaScript path on the server: the publish form carries the Markdown box and the
    fingerprint of the text the page was made with; typed text is saved before anything else, and
    a refusal (here: no themes yet) says it was saved. The box sent back as shown is not saved."""
    from web_helpers import csrf_from

    from capture.store import get_event

    seed_event(db, slug="no-themes")
    event = get_event(db, "no-themes")
    login(client)
    page = client.get("/review/no-themes/digest")
    shown = page.get_data(as_text=True).split('name="shown" value="')[1].split('"')[0]
    form = {"csrf_token": csrf_from(page), "after": "keep-open", "shown": shown}
    # As a browser sends the box untouched: CRLF line ends.
    untouched = client.post("/review/no-themes/publish",
                            data={**form, "markdown": template_markdown(db, event).replace("\n", "\r\n")})
    assert untouched.status_code == 400 and "saved as the draft" not in text(untouched)
    assert get_draft(db, event) is None
    typed = client.post("/review/no-themes/publish", data={**form, "markdown": "# Typed by the editor\n"})
    assert typed.status_code == 400 and "no themes to publish yet" in text(typed)
    assert "(The text typed in the Markdown box was saved as the draft.)" in text(typed)
    assert get_draft(db, event) == "# Typed by the editor\n"
