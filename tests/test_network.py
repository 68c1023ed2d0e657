"""Network digests: themes across a series of dated events, built from what each event published.

Events are synthesised with the real pipeline (fake embedder, blank spaCy) and published through
the real publishing code; nothing here reads a raw run.
"""

from __future__ import annotations

import pytest
import spacy

from capture.models import Note
from capture.series import ALL, get_series, save_series, series_events, set_event_series
from capture.store import add_notes, save_event
from synthesis.embed import FakeEmbedder, embed_cached
from synthesis.network import status_of
from synthesis.pipeline import synthesise
from web.publish.network import (
    get_network_version,
    list_network_versions,
    network_data,
    publish_network,
    record_network_edit,
    render_network,
    withdraw_network_version,
)
from web.publish.publishing import publish

FUNDING = ["No funding for convening partnerships of small charities.",
           "Funding for convening partnerships never arrives for small charities.",
           "Small charities get no funding for convening partnerships."]
TENDERS = ["Tender deadlines are far too tight for small charities.",
           "Tight tender deadlines shut small charities out.",
           "Small charities cannot meet such tight tender deadlines."]
VOLUNTEERS = ["Volunteers burn out when rotas and training are missing.",
              "Volunteers burn out without proper training and rotas.",
              "Rotas and training would stop volunteers burning out."]
HOUSING = ["Housing costs push young families out of the villages.",
           "Young families leave the villages over housing costs.",
           "The villages lose young families to housing costs."]


@pytest.fixture
def nlp():
    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    return blank


def vectors(db):
    embedder = FakeEmbedder()
    return lambda texts: embed_cached(db, embedder, texts)


def published_event(db, nlp, slug, date, *topics, series=None, **fields):
    event = save_event(db, slug, title=f"{slug.title()} round table", date=date, **fields)
    add_notes(db, event, [Note(text=t, **({"author": a} if a else {}))
                          for topic in topics for t, a in (x if isinstance(x, tuple) else (x, None)
                                                           for x in topic)])
    if series:
        set_event_series(db, event, get_series(db, series))
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp, settings={"min_theme_size": 2})
    publish(db, event, accept_redactions=True)
    return event


def publish_series(db, nlp=None) -> None:
    """Series 'north' of two published events: January (funding, volunteers), July (funding, tenders)."""
    if nlp is None:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    save_series(db, "north", "North network")
    for slug, date, topics in (("jan", "2026-01-10", (FUNDING, VOLUNTEERS)),
                               ("jul", "2026-07-10", (FUNDING, TENDERS))):
        published_event(db, nlp, slug, date, *topics, series="north")


def words(theme) -> str:
    return " ".join(q["text"] for q in theme["quotes"]).lower()


def by_topic(data) -> dict[str, dict]:
    out = {}
    for theme in data["themes"]:
        for topic in ("funding", "tender", "volunteers", "housing"):
            if topic in words(theme):
                out[topic] = theme
    return out


def test_status_is_read_over_the_latest_two_events():
    order = ["jan", "apr", "jul"]
    assert status_of(["jan", "apr", "jul"], order) == "recurring"
    assert status_of(["jan", "jul"], order) == "recurring"
    assert status_of(["jul"], order) == "new"
    assert status_of(["apr", "jul"], order) == "new"  # first raised within the window
    assert status_of(["jan"], order) == "fading"  # absent from the latest two
    assert status_of(["apr"], ["apr"]) == "new"


def test_recurring_new_and_fading_over_three_dated_events(db, nlp):
    save_series(db, "north", "North network")
    # Added out of date order: the network reads them by date.
    published_event(db, nlp, "jul", "2026-07-10", FUNDING, TENDERS, series="north")
    published_event(db, nlp, "jan", "2026-01-10", FUNDING, VOLUNTEERS, series="north")
    published_event(db, nlp, "apr", "2026-04-10", FUNDING, HOUSING, series="north")
    published_event(db, nlp, "elsewhere", "2026-05-01", TENDERS)  # not in the series
    data, unkept = network_data(db, "north", vectors=vectors(db))
    assert unkept == [] and [e["slug"] for e in data["events"]] == ["jan", "apr", "jul"]
    topics = by_topic(data)
    assert topics["funding"]["status"] == "recurring"
    assert [e["slug"] for e in topics["funding"]["events"]] == ["jan", "apr", "jul"]
    assert topics["tender"]["status"] == "new" and [e["slug"] for e in topics["tender"]["events"]] == ["jul"]
    assert topics["volunteers"]["status"] == "fading"
    # One quote from each event, cited by event title and date.
    cites = [q["cite"] for q in topics["funding"]["quotes"]]
    assert len(cites) == 3 and cites[0].startswith("Jan round table, 10 January 2026")
    # Shares of notes per event, 0 where the theme was not raised.
    assert [s["share"] > 0 for s in topics["tender"]["shares"]] == [False, False, True]
    assert all(0 < e["share"] <= 1 for e in topics["funding"]["events"])
    everything, _ = network_data(db, ALL, vectors=vectors(db))
    assert "elsewhere" in [e["slug"] for e in everything["events"]]
    assert [e.slug for e in series_events(db, "north")] == ["jan", "apr", "jul"]


