"""Network themes: matching themes across events and their status (recurring, new, fading)."""

from __future__ import annotations

import pytest

from capture.store import save_event
from synthesis.embed import FakeEmbedder
from synthesis.network import EventThemes, network_themes, status_of

FUNDING = ["Core funding for convening partnerships is never in the contract budget.",
           "No contract budget pays for convening partnerships or core funding."]
# The fake embedder is a hashed bag of words: the same theme is worded alike here.
VOLUNTEERS = ["New volunteers leave while DBS checks take eight weeks.",
              "New volunteers leave while the DBS checks take weeks."]
DIGITAL = ["Older residents cannot book appointments through the new online portal.",
           "The online portal shuts out older residents who book by phone."]


def _theme(label: str, texts: list[str]) -> dict:
    segments = [{"text": t, "note": f"r{i}", "table": None, "start": 0, "end": len(t)}
                for i, t in enumerate(texts)]
    return {"id": label, "label": label, "keywords": [], "summary": texts[0], "size": len(texts),
            "tables": [], "quotes": [{"text": texts[0], "note": "r0"}], "segments": segments}


def _entry(db, slug: str, date: str, themes: list[dict]) -> EventThemes:
    event = save_event(db, slug, title=slug, date=date)
    return EventThemes(event, {"event": {"slug": slug}, "themes": themes, "unassigned": [],
                               "entities": []})


def test_themes_match_across_events_and_get_a_status(db):
    events = [
        _entry(db, "jan", "2026-01-10", [_theme("Funding for convening", FUNDING[:1]),
                                         _theme("DBS delays", VOLUNTEERS[:1])]),
        _entry(db, "feb", "2026-02-10", [_theme("No budget for partnerships", FUNDING[1:]),
                                         _theme("Volunteers wait for checks", VOLUNTEERS[1:])]),
        _entry(db, "mar", "2026-03-10", [_theme("Core funding", FUNDING),
                                         _theme("Digital exclusion", DIGITAL)]),
    ]
    result = network_themes(db, FakeEmbedder(), events)
    by_events = {tuple(e["slug"] for e in t["events"]): t for t in result["themes"]}
    assert set(by_events) == {("jan", "feb", "mar"), ("jan", "feb"), ("mar",)}
    assert by_events[("jan", "feb", "mar")]["status"] == "recurring"
    assert by_events[("jan", "feb")]["status"] == "fading"
    assert by_events[("mar",)]["status"] == "new"
    funding = by_events[("jan", "feb", "mar")]
    assert funding["label"] == "Core funding"  # the largest member theme names the group
    assert [e["theme"] for e in funding["events"]] == ["Funding for convening",
                                                       "No budget for partnerships", "Core funding"]
    assert all(q["text"] in FUNDING for q in funding["quotes"])
    assert [t["id"] for t in result["themes"]] == ["n1", "n2", "n3"]


def test_no_themes_gives_an_empty_list(db):
    assert network_themes(db, FakeEmbedder(), [_entry(db, "empty", "2026-01-01", [])]) == {"themes": []}


@pytest.mark.parametrize(("dates", "expected"), [
    (["2026-01", "2026-02", "2026-03"], "recurring"),
    (["2026-03"], "new"),
    (["2026-01"], "fading"),
    (["2026-01", "2026-02"], "fading"),
])
def test_status_by_dates(dates, expected):
    assert status_of(dates, ["2026-01", "2026-02", "2026-03"]) == expected
