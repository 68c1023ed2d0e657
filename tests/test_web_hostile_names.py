"""Issue 15, point 9: bidi and control characters in names never reach the pages, a table name cannot
break its QR code's SVG, and the digest download and the feed load no image from another site."""

from __future__ import annotations

import re
import xml.dom.minidom

from capture.models import Note
from capture.names import BIDI_CONTROLS, clean_name
from capture.store import add_notes, add_table, list_tables, open_db, save_event
from tests.publishing_data import make_result, seed_event, store_result
from tests.web_helpers import csrf, login, text

RLO_NAME = "Table \u202e1 gnp.exe\u202c"
CONTROL_NAME = "Table\x01 \x1b[31mred\x7f \x85two"
HIDDEN = {*BIDI_CONTROLS, *(chr(c) for c in range(32)), "\x7f", "\x85"}


def _hidden_in(page: str) -> set[str]:
    return {c for c in page if c in HIDDEN and c not in "\n\t\r"}


def test_clean_name_drops_bidi_and_control_characters_and_keeps_scripts():
    assert clean_name(RLO_NAME) == "Table 1 gnp.exe"
    assert clean_name(CONTROL_NAME) == "Table [31mred two"
    assert clean_name("שולחן 3 \u2067عربي\u2069") == "שולחן 3 عربي"  # right-to-left letters stay
    assert clean_name("a\tb\nc") == "a b c" and clean_name(None) is None and clean_name("\u202e") == ""


def test_names_are_cleaned_in_the_store_whatever_path_they_come_by(db):
    event = save_event(db, "names", title="Round \u202etables\u202c", venue="Hall\x00 B")
    assert event.title == "Round tables" and event.venue == "Hall B"
    table = add_table(db, event, RLO_NAME, question="Why\u2066?\u2069", host="Ann\u200f")
    assert (table.name, table.question, table.host) == ("Table 1 gnp.exe", "Why?", "Ann")
    add_notes(db, event, [Note(text="A note.", table=CONTROL_NAME, author="Bob \u202eevil",
                               attribution="Chair\x07", source="form")])
    row = db.execute("SELECT n.author, n.attribution, t.name FROM note n JOIN event_table t "
                     "ON t.id = n.table_id").fetchone()
    assert row == ("Bob evil", "Chair", "Table [31mred two")
    assert not any(_hidden_in(t.name) for t in list_tables(db, event))


def test_note_text_loses_run_reordering_controls_keeps_marks_and_line_breaks(db, tmp_path):
    from capture.importing import import_file
    from capture.names import clean_text
    from capture.store import edit_note_text

    assert clean_text("Pay \u202eeerf\u202c now.\nNext line\ttab") == "Pay eerf now.\nNext line\ttab"
    hebrew = "\u05e9\u05dc\u05d5\u05dd 3\u200f km"
    assert clean_text(hebrew) == hebrew  # marks stay
    assert clean_text("\u2067isolated\u2069\x00\x1b") == "isolated"
    event = save_event(db, "texts")
    [added], _ = add_notes(db, event, [Note(text="Grants \u202ede-tnuoc\u202c matter.", source="form")])
    assert added.text == "Grants de-tnuoc matter."
    path = tmp_path / "minutes.txt"
    path.write_text("The funders \u202dsaid\u202c yes.\n", encoding="utf-8")
    import_file(db, path, event="texts")
    edited = edit_note_text(db, added.id, "Edited \u202ebackwards\u202c text.")
    assert edited.text == "Edited backwards text."
    stored = [r[0] for r in db.execute("SELECT text FROM note ORDER BY id")]
    assert stored == ["Edited backwards text.", "The funders said yes."]
    assert not any(_hidden_in(t) for t in stored)


def test_a_name_of_only_hidden_characters_is_refused_with_the_reason(db):
    import pytest

    from capture.errors import ValidationError

    event = save_event(db, "names")
    with pytest.raises(ValidationError, match="A table needs a name or number"):
        add_table(db, event, "\u202e\u202c\x01")
    with pytest.raises(ValidationError, match="The title is empty"):
        save_event(db, "names", title="\u202e")


