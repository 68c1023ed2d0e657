"""Real browser: a network editor renames a network theme and publishes; an anonymous reader opens
the network digest, a theme's page, its chart alone and the feed.

Headless Debian Chromium through Playwright, the app under waitress on a free local port. The events
are synthesised with the real pipeline (fake embedder, blank spaCy) and published with the real
publishing code, as in tests/test_web_network.py. Screenshots go to test-output/browser/<test>/.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from browser_helpers import TIMEOUT_MS, chromium, log_in, served, shots_folder

from synthesis.embed import FakeEmbedder
from tests.test_browser_publish import _drawn
from tests.test_network import publish_series

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def server(app, db):
    """A series of two published events, and the app served by waitress on 127.0.0.1 (a free port)."""
    app.config["SYNTHESIS_COMPONENTS"] = {"embedder": FakeEmbedder()}
    publish_series(db)
    with served(app) as url:
        yield url


@pytest.fixture
def shots(request):
    return shots_folder(request.node.name)


def test_editor_publishes_a_network_digest_and_a_reader_opens_it_its_chart_and_the_feed(server, shots):
    from playwright.sync_api import sync_playwright

    new_label = "Nobody funds convening"
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            editor = browser.new_context(viewport={"width": 1100, "height": 900})
            page = editor.new_page()
            log_in(page, server, "/events/")
            network_links = page.locator("h2:has-text('Network digests') + p + ul a")
            assert network_links.count() == 2  # the series, and every published event
            page.click("h2:has-text('Network digests') + p + ul a:has-text('North network')")
            page.wait_for_url(f"{server}/network/north")
            assert page.locator("h1").inner_text() == "Network digest: North network"
            theme = page.locator("article.theme", has=page.locator("blockquote", has_text="funding")).first
            theme_id = theme.get_attribute("id").removeprefix("theme-")
            old_label = theme.locator("h2").inner_text()
            page.fill(f"#label-{theme_id}", new_label)
            page.click(f"#theme-{theme_id} button:text-is('Rename')")
            page.wait_for_load_state()
            assert page.url == f"{server}/network/north"
            assert page.locator(f"#theme-{theme_id} h2").inner_text().startswith(new_label)
            assert old_label.split(" new")[0] not in page.locator(f"#theme-{theme_id} h2").inner_text()
            page.screenshot(path=str(shots / "1-editor-renamed.png"), full_page=True)
            page.click("button:has-text('Publish a new version')")
            page.wait_for_url(f"{server}/series/north")  # publishing shows what readers now see
            assert "Network digest, version 1" in page.inner_text("main")
            page.screenshot(path=str(shots / "2-editor-published.png"))
            editor.close()

            reader = browser.new_context(viewport={"width": 420, "height": 900})  # a phone, not logged in
            page = reader.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            response = page.goto(f"{server}/series/north")
            assert response.status == 200
            digest = page.locator("article.digest")
            assert new_label in digest.inner_text()
            cites = [q.inner_text() for q in digest.locator("blockquote").all()]
            assert any("Jan round table, 10 January 2026" in c for c in cites), cites
            assert any("Jul round table, 10 July 2026" in c for c in cites), cites
            assert page.locator("text=Organiser login").count() == 1
            page.screenshot(path=str(shots / "3-reader-network.png"), full_page=True)

            page.click(f"section[aria-labelledby=each] a:has-text('{new_label}')")
            page.wait_for_url(f"{server}/series/north/v1/themes/{theme_id}")
            assert page.locator("h1").inner_text() == new_label
            assert page.locator("table caption").inner_text() == "Where it came up"
            assert page.locator("tbody tr").count() == 2  # funding came up at both events
            width = page.eval_on_selector("main img, img[alt^='Share']", "i => i.complete && i.naturalWidth")
            assert width and width > 0
            page.screenshot(path=str(shots / "4-reader-theme.png"), full_page=True)

            chart_url = page.eval_on_selector("img[alt^='Share']", "i => i.src")
            assert chart_url == f"{server}/series/north/v1/charts/{theme_id}.svg"
            response = page.goto(chart_url)
            assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
            png = page.screenshot(path=str(shots / "5-chart-alone.png"))
            colours, black, light = _drawn_and_light(png)
            assert colours >= 8 and black < 0.2 and light > 0.6, (colours, black, light)

            response = page.goto(f"{server}/digests.atom")
            assert response.status == 200
            feed = ET.fromstring(response.body())
            entries = {e.findtext(f"{ATOM}title"): e for e in feed.iter(f"{ATOM}entry")}
            assert "North network: network digest (version 1)" in entries, list(entries)
            links = [a.get("href") for a in entries["North network: network digest (version 1)"].iter(
                f"{ATOM}link")]
            assert any(h.endswith("/series/north/v1") for h in links), links
            reader.close()
        finally:
            browser.close()


def _drawn_and_light(png: bytes) -> tuple[int, float, float]:
    """(distinct colours, share of near-black pixels, share of light pixels) of a screenshot."""
    import io

    from PIL import Image

    colours, black = _drawn(png)
    image = Image.open(io.BytesIO(png)).convert("L")
    light = sum(n for n, v in (image.getcolors(maxcolors=256) or []) if v > 200)
    return colours, black, light / (image.width * image.height)


def test_merge_on_the_network_page_asks_which_theme_before_folding_one_in(server, db, shots):
    """Third walk-through W4: each network theme's Merge select started on the first other theme,
    so one stray click on Merge folded it in (the event Themes tab asks first since walk 1's F14)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
            log_in(page, server, "/network/north")
            before = page.locator("article.theme").count()
            first = page.locator("article.theme").first
            select = first.locator("select[name=other]")
            assert select.input_value() == ""
            assert select.locator("option").first.inner_text() == "Choose the theme to fold in"
            first.locator("button:text-is('Merge')").click()
            page.wait_for_timeout(300)
            page.screenshot(path=str(shots / "merge-unchosen.png"), full_page=True)
            # The browser asks for a choice; nothing was posted, no edit stored.
            assert page.url == f"{server}/network/north"
            assert page.locator("article.theme").count() == before
            assert db.execute("SELECT count(*) FROM network_edit").fetchone()[0] == 0
            assert select.evaluate("s => s.validity.valueMissing") is True
        finally:
            browser.close()