def test_an_unpublished_or_withdrawn_event_is_left_out(db, nlp):
    from web.publish.publishing import withdraw

    published_event(db, nlp, "jan", "2026-01-10", FUNDING, VOLUNTEERS)
    draft = save_event(db, "draft-only", title="Not published", date="2026-02-01")
    add_notes(db, draft, [Note(text=t) for t in TENDERS])
    synthesise(db, draft, embedder=FakeEmbedder(), nlp=nlp, settings={"min_theme_size": 2})
    gone = published_event(db, nlp, "mar", "2026-03-10", HOUSING)
    withdraw(db, gone, 1)
    data, _ = network_data(db, ALL, vectors=vectors(db))
    assert [e["slug"] for e in data["events"]] == ["jan"]
    assert "tender" not in " ".join(words(t) for t in data["themes"])


def test_edits_survive_a_fourth_event(db, nlp):
    save_series(db, "north", "North network")
    for slug, date, topics in (("jan", "2026-01-10", (FUNDING, VOLUNTEERS)),
                               ("apr", "2026-04-10", (FUNDING,)), ("jul", "2026-07-10", (FUNDING, TENDERS))):
        published_event(db, nlp, slug, date, *topics, series="north")
    data, _ = network_data(db, "north", vectors=vectors(db))
    funding = by_topic(data)["funding"]
    record_network_edit(db, "north", "rename", theme=funding["id"], label="Nobody pays for convening",
                        actor="editor@example.org")
    tenders, volunteers = by_topic(data)["tender"], by_topic(data)["volunteers"]
    record_network_edit(db, "north", "merge", theme=tenders["id"], other=volunteers["id"])
    published_event(db, nlp, "oct", "2026-10-10", FUNDING, HOUSING, series="north")
    after, unkept = network_data(db, "north", vectors=vectors(db))
    assert unkept == []
    renamed = by_topic(after)["funding"]
    assert renamed["label"] == "Nobody pays for convening" and renamed["edited"] is True
    assert [e["slug"] for e in renamed["events"]] == ["jan", "apr", "jul", "oct"]
    merged = [t for t in after["themes"] if "tender" in words(t) and "volunteers" in words(t)]
    assert len(merged) == 1 and {e["slug"] for e in merged[0]["events"]} == {"jan", "jul"}
    # Split the renamed theme: its latest event leaves for a theme of its own.
    oct_key = [m["key"] for m in renamed["members"] if m["slug"] == "oct"]
    record_network_edit(db, "north", "split", theme=renamed["id"], members=oct_key, label="October's funding")
    split, _ = network_data(db, "north", vectors=vectors(db))
    labels = {t["label"]: t for t in split["themes"]}
    assert [e["slug"] for e in labels["October's funding"]["events"]] == ["oct"]
    assert [e["slug"] for e in labels["Nobody pays for convening"]["events"]] == ["jan", "apr", "jul"]


def test_bad_edits_are_refused_with_the_reason(db, nlp):
    from capture.errors import NotFound, ValidationError

    published_event(db, nlp, "jan", "2026-01-10", FUNDING, VOLUNTEERS)
    data, _ = network_data(db, ALL, vectors=vectors(db))
    theme = data["themes"][0]
    with pytest.raises(ValidationError, match="new name"):
        record_network_edit(db, ALL, "rename", theme=theme["id"], label="   ")
    with pytest.raises(ValidationError, match="different theme"):
        record_network_edit(db, ALL, "merge", theme=theme["id"], other=theme["id"])
    with pytest.raises(ValidationError, match="not all"):
        record_network_edit(db, ALL, "split", theme=theme["id"], members=[m["key"] for m in theme["members"]])
    with pytest.raises(NotFound, match="Reload"):
        record_network_edit(db, ALL, "rename", theme="n-nope", label="x")


NAMES = ("alison", "reid", "okafor", "tom", "priya", "shah")


