"""The synthesis page's Cancel button (issue 15, finding 8): it fails the running run at once, whichever
process owns it; the form carries a CSRF token and only editors of the event may use it."""

from __future__ import annotations

import re

from capture.store import open_db
from synthesis import runs
from tests.web_helpers import login, seed_event


def status(db, run_id) -> tuple[str, str | None]:
    run = runs.get_run(db, run_id)
    return run["status"], run["error"]


def test_cancel_button_on_the_synthesis_page(app, client, db_path):
    event, _ = seed_event(db_path)
    db = open_db(db_path)
    run_id = runs.create_run(db, event)
    runs.start_run(db, run_id, {}, {})
    login(client)
    page = client.get("/events/round-2026/synthesis").get_data(as_text=True)
    assert "Cancel this run" in page
    token = re.search(r'action="/events/round-2026/synthesis/cancel">\s*<input[^>]*value="([^"]+)"', page)
    assert token, "the cancel form carries a CSRF token"
    assert client.post("/events/round-2026/synthesis/cancel").status_code == 400, "CSRF is checked"
    done = client.post("/events/round-2026/synthesis/cancel", data={"csrf_token": token.group(1)})
    assert done.status_code == 302
    assert status(db, run_id) == ("failed", "Cancelled by organiser@example.org.")
    page = client.get("/events/round-2026/synthesis").get_data(as_text=True)
    assert "Cancel this run" not in page and "It failed: Cancelled by organiser@example.org." in page
