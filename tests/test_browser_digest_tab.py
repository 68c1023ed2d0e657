"""Real browser: the Digest tab never loses what the editor typed, and says plainly what it does.

Headless Debian Chromium through Playwright, the app under waitress on a free local port.
Screenshots go to test-output/browser/<test>/.
"""

from __future__ import annotations

import pytest
from browser_helpers import TIMEOUT_MS, chromium, log_in, served, shots_folder
from publishing_data import make_result, seed_event, store_result

pytestmark = pytest.mark.browser

SLUG = "round-table"
UNSAVED = "UNSAVED-B: typed by the editor and never saved."


@pytest.fixture
def server(app, db):
    """The app served by waitress on 127.0.0.1 (a free port), stopped after the test."""
    from web.publish.digest import build_data

    event = seed_event(db, slug=SLUG)
    store_result(db, event, make_result(db, event))
    build_data(db, event)  # spaCy loaded here for the questions, not under the browser's timeout
    with served(app) as url:
        yield url


@pytest.fixture
def shots(request):
    return shots_folder(request.node.name)


def _type_into_markdown(page, old: str, new: str) -> None:
    page.fill("#markdown", page.input_value("#markdown").replace(old, new, 1))


def _published(db) -> list[dict]:
    return list(db.query("SELECT version, markdown FROM digest WHERE draft = 0 ORDER BY version"))