def test_the_table_form_cleans_names_and_the_qr_svg_stays_well_formed(app, client, db_path):
    seed_event(open_db(db_path), "qr")
    login(client)
    response = client.post("/events/qr/tables", data={"csrf_token": csrf(client, "/events/qr"),
                                                       "name": RLO_NAME + "\x01", "host": "Eve\u202e"})
    assert response.status_code == 302
    page = client.get("/events/qr").get_data(as_text=True)
    assert "Table 1 gnp.exe" in page and not _hidden_in(page)
    tables = list_tables(open_db(db_path), _event(db_path, "qr"))
    table = [t for t in tables if t.name.startswith("Table 1 ")][0]
    svg = client.get(f"/events/qr/tables/{table.id}/qr.svg")
    assert svg.status_code == 200
    xml.dom.minidom.parseString(svg.data)  # raises if the SVG is not well-formed XML


def test_the_qr_svg_of_a_table_stored_before_names_were_cleaned_is_well_formed(app, client, db_path):
    db = open_db(db_path)
    event = seed_event(db, "old")
    db.execute("INSERT INTO event_table (event_id, name, token) VALUES (?, ?, 'oldtoken1234')",
               [event.id, "Old\x01 table\u202e"])
    db.conn.commit()
    table_id = db.execute("SELECT id FROM event_table WHERE token = 'oldtoken1234'").fetchone()[0]
    login(client)
    svg = client.get(f"/events/old/tables/{table_id}/qr.svg")
    assert svg.status_code == 200
    doc = xml.dom.minidom.parseString(svg.data)
    assert doc.getElementsByTagName("title")[0].firstChild.data == "Attendee link of Old table"


def _event(db_path, slug):
    from capture.store import get_event

    return get_event(open_db(db_path), slug)


def test_public_pages_carry_no_bidi_or_control_characters_from_names(app, client, db_path):
    db = open_db(db_path)
    event = seed_event(db, "public", title="Public \u202eround\u202c table",
                       notes=[("p1", RLO_NAME, "Contracts are getting bigger. Small charities cannot bid.",
                               "Ann \u202eevil"),
                              ("p2", CONTROL_NAME, "Tender timelines are far too tight.")])
    store_result(db, event, make_result(db, event))
    login(client)
    assert client.post("/review/public/publish", data={"csrf_token": csrf(client, "/review/public/digest")}
                       ).status_code == 302
    reader = app.test_client()
    for url in ("/digests", "/digests/public", "/digests/public/digest.html", "/digests/public/digest.md",
                "/digests.atom"):
        response = reader.get(url)
        assert response.status_code == 200, url
        assert not _hidden_in(response.get_data(as_text=True)), url


def test_off_site_images_in_the_draft_reach_neither_the_download_nor_the_feed(app, client, db_path):
    db = open_db(db_path)
    event = seed_event(db, "pixels")
    store_result(db, event, make_result(db, event))
    login(client)
    digest = client.get("/review/pixels/digest").get_data(as_text=True)
    markdown = re.search(r"<textarea[^>]*>(.*?)</textarea>", digest, flags=re.S).group(1)
    import html

    tracked = (html.unescape(markdown) + "\n\n![pixel](https://tracker.example/p.png) "
               "![also](//tracker.example/q.gif) ![](HTTPS://tracker.example/r.png)\n")
    token = csrf(client, "/review/pixels/digest")
    assert client.post("/review/pixels/digest", data={"csrf_token": token, "markdown": tracked}
                       ).status_code == 302
    assert client.post("/review/pixels/publish", data={"csrf_token": token}).status_code == 302
    reader = app.test_client()
    download = reader.get("/digests/pixels/digest.html").get_data(as_text=True)
    feed = reader.get("/digests.atom").get_data(as_text=True)
    page = reader.get("/digests/pixels").get_data(as_text=True)
    for body in (download, feed, page):
        assert "tracker.example" not in body
        assert "pixel" in body  # the image's words stay, as its alt text
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', download)
    assert csp and "default-src 'none'" in csp.group(1) and "img-src data:" in csp.group(1)
    assert "data:image/svg+xml;base64," in download  # the charts are still there, inline
    assert text(reader.get("/digests/pixels/digest.md")).count("tracker.example") == 3  # as written
