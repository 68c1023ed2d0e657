"""`harvest synthesise` never prints a raw traceback (issue 15, finding 7): an unexpected failure inside
the pipeline is one line naming it, exit 1, the run marked failed and the previous result kept."""

from __future__ import annotations

import pytest

from capture.models import Note
from capture.store import add_notes, get_event, open_db, save_event
from synthesis import runs
from web.cli import cli


@pytest.mark.models
def test_an_unexpected_failure_is_one_line_and_the_run_is_failed(runner, db_path, monkeypatch):
    db = open_db(db_path)
    event = save_event(db, "room")
    add_notes(db, event, [Note(text=t) for t in ("Funding is short term.", "Volunteers are tired.")])
    # Not a number: the segmentation stage's int() raises ValueError, an error no stage expects.
    monkeypatch.setenv("HARVEST_SPACY_PROCESSES", "several")
    result = runner.invoke(cli, ["--db", str(db_path), "synthesise", "room"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert "The synthesis of room failed (ValueError: invalid literal for int()" in result.output
    assert "The run is marked failed and the previous result is kept." in result.output
    run = runs.latest_run(db, get_event(db, "room"))
    assert run["status"] == "failed" and "invalid literal" in run["error"]
