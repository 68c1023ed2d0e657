"""Synthesis from the page: runs outside the request, progress that survives a reload, failures
shown with their reason, the previous result kept until a new one succeeds, themes and entities."""

from __future__ import annotations

import threading
import time

import pytest

from capture.models import Note
from capture.store import add_notes, get_event, list_notes, open_db
from tests.conftest import SEEE
from tests.web_helpers import csrf, errors, login, seed_event, text

NOTES = [
    "Small charities cannot bid for large contracts alone. Consortia let small groups bid together.",
    "Nobody funds the time it takes to convene partners. Convening partners is unpaid work.",
    "Commissioners skip co-design with communities. The Social Value Act is often ignored.",
    "Tender timelines are too tight for partnerships to form. Six weeks is not enough to build a bid.",
    "Large organisations and small ones distrust each other. Trust takes years to build.",
    "Consortia of small charities can win bigger contracts. Sharing back-office costs helps consortia.",
]


def _seed(db_path, status="approved"):
    event, tables = seed_event(db_path)
    db = open_db(db_path)
    add_notes(db, event, [Note(text=t, table=tables[i % 2].name, status=status, source="form")
                          for i, t in enumerate(NOTES)])
    db.conn.close()
    return event


def _start(client, themes=""):
    token = csrf(client, "/events/round-2026/synthesis")
    return client.post("/events/round-2026/synthesis", data={"csrf_token": token, "themes": themes})


def _runs(db_path):
    return list(open_db(db_path).query("SELECT * FROM synthesis_run ORDER BY id"))


def _fast_components(gate: threading.Event | None = None) -> dict:
    """A deterministic fake embedder (optionally held until `gate` opens) and a blank spaCy."""
    import spacy

    from synthesis.embed import FakeEmbedder

    class GatedEmbedder(FakeEmbedder):
        def _encode(self, texts):
            if gate is not None:
                assert gate.wait(60), "the test never opened the gate"
            return super()._encode(texts)

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return {"embedder": GatedEmbedder(), "nlp": nlp}


def test_page_before_any_run(app, client, db_path):
    _seed(db_path)
    login(client)
    page = client.get("/events/round-2026/synthesis")
    assert page.status_code == 200
    body = text(page)
    assert "No synthesis yet." in body and "6 approved notes will be read." in body
    assert "Run synthesis" in body and 'http-equiv="refresh"' not in body


def test_a_failed_run_shows_its_reason(app, client, db_path):
    _seed(db_path, status="pending")
    login(client)
    response = _start(client)
    assert response.status_code == 302
    [run] = _runs(db_path)
    assert run["status"] == "failed" and "no approved notes" in run["error"]
    body = text(client.get("/events/round-2026/synthesis"))
    assert f"Run {run['id']}: failed" in body
    assert "It failed: Event 'round-2026' has no approved notes to synthesise." in body


def test_runs_are_numbered_within_their_event(app, client, db_path):
    # Another event's runs come first in the database: this event's first run is still its run 1
    # (the page said "Run 3" for it, the row's id).
    seed_event(db_path, slug="other-event")
    other = get_event(open_db(db_path), "other-event")
    db = open_db(db_path)
    for _ in range(2):
        db.execute("INSERT INTO synthesis_run (event_id, status) VALUES (?, 'failed')", [other.id])
    db.conn.commit()
    _seed(db_path, status="pending")
    login(client)
    assert _start(client).status_code == 302
    run = _runs(db_path)[-1]
    assert run["id"] == 3
    body = text(client.get("/events/round-2026/synthesis"))
    assert "Run 1: failed" in body and "Run 3" not in body


