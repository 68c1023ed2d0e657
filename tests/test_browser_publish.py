"""Real browser: an organiser renames a theme and publishes; an anonymous reader opens the digest and feed.

Headless Debian Chromium through Playwright, the app under waitress on a free local port.
Screenshots go to test-output/browser/<test>/.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from browser_helpers import TIMEOUT_MS, chromium, log_in, served, shots_folder
from publishing_data import make_result, seed_event, store_result

pytestmark = pytest.mark.browser



@pytest.fixture
def server(app, db):
    """The app served by waitress on 127.0.0.1 (a free port), stopped after the test."""
    from web.publish.digest import build_data

    event = seed_event(db)
    store_result(db, event, make_result(db, event))
    # The first digest loads spaCy for the questions and proposals (seconds on a busy machine):
    # loaded here, in this process, so no page waits on it under the browser's timeout.
    build_data(db, event)
    with served(app) as url:
        yield url


@pytest.fixture
def shots(request):
    return shots_folder(request.node.name)


def test_organiser_edits_and_publishes_reader_opens_digest_and_feed(server, shots):
    from playwright.sync_api import sync_playwright

    new_label = "Contracts too big for small charities"
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            organiser = browser.new_context(viewport={"width": 1100, "height": 900})
            page = organiser.new_page()
            log_in(page, server, "/review/round-table")
            page.fill("#label-t0", new_label)
            page.locator("#theme-t0 form").filter(has=page.locator("input[value=rename]")).locator(
                "button").click()
            page.wait_for_load_state()
            assert page.locator("#theme-t0 h2").inner_text().endswith(new_label)
            page.screenshot(path=str(shots / "1-organiser-renamed.png"), full_page=False)
            page.goto(f"{server}/review/round-table/digest")
            assert new_label in page.locator("article.digest").inner_text()
            page.check("#after-close")  # publishing asks whether attendees may keep sending notes
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


def _drawn(png: bytes) -> tuple[int, float]:
    """(distinct colours, share of near-black pixels) of a screenshot."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    black = sum(n for n, (r, g, b) in colours if r < 40 and g < 40 and b < 40)
    return len(colours), black / (image.width * image.height)


def _publish_in_browser(page, server: str, after: str) -> None:
    page.goto(f"{server}/review/round-table/digest")
    page.check(f"#after-{after}")
    page.click("#publish button[type=submit]")
    page.wait_for_load_state()


def test_publish_keeping_the_form_open_then_withdraw(server, shots, db):
    from playwright.sync_api import sync_playwright

    from capture.store import add_table

    token = add_table(db, db_event(db), "Table 1").token
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            log_in(page, server, "/review/round-table/digest")
            # Publish asks: without an answer the browser does not send the form.
            page.click("#publish button[type=submit]")
            assert page.url == f"{server}/review/round-table/digest"
            assert page.evaluate("document.querySelector('#after-keep-open').validity.valueMissing")
            _publish_in_browser(page, server, "keep-open")
            assert page.url == f"{server}/digests/round-table/v1"
            assert "Attendees can still send notes." in page.inner_text("main")
            _publish_in_browser(page, server, "keep-open")
            assert page.url == f"{server}/digests/round-table/v2"
            page.screenshot(path=str(shots / "1-published-v2-kept-open.png"))

            attendee = browser.new_page(viewport={"width": 360, "height": 740})
            attendee.goto(f"{server}/t/{token}")
            assert attendee.locator("textarea[name=text]").is_visible()  # still taking notes
            page.goto(f"{server}/events/round-table")
            page.click("a:has-text('the digest, version 2')")
            page.wait_for_url(f"{server}/digests/round-table")

            page.goto(f"{server}/review/round-table/digest")
            # Withdrawing takes two clicks (the walk-through's F13): open, then confirm.
            assert not page.locator("button[aria-label='Withdraw version 2']").is_visible()
            page.click("details:has(button[aria-label='Withdraw version 2']) summary")
            page.click("button[aria-label='Withdraw version 2']")
            page.wait_for_load_state()
            assert "Version 2 was withdrawn. Readers now see version 1." in page.inner_text("main")
            page.screenshot(path=str(shots / "2-withdrawn-v2.png"), full_page=True)
            reader = browser.new_page()
            reader.goto(f"{server}/digests/round-table")
            assert "Version 1," in reader.inner_text("main")
            assert reader.goto(f"{server}/digests/round-table/v2").status == 410
            assert "(version 2)" not in reader.goto(f"{server}/digests.atom").text()
            reader.goto(f"{server}/digests")
            assert "version 1" in reader.inner_text("main") and "version 2" not in reader.inner_text("main")
        finally:
            browser.close()


def db_event(db):
    from capture.store import get_event

    return get_event(db, "round-table")


