"""`harvest user add`, `harvest serve` (waitress), `harvest backup` and `harvest restore`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from capture.store import find_event, open_db, save_event
from web.auth import check_login
from web.cli import cli

HARVEST = Path(sys.executable).parent / "harvest"


def test_user_add_reads_the_password_from_stdin(runner, db_path):
    result = runner.invoke(cli, ["--db", str(db_path), "user", "add", "ann@example.org"],
                           input="a long enough secret\n")
    assert result.exit_code == 0, result.output
    assert "Organiser ann@example.org can now log in." in result.output
    db = open_db(db_path)
    assert check_login(db, "ann@example.org", "a long enough secret") is not None
    assert check_login(db, "ann@example.org", "wrong") is None
    stored = db.execute("SELECT password_hash FROM user").fetchone()[0]
    assert "a long enough secret" not in stored  # hashed, never stored as given


def test_user_add_refuses_bad_input_with_exit_1(runner, db_path):
    cases = [(["nobody"], "pw-long-enough\n", "is not an email address"),
             (["ann@example.org"], "short\n", "at least 8 characters"),
             (["ann@example.org"], "", "No password on stdin")]
    for args, stdin, message in cases:
        result = runner.invoke(cli, ["--db", str(db_path), "user", "add", *args], input=stdin)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert open_db(db_path).execute("SELECT count(*) FROM user").fetchone()[0] == 0


def test_backup_and_restore_round_trip(runner, db_path, tmp_path):
    db = open_db(db_path)
    save_event(db, "kept", title="Kept event")
    db.conn.close()
    backup = tmp_path / "backup.db"
    result = runner.invoke(cli, ["--db", str(db_path), "backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert find_event(open_db(backup), "kept").title == "Kept event"
    db = open_db(db_path)
    save_event(db, "later", title="Made after the backup")
    db.conn.close()
    refused = runner.invoke(cli, ["--db", str(db_path), "backup", str(backup)])
    assert refused.exit_code == 1 and "exists; choose another path or add --force" in refused.output
    result = runner.invoke(cli, ["--db", str(db_path), "restore", str(backup)])
    assert result.exit_code == 0, result.output
    db = open_db(db_path)
    assert find_event(db, "kept") is not None and find_event(db, "later") is None
    assert runner.invoke(cli, ["--db", str(db_path), "backup", str(backup), "--force"]).exit_code == 0


def test_restore_refuses_what_is_not_a_harvest_backup(runner, db_path, tmp_path):
    db = open_db(db_path)
    save_event(db, "kept")
    db.conn.close()
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database\n" * 100)
    import sqlite3

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    for path, message in ((tmp_path / "missing.db", "No backup file at"),
                          (text_file, "is not a SQLite database"),
                          (other, "not a Harvest one")):
        result = runner.invoke(cli, ["--db", str(db_path), "restore", str(path)])
        assert result.exit_code == 1 and message in result.output, result.output
    assert find_event(open_db(db_path), "kept") is not None


def test_backup_into_a_missing_folder_is_refused(runner, db_path, tmp_path):
    result = runner.invoke(cli, ["--db", str(db_path), "backup", str(tmp_path / "no" / "b.db")])
    assert result.exit_code == 1 and "does not exist" in result.output


def test_backup_and_restore_onto_themselves_or_unwritable_places_say_so(runner, db_path, tmp_path):
    db = open_db(db_path)
    save_event(db, "kept")
    db.conn.close()
    backup = tmp_path / "b.db"
    assert runner.invoke(cli, ["--db", str(db_path), "backup", str(backup)]).exit_code == 0
    cases = [
        (["backup", str(db_path), "--force"], "is the database itself"),
        (["restore", str(db_path)], "is the database itself"),
        (["backup", "/proc/b.db"], "Cannot write /proc/b.db: unable to open database file."),
    ]
    for args, message in cases:
        result = runner.invoke(cli, ["--db", str(db_path), *args])
        assert result.exit_code == 1 and message in result.output, result.output
        assert isinstance(result.exception, SystemExit), repr(result.exception)  # no traceback
    missing = tmp_path / "no-such-folder" / "harvest.db"
    result = runner.invoke(cli, ["--db", str(missing), "restore", str(backup)])
    assert result.exit_code == 1 and f"Cannot write {missing}" in result.output, result.output
    assert isinstance(result.exception, SystemExit) and not missing.parent.exists()
    assert find_event(open_db(db_path), "kept") is not None


def test_serve_runs_under_waitress_prints_the_address_and_fails_interrupted_runs(db_path, tmp_path):
    db = open_db(db_path)
    event = save_event(db, "ev")
    db.conn.execute("INSERT INTO synthesis_run (event_id, status) VALUES (?, 'running')", [event.id])
    db.conn.commit()
    db.conn.close()
    env = {**os.environ, "HARVEST_DB": str(db_path)}
    proc = subprocess.Popen([str(HARVEST), "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        line = proc.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
        with urllib.request.urlopen(match.group(1) + "auth/login", timeout=30) as response:
            assert response.status == 200
            assert response.headers["Server"] == "waitress"
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        proc.stdout.close()
        stderr = proc.stderr.read()
        proc.stderr.close()
    assert "Marked 1 synthesis run(s) left by a stopped server as failed." in stderr
    row = open_db(db_path).execute("SELECT status, error FROM synthesis_run").fetchone()
    assert row[0] == "failed" and row[1].startswith("Interrupted")


def test_serve_on_a_busy_port_says_so(runner, db_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(cli, ["--db", str(db_path), "serve", "--port", str(port)])
    assert result.exit_code == 1 and f"Cannot listen on 127.0.0.1:{port}" in result.output


def test_serve_refuses_a_port_out_of_range_and_a_host_it_cannot_use(runner, db_path):
    result = runner.invoke(cli, ["--db", str(db_path), "serve", "--port", "99999"])
    assert result.exit_code == 2 and "99999 is not in the range 0<=x<=65535" in result.output
    result = runner.invoke(cli, ["--db", str(db_path), "serve", "--host", "no-such-host.invalid"])
    assert result.exit_code == 1, result.output
    expected = "Cannot listen on no-such-host.invalid:5000: 'no-such-host.invalid' is not an address"
    assert expected in result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)


def test_web_commands_have_help(runner):
    for args, words in ((["user", "add"], "password is asked for twice"),
                        (["serve"], "waitress"), (["backup"], "safe while the server runs"),
                        (["restore"], "stop the server first")):
        result = runner.invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and words in result.output, (args, result.output)
