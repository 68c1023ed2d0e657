"""Citations a reader understands: a quote cites "Table 2, note 5" (or "note 5" where the event
has no tables), by the note's number in its event -- the number the organiser sees in moderation,
given when the note is stored and never changed, so it is the same in every run.

`quote` makes the contract's Quote from a note and the offsets of its verbatim parts; the pipeline
uses it for quotes and summary sentences, and review edits use `quote_from_segment` for quotes
they make from a segment (a theme split off by hand).

Usage:
    quote(note, [(start, end)])                          # from a capture Note
    quote_from_segment(segment, note_numbers(db, event))  # from a result's Segment
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from synthesis.result import Quote, Segment

ELLIPSIS = " ... "


def cite(number: int | None, table: str | None = None) -> str:
    """'Table 2, note 5', or 'note 5' without a table; '' for a note with no number."""
    if number is None:
        return ""
    return f"{table}, note {number}" if table else f"note {number}"


def quote(note, parts: Sequence[tuple[int, int]], text: str | None = None) -> Quote:
    """A Quote of `note` (a capture Note: text, ref, table, number) made of these verbatim parts,
    joined with ' ... ' where a long sentence is shortened (unless `text` is given)."""
    if text is None:
        text = ELLIPSIS.join(note.text[a:b] for a, b in parts)
    return {"text": text, "note": note.ref, "table": note.table, "number": note.number,
            "cite": cite(note.number, note.table), "parts": [{"start": a, "end": b} for a, b in parts]}


def quote_from_segment(segment: Segment | Mapping, numbers: Mapping[str, int | None]) -> Quote:
    """A Quote of one segment of a result (its text and offsets), cited by `numbers` (note ref ->
    number, as capture.store.note_numbers gives)."""
    number = numbers.get(segment["note"])
    out: Quote = {"text": segment["text"], "note": segment["note"], "table": segment.get("table"),
                  "number": number, "cite": cite(number, segment.get("table"))}
    if "start" in segment and "end" in segment:
        out["parts"] = [{"start": segment["start"], "end": segment["end"]}]
    return out


def with_citation(quote: Mapping, numbers: Mapping[str, int | None]) -> dict:
    """A stored quote with its number and cite filled in where it has none (results stored before
    notes had numbers)."""
    if quote.get("cite"):
        return dict(quote)
    number = quote.get("number") or numbers.get(quote["note"])
    return {**quote, "number": number, "cite": cite(number, quote.get("table"))}