def publish_closed_room(db, nlp) -> str:
    """A Chatham House event whose funding notes name their speakers, with one quote hidden,
    published; and an open event beside it. Returns the hidden quote's text."""
    from web.review import edited_result, quote_key, record_edit

    names = [("Alison Reid said funding for convening partnerships never arrives for small charities.",
              "Alison Reid"),
             ("Tom Okafor said small charities get no funding for convening partnerships.", "Tom Okafor"),
             ("Priya Shah said there is no funding for convening partnerships of small charities.",
              "Priya Shah")]
    event = save_event(db, "closed-room", title="Closed room", date="2026-02-01", chatham_house=True)
    add_notes(db, event, [Note(text=t, author=a) for t, a in names] + [Note(text=t) for t in VOLUNTEERS])
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp, settings={"min_theme_size": 2})
    result = edited_result(db, event)
    hidden = next(q for t in result["themes"] for q in t["quotes"] if "rotas" in q["text"].lower())
    theme = next(t for t in result["themes"] if hidden in t["quotes"])
    record_edit(db, event, "hide_quote", theme=theme["id"], quote=quote_key(hidden))
    publish(db, event, accept_redactions=True)
    published_event(db, nlp, "open-room", "2026-03-01", FUNDING, TENDERS)
    return hidden["text"]


def assert_clean(text: str, hidden: str) -> None:
    """No name of the closed room's speakers, in any case, and not the hidden quote."""
    import re

    low = text.lower()
    for name in NAMES:
        found = re.search(rf"\b{name}\b", low)
        assert found is None, (name, low[max(0, found.start() - 80):found.end() + 80])
    assert hidden.lower() not in low


def test_hidden_quotes_and_redacted_names_never_reach_the_network(db, nlp):
    hidden = publish_closed_room(db, nlp)
    version = publish_network(db, ALL, actor="editor@example.org")
    outputs = [render_network(get_network_version(db, ALL, version), fmt)
               for fmt in ("markdown", "html", "json", "csv")]
    # The event's quotes reach the network, as published: with the names replaced.
    assert "a participant said" in outputs[0].lower()
    for text in outputs:
        assert_clean(text, hidden)


def test_versions_publish_and_withdraw(db, nlp):
    from capture.errors import NotFound, ValidationError

    with pytest.raises(ValidationError, match="publish the events' digests first"):
        publish_network(db, ALL)
    published_event(db, nlp, "jan", "2026-01-10", FUNDING, VOLUNTEERS)
    assert publish_network(db, ALL) == 1 and publish_network(db, ALL) == 2
    withdraw_network_version(db, ALL, 2)
    assert [v["version"] for v in list_network_versions(db, ALL)] == [1]
    assert get_network_version(db, ALL)["version"] == 1
    with pytest.raises(NotFound):
        withdraw_network_version(db, ALL, 2)
    markdown = render_network(get_network_version(db, ALL), "markdown")
    assert markdown.startswith("# All published events: what keeps coming up")
    assert "/series/all/v1/charts/" in markdown
    html = render_network(get_network_version(db, ALL), "html")
    assert "data:image/svg+xml;base64," in html and "/series/all/v1/charts/" not in html


def test_an_events_quote_is_its_themes_central_passage_not_a_leftover_side_point(db):
    # Third walk-through W1: June's theme on volunteer drivers led its digest with two sentences
    # on drivers (its summary) and kept a side point on e-bikes as its first quote; the network
    # quoted the e-bike sentence under "More volunteer drivers".
    from synthesis.network import network_themes

    drivers = ["Volunteer drivers remain the weak point of every community transport scheme.",
               "We need more volunteer drivers for the community transport scheme.",
               "The community transport scheme lost three volunteer drivers this month."]
    side = "An e-bike loan scheme was suggested for the flatter routes between villages."

    def quote(text, number):
        return {"text": text, "note": f"n{number}", "cite": f"Table 1, note {number}"}

    theme = {"label": "More volunteer drivers", "size": 4,
             "segments": [{"text": t, "note": f"n{i}"} for i, t in enumerate([*drivers, side], 1)],
             "summary_quotes": [quote(drivers[0], 1), quote(drivers[1], 2)],
             "quotes": [quote(side, 4), quote(drivers[2], 3)]}
    events = [{"slug": "jun", "title": "June round table", "date": "2026-06-18", "segments": 4,
               "themes": [theme]}]
    data = network_themes(events, vectors(db))
    [only] = data["themes"]
    [cited] = only["quotes"]
    assert cited["text"] in drivers, cited
    number = drivers.index(cited["text"]) + 1
    assert cited["cite"] == f"June round table, 18 June 2026, Table 1, note {number}"
    # A theme with no summary of the notes' words is quoted from its quotes, nearest the centre.
    theme["summary_quotes"] = []
    [only] = network_themes(events, vectors(db))["themes"]
    assert only["quotes"][0]["text"] == drivers[2]


