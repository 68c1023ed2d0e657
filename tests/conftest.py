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


@pytest.fixture
def app(db_path, tmp_path):
    """The Flask app on the temp database, with an organiser account."""
    from web import create_app
    from web.auth import add_user

    app = create_app({
        "TESTING": True,
        "DATABASE": str(db_path),
        "SECRET_KEY": "test-only-key",
        "SYNTHESIS_IN_THREAD": False,
    })
    from capture.store import open_db

    database = open_db(db_path)
    add_user(database, "organiser@example.org", "correct horse battery")
    database.conn.close()
    return app


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
