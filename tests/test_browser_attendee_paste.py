"""Real browser: an attendee never loses words silently (walk-through F3: the textarea's maxlength
cut a pasted long note to the limit, and only the counter showed it).

Headless Debian Chromium through Playwright, the app under waitress on a free local port. The paste
is Chromium's own text insertion (what a paste or an input method does, which maxlength cuts).
Screenshots go to test-output/browser/<test>/.
"""

from __future__ import annotations

import pytest
from browser_helpers import TIMEOUT_MS, chromium, served, shots_folder
from publishing_data import seed_event

from capture.store import find_table, list_notes

pytestmark = pytest.mark.browser

LIMIT = 20_000
# A long write-up pasted whole: numbered sentences, so a cut anywhere shows which words went.
PASTED = " ".join(f"Point {i}: the night shelter turned people away again this week." for i in range(1, 321))
TAIL = "Point 320: the night shelter turned people away again this week."


@pytest.fixture
def form_url(app, db):
    event = seed_event(db, slug="winter-housing")
    table = find_table(db, event, "Table 1")
    with served(app) as url:
        yield f"{url}/t/{table.token}"


def test_a_pasted_note_over_the_limit_is_kept_whole_warned_and_refused_with_its_words(form_url, db):
    from playwright.sync_api import sync_playwright

    assert len(PASTED) > LIMIT
    folder = shots_folder("test_a_pasted_note_over_the_limit_is_kept_whole_warned_and_refused_with_its_words")
    before = len(list_notes(db, db_event(db)))
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(form_url)
            page.focus("#text")
            page.keyboard.insert_text(PASTED)
            # Every word is in the box, none cut at the limit.
            assert page.input_value("#text") == PASTED
            counter = page.locator("#text-counter")
            assert f"{len(PASTED):,} of {LIMIT:,} characters" in counter.inner_text()
            assert f"{len(PASTED) - LIMIT:,} over the limit" in counter.inner_text()
            assert "will not be sent as it is" in counter.inner_text()
            page.screenshot(path=str(folder / "01-pasted-over-the-limit.png"), full_page=False)

            page.click("button[type=submit]")
            page.wait_for_selector("#text-error")
            error = page.inner_text("#text-error")
            assert f"{len(PASTED):,} characters long; the limit is {LIMIT:,}" in error
            assert error.startswith("Your note was not sent: the note is") and "still in the box" in error
            # The words come back whole, to shorten or split: nothing was stored.
            assert page.input_value("#text") == PASTED
            assert len(list_notes(db, db_event(db))) == before
            page.screenshot(path=str(folder / "02-refused-words-given-back.png"), full_page=False)

            # Far over the limit (more than the server reads of a form): not sent, kept in the box.
            huge = PASTED * 3
            page.fill("#text", huge)
            page.click("button[type=submit]")
            assert "Not sent" in page.inner_text("#text-counter") and page.input_value("#text") == huge
            assert page.url == form_url and len(list_notes(db, db_event(db))) == before

            # Sent in two parts, both stored whole.
            first, second = PASTED[:15_000], PASTED[15_000:].strip()
            page.fill("#text", first)
            assert "over the limit" not in page.inner_text("#text-counter")
            page.click("button[type=submit]")
            page.wait_for_url("**/thanks")
            page.goto(form_url)
            page.focus("#text")
            page.keyboard.insert_text(second)
            page.click("button[type=submit]")
            page.wait_for_url("**/thanks")
        finally:
            browser.close()
    texts = [n.text for n in list_notes(db, db_event(db))][before:]
    assert texts == [first.strip(), second] and texts[-1].endswith(TAIL)


def db_event(db):
    from capture.store import get_event

    return get_event(db, "winter-housing")