def test_publish_carries_the_markdown_typed_and_not_saved_even_without_javascript(server, shots, db):
    """Second walk-through N2: with Markdown typed and not saved, Publish published without it and
    without a word. Without JavaScript (the form alone) Publish sends the box and the server saves
    it first; a text the verbatim check refuses is not published, and the reason is at the top."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_context(java_script_enabled=False,
                                       viewport={"width": 1100, "height": 900}).new_page()
            log_in(page, server, f"/review/{SLUG}/digest")
            _type_into_markdown(page, "## Themes\n", f"## Themes\n\n{UNSAVED}\n")
            page.check("#after-keep-open")
            page.click("#publish button[type=submit]")
            page.wait_for_url(f"{server}/digests/{SLUG}/v1")
            assert UNSAVED in page.locator("article.digest").inner_text()
            assert "with the edits typed in the Markdown box (saved as the draft first)" in page.inner_text(
                "main")
            assert [UNSAVED in v["markdown"] for v in _published(db)] == [True]
            page.screenshot(path=str(shots / "1-published-with-typed-text.png"))

            # A quote changed in the box: nothing is published, the reason is in view at the top.
            page.goto(f"{server}/review/{SLUG}/digest")
            _type_into_markdown(page, "> Contracts are getting bigger.", "> Contracts are getting huge.")
            page.check("#after-keep-open")
            page.click("#publish button[type=submit]")
            page.wait_for_load_state()
            refusal = page.locator("#draft-refused")
            assert refusal.is_visible() and "not in the notes" in refusal.inner_text()
            assert refusal.bounding_box()["y"] < 900  # in the first screen, not under the preview
            assert "Nothing was published" in page.locator("#publish-error").inner_text()
            assert "Contracts are getting huge." in page.input_value("#markdown")  # kept as typed
            assert len(_published(db)) == 1
            page.screenshot(path=str(shots / "2-refused-at-the-top.png"))

            # Save draft still saves alone, without answering the publish question.
            page.goto(f"{server}/review/{SLUG}/digest")
            _type_into_markdown(page, UNSAVED, "Saved by the editor.")
            page.click("button[value=save]")
            page.wait_for_url(f"{server}/review/{SLUG}/digest")
            assert "Draft saved." in page.inner_text("main")
            draft = next(db.query("SELECT markdown FROM digest WHERE draft = 1"))["markdown"]
            assert "Saved by the editor." in draft and UNSAVED not in draft
            assert len(_published(db)) == 1
        finally:
            browser.close()


def test_regenerate_keeps_the_markdown_typed_and_not_saved(server, shots, db):
    """The same loss by the out-of-date box: text typed in the box, then Regenerate, remade the
    draft from the saved text only. Regenerate is a button of the form that carries the box."""
    from playwright.sync_api import sync_playwright

    from capture.store import get_event
    from web.publish.drafts import get_draft, save_draft, template_markdown
    from web.review import record_edit

    event = get_event(db, SLUG)
    save_draft(db, event, template_markdown(db, event))
    record_edit(db, event, "rename", theme="t0", label="Contracts too big")  # the draft is stale now
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_context(java_script_enabled=False).new_page()
            log_in(page, server, f"/review/{SLUG}/digest")
            _type_into_markdown(page, "## Themes\n", f"## Themes\n\n{UNSAVED}\n")
            page.click("#stale-draft button[value=regenerate]")
            page.wait_for_url(f"{server}/review/{SLUG}/digest")
            assert page.locator("#stale-draft").count() == 0
            draft = get_draft(db, event)
            assert UNSAVED in draft and "### 1. Contracts too big" in draft
            assert UNSAVED in page.input_value("#markdown")
        finally:
            browser.close()


def test_the_out_of_date_box_resets_the_draft_only_after_a_second_click(server, shots, db):
    """The out-of-date box's "Reset to the template" threw the editor's text away in one click (the
    second walk-through's N11 gave the button below the box two steps, not this one)."""
    from playwright.sync_api import sync_playwright

    from capture.store import get_event
    from web.publish.drafts import get_draft, save_draft, template_markdown
    from web.review import record_edit

    event = get_event(db, SLUG)
    save_draft(db, event, template_markdown(db, event).replace("## Themes\n", "## Themes\n\nMy intro.\n", 1))
    record_edit(db, event, "rename", theme="t0", label="Contracts too big")  # the draft is stale now
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page()
            log_in(page, server, f"/review/{SLUG}/digest")
            box = page.locator("#stale-draft")
            reset = box.locator("button[value=reset]")
            assert reset.count() == 1 and not reset.is_visible()  # behind "Reset to the template…"
            box.locator("#stale-reset summary").click()
            assert "thrown away" in box.inner_text()
            assert "My intro." in get_draft(db, event)  # opening the step changed nothing
            reset.click()
            page.wait_for_url(f"{server}/review/{SLUG}/digest")
            assert get_draft(db, event) is None  # back to the template
            assert "My intro." not in page.input_value("#markdown")
            page.screenshot(path=str(shots / "stale-reset.png"))
        finally:
            browser.close()


def test_closed_form_offers_leave_closed_or_reopen_and_an_old_version_says_a_newer_one_exists(
        server, shots, db):
    """N12: with the form closed, the publish choice offered "leave it closed" and "close it" side by
    side; now leave closed or reopen. N4: v1's page read "Version 1 ... · latest version"; now it says
    plainly that version 2 is newer, with a link, and the latest version's own page says nothing."""
    from playwright.sync_api import sync_playwright

    from capture.store import add_table, get_event
    from web.audit import audit_entries

    token = add_table(db, get_event(db, SLUG), "Table 1").token
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            log_in(page, server, f"/review/{SLUG}/digest")
            page.check("#after-close")
            page.click("#publish button[type=submit]")
            page.wait_for_url(f"{server}/digests/{SLUG}/v1")
            assert get_event(db, SLUG).status == "published"

            page.goto(f"{server}/review/{SLUG}/digest")
            choices = page.locator("#publish fieldset label").all_inner_texts()
            assert choices == ["Leave the attendee form closed: no more notes",
                               "Reopen the attendee form: attendees can send notes again, to publish later "
                               "with the new ones"]
            page.locator("#publish fieldset").screenshot(path=str(shots / "1-closed-form-choice.png"))
            page.check("#after-reopen")
            page.click("#publish button[type=submit]")
            page.wait_for_url(f"{server}/digests/{SLUG}/v2")
            assert "Attendees can still send notes." in page.inner_text("main")
            assert get_event(db, SLUG).status == "open"
            assert audit_entries(db, SLUG)[0]["detail"] == "version 2; attendee form opened"
            attendee = browser.new_page(viewport={"width": 390, "height": 844})
            attendee.goto(f"{server}/t/{token}")
            assert attendee.locator("textarea[name=text]").is_visible()  # taking notes again

            reader = browser.new_context().new_page()
            reader.goto(f"{server}/digests/{SLUG}/v1")
            newer = reader.locator("#newer-version")
            assert newer.inner_text().startswith("This is not the latest version: version 2 was published on")
            assert "latest version" not in reader.locator("p.hint").first.inner_text()
            reader.screenshot(path=str(shots / "2-old-version.png"))
            newer.locator("a").click()
            reader.wait_for_url(f"{server}/digests/{SLUG}")
            assert reader.locator("p.hint").first.inner_text().startswith("Version 2, published")
            for latest in (f"/digests/{SLUG}", f"/digests/{SLUG}/v2"):  # its own address says nothing
                reader.goto(f"{server}{latest}")
                assert reader.locator("#newer-version").count() == 0
                assert "a newer version" not in reader.inner_text("main")  # /v2 said so before
        finally:
            browser.close()


def test_themes_tab_names_themes_and_notes_as_the_page_shows_them_and_live_cards_carry_numbers(
        server, shots, db):
    """N13: 'Not kept' named themes by the new run's labels, since renamed and shown nowhere; now by
    the number and heading the page gives them. Residue of F2/F4: the quote buttons' labels said
    "note t1" (the internal ref) where the page shows "Table 1, note 1"; Live cards had no number."""
    from playwright.sync_api import sync_playwright

    from capture.models import Note
    from capture.store import add_notes, get_event
    from web.review import edited_result, record_edit

    event = get_event(db, SLUG)
    big = edited_result(db, event)["themes"][0]
    record_edit(db, event, "rename", theme=big["id"], label="Contracts too big")
    rerun = make_result(db, event)  # the 4 passages spread: 2 stay, 1 to theme 2, 1 to theme 3
    segs = rerun["themes"][0]["segments"]
    rerun["themes"][0].update(segments=segs[:2], label="Machine label")
    rerun["themes"][1]["segments"] += segs[2:3]
    rerun["themes"][2]["segments"] += segs[3:]
    store_result(db, event, rerun)
    trust = edited_result(db, event)["themes"][2]
    record_edit(db, event, "rename", theme=trust["id"], label="Trusting each other")
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            log_in(page, server, f"/review/{SLUG}")
            headings = page.locator("article h2").all_inner_texts()
            assert headings[:3] == ["1. Machine label", "2. Commissioning practice", "3. Trusting each other"]
            unkept = page.locator("section[aria-labelledby=unkept] li").inner_text()
            assert ("(2 in theme 1, \u2018Machine label\u2019; 1 in theme 2, \u2018Commissioning "
                    "practice\u2019; 1 in theme 3, \u2018Trusting each other\u2019)") in unkept
            assert "Trust and partnership" not in unkept  # the new run's label, shown nowhere
            page.locator("section[aria-labelledby=unkept]").screenshot(path=str(shots / "1-not-kept.png"))

            first = page.locator("article blockquote").first
            shown = first.locator(".hint").inner_text()
            assert shown == "(note 1)"  # the page's number for the note whose ref is t1
            labels = [b.get_attribute("aria-label") for b in page.locator("article blockquote button").all()]
            assert "Hide the quote from note 1" in labels
            assert labels and not [label for label in labels if " note t" in label]  # no internal refs

            page.goto(f"{server}/events/{SLUG}/live")
            cards = page.locator("#live li.note")
            assert cards.first.locator(".note-number").inner_text() == "Note 1"
            add_notes(db, event, [Note(text="A late note from the door.", ref="late", table="Table 1",
                                       status="pending")])
            arrived = page.locator("#live li.note", has_text="A late note from the door.")
            arrived.wait_for(timeout=TIMEOUT_MS)  # the page polls every 4 s
            assert arrived.locator(".note-number").inner_text() == "Note 6"
            page.screenshot(path=str(shots / "2-live-numbers.png"))
        finally:
            browser.close()
