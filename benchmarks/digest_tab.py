"""The organiser's Digest tab as a browser loads it: the page and its two preview charts.

    python benchmarks/digest_tab.py --loads 10 --rounds 3 [--browser]

One process, the app `harvest serve` builds, WSGI calls through Flask's test client (no sockets),
on a temporary database: an event of 8 themes over 6 tables (`--themes`, `--tables`), logged in
as its organiser. Two ways are taken in turns, each round: "redraw", the charts' cache emptied
before every load, so both charts are drawn on each load as the tab did before they were cached
(second walk-through N8); "cached", the charts drawn once for the themes as they stand. Reported:
wall and CPU ms per load (page + both charts, median over the rounds), the ratio cached/redraw,
and the Themes tab's wall ms per load for scale. With --browser, the same in headless Chromium:
ms from navigation to the load event (page and both charts), each load a first visit.
A browser that holds a chart is answered 304 on top of this (not counted here).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from benchmarks.machine import describe_machine, git_commit, machine_line  # noqa: E402

SLUG = "digest-tab"
WORDS = ["rents", "damp", "hostels", "buses", "libraries", "youth", "food", "heating", "parks", "jobs"]


def _seed(path: Path, themes: int, tables: int) -> None:
    """An event whose notes give `themes` themes spread over `tables` tables, with its result."""
    from publishing_data import make_result, seed_event, store_result

    from capture.store import approved_notes, open_db
    from synthesis.segment_cache import segmentation_entries
    from synthesis.settings import resolve
    from web.auth import add_user

    db = open_db(path)
    notes = [(f"n{t}-{k}", f"Table {k % tables + 1}", f"The {WORDS[t % len(WORDS)]} came up again, "
              f"round {k}. People said the {WORDS[t % len(WORDS)]} matter to them.")
             for t in range(themes) for k in range(2 * tables)]
    event = seed_event(db, slug=SLUG, notes=notes, title="Digest tab benchmark")
    labels = [(f"The {w} matter to people", (w,)) for w in WORDS[:themes]]
    store_result(db, event, make_result(db, event, labels))
    # A synthesis run leaves the notes' parse in the segmentation cache, which the digest's
    # questions and proposals read: filled here as a run would, so the tab is measured as it is.
    segmentation_entries(db, approved_notes(db, event), resolve({}), store=True)
    add_user(db, "organiser@example.org", "correct horse battery", admin=True)
    db.conn.close()


def _client(path: Path):
    from web_helpers import login

    from web import create_app

    app = create_app(database=str(path))
    client = app.test_client()
    login(client)
    return client


def _load(client) -> None:
    for url in (f"/review/{SLUG}/digest", f"/review/{SLUG}/charts/theme-sizes.svg",
                f"/review/{SLUG}/charts/themes-by-table.svg"):
        res = client.get(url)
        assert res.status_code == 200, (url, res.status_code)


def _timed(client, loads: int, redraw: bool) -> tuple[float, float]:
    from web.publish.charts import _drawn

    wall = cpu = 0.0
    for _ in range(loads):
        if redraw:
            _drawn.cache_clear()
        w, c = time.perf_counter(), time.process_time()
        _load(client)
        wall += time.perf_counter() - w
        cpu += time.process_time() - c
    return 1000 * wall / loads, 1000 * cpu / loads


def _browser_loads(path: Path, loads: int, rounds: int) -> dict[str, list[float]]:
    """Wall ms from navigation to the load event (page and both charts) in headless Chromium, each
    load in a fresh browser context (no HTTP cache: as a first visit), the two ways in turns."""
    from browser_helpers import served
    from playwright.sync_api import sync_playwright

    from web import create_app
    from web.publish.charts import _drawn

    app = create_app(database=str(path))
    got: dict[str, list[float]] = {"redraw": [], "cached": [], "themes-tab": []}
    with served(app) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        try:
            page = browser.new_page()
            page.goto(f"{url}/auth/login")
            page.fill("input[name=email]", "organiser@example.org")
            page.fill("input[name=password]", "correct horse battery")
            page.click("form button[type=submit] >> nth=-1")
            page.wait_for_load_state()
            state = page.context.storage_state()
            page.goto(f"{url}/review/{SLUG}/digest", wait_until="load")  # first drawing not counted
            for _ in range(rounds):
                for way in got:  # the Themes tab, for scale: another organiser page
                    address = f"{url}/review/{SLUG}" + ("" if way == "themes-tab" else "/digest")
                    times = []
                    for _ in range(loads):
                        if way == "redraw":
                            _drawn.cache_clear()
                        context = browser.new_context(storage_state=state)
                        tab = context.new_page()
                        start = time.perf_counter()
                        tab.goto(address, wait_until="load")
                        times.append(1000 * (time.perf_counter() - start))
                        assert tab.evaluate("[...document.images].every(i => i.complete && i.naturalWidth)")
                        context.close()
                    got[way].append(statistics.median(times))
        finally:
            browser.close()
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=10, help="loads of the tab per way per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, the two ways in turns")
    parser.add_argument("--themes", type=int, default=8)
    parser.add_argument("--tables", type=int, default=6)
    parser.add_argument("--browser", action="store_true",
                        help="also load the tab in headless Chromium (Playwright), the two ways in turns")
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp()) / "digest-tab.db"
    _seed(path, min(args.themes, len(WORDS)), args.tables)
    client = _client(path)
    _load(client)  # matplotlib and spaCy imported, the result read once: not part of either way
    got: dict[str, list[tuple[float, float]]] = {"redraw": [], "cached": []}
    for _ in range(args.rounds):
        for way in ("redraw", "cached"):
            got[way].append(_timed(client, args.loads, way == "redraw"))
    print(f"machine: {machine_line(describe_machine())}; commit {git_commit()}")
    print(f"command: python benchmarks/digest_tab.py --loads {args.loads} --rounds {args.rounds} "
          f"--themes {args.themes} --tables {args.tables}")
    medians = {}
    for way, runs in got.items():
        medians[way] = (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        print(f"{way}: {medians[way][0]:.0f} ms wall, {medians[way][1]:.0f} ms CPU per load "
              f"(rounds: {', '.join(f'{w:.0f}' for w, _ in runs)} ms wall)")
    print(f"cached / redraw: {medians['cached'][0] / medians['redraw'][0]:.2f}x wall, "
          f"{medians['cached'][1] / medians['redraw'][1]:.2f}x CPU")
    themes = []
    for _ in range(args.loads):  # the Themes tab, for scale: another organiser page
        w = time.perf_counter()
        assert client.get(f"/review/{SLUG}").status_code == 200
        themes.append(1000 * (time.perf_counter() - w))
    print(f"the Themes tab, for scale: {statistics.median(themes):.0f} ms wall per load")
    if args.browser:
        seen = _browser_loads(path, args.loads, args.rounds)
        for way, medians_ms in seen.items():
            print(f"browser, {way}: {statistics.median(medians_ms):.0f} ms to the load event "
                  f"(round medians: {', '.join(f'{m:.0f}' for m in medians_ms)})")
        print(f"browser, cached / redraw: "
              f"{statistics.median(seen['cached']) / statistics.median(seen['redraw']):.2f}x")


if __name__ == "__main__":
    main()
