"""`make demo` (`harvest demo --no-serve`): the SEEE transcript comes out as a published digest, and the
Chatham House sample publishes no name. Real models, real database, the command as a user runs it."""

from __future__ import annotations

import json
import re

import pytest

from capture.store import open_db
from web.cli import cli

pytestmark = pytest.mark.models

SEEE = "seee-partnership-structures"
PANEL = "suffolk-commissioning-panel"


def test_demo_publishes_the_seee_digest_and_redacts_the_panel(tmp_path, runner):
    db_path = tmp_path / "demo.db"
    res = runner.invoke(cli, ["--db", str(db_path), "demo", "--no-serve"])
    assert res.exit_code == 0, res.output
    assert f"{SEEE}: " in res.output and "digest v1 published" in res.output

    def digest(slug: str, fmt: str = "markdown") -> str:
        out = runner.invoke(cli, ["--db", str(db_path), "digest", slug, "--format", fmt])
        assert out.exit_code == 0 and "(version 1)" in out.stderr, out.output
        return out.stdout

    md = digest(SEEE)
    assert md.startswith("# Partnership structures and prime vendors\n")
    assert "**Date:** 23 October 2015" in md and "## Themes" in md and "### 1. " in md
    # A verbatim quote, cited by the note's number as moderation shows it (issue 12, point 6).
    assert re.search(r"^> — \*note \d+\*$", md, re.MULTILINE)
    assert not re.search(r"note i[0-9a-f]{10}", md)
    assert "## How this digest was made" in md and "<cite>" not in md
    data = json.loads(digest(SEEE, "json"))
    assert len(data["themes"]) >= 3 and all(t["quotes"] for t in data["themes"])

    db = open_db(db_path)
    refs = [r["ref"] for r in db.query(
        "SELECT ref FROM note JOIN event ON event.id = note.event_id WHERE event.slug = ?", [PANEL])]
    for fmt in ("markdown", "html", "json", "csv"):
        text = digest(PANEL, fmt)
        assert not re.search(r"\b(Sarah|Whitfield|Daniel|Mensah|Helen|Cartwright)\b", text), fmt
        assert not any(ref in text for ref in refs), fmt