def test_run_in_a_thread_returns_at_once_and_progress_survives_reload(app, client, db_path):
    _seed(db_path)
    gate = threading.Event()
    app.config.update(SYNTHESIS_IN_THREAD=True, SYNTHESIS_COMPONENTS=_fast_components(gate))
    login(client)
    try:
        started = time.monotonic()
        response = _start(client, themes="consortia; trust")
        assert response.status_code == 302 and time.monotonic() - started < 10
        run = _runs(db_path)[-1]
        assert run["status"] in ("queued", "running")
        # A reload (or a second organiser) sees the same run, refreshing itself while it runs.
        other = app.test_client()
        login(other)
        for c in (client, other):
            body = text(c.get("/events/round-2026/synthesis"))
            assert f"Run {run['id']}: {run['status']}" in body or f"Run {run['id']}: running" in body
            assert '<meta http-equiv="refresh" content="3">' in body and "<progress" in body
        # One run per event at a time.
        token = csrf(client, "/auth/login")
        second = client.post("/events/round-2026/synthesis", data={"csrf_token": token})
        assert second.status_code == 409
        assert any("already" in e for e in errors(second.get_data(as_text=True)))
        assert len(_runs(db_path)) == 1
    finally:
        gate.set()
    deadline = time.monotonic() + 120
    while _runs(db_path)[-1]["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
    run = _runs(db_path)[-1]
    assert run["status"] == "succeeded", run["error"]
    body = text(client.get("/events/round-2026/synthesis"))
    assert "Themes" in body and 'http-equiv="refresh"' not in body
    assert "Expected themes: consortia; trust" in body


def test_server_start_marks_runs_of_a_dead_process_as_interrupted(app, client, db_path):
    from web.worker import INTERRUPTED, mark_interrupted

    event = _seed(db_path)
    db = open_db(db_path)
    db.conn.execute("INSERT INTO synthesis_run (event_id, status, progress) VALUES (?, 'running', 0.4)",
                    [event.id])
    db.conn.commit()
    assert mark_interrupted(db) == 1
    assert mark_interrupted(db) == 0
    login(client)
    body = text(client.get("/events/round-2026/synthesis"))
    assert f"It failed: {INTERRUPTED}" in body and 'http-equiv="refresh"' not in body


@pytest.mark.models
def test_real_synthesis_shows_themes_quotes_entities_and_keeps_them_after_a_failure(app, client, db_path):
    from capture.importing import import_file

    seed_event(db_path, tables=())
    db = open_db(db_path)
    import_file(db, SEEE, event="round-2026")
    login(client)
    assert _start(client).status_code == 302
    run = _runs(db_path)[-1]
    assert run["status"] == "succeeded", run["error"]
    api = client.get("/api/events/round-2026/synthesis")
    assert api.status_code == 200
    result = api.get_json()
    assert set(result) >= {"event", "themes", "unassigned", "entities"}
    assert result["event"]["slug"] == "round-2026" and len(result["themes"]) >= 2
    # The contract of docs/result.md: verbatim, traceable segments; every segment of every note once,
    # in a theme, unassigned, or a context line (the title, blurb, a date: issue 12, point 4).
    notes = {n.ref: n for n in list_notes(db, get_event(db, "round-2026"))}
    seen = []
    for theme in result["themes"]:
        assert set(theme) >= {"id", "label", "keywords", "summary", "size", "tables", "quotes", "segments"}
        for quote in theme["quotes"]:
            # Verbatim at its offsets; a long sentence is shortened with " ... " between its parts.
            pieces = [notes[quote["note"]].text[p["start"]:p["end"]] for p in quote["parts"]]
            assert " ... ".join(pieces) == quote["text"]
        others = result["unassigned"] + result["context"] if theme is result["themes"][0] else []
        for segment in theme["segments"] + others:
            assert notes[segment["note"]].text[segment["start"]:segment["end"]] == segment["text"]
            seen.append((segment["note"], segment["start"]))
    assert len(seen) == len(set(seen)) and {ref for ref, _ in seen} == set(notes)
    page = text(client.get("/events/round-2026/synthesis"))
    for theme in result["themes"]:
        assert theme["label"] in page
        for quote in theme["quotes"]:
            assert quote["text"] in page
    assert "Social Value Act" in page  # the entities table

    # Hide every note: the next run fails, and the previous themes stay visible with the reason.
    db.conn.execute("UPDATE note SET status = 'hidden'")
    db.conn.commit()
    _start(client)
    assert _runs(db_path)[-1]["status"] == "failed"
    page = text(client.get("/events/round-2026/synthesis"))
    assert "It failed:" in page and "The themes below are from the last run that succeeded." in page
    assert result["themes"][0]["label"] in page
    assert client.get("/api/events/round-2026/synthesis").get_json() == result
    assert get_event(db, "round-2026").title == "Round tables 2026"
