"""Helpers for the real-browser tests: the app under waitress on a free loopback port, and a
folder for a test's screenshots."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Debian's Chromium (playwright install cannot download browsers here), with the flags it needs
# in a container without a GPU or network.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
TIMEOUT_MS = 20_000  # for launching and, set on pages, for each step: a loaded 2-core machine


def chromium(playwright):
    """Headless Chromium for a test, from Playwright's sync API object."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                                      timeout=TIMEOUT_MS)


@contextmanager
def served(app) -> Iterator[str]:
    """Serve the app as `harvest serve` does (waitress, web/serving.py) on 127.0.0.1 (a free port);
    yields its base URL, stops after."""
    from web.serving import create_server

    srv = create_server(app, "127.0.0.1", 0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.effective_port}"
    finally:
        srv.close()
        thread.join(timeout=5)


def log_in(page, server: str, next_path: str) -> None:
    """Log the seeded organiser in through the login page, landing on `next_path`."""
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server}/auth/login?next={next_path}")
    page.fill("input[name=email]", "organiser@example.org")
    page.fill("input[name=password]", "correct horse battery")
    page.click("form button[type=submit] >> nth=-1")
    page.wait_for_url(f"{server}{next_path}")


def shots_folder(test_name: str) -> Path:
    """test-output/browser/<test>/, made if missing."""
    folder = REPO / "test-output" / "browser" / test_name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
