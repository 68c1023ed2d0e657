"""`harvest synthesise`: the readable summary, --json (the contract of docs/result.md), and errors."""

from __future__ import annotations

import json

import pytest

from capture.models import Note
from capture.store import add_notes, get_event, open_db, save_event
from synthesis import runs
from synthesis.result import validate
from tests.conftest import SEEE
from web.cli import cli


def invoke(runner, db_path, *args):
    return runner.invoke(cli, ["--db", str(db_path), *args])


def test_no_approved_notes_is_a_clear_error(runner, db_path):
    db = open_db(db_path)
    event = save_event(db, "empty", title="Empty")
    add_notes(db, event, [Note(text="Waiting for moderation, not yet approved.", status="pending")])
    db.conn.close()
    result = invoke(runner, db_path, "synthesise", "empty")
    assert result.exit_code == 1
    assert "no approved notes" in result.output and "Traceback" not in result.output
    assert result.stdout == ""


def test_unknown_event(runner, db_path):
    result = invoke(runner, db_path, "synthesise", "nope")
    assert result.exit_code == 1 and "No event 'nope'" in result.output


def test_slug_required(runner, db_path):
    result = invoke(runner, db_path, "synthesise")
    assert result.exit_code == 2 and "SLUG" in result.output


def test_network_options_are_checked(runner, db_path):
    result = invoke(runner, db_path, "synthesise", "x", "--network")
    assert result.exit_code == 2 and "--network covers every event" in result.output
    result = invoke(runner, db_path, "synthesise", "--network", "--since", "last week")
    assert result.exit_code == 1 and "Invalid --since date 'last week'" in result.output
    result = invoke(runner, db_path, "synthesise", "--network")
    assert result.exit_code == 0 and "No published event digests" in result.stdout


@pytest.mark.models
def test_synthesise_seee_json_and_summary(runner, db_path):
    assert invoke(runner, db_path, "import", str(SEEE), "--event", "seee").exit_code == 0
    result = invoke(runner, db_path, "synthesise", "seee", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    db = open_db(db_path)
    assert data == runs.latest_result(db, get_event(db, "seee"))
    validate(data)
    summary = invoke(runner, db_path, "synthesise", "seee", "--themes", "distrust")
    assert summary.exit_code == 0
    assert "themes from" in summary.stdout and "Distrust" in summary.stdout
    shown = " ".join(summary.stdout.split())  # the entities line wraps wherever their lengths put it
    assert "Social Value Act (law" in shown
    for theme in runs.latest_result(db, get_event(db, "seee"))["themes"]:
        assert theme["label"] in summary.stdout