def test_a_merge_survives_a_passage_moving_into_one_of_its_event_themes(db, nlp):
    # Third walk-through W8: the editor merged two network themes, then corrected an event on its
    # Themes tab (a passage moved into one of the merged event themes) and published it again;
    # the merge was anchored on a hash of all the event theme's passages and was dropped.
    from web.review import edited_result, record_edit, segment_key

    save_series(db, "north", "North network")
    published_event(db, nlp, "jan", "2026-01-10", FUNDING, VOLUNTEERS, series="north")
    jul = published_event(db, nlp, "jul", "2026-07-10", FUNDING, TENDERS, series="north")
    data, _ = network_data(db, "north", vectors=vectors(db))
    tenders, volunteers = by_topic(data)["tender"], by_topic(data)["volunteers"]
    record_network_edit(db, "north", "merge", theme=tenders["id"], other=volunteers["id"])
    merged, unkept = network_data(db, "north", vectors=vectors(db))
    assert unkept == [] and len(merged["themes"]) == len(data["themes"]) - 1

    # July's funding theme gives one passage to its tenders theme; July is published again.
    def about(theme) -> str:
        return " ".join(s["text"] for s in theme["segments"]).lower()

    result = edited_result(db, jul)
    funding = next(t for t in result["themes"] if "funding" in about(t))
    tender = next(t for t in result["themes"] if "tender" in about(t))
    record_edit(db, jul, "split", theme=funding["id"], to=tender["id"],
                segments=[segment_key(funding["segments"][0])])
    assert len(next(t for t in edited_result(db, jul)["themes"] if "tender" in about(t))["segments"]) == 4
    publish(db, jul, accept_redactions=True)
    after, unkept = network_data(db, "north", vectors=vectors(db))
    assert unkept == [], unkept
    both = [t for t in after["themes"] if "tender" in words(t) and "volunteers" in words(t)]
    assert len(both) == 1 and {e["slug"] for e in both[0]["events"]} == {"jan", "jul"}


def test_a_merge_not_kept_names_the_theme_by_the_heading_the_page_shows(db, nlp):
    # Third walk-through W8: 'Not kept: merge of ... into 'Mum misses her hospital appointments ...''
    # named the theme by its machine label at the time of the merge; the page headed it with the
    # editor's later rename, so the name was on no theme of the page.
    from web.publish.publishing import withdraw

    save_series(db, "north", "North network")
    jan = published_event(db, nlp, "jan", "2026-01-10", FUNDING, VOLUNTEERS, series="north")
    published_event(db, nlp, "jul", "2026-07-10", FUNDING, TENDERS, series="north")
    data, _ = network_data(db, "north", vectors=vectors(db))
    tenders, volunteers = by_topic(data)["tender"], by_topic(data)["volunteers"]
    record_network_edit(db, "north", "merge", theme=tenders["id"], other=volunteers["id"])
    record_network_edit(db, "north", "rename", theme=tenders["id"], label="Deadlines too tight")
    withdraw(db, jan, 1)  # January's themes leave the network: the merged-in theme is gone
    after, unkept = network_data(db, "north", vectors=vectors(db))
    assert len(unkept) == 1, unkept
    assert "into 'Deadlines too tight'" in unkept[0] and "merge it again" in unkept[0], unkept
    assert "Deadlines too tight" in [t["label"] for t in after["themes"]]


def test_an_edit_whose_event_theme_was_taken_apart_says_so_not_that_its_event_left(db, nlp):
    # Third walk-through W8 residue: an edit that could not follow its event theme (most of its
    # passages moved away on the event's Themes tab) said "its events left the network" while the
    # event was still there.
    from web.review import edited_result, record_edit, segment_key

    save_series(db, "north", "North network")
    published_event(db, nlp, "jan", "2026-01-10", FUNDING, VOLUNTEERS, series="north")
    jul = published_event(db, nlp, "jul", "2026-07-10", FUNDING, TENDERS, series="north")
    data, _ = network_data(db, "north", vectors=vectors(db))
    tenders = by_topic(data)["tender"]["id"]
    record_network_edit(db, "north", "rename", theme=tenders, label="Deadlines too tight")

    def about(theme) -> str:
        return " ".join(s["text"] for s in theme["segments"]).lower()

    result = edited_result(db, jul)
    funding = next(t for t in result["themes"] if "funding" in about(t))
    tender = next(t for t in result["themes"] if "tender" in about(t))
    record_edit(db, jul, "split", theme=tender["id"], to=funding["id"],
                segments=[segment_key(s) for s in tender["segments"][:2]])
    publish(db, jul, accept_redactions=True)
    _, unkept = network_data(db, "north", vectors=vectors(db))
    assert len(unkept) == 1 and "Deadlines" in unkept[0], unkept
    assert "left the network" not in unkept[0] and "changed on their Themes tabs" in unkept[0], unkept
