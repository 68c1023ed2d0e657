"""Summaries are marked as the notes' words wherever they are shown (issue 12, point 2): the digest
Markdown (and the HTML and page made from it), the organiser's synthesis page and the CLI. A
theme with no summary says so; an organiser's edited summary is shown as theirs, unmarked."""

from __future__ import annotations

import re

from publishing_data import make_result, seed_event, store_result

from web.cli.synthesis_cmds import format_summary
from web.publish.digest import compose_markdown, verbatim_summary
from web.review import record_edit

NOTE_ONLY = "No sentence in the notes states this theme on its own."
# What a reader of the digest sees (the walk-through's F6: the organiser's wording read like an error).
DIGEST_NOTE_ONLY = "No single sentence of the notes sums this theme up: the quotes below speak for it."


def with_summaries(db, event):
    result = make_result(db, event)
    first, second = result["themes"][0], result["themes"][1]
    seg = first["segments"][0]
    first["summary"] = seg["text"]
    first["summary_quotes"] = [{"text": seg["text"], "note": seg["note"], "table": seg.get("table"),
                                "parts": [{"start": seg["start"], "end": seg["end"]}]}]
    second["summary"], second["summary_quotes"] = "", []
    store_result(db, event, result)
    return result


def test_digest_marks_the_summary_as_the_notes_words_or_says_there_is_none(db):
    event = seed_event(db)
    result = with_summaries(db, event)
    sentence = result["themes"][0]["summary"]
    md = compose_markdown(db, event)
    marked = rf"In the notes' words: \u201c{re.escape(sentence)}\u201d \((Table \d+, )?note \d+\)"
    assert re.search(marked, md)
    assert DIGEST_NOTE_ONLY in md and NOTE_ONLY not in md
    # Edited by the organiser, the summary is theirs: shown, but not as the notes' words.
    record_edit(db, event, "summary", theme="t0", summary="Contracts keep growing, we heard.")
    md = compose_markdown(db, event)
    assert "Contracts keep growing, we heard." in md
    assert "In the notes' words: \u201cContracts keep growing" not in md


def test_verbatim_summary_only_while_the_summary_is_its_sentences():
    quote = {"text": "Contracts are getting bigger.", "note": "n1", "parts": [{"start": 0, "end": 29}]}
    theme = {"summary": "Contracts are getting bigger.", "summary_quotes": [quote]}
    assert verbatim_summary(theme) == [quote]
    assert verbatim_summary({"summary": "Edited.", "summary_quotes": [quote]}) == []
    assert verbatim_summary({"summary": "Old result, no summary quotes."}) == []


def test_cli_summary_is_marked_too(db):
    event = seed_event(db)
    result = with_summaries(db, event)
    shown = format_summary(result, 1)
    assert "In the notes' words: \u201c" in shown and NOTE_ONLY in shown
