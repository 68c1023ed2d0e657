"""The capture commands through `harvest` itself (CliRunner on web.cli.cli), on a real database."""

from __future__ import annotations

import csv
import io
import json

import click
import pytest
from conftest import FILES, SEEE, TRANSCRIPTS

from capture.store import get_event, list_tables, open_db
from web.cli import cli

# The commands scripts and checks rely on (docs/cli.md documents each, generated from the code).
STABLE_COMMANDS = {"init", "import", "event", "events", "table", "tables", "notes", "export",
                   "synthesise", "digest", "publish", "user", "serve", "backup", "restore", "demo"}
CAPTURE_COMMANDS = {"init", "import", "event", "events", "table", "tables", "notes", "export"}


def harvest(runner, db_path, *args, code=0):
    result = runner.invoke(cli, ["--db", str(db_path), *args])
    assert result.exit_code == code, result.output
    # An exception other than click's exit is what a user would see as a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.output


def test_capture_commands_exist():
    assert CAPTURE_COMMANDS <= set(cli.commands)


def test_every_stable_command_exists():
    missing = STABLE_COMMANDS - set(cli.commands)
    assert not missing, f"`harvest` lacks commands that scripts rely on: {sorted(missing)}"


def test_docs_cli_is_the_commands_own_help():
    from web.cli.reference import reference

    documented = (TRANSCRIPTS.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    assert documented == reference(), "docs/cli.md is stale: run `python -m web.cli.reference > docs/cli.md`"


def _walk(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _walk(command, (*prefix, name))


def test_help_on_every_command(runner):
    walked = list(_walk(cli))
    assert len(walked) >= len(CAPTURE_COMMANDS)
    for path, command in walked:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert f"Usage: cli {' '.join(path)}" in result.output
        assert command.help and command.help.strip(), f"`harvest {' '.join(path)}` has no help text"


def test_init_creates_the_schema(runner, tmp_path):
    path = tmp_path / "new.db"
    output = harvest(runner, path, "init")
    assert f"Database ready: {path}" in output
    db = open_db(path)
    assert {"event", "event_table", "note"} <= set(db.table_names())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_db_from_environment(runner, tmp_path, monkeypatch):
    path = tmp_path / "env.db"
    monkeypatch.setenv("HARVEST_DB", str(path))
    result = runner.invoke(cli, ["import", str(SEEE), "--event", "seee"])
    assert result.exit_code == 0, result.output
    assert len(list(open_db(path).query("SELECT id FROM note"))) == 10


def test_import_then_notes_shows_alison_reid(runner, db_path):
    output = harvest(runner, db_path, "import", str(SEEE), "--event", "seee-2015")
    assert output.strip() == ("seee-partnership-structures.txt: 10 notes added -> event seee-2015 "
                              "(created)")
    shown = harvest(runner, db_path, "notes", "seee-2015")
    assert shown.startswith("Partnership structures (with the commissioning models seeking prime "
                            "vendors) (seee-2015): 10 notes")
    assert shown.count("[note ") == 10 and shown.count(" | i") == 10  # number, then the ref
    assert shown.count("| Alison Reid (Alison Reid CEO of Community Dental Services responds)]") == 3
    assert "There seems to be capacity constraints for commissioners." in shown
    assert "Partnership structures (with the commissioning models seeking prime vendors)\n" not in shown


def test_reimport_says_how_many_were_skipped(runner, db_path):
    harvest(runner, db_path, "import", str(SEEE), "--event", "seee-2015")
    output = harvest(runner, db_path, "import", str(SEEE), "--event", "seee-2015")
    assert "0 notes added, 10 unchanged (already imported) -> event seee-2015" in output


def test_import_title_and_table_options(runner, db_path):
    harvest(runner, db_path, "import", str(FILES / "bom.txt"), "--event", "tabled",
            "--title", "Tender timelines", "--table", "Table 5")
    db = open_db(db_path)
    event = get_event(db, "tabled")
    assert event.title == "Tender timelines"
    assert [t.name for t in list_tables(db, event)] == ["Table 5"]
    assert "| Table 5]" in harvest(runner, db_path, "notes", "tabled", "--table", "Table 5")


def test_import_column_options(runner, db_path, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("Ref,Thoughts,Group,Person\nq1,Less paperwork for small groups,B,Jo\n", encoding="utf-8")
    harvest(runner, db_path, "import", str(path), "--event", "cols", "--text-column", "Thoughts",
            "--id-column", "Ref", "--table-column", "Group", "--author-column", "Person")
    output = harvest(runner, db_path, "notes", "cols")
    assert "[note 1 | q1 | approved | B | Jo]" in output and "Less paperwork for small groups" in output


def test_event_create_update_and_events_list(runner, db_path):
    assert "Created event round-2: Round 2" in harvest(runner, db_path, "event", "round-2")
    output = harvest(runner, db_path, "event", "round-2", "--title", "Funding round table",
                     "--date", "2026-03-12", "--venue", "The Forum, Norwich", "--chatham-house")
    assert output.strip() == "Updated event round-2: Funding round table (2026-03-12), Chatham House Rule"
    event = get_event(open_db(db_path), "round-2")
    assert (event.venue, event.chatham_house) == ("The Forum, Norwich", True)
    harvest(runner, db_path, "event", "round-2", "--no-chatham-house")
    assert get_event(open_db(db_path), "round-2").chatham_house is False
    harvest(runner, db_path, "import", str(SEEE), "--event", "seee")
    listing = harvest(runner, db_path, "events")
    assert "round-2" in listing and "Funding round table" in listing
    assert "   10 notes  Partnership structures" in listing


def test_event_rejects_bad_date(runner, db_path):
    output = harvest(runner, db_path, "event", "x", "--date", "12/03/2026", code=1)
    assert "Invalid date '12/03/2026': use YYYY-MM-DD." in output
    # Written right but not a day of the calendar.
    for impossible in ("2026-13-45", "2026-02-30"):
        output = harvest(runner, db_path, "event", "x", "--date", impossible, code=1)
        assert f"Invalid date '{impossible}': use YYYY-MM-DD." in output
    assert list(open_db(db_path).query("SELECT id FROM event")) == []
    harvest(runner, db_path, "event", "x", "--date", "2028-02-29")  # a leap day is a date
    assert get_event(open_db(db_path), "x").date == "2028-02-29"


def test_events_when_there_are_none(runner, db_path):
    assert "No events yet." in harvest(runner, db_path, "events")


def test_table_prints_attendee_link_and_tables_lists_them(runner, db_path, monkeypatch):
    harvest(runner, db_path, "event", "tabled")
    monkeypatch.delenv("HARVEST_URL", raising=False)
    result = runner.invoke(cli, ["--db", str(db_path), "table", "tabled", "Table 1", "--question",
                                 "Who pays?", "--host", "Sam"])
    assert result.exit_code == 0, result.output
    table = list_tables(open_db(db_path), get_event(open_db(db_path), "tabled"))[0]
    assert result.stdout.strip() == f"Table 1: http://127.0.0.1:5000/t/{table.token}"
    assert "Set HARVEST_URL to the address attendees will open" in result.stderr  # local links warned
    assert len(table.token) >= 20
    monkeypatch.setenv("HARVEST_URL", "https://harvest.example.org/")
    result = runner.invoke(cli, ["--db", str(db_path), "tables", "tabled"])
    assert result.stdout.strip() == (f"Table 1: https://harvest.example.org/t/{table.token}  question: "
                                     "Who pays?  host: Sam")
    assert result.stderr == ""


def test_table_for_unknown_event(runner, db_path):
    assert "No event 'nope'" in harvest(runner, db_path, "table", "nope", "Table 1", code=1)


def test_export_csv_and_json(runner, db_path, tmp_path):
    harvest(runner, db_path, "import", str(TRANSCRIPTS / "volunteering-survey-google-forms.csv"),
            "--event", "vol")
    rows = list(csv.DictReader(io.StringIO(harvest(runner, db_path, "export", "vol", "--format", "csv"))))
    assert len(rows) == 10
    assert rows[1]["author"] == "Jo Harris" and rows[1]["table"] == "Table 1"
    assert rows[0]["source"] == "volunteering-survey-google-forms.csv" and rows[0]["status"] == "approved"
    out = tmp_path / "vol.json"
    harvest(runner, db_path, "export", "vol", "--format", "json", "--output", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["event"]["slug"] == "vol"
    assert [r["ref"] for r in data["notes"]] == [r["ref"] for r in rows]
    assert data["notes"][0]["text"] == rows[0]["text"]


def test_export_csv_keeps_formulas_typed_by_attendees_inert(runner, db_path):
    from capture.models import Note
    from capture.store import add_notes, save_event

    db = open_db(db_path)
    add_notes(db, save_event(db, "x"), [Note(text=t, source="form") for t in (
        '=HYPERLINK("http://evil.example","Click")', "+1 more funding", "@SUM(A1)", "- bullet",
        "Plain note = fine")], skip_existing=False)
    rows = list(csv.DictReader(io.StringIO(harvest(runner, db_path, "export", "x", "--format", "csv"))))
    assert [r["text"] for r in rows] == ["'=HYPERLINK(\"http://evil.example\",\"Click\")", "'+1 more funding",
                                         "'@SUM(A1)", "'- bullet", "Plain note = fine"]
    exported = json.loads(harvest(runner, db_path, "export", "x", "--format", "json"))
    assert exported["notes"][0]["text"].startswith("=HYPERLINK")  # JSON is data, kept as typed


def test_export_to_a_missing_folder_names_the_file(runner, db_path, tmp_path):
    harvest(runner, db_path, "event", "x")
    target = tmp_path / "no-such-folder" / "x.csv"
    output = harvest(runner, db_path, "export", "x", "--output", str(target), code=1)
    assert f"Cannot write {target}: No such file or directory." in output
    assert not target.parent.exists()


def test_export_unknown_format_is_a_usage_error(runner, db_path):
    result = runner.invoke(cli, ["--db", str(db_path), "export", "x", "--format", "xml"])
    assert result.exit_code == 2 and "Invalid value for '--format'" in result.output


@pytest.mark.parametrize("args", [["notes", "nope"], ["export", "nope"], ["tables", "nope"]])
def test_unknown_event(runner, db_path, args):
    output = harvest(runner, db_path, *args, code=1)
    assert "No event 'nope'. List events with `harvest events`." in output


def test_docs_data_model_describes_every_table(tmp_path):
    from capture.store import open_db

    documented = (TRANSCRIPTS.parent / "docs" / "data-model.md").read_text(encoding="utf-8")
    tables = set(open_db(tmp_path / "schema.db").table_names()) - {"_sqlite_migrations"}
    missing = sorted(t for t in tables if f"### {t}\n" not in documented)
    assert not missing, f"docs/data-model.md does not describe: {missing}"