def test_a_chart_opened_alone_renders_and_the_saved_html_shows_its_charts_offline(server, shots, tmp_path,
                                                                                  db):
    from playwright.sync_api import sync_playwright

    from web.publish.publishing import publish

    publish(db, db_event(db))
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 700})
            page.set_default_timeout(TIMEOUT_MS)
            for name in ("theme-sizes", "themes-by-table"):
                response = page.goto(f"{server}/digests/round-table/v1/charts/{name}.svg")
                assert response.status == 200
                assert "style-src 'self'" in response.headers["content-security-policy"]
                png = page.screenshot(path=str(shots / f"1-chart-alone-{name}.png"))
                colours, black = _drawn(png)
                assert colours >= 8 and black < 0.2, (name, colours, black)  # drawn, not a black box

            saved = tmp_path / "digest.html"
            saved.write_bytes(page.request.get(f"{server}/digests/round-table/v1/digest.html").body())
            offline = browser.new_context(offline=True, viewport={"width": 900, "height": 700})
            reading = offline.new_page()
            requests = []
            reading.on("request", lambda r: requests.append(r.url))
            reading.goto(saved.as_uri())
            widths = reading.eval_on_selector_all("img",
                                                  "imgs => imgs.map(i => i.complete && i.naturalWidth)")
            assert len(widths) == 2 and all(w and w > 0 for w in widths), widths
            assert all(u.startswith(("file:", "data:")) for u in requests), requests
            chart = reading.locator("img").first
            chart.scroll_into_view_if_needed()
            colours, black = _drawn(chart.screenshot(path=str(shots / "2-saved-html-chart-offline.png")))
            assert colours >= 8 and black < 0.2, (colours, black)
            offline.close()
        finally:
            browser.close()


def test_an_inline_error_keeps_the_input(server, shots):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            log_in(page, server, "/review/round-table")
            page.fill("#newlabel-t0", "Consortia and their costs")
            page.select_option("#to-t0", "")
            with page.expect_navigation() as nav:
                page.click("button[aria-label='Move the ticked segments of theme 1']")
            response = nav.value
            assert response.status == 400
            error = page.locator("#split-t0-error")
            assert error.is_visible()
            assert error.inner_text() == "Tick one or more segments of this theme to move."
            assert page.input_value("#newlabel-t0") == "Consortia and their costs"
            assert page.locator("h1").inner_text().startswith("Review themes")  # the same page, not "Sorry"
            error.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "1-inline-error.png"))
        finally:
            browser.close()


NAMED_NOTES = [
    ("n1", "Table 1", "Jane Okafor said contracts are getting bigger. Small charities cannot bid alone."),
    ("n2", "Table 2", "Rural Covid recovery needs co-design with commissioners. Tender timelines are "
                      "far too tight."),
    ("n3", "Table 3", "Okafor thinks big firms distrust small ones. We propose a standing partnership."),
]


def test_names_confirmed_with_a_role_and_not_a_person_then_a_stale_draft_regenerated(server, shots, db):
    """Under the rule: a role typed in one box survives "Not a person" on another and "Confirm all";
    then a saved draft goes stale on a rename, is regenerated keeping the organiser's paragraph, and
    the published page says the new label, the role and "Covid"."""
    from playwright.sync_api import sync_playwright

    from web.publish.digest import build_data
    from web.publish.redact import list_redactions, redaction_rows

    event = seed_event(db, slug="named", notes=NAMED_NOTES, chatham_house=True, title="Named round table")
    store_result(db, event, make_result(db, event))
    rows = {r["original"]: r["key"] for r in redaction_rows(db, event)}  # the NER, loaded here
    assert {"Jane Okafor", "Covid"} <= set(rows), rows
    build_data(db, event)
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1000})
            log_in(page, server, "/review/named/redactions")
            page.fill(f"#replacement-{rows['Jane Okafor']}", "a commissioner")
            page.click("button[aria-label='Covid is not a person: keep it as written']")
            page.wait_for_load_state()
            assert page.locator(f"#name-{rows['Covid']} .status").inner_text() == "not a person"
            assert page.input_value(f"#replacement-{rows['Jane Okafor']}") == "a commissioner"
            page.screenshot(path=str(shots / "1-not-a-person.png"), full_page=True)
            page.click("button[value=confirm-all]")
            page.wait_for_url(f"{server}/review/named/redactions")
            assert page.locator(f"#name-{rows['Jane Okafor']} .status").inner_text() == "confirmed"
            assert page.locator(".status", has_text="not confirmed").count() == 0
            decided = {r["original"]: (r["replacement"], r["person"]) for r in list_redactions(db, event)}
            assert decided["Jane Okafor"] == ("a commissioner", 1) and decided["Covid"] == ("Covid", 0)

            page.goto(f"{server}/review/named/digest")
            markdown = page.input_value("#markdown")
            mine = markdown.replace("## Themes\n", "## Themes\n\nWritten by the organiser.\n")
            page.fill("#markdown", mine)
            page.click("button[value=save]")
            page.wait_for_load_state()
            assert page.locator("#stale-draft").count() == 0
            page.goto(f"{server}/review/named")
            page.fill("#label-t0", "Contracts too big")
            page.locator("#theme-t0 form").filter(has=page.locator("input[value=rename]")).locator(
                "button").click()
            page.wait_for_load_state()
            page.goto(f"{server}/review/named/digest")
            banner = page.locator("#stale-draft")
            assert banner.is_visible()
            assert "\u201cBigger contracts\u201d is now \u201cContracts too big\u201d" in banner.inner_text()
            banner.screenshot(path=str(shots / "2-stale-draft.png"))
            banner.locator("button[value=regenerate]").click()
            page.wait_for_load_state()
            assert page.locator("#stale-draft").count() == 0
            assert "Written by the organiser." in page.input_value("#markdown")
            page.check("#after-keep-open")
            page.click("#publish button[type=submit]")
            page.wait_for_url(f"{server}/digests/named/v1")
            body = page.locator("article.digest").inner_text()
            assert "Contracts too big" in body and "Bigger contracts" not in body
            assert "Written by the organiser." in body and "A commissioner said" in body
            assert "Okafor" not in page.content() and "Covid" in body
            page.screenshot(path=str(shots / "3-published.png"), full_page=True)
        finally:
            browser.close()
