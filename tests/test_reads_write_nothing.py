"""Reading writes nothing: every organiser and public GET page of an event under the Chatham House
Rule (whose names are suggested for redaction, not yet confirmed) and `harvest digest` in each
format leave the database as they found it. The login's own session row is the one exception:
it is how a login is remembered."""

from __future__ import annotations

import pytest

from capture.models import Note
from capture.store import add_notes, open_db, save_event
from synthesis.embed import FakeEmbedder
from synthesis.pipeline import synthesise
from tests.web_helpers import login

NOTES = [
    "Alison Reid said consortia let small charities bid together for bigger contracts.",
    "Nobody funds the time it takes to convene partners; convening partners is unpaid work.",
    "Should commissioners allow three months for a consortium to form? Six weeks is too short.",
    "Trust between large and small organisations takes years to build, said Tom Okafor.",
    "Small charities cannot bid for large contracts alone; consortia help them bid together.",
    "Convening partners is unpaid work and nobody funds the time it takes.",
]
# Bookkeeping of logins, not of the event: the session row a login creates and refreshes.
NOT_EVENT_DATA = {"session", "user_session", "login_session"}


def _snapshot(db_path) -> dict[str, list]:
    db = open_db(db_path)
    try:
        tables = [t for t in db.table_names() if t not in NOT_EVENT_DATA]
        return {t: [tuple(r) for r in db.execute(f'SELECT * FROM "{t}" ORDER BY rowid')] for t in tables}
    finally:
        db.conn.close()


@pytest.fixture
def read_event(db_path, nlp):
    db = open_db(db_path)
    event = save_event(db, "quiet", title="Quiet round table", chatham_house=True)
    add_notes(db, event, [Note(text=t, ref=f"n{i}", author="Alison Reid" if i == 0 else None)
                          for i, t in enumerate(NOTES)])
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    db.conn.close()
    return event


def test_get_pages_write_nothing(app, client, db_path, read_event):
    login(client)
    before = _snapshot(db_path)
    pages = ["/events/", "/events/quiet", "/events/quiet/edit", "/events/quiet/cards", "/events/quiet/live",
             "/events/quiet/moderate", "/events/quiet/log", "/events/quiet/notes.json",
             "/events/quiet/synthesis", "/events/quiet/upload", "/review/quiet", "/review/quiet/digest",
             "/review/quiet/redactions", "/review/quiet/charts/theme-sizes.svg",
             "/api/events/quiet/synthesis", "/api/events/quiet/notes", "/digests", "/digests.atom"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    assert _snapshot(db_path) == before


@pytest.mark.parametrize("fmt", ["markdown", "html", "json", "csv"])
def test_harvest_digest_writes_nothing(runner, db_path, read_event, fmt):
    from web.cli import cli

    before = _snapshot(db_path)
    result = runner.invoke(cli, ["--db", str(db_path), "digest", "quiet", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "Alison Reid" not in result.output  # redacted with the suggestion, confirmed or not
    assert _snapshot(db_path) == before
