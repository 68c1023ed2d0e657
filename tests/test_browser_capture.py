"""The day of an event in a real browser (headless Chromium, Playwright), against `harvest serve`.

An organiser logs in, creates an event with two tables; an attendee on a 360x740 phone opens a
table link and sends two notes (the organiser's live view shows them arrive); the organiser
approves them, starts synthesis and sees themes. Screenshots of each page go to
test-output/browser/<test>/NN-name.png.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from browser_helpers import chromium

from tests.conftest import REPO

pytestmark = [pytest.mark.browser, pytest.mark.models]

HARVEST = Path(sys.executable).parent / "harvest"
EMAIL, PASSWORD = "organiser@example.org", "a long organiser password"

NOTE_ONE = ("Small charities cannot bid for large public contracts on their own. "
            "Forming a consortium lets several small groups bid together for bigger contracts. "
            "A consortium needs a lead partner that holds the contract and shares the work. "
            "Consortia also let small groups share back-office costs.")
NOTE_TWO = ("Nobody pays for the time it takes to convene partners before a tender. "
            "Commissioners rarely fund the convening work that partnerships need. "
            "Tender deadlines are too short to build trust between new partners. "
            "Without funded convening time, partnerships never get started.")


@pytest.fixture
def server(tmp_path):
    """`harvest serve` on a free port with a fresh database and one organiser; yields the base URL."""
    env = {**os.environ, "HARVEST_DB": str(tmp_path / "harvest.db"), "HF_HUB_OFFLINE": "1"}
    subprocess.run([str(HARVEST), "user", "add", EMAIL], input=PASSWORD + "\n", text=True, env=env,
                   check=True, capture_output=True, timeout=60)
    proc = subprocess.Popen([str(HARVEST), "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=tmp_path)
    try:
        line = proc.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
        assert match, f"harvest serve printed {line!r}"
        yield match.group(1)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        proc.stdout.close()


@pytest.fixture
def shots(request):
    """A function saving numbered screenshots under test-output/browser/<test>/."""
    folder = REPO / "test-output" / "browser" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    counter = iter(range(1, 100))

    def shoot(page, name: str) -> Path:
        path = folder / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


def test_event_day_in_a_real_browser(server, shots):
    from playwright.sync_api import expect, sync_playwright

    csp_errors: list[str] = []

    def watch(page):
        page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text
                else None)
        page.set_default_timeout(30_000)
        return page

    with sync_playwright() as p:
        browser = chromium(p)
        try:
            organiser = watch(browser.new_context(viewport={"width": 1280, "height": 900}).new_page())

            # The organiser logs in.
            organiser.goto(server + "/events/")
            expect(organiser.get_by_role("heading", name="Organiser login")).to_be_visible()
            organiser.get_by_label("Email").fill(EMAIL)
            organiser.get_by_label("Password").fill(PASSWORD)
            shots(organiser, "login")
            organiser.get_by_role("button", name="Log in").click()
            expect(organiser.get_by_role("heading", name="Events")).to_be_visible()

            # ... creates an event.
            organiser.get_by_role("link", name="New event").click()
            organiser.get_by_label("Title").fill("Partnership structures")
            organiser.get_by_label("Short name for links").fill("partnerships")
            organiser.get_by_label("Date", exact=True).fill("2026-11-25")
            organiser.get_by_label("Venue").fill("Sheffield")
            organiser.get_by_label("Questions posed").fill("How can small charities win contracts?")
            organiser.get_by_label("Under the Chatham House Rule").check()
            shots(organiser, "new-event")
            organiser.get_by_role("button", name="Create event").click()
            expect(organiser.get_by_role("heading", name="Partnership structures")).to_be_visible()

            # ... with two tables.
            for name, question in (("Table 1", "Consortia and contracts"), ("Table 2", "Convening")):
                organiser.get_by_label("Table name or number").fill(name)
                organiser.get_by_label("Its question or topic").fill(question)
                organiser.get_by_role("button", name="Add table").click()
                expect(organiser.get_by_role("heading", name=name, exact=True)).to_be_visible()
            expect(organiser.locator("img.qr")).to_have_count(2)
            assert organiser.locator("img.qr").first.evaluate("img => img.naturalWidth") > 0
            shots(organiser, "event-with-tables")
            links = organiser.locator(".table-card a[href*='/t/']")
            table_link = links.first.get_attribute("href")
            assert re.fullmatch(re.escape(server) + r"/t/[A-Za-z0-9_-]{22,}", table_link)

            organiser.get_by_role("link", name="Print table cards").click()
            expect(organiser.locator(".print-card")).to_have_count(2)
            shots(organiser, "table-cards")

            # The organiser watches the live view while an attendee writes.
            organiser.goto(server + "/events/partnerships/live")
            shots(organiser, "live-empty")

            phone = watch(browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                              has_touch=True, device_scale_factor=2).new_page())
            phone.goto(table_link)
            expect(phone.get_by_role("heading", name="Table 1")).to_be_visible()
            expect(phone.get_by_text("Chatham House Rule")).to_be_visible()
            # Mobile first: nothing wider than the screen.
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360
            shots(phone, "attendee-form")
            phone.get_by_role("textbox", name="Your note").fill(NOTE_ONE)
            phone.get_by_role("button", name="Send note").click()
            expect(phone.get_by_role("heading", name="Thank you, your note was sent")).to_be_visible()
            shots(phone, "attendee-thanks")
            phone.get_by_role("link", name="Add another note").click()
            # The second note by keyboard alone: type, Tab past the name, pick a role, Enter.
            phone.get_by_role("textbox", name="Your note").focus()
            phone.keyboard.type(NOTE_TWO)
            phone.keyboard.press("Tab")
            assert phone.evaluate("document.activeElement.id") == "author"
            phone.keyboard.press("Tab")
            assert phone.evaluate("document.activeElement.id") == "role"
            phone.get_by_label("You are (optional)").select_option("scribe")
            phone.keyboard.press("Tab")
            assert phone.evaluate("document.activeElement.textContent.trim()") == "Send note"
            phone.keyboard.press("Enter")
            expect(phone.get_by_role("heading", name="Thank you, your note was sent")).to_be_visible()

            # The live view picked both notes up by polling (live.js, allowed by the CSP).
            expect(organiser.locator("#live li.note.new")).to_have_count(2, timeout=20_000)
            shots(organiser, "live-with-notes")

            # The organiser approves them.
            organiser.goto(server + "/events/partnerships/moderate")
            expect(organiser.locator("article.note.status-pending")).to_have_count(2)
            shots(organiser, "moderation-pending")
            organiser.get_by_role("button", name="Approve the 2 pending notes shown").click()
            expect(organiser.get_by_text("2 notes set to approved.")).to_be_visible()
            expect(organiser.locator("article.note.status-approved")).to_have_count(2)
            shots(organiser, "moderation-approved")

            # ... starts synthesis, which returns at once and shows progress, then the themes.
            organiser.get_by_role("link", name="Synthesis").click()
            expect(organiser.get_by_text("2 approved notes will be read.")).to_be_visible()
            shots(organiser, "synthesis-start")
            organiser.get_by_role("button", name="Run synthesis").click()
            expect(organiser.get_by_role("heading", name=re.compile(r"Run \d+: "))).to_be_visible()
            shots(organiser, "synthesis-progress")
            expect(organiser.locator("article.theme").first).to_be_visible(timeout=240_000)
            expect(organiser.get_by_role("heading", name=re.compile(r"Run \d+: succeeded"))).to_be_visible()
            labels = organiser.locator("article.theme h3").all_inner_texts()
            assert labels and all(label.strip() for label in labels)
            quotes = organiser.locator("article.theme blockquote").all_inner_texts()
            assert quotes and all(any(q.split("”")[0].strip("“ ") in n for n in (NOTE_ONE, NOTE_TWO))
                                  for q in quotes)
            shots(organiser, "synthesis-themes")
        finally:
            browser.close()
    assert csp_errors == []
