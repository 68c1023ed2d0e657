"""The synthesis result: the one shape every layer passes (pipeline -> runs -> review -> digest).

`harvest synthesise --json` prints a `Result`, `GET /api/events/SLUG/synthesis` returns one (with
the organiser's edits applied), review edits one, and the digest renders one. The document is
`docs/result.md`; this module is the same contract in code. The types are TypedDicts, not
classes, because the result is stored as JSON in `synthesis_run.result` and handed between
layers as plain data: a TypedDict costs nothing to read back and type-checks the keys.

`validate(result)` checks a result against the types (pydantic's TypeAdapter, which spaCy
already brings; imported only when called) and raises `ValueError` naming the first bad field.

Usage:
    from synthesis.result import Result, validate
    result: Result = json.loads(stdout)
    validate(result)
"""

from __future__ import annotations

from typing import Literal, NotRequired

from typing_extensions import TypedDict  # pydantic reads typing_extensions' TypedDict before 3.12


class Span(TypedDict):
    """Character offsets of a verbatim piece of a note: `note.text[start:end]`."""

    start: int
    end: int


class Segment(TypedDict):
    """A sentence or short claim of one note, verbatim at its offsets: the unit of clustering."""

    text: str
    note: str  # the note's ref (an imported id, else generated)
    table: str | None
    start: int
    end: int


class Quote(TypedDict):
    """Verbatim text of one note shown to a reader: one or more whole sentences.

    `parts` are the offsets of each verbatim piece, in order; `text` is the pieces joined with
    " ... " where a long sentence is shortened (one part: `text == note.text[start:end]`).
    `cite` is what a reader sees ("Table 2, note 5", or "note 5" where there are no tables); the
    number is the note's number in moderation, stable across re-runs.
    """

    text: str
    note: str
    table: NotRequired[str | None]
    number: NotRequired[int | None]
    cite: NotRequired[str]
    parts: NotRequired[list[Span]]


class Theme(TypedDict):
    """One theme: a label, keywords, a verbatim summary, quotes, and every member segment."""

    id: str  # run-local ("t1"); edits anchor on segments, never on this id
    label: str
    keywords: list[str]
    summary: str  # "" where the theme has no sentence that states it; verbatim from the notes
    summary_quotes: NotRequired[list[Quote]]  # the summary's sentences, with their offsets
    size: int  # number of segments
    tables: list[str]
    quotes: list[Quote]
    segments: list[Segment]
    seeded: NotRequired[bool]  # found from a theme the organiser named


class Entity(TypedDict):
    """An organisation, place, law (...) named in the notes, with how often."""

    text: str
    label: str  # spaCy's entity label: ORG, GPE, LAW, ...
    count: int


class ContextLine(TypedDict):
    """A line that describes the event rather than reports it (a date, 'Present:', 'Apologies:',
    an agenda heading, the event's blurb): shown as the event's details, never as a theme."""

    text: str
    note: str
    table: str | None
    start: int
    end: int
    kind: str  # title, date, venue, attendance, apologies, heading, procedural, blurb, redaction


class EventInfo(TypedDict):
    """The event the result is about, with details the context lines filled in."""

    slug: str
    title: str
    date: NotRequired[str | None]
    venue: NotRequired[str | None]
    present: NotRequired[int | None]  # the number of people present, where a list says so


class RunInfo(TypedDict):
    """How the themes were found."""

    method: Literal["spectral", "bertopic"]  # small events: spectral; large events: BERTopic
    segments: int


class Result(TypedDict):
    """The whole synthesis result of one event.

    Every segment of every approved note appears exactly once: in a theme's `segments`, in
    `unassigned`, or (as a context line) in `context`.
    """

    event: EventInfo
    themes: list[Theme]
    unassigned: list[Segment]
    context: NotRequired[list[ContextLine]]
    entities: list[Entity]
    run: NotRequired[RunInfo]


def _forbid_extra() -> None:
    # Unknown keys are a contract break (a renamed field would otherwise pass unnoticed).
    for cls in (Span, Segment, Quote, Theme, Entity, ContextLine, EventInfo, RunInfo, Result):
        cls.__pydantic_config__ = {"extra": "forbid"}  # type: ignore[attr-defined]


_forbid_extra()
_ADAPTER = None


def validate(result: object) -> Result:
    """Check `result` against the contract; return it, or raise ValueError naming the bad field."""
    global _ADAPTER
    from pydantic import TypeAdapter, ValidationError

    if _ADAPTER is None:
        _ADAPTER = TypeAdapter(Result)
    try:
        _ADAPTER.validate_python(result, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"Result does not match the contract at {where}: {first['msg']}") from None
    return result  # type: ignore[return-value]


def json_schema() -> dict:
    """The contract as a JSON Schema (for docs/result.schema.json and other languages' clients)."""
    from pydantic import TypeAdapter

    return TypeAdapter(Result).json_schema()


if __name__ == "__main__":  # python -m synthesis.result > docs/result.schema.json
    import json
    import sys

    sys.stdout.write(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
