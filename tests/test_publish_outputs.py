"""Self-contained outputs: charts without CSS a CSP blocks, the HTML download carrying its charts,
Markdown with absolute links under PUBLIC_URL. (The browser renders them in test_browser_publish.)"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest
from publishing_data import make_result, seed_event, store_result

from web.cli import cli
from web.publish.charts import chart_svg
from web.publish.publishing import get_version, publish, render_version

SLUG = "round-table"


@pytest.fixture
def event(app, db):
    # After `app`, which gives the database its organiser account (a copy of a seeded file).
    event = seed_event(db)
    store_result(db, event, make_result(db, event))
    return event


@pytest.mark.parametrize("name", ["theme-sizes", "themes-by-table"])
def test_charts_use_presentation_attributes_not_css(name):
    data = {"themes": [{"label": 'Trust style="fill: red" <b>', "size": 3,
                        "segments": [{"table": "Table 1"}, {"table": "Table 2"}]},
                       {"label": "Contracts", "size": 1, "segments": [{"table": "Table 1"}]}]}
    svg = chart_svg(name, data)
    ET.fromstring(svg)  # still well-formed
    tags = re.findall(r"<[^<>]+>", svg)
    assert not any(" style=" in tag or tag.startswith("<style") for tag in tags)
    assert 'fill="#3b6ea5"' in svg or name == "themes-by-table"
    assert 'font-size="' in svg and 'stroke-linejoin="round"' in tags[1] + tags[2]
    assert 'Trust style="fill: red" &lt;b&gt;' in svg  # a label is text, left as written


def test_the_html_download_carries_its_charts(app, client, db, event):
    publish(db, event)
    page = client.get(f"/digests/{SLUG}/v1/digest.html").get_data(as_text=True)
    sources = re.findall(r'<img[^>]*src="([^"]+)"', page)
    assert len(sources) == 2 and all(s.startswith("data:image/svg+xml;base64,") for s in sources)
    assert "/digests/" not in page
    svg = base64.b64decode(sources[0].split(",", 1)[1]).decode("utf-8")
    assert "Bigger contracts" in svg and " style=" not in svg


def test_markdown_links_absolute_urls_when_public_url_is_set(app, client, db, event, runner, db_path,
                                                              monkeypatch):
    publish(db, event)
    relative = render_version(get_version(db, event), "markdown")  # no PUBLIC_URL: as stored
    assert "](/digests/round-table/v1/charts/theme-sizes.svg)" in relative
    app.config["PUBLIC_URL"] = "https://harvest.example.org/"
    md = client.get(f"/digests/{SLUG}/digest.md").get_data(as_text=True)
    assert "](https://harvest.example.org/digests/round-table/v1/charts/theme-sizes.svg)" in md
    assert "](/digests/" not in md
    monkeypatch.setenv("HARVEST_URL", "https://harvest.example.org")
    res = runner.invoke(cli, ["--db", str(db_path), "digest", SLUG])
    assert res.exit_code == 0
    assert "](https://harvest.example.org/digests/round-table/v1/charts/themes-by-table.svg)" in res.output
