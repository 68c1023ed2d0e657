"""Publishing: drafts, versions, public pages, downloads in every format, the Atom feed and charts."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from publishing_data import make_result, seed_event, store_result

from capture.errors import ValidationError
from capture.store import get_event
from web.cli import cli
from web.publish.digest import compose_markdown
from web.publish.publishing import digest_output, discard_draft, get_draft, publish, save_draft
from web.review import record_edit

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def event(db):
    event = seed_event(db)
    store_result(db, event, make_result(db, event))
    return event


def login(client):
    page = client.get("/auth/login")
    token = page.data.decode().split('name="csrf_token" type="hidden" value="')[-1].split('"')[0]
    return client.post("/auth/login", data={"email": "organiser@example.org",
                                            "password": "correct horse battery", "csrf_token": token})


def test_markdown_has_every_section(db, event):
    md = compose_markdown(db, event)
    for part in ("# Partnership round table", "**Date:** 23 October 2026", "**Venue:** Cambridge",
                 "- How do we partner for bigger contracts?", "- Tables: 3", "- Notes: 5",
                 "### 1. Bigger contracts", "> Contracts are getting bigger.\n> — *note 1*",
                 "4 passages of the notes, raised at Table 1.", "## Questions raised",
                 "Should funders cover the cost?",
                 "## Proposals made", "Commissioners should allow three months.",
                 "## Places mentioned", "Hertfordshire, Manchester", "## Laws mentioned", "Social Value Act",
                 "## How this digest was made", "verbatim",
                 "](/digests/round-table/v1/charts/theme-sizes.svg)"):
        assert part in md, part


def test_markdown_is_plain_and_leaves_out_what_was_not_recorded(db):
    """No raw HTML for a Markdown reader, no 'Tables: 0' or empty chart when no tables were recorded."""
    notes = [("u1", None, "Contracts are getting bigger. Small charities cannot bid alone.", "Sam Rao"),
             ("u2", None, "Commissioners skip co-design. The Social Value Act is ignored in Hertfordshire.",
              " sam rao "),
             ("u3", None, "Tender timelines are far too tight.")]
    bare = seed_event(db, slug="no-tables", notes=notes)
    store_result(db, bare, make_result(db, bare))
    md = compose_markdown(db, bare)
    assert "<" not in md and ">" not in md.replace("\n> ", "\n")  # quotes are the only ">"
    assert "- Notes: 3\n- Contributors: 1 (named on 2 of the 3 notes)\n" in md  # one author, written two ways
    for absent in ("Tables:", "not recorded", "raised at", "themes-by-table.svg"):
        assert absent not in md, absent
    assert "/charts/theme-sizes.svg" in md and "2 passages of the notes." in md
    assert "### 2. Commissioning practice" in md and "## Themes" in md


def test_edits_reach_the_digest(db, event):
    record_edit(db, event, "rename", theme="t0", label="Contracts outgrow small charities")
    record_edit(db, event, "reorder", order=["t2", "t0", "t1"])
    md = compose_markdown(db, event)
    assert "### 1. Trust and partnership" in md
    assert "### 2. Contracts outgrow small charities" in md
    assert "reviewed and edited by the organiser" in md
    # Merged, the theme was raised at Table 3 first and Table 1 next: the digest lists them in order.
    record_edit(db, event, "merge", theme="t2", other="t0")
    assert "raised at Table 1, Table 3.*" in compose_markdown(db, event)


def test_publish_uses_the_edited_draft_and_versions(db, event):
    save_draft(db, event, compose_markdown(db, event).replace("## Participation", "## Who came"))
    assert publish(db, event) == 1
    first, which = digest_output(db, event, "markdown")
    assert which == "version 1" and "## Who came" in first
    # The edited draft outlives publishing: the next version starts from the organiser's text
    # (the walk-through's F9: it used to come from the template again, the edits gone).
    assert get_draft(db, event) is not None
    assert publish(db, event) == 2
    second, which = digest_output(db, event, "markdown")
    assert which == "version 2" and "## Who came" in second and "## Participation" not in second
    discard_draft(db, event)
    assert publish(db, event) == 3
    assert "## Participation" in digest_output(db, event, "markdown")[0]
    assert get_event(db, event.slug).status == "published"


def test_publish_refuses_without_themes(db):
    empty = seed_event(db, slug="empty")
    with pytest.raises(ValidationError, match="no themes to publish: run `harvest synthesise empty`"):
        publish(db, empty)
    assert list(db.query("SELECT * FROM digest")) == []


def test_cli_digest_draft_then_published_every_format(db_path, db, event, runner, tmp_path):
    draft = runner.invoke(cli, ["--db", str(db_path), "digest", event.slug])
    assert draft.exit_code == 0 and "# Partnership round table" in draft.stdout
    assert "draft (not published)" in draft.stderr
    done = runner.invoke(cli, ["--db", str(db_path), "publish", event.slug])
    assert done.exit_code == 0 and "version 1" in done.stdout
    out = {}
    for fmt in ("markdown", "html", "json", "csv"):
        target = tmp_path / f"d.{fmt}"
        res = runner.invoke(cli, ["--db", str(db_path), "digest", event.slug, "--format", fmt,
                                  "--output", str(target)])
        assert res.exit_code == 0, res.output
        out[fmt] = target.read_text()
    data = json.loads(out["json"])
    assert data["version"] == 1 and [t["label"] for t in data["themes"]] == [
        "Bigger contracts", "Commissioning practice", "Trust and partnership"]
    rows = list(csv.DictReader(io.StringIO(out["csv"])))
    assert len(rows) == 3 and rows[0]["label"] == "Bigger contracts" and rows[0]["size"] == "4"
    assert "Contracts are getting bigger." in rows[0]["quotes"]
    assert out["html"].startswith("<!doctype html>") and "<h1>Partnership round table</h1>" in out["html"]


def test_cli_errors_exit_1(db_path, db, runner):
    seed_event(db, slug="bare")
    res = runner.invoke(cli, ["--db", str(db_path), "publish", "bare"])
    assert res.exit_code == 1 and "no themes to publish" in res.output
    res = runner.invoke(cli, ["--db", str(db_path), "digest", "nope"])
    assert res.exit_code == 1 and "No event 'nope'" in res.output


def test_public_pages_downloads_and_feed(app, client, db, event):
    assert client.get("/digests/round-table").status_code == 404
    publish(db, event)
    record_edit(db, event, "rename", theme="t0", label="Second thoughts")
    publish(db, event)
    index = client.get("/digests").get_data(as_text=True)
    assert "Partnership round table" in index and "version 2" in index
    assert "Held 23 October 2026" in index and "2026-10-23" not in index
    latest = client.get("/digests/round-table").get_data(as_text=True)
    assert "Second thoughts" in latest
    v1 = client.get("/digests/round-table/v1").get_data(as_text=True)
    assert "Bigger contracts" in v1 and "Second thoughts" not in v1
    assert client.get("/digests/round-table/v9").status_code == 404
    data = json.loads(client.get("/digests/round-table/digest.json").data)
    assert data["version"] == 2 and len(data["themes"]) == 3
    rows = list(csv.DictReader(io.StringIO(client.get("/digests/round-table/v1/themes.csv")
                                           .get_data(as_text=True))))
    labels = ["Bigger contracts", "Commissioning practice", "Trust and partnership"]
    assert [r["label"] for r in rows] == labels
    md = client.get("/digests/round-table/digest.md").get_data(as_text=True)
    assert md.startswith("# Partnership round table") and "/v2/charts/theme-sizes.svg" in md
    # Absolute, so a pasted copy keeps its charts (the walk-through's F15).
    assert "](http://localhost/digests/round-table/v2/charts/theme-sizes.svg)" in md
    html = client.get("/digests/round-table/digest.html")
    assert html.mimetype == "text/html" and b"Second thoughts" in html.data
    for name, content_type in (("digest.md", "text/markdown; charset=utf-8"),
                               ("digest.html", "text/html; charset=utf-8"),
                               ("digest.json", "application/json"),
                               ("themes.csv", "text/csv; charset=utf-8")):
        res = client.get(f"/digests/round-table/{name}")
        assert res.headers["Content-Type"] == content_type, name
        assert res.headers["Content-Disposition"] == f'attachment; filename="round-table-v2-{name}"'

    for name in ("theme-sizes", "themes-by-table"):
        svg = client.get(f"/digests/round-table/v2/charts/{name}.svg")
        assert svg.mimetype == "image/svg+xml"
        ET.fromstring(svg.data)  # well-formed SVG
        assert b"Second thoughts" in svg.data
    assert 'src="/digests/round-table/v2/charts/themes-by-table.svg"' in latest
    feed = client.get("/digests.atom")
    assert feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}").text
    assert root.find(f"{ATOM}author/{ATOM}name").text
    assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith("/digests.atom")
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].find(f"{ATOM}id").text.endswith("/digests/round-table/v2")
    assert entries[0].find(f"{ATOM}updated").text
    assert "Second thoughts" in entries[0].find(f"{ATOM}content").text


def test_charts_are_deterministic(app, client, db, event):
    publish(db, event)
    from web.views.digests import _published_chart

    first = client.get("/digests/round-table/v1/charts/themes-by-table.svg").data
    hits = _published_chart.cache_info().hits
    assert first == client.get("/digests/round-table/v1/charts/themes-by-table.svg").data
    assert _published_chart.cache_info().hits == hits + 1  # a published chart is drawn once
    assert b"Table 3" in first


def test_organiser_pages_need_login_and_publish_button_works(app, client, db, event):
    for path in ("/review/round-table", "/review/round-table/digest", "/review/round-table/redactions"):
        assert client.get(path).status_code == 302
    login(client)
    page = client.get("/review/round-table").get_data(as_text=True)
    assert "Bigger contracts" in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/review/round-table/edit", data={"op": "rename", "theme": "t0"}).status_code == 400
    res = client.post("/review/round-table/edit", data={"op": "rename", "theme": "t0", "label": "Renamed",
                                                         "csrf_token": token})
    assert res.status_code == 302
    assert "Renamed" in client.get("/review/round-table/digest").get_data(as_text=True)
    res = client.post("/review/round-table/edit", data={"op": "rename", "theme": "t0", "label": "",
                                                         "csrf_token": token})
    assert res.status_code == 400 and b"1 to 200 characters" in res.data
    res = client.post("/review/round-table/publish", data={"csrf_token": token})
    assert res.status_code == 302 and res.location.endswith("/digests/round-table/v1")
    assert "Renamed" in client.get("/digests/round-table").get_data(as_text=True)


def test_web_theme_edits_through_the_forms(app, client, db, event):
    from web_helpers import csrf
    from web_helpers import login as log_in

    from web.review import edited_result, quote_key, segment_key

    log_in(client)
    token = csrf(client, "/review/round-table")
    seg = segment_key(edited_result(db, event)["themes"][1]["segments"][0])

    def post(**form):
        res = client.post("/review/round-table/edit", data={"csrf_token": token, **form})
        assert res.status_code == 302, res.data
        return edited_result(db, event)

    result = post(op="split", theme="t1", segments=[seg], to="", label="Co-design")
    labels = [t["label"] for t in result["themes"]]
    assert labels[:3] == ["Bigger contracts", "Commissioning practice", "Co-design"]
    page = client.get("/review/round-table").get_data(as_text=True)
    assert page.count("Use as first quote") == sum(t["size"] for t in result["themes"])
    seg0 = result["themes"][0]["segments"][3]
    result = post(op="pin_quote", theme="t0", quote=quote_key({"text": seg0["text"], "note": seg0["note"]}))
    assert result["themes"][0]["quotes"][0]["text"] == seg0["text"]
    result = post(op="down", theme="t0")
    assert result["themes"][1]["label"] == "Bigger contracts"
    result = post(op="merge", theme="t1", other="t2")
    assert "Trust and partnership" not in [t["label"] for t in result["themes"]]
    result = post(op="drop", theme="t0")
    assert "Bigger contracts" not in [t["label"] for t in result["themes"]]
    page = client.get("/review/round-table").get_data(as_text=True)
    assert "5 edits so far" in page  # issue 13: plurals, not "edit(s)"
    assert client.post("/review/round-table/undo", data={"csrf_token": token}).status_code == 302
    assert "Bigger contracts" in [t["label"] for t in edited_result(db, event)["themes"]]


def test_web_draft_edit_reset_and_publish(app, client, db, event):
    from web_helpers import csrf
    from web_helpers import login as log_in

    log_in(client)
    token = csrf(client, "/review/round-table/digest")
    page = client.get("/review/round-table/digest").get_data(as_text=True)
    # The preview's charts are drawn from the current data (the next version's do not exist yet).
    srcs = re.findall(r'<img[^>]* src="([^"]+)"', page)
    assert sorted(srcs) == ["/review/round-table/charts/theme-sizes.svg",
                            "/review/round-table/charts/themes-by-table.svg"]
    assert all(client.get(src).mimetype == "image/svg+xml" for src in srcs)
    draft = "# Partnership round table\n\nOur own introduction, written by hand.\n"
    res = client.post("/review/round-table/digest", data={"csrf_token": token, "markdown": draft})
    assert res.status_code == 302
    page = client.get("/review/round-table/digest").get_data(as_text=True)
    assert "Our own introduction, written by hand." in page and "This is your edited draft." in page
    chart = client.get("/review/round-table/charts/themes-by-table.svg")
    assert chart.mimetype == "image/svg+xml" and b"Commissioning practice" in chart.data
    empty = client.post("/review/round-table/digest", data={"csrf_token": token, "markdown": "  "})
    assert empty.status_code == 400 and b"The draft is empty" in empty.data
    client.post("/review/round-table/digest", data={"csrf_token": token, "action": "reset"})
    assert "Our own introduction" not in client.get("/review/round-table/digest").get_data(as_text=True)
    client.post("/review/round-table/digest", data={"csrf_token": token, "markdown": draft})
    assert client.post("/review/round-table/publish", data={"csrf_token": token}).status_code == 302
    assert "Our own introduction" in client.get("/digests/round-table/digest.md").get_data(as_text=True)


def test_cli_digest_output_to_a_bad_path(db_path, db, event, runner, tmp_path):
    res = runner.invoke(cli, ["--db", str(db_path), "digest", event.slug, "--output",
                              str(tmp_path / "no-such-folder" / "d.md")])
    assert res.exit_code == 1 and "Cannot write" in res.output and "Traceback" not in res.output


def test_two_publishers_at_once_get_two_versions(db_path, db, event):
    """A double click on Publish: two requests, two connections, publishing at the same time."""
    import threading

    from capture.store import open_db

    results, errors = [], []

    def publish_once():
        try:
            results.append(publish(open_db(db_path), event))
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)

    threads = [threading.Thread(target=publish_once) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and sorted(results) == [1, 2]
    assert [r["version"] for r in db.query("SELECT version FROM digest ORDER BY version")] == [1, 2]


def test_cli_formats_match_the_publisher_and_commands_start_without_matplotlib():
    import subprocess
    import sys

    from web.cli.publish_cmds import FORMATS as CLI_FORMATS
    from web.publish.publishing import FORMATS

    assert CLI_FORMATS == FORMATS
    code = "import sys, web.cli; print('matplotlib' in sys.modules, 'markdown' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_with_the_form_closed_leaving_it_closed_is_chosen_already(app, client, db, event):
    """Third walk-through W9: with the attendee form closed, no publish choice was chosen, so
    Publish only showed the browser's bubble. Leaving it closed is chosen; an open form's choice
    (keep open or close) is still the organiser's to make."""
    import re

    from capture.store import save_event

    login(client)
    page = client.get("/review/round-table/digest").get_data(as_text=True)  # the form is open
    assert not re.search(r'<input[^>]*name="after"[^>]*checked', page)
    save_event(db, "round-table", status="closed")
    page = client.get("/review/round-table/digest").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="after-leave"[^>]*value="close"[^>]*checked', page)
    assert not re.search(r'<input[^>]*id="after-reopen"[^>]*checked', page)
