"""Real browser: an organiser renames a theme and publishes; an anonymous reader opens the digest and feed.

Headless Debian Chromium through Playwright, the app under waitress on a free local port.
Screenshots go to test-output/browser/<test>/.
"""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET

import pytest
from conftest import REPO
from publishing_data import make_result, seed_event, store_result

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
TIMEOUT_MS = 20_000


@pytest.fixture
def server(app, db):
    """The app served by waitress on 127.0.0.1 (a free port), stopped after the test."""
    from waitress import create_server

    event = seed_event(db)
    store_result(db, event, make_result(db, event))
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}"
    srv.close()
    thread.join(timeout=5)


@pytest.fixture
def shots(request):
    folder = REPO / "test-output" / "browser" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_organiser_edits_and_publishes_reader_opens_digest_and_feed(server, shots):
    from playwright.sync_api import sync_playwright

    new_label = "Contracts too big for small charities"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, timeout=TIMEOUT_MS)
        try:
            organiser = browser.new_context(viewport={"width": 1100, "height": 900})
            page = organiser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{server}/auth/login?next=/review/round-table")
            page.fill("input[name=email]", "organiser@example.org")
            page.fill("input[name=password]", "correct horse battery")
            page.click("form button[type=submit] >> nth=-1")
            page.wait_for_url(f"{server}/review/round-table")
            page.fill("#label-t0", new_label)
            page.locator("#theme-t0 form").filter(has=page.locator("input[value=rename]")).locator(
                "button").click()
            page.wait_for_load_state()
            assert page.locator("#theme-t0 h2").inner_text().endswith(new_label)
            page.screenshot(path=str(shots / "1-organiser-renamed.png"), full_page=False)
            page.goto(f"{server}/review/round-table/digest")
            assert new_label in page.locator("article.digest").inner_text()
            page.click("button:has-text('Publish')")
            page.wait_for_url(f"{server}/digests/round-table/v1")
            page.screenshot(path=str(shots / "2-organiser-published.png"))
            organiser.close()

            reader = browser.new_context(viewport={"width": 420, "height": 900})  # a phone
            page = reader.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{server}/")
            page.wait_for_url(f"{server}/digests")
            page.screenshot(path=str(shots / "3-reader-index.png"))
            page.click("text=Partnership round table")
            page.wait_for_url(f"{server}/digests/round-table")
            assert page.locator("h3", has_text=new_label).count() == 1
            assert page.locator("blockquote").first.is_visible()
            # The charts are server-side SVG: visible without JavaScript, and loaded.
            widths = page.eval_on_selector_all("article.digest img", "imgs => imgs.map(i => i.naturalWidth)")
            assert len(widths) == 2 and all(w > 0 for w in widths)
            assert page.locator("text=Organiser login").count() == 1  # anonymous: not logged in
            page.screenshot(path=str(shots / "4-reader-digest.png"), full_page=True)
            # Printed on A4: no navigation or download list, nothing wider than the page.
            page.emulate_media(media="print")
            assert not page.locator("header.site").is_visible()
            assert not page.locator("section.downloads").is_visible()
            assert page.locator("article.digest blockquote").first.is_visible()
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            pdf = page.pdf(path=str(shots / "4-reader-digest-a4.pdf"), format="A4")
            assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 1
            page.emulate_media(media="screen")
            response = page.goto(f"{server}/digests.atom")
            assert response.status == 200
            feed = ET.fromstring(response.body())
            entry_titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
            assert "Partnership round table (version 1)" in entry_titles
            page.screenshot(path=str(shots / "5-reader-feed.png"))
            reader.close()
        finally:
            browser.close()
