"""Shared fixtures: a real SQLite database in a temp file, the app, its client and the CLI runner.

Keep area-specific fixtures in the test modules that use them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
TRANSCRIPTS = REPO / "transcripts"
SEEE = TRANSCRIPTS / "seee-partnership-structures.txt"
FILES = Path(__file__).resolve().parent / "files"
ORGANISER_EMAIL, ORGANISER_PASSWORD = "organiser@example.org", "correct horse battery"


def pytest_collection_modifyitems(config, items) -> None:
    """Tests marked `eval` read ../shared/eval, which is not in the repository: on a clone without
    it they are skipped with the loader's message (where it looked, how to point at it)."""
    needing = [item for item in items if item.get_closest_marker("eval")]
    if not needing:
        return
    import sys

    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from benchmarks.eval_data import EvalDataMissing, eval_dir

    try:
        eval_dir()
    except EvalDataMissing as exc:
        if os.environ.get("CI") == "true":
            # CI has the shared folder beside the clone: there a missing folder is a broken set-up,
            # not a reason to pass with these tests unrun.
            raise pytest.UsageError(f"CI=true but {exc}") from None
        for item in needing:
            item.add_marker(pytest.mark.skip(reason=str(exc)))


@pytest.fixture
def db_path(tmp_path) -> Path:
    """Path of a fresh database file (created with the schema)."""
    from capture.store import open_db

    path = tmp_path / "harvest.db"
    open_db(path).conn.close()
    return path


@pytest.fixture
def db(db_path):
    """An open, migrated, real SQLite database in a temp file."""
    from capture.store import open_db

    database = open_db(db_path)
    yield database
    database.conn.close()


@pytest.fixture(scope="session")
def seeded_db_path(tmp_path_factory) -> Path:
    """A migrated database holding the organiser account, made once per session and copied for each
    app. The password hash is PBKDF2 with one round, set with werkzeug: scrypt (what add_user
    stores) costs about 0.3 s to make and again to check at each login, and tests log in hundreds
    of times. tests/test_auth_hash.py keeps the real scrypt path under test."""
    from werkzeug.security import generate_password_hash

    from capture.store import open_db
    from web.auth import add_user

    path = tmp_path_factory.mktemp("seeded") / "harvest.db"
    database = open_db(path)
    user_id = add_user(database, ORGANISER_EMAIL, ORGANISER_PASSWORD, admin=True)
    fast = generate_password_hash(ORGANISER_PASSWORD, method="pbkdf2:sha256:1")
    database.conn.execute("UPDATE user SET password_hash = ? WHERE id = ?", [fast, user_id])
    database.conn.commit()
    database.conn.close()
    return path


def _copy_database(source: Path, target: Path) -> None:
    """Replace the database at `target` with a copy of `source` (SQLite's backup API: WAL-safe)."""
    import sqlite3

    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.fixture
def app(db_path, seeded_db_path):
    """The Flask app on the temp database, with an organiser account.

    The organiser is an admin, as the one account of an install is: the events tests seed straight
    into the database have no owner, so they belong to the admins (tests/test_web_access.py checks
    what ordinary organisers and each role may do).
    """
    from web import create_app

    _copy_database(seeded_db_path, db_path)
    return create_app({
        "TESTING": True,
        "DATABASE": str(db_path),
        "SECRET_KEY": "test-only-key",
        "SYNTHESIS_IN_THREAD": False,
    })


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner():
    """Runs `harvest` in-process: `runner.invoke(cli, [...])` gives the same exit codes as main()."""
    return CliRunner()


@pytest.fixture
def nlp():
    """spaCy's blank English pipeline with a rule-based sentencizer: fast unit tests, no model."""
    import spacy

    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    return blank
