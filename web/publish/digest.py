"""The digest: its data (themes after review, participation, asks, entities) and its Markdown.

`build_data` gathers plain data; `compose_markdown` renders it with a Jinja template. Under the
Chatham House Rule the data goes through `redact.final_pass` before anything renders it: the
Markdown, HTML, JSON, CSV, charts and feed of a draft or a version all read that one redacted data.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlite_utils import Database

from capture.models import Event
from capture.store import approved_notes, list_tables, note_numbers
from synthesis.citation import cite, with_citation
from synthesis.context import slug_title
from web.publish.charts import CHARTS
from web.publish.redact import final_pass, redactor_for
from web.publish.render import escape_markdown, long_date
from web.review import edited_result_with_report, list_edits

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "digests"
ENTITY_GROUPS = {"organisations": ("ORG",), "places": ("GPE", "LOC", "FAC"), "laws": ("LAW",)}


@functools.lru_cache(maxsize=1)
def _env() -> Environment:
    # Markdown output, not HTML: user text goes through the `md` filter instead of autoescape.
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=False,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["md"] = escape_markdown
    env.filters["day"] = long_date
    return env


def _entities(result: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {k: [] for k in ENTITY_GROUPS}
    for ent in sorted(result.get("entities", []), key=lambda e: (-e.get("count", 1), e["text"])):
        for group, labels in ENTITY_GROUPS.items():
            if ent.get("label") in labels and ent["text"] not in out[group]:
                out[group].append(ent["text"])
    return out


# Files a scribe writes: a speaker turn in them ("Jo said: ...") is the scribe's report of what
# someone said, not a note that person contributed (a caption file's voices are their own words).
WRITTEN_SUFFIXES = (".txt", ".md", ".docx")


def participation(notes: list, tables: set[str], context: list[dict] | None = None) -> dict:
    """Tables, notes and contributors: the people whose own words the notes are (an attendee's
    note, a form's or spreadsheet's author, a voice in captions), not the people a scribe's
    minutes report ("Jo said"). Only counts, never names.

    A note that is all the event's details (the result's `context` lines cover every word of it:
    "Present: ...", "Date: 12 February. Venue: ...") is minute-keeping, not a note of the
    discussion: it is not counted (the third walk-through's W5: "Notes: 13" for 10)."""
    details = _all_details(notes, context or [])
    notes = [n for n in notes if n.ref not in details]
    counted = [n for n in notes if _author(n) and not _reported(n)]
    return {"tables": len(tables), "notes": len(notes), "contributors": len({_author(n) for n in counted}),
            "attributed": len(counted)}


def _all_details(notes: list, context: list[dict]) -> set[str]:
    """Refs of the notes whose every word is inside the result's context lines."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for line in context:
        if line.get("note") is not None and line.get("start") is not None:
            spans.setdefault(line["note"], []).append((int(line["start"]), int(line["end"])))
    out = set()
    for note in notes:
        covered = set()
        for start, end in spans.get(note.ref, []):
            covered.update(range(max(0, start), min(end, len(note.text))))
        words = [i for i, ch in enumerate(note.text) if ch.isalnum()]
        if words and all(i in covered for i in words):
            out.add(note.ref)
    return out


def _author(note) -> str:
    return " ".join((note.author or "").split()).lower()


def _reported(note) -> bool:
    return note.role == "speaker" and (note.source or "").lower().endswith(WRITTEN_SUFFIXES)


def _once(items: list[dict]) -> list[dict]:
    """Questions or proposals made in the same words more than once, listed once citing each note
    ("Bring commissioners into the room" from two answers: note 18, note 28)."""
    out: dict[str, dict] = {}
    cites: dict[str, list[str]] = {}
    for item in items:
        key = " ".join(re.findall(r"\w+", item["text"].lower()))
        if key not in out:
            out[key], cites[key] = dict(item), []
        if item.get("cite") and item["cite"] not in cites[key]:
            cites[key].append(item["cite"])
    for key, item in out.items():
        # "Table 1, note 2" holds a comma: several such citations are told apart by semicolons.
        item["cite"] = ("; " if any("," in c for c in cites[key]) else ", ").join(cites[key])
    return list(out.values())


def _natural(name: str) -> list:
    """Sort key putting 'Table 2' before 'Table 10'."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.lower())
            for part in re.split(r"(\d+)", name)]


def verbatim_summary(theme: dict) -> list[dict]:
    """The sentences of the theme's summary, verbatim from the notes with their note, while the
    summary is still theirs (an organiser's edit makes it the organiser's words): else []."""
    quotes = theme.get("summary_quotes") or []
    joined = " ".join(" ".join(q["text"] for q in quotes).split())
    return list(quotes) if quotes and joined == " ".join((theme.get("summary") or "").split()) else []


def _themes(result: dict, numbers: dict[str, int] | None = None) -> list[dict]:
    # Every quote cites its note's number ("Table 2, note 5"), also in results stored before
    # notes had numbers.
    return [{"id": t["id"], "label": t["label"], "keywords": t.get("keywords", []),
             "summary": t.get("summary") or "", "size": t.get("size", len(t["segments"])),
             "summary_quotes": [with_citation(q, numbers or {}) for q in verbatim_summary(t)],
             "tables": sorted((x for x in t.get("tables") or [] if x), key=_natural),
             "quotes": [with_citation(q, numbers or {}) for q in t.get("quotes", [])],
             "segments": [{"text": s["text"], "note": s["note"], "table": s.get("table")}
                          for s in t["segments"]]}
            for t in result["themes"]]


def _numbered_notes(data: dict, note_number: dict[str, int]) -> dict:
    """Note references replaced by their number in the event (the number moderation shows and quotes
    cite), for the Chatham House Rule.

    An imported note's ref is a hash of who spoke and what they said: published beside the verbatim
    quote it would let anyone confirm a guessed speaker. A number says where the note is, nothing more.
    """
    numbers = {ref: str(n) for ref, n in note_number.items() if n is not None}
    top = max(note_number.values(), default=0) or 0

    def number(ref: str) -> str:
        # A note deleted since the synthesis ran still needs a number that is not its ref.
        return numbers.setdefault(ref, str(top + len(numbers) + 1))

    def renumbered(items: list[dict]) -> list[dict]:
        return [{**item, "note": number(item["note"])} for item in items]

    out = {**data, "themes": [{**t, "quotes": renumbered(t["quotes"]), "segments": renumbered(t["segments"]),
                               "summary_quotes": renumbered(t.get("summary_quotes", []))}
                              for t in data["themes"]]}
    if "asks" in data:
        out["asks"] = {kind: renumbered(items) for kind, items in data["asks"].items()}
    return out


def chart_data(db: Database, event: Event) -> dict:
    """Just the reviewed themes (redacted under the rule): enough for the charts, without the parse."""
    result, _ = edited_result_with_report(db, event)
    return final_pass(redactor_for(db, event),
                      {"themes": _themes(result, note_numbers(db, event)) if result else []})


def build_data(db: Database, event: Event) -> dict:
    """The digest as plain data, redacted under the Chatham House Rule."""
    from synthesis.asks import event_asks

    result, _unkept = edited_result_with_report(db, event)
    result = result or {"themes": [], "unassigned": [], "entities": []}
    notes = approved_notes(db, event)
    tables = {n.table for n in notes if n.table} | {t.name for t in list_tables(db, event)}
    numbers = note_numbers(db, event)
    themes = _themes(result, numbers)
    found = result.get("event") or {}  # what the notes' context lines said, where the event is blank
    asks = event_asks(db, event, notes)  # from the segmentation cache of the synthesis run
    tables_of = {n.ref: n.table for n in notes}
    # Cited as quotes are: "Table 1, note 2" where the note has a table (the second walk-through's
    # N5: a proposal read "(note 2)" beside quotes citing "Table 1, note 2").
    asks = {kind: _once([{**item, "cite": cite(numbers.get(item["note"]), tables_of.get(item["note"]))}
                         for item in items])
            for kind, items in asks.items()}
    # An event the import made without a title has one from its slug ("Coastal jan"): the notes'
    # own title line says what it was.
    title = event.title
    if title == slug_title(event.slug) and found.get("title"):
        title = found["title"]
    data = {
        "event": {"slug": event.slug, "title": title, "date": event.date or found.get("date"),
                  "venue": event.venue or found.get("venue"), "present": found.get("present"),
                  "questions": event.questions, "chatham_house": event.chatham_house},
        "participation": participation(notes, tables, result.get("context")),
        "themes": themes,
        "unassigned": len(result.get("unassigned", [])),
        "asks": asks,
        "entities": _entities(result),
        "edited": bool(list_edits(db, event)),
    }
    if event.chatham_house:
        data = _numbered_notes(data, numbers)
    return final_pass(redactor_for(db, event, result.get("entities")), data)


def next_version(db: Database, event: Event) -> int:
    """The version number the next publication will get."""
    rows = list(db.query("SELECT max(version) AS v FROM digest WHERE event_id = ? AND draft = 0",
                         [event.id]))
    return (rows[0]["v"] or 0) + 1


def chart_base(slug: str, version: int) -> str:
    """Where a version's charts are served (a site-relative link, as the Markdown uses it)."""
    return f"/digests/{slug}/v{version}/charts"


def markdown_from_data(data: dict, version: int) -> str:
    """Render digest data with the Markdown template."""
    md = _env().get_template("digest.md.j2").render(
        **data, charts=CHARTS, chart_base=chart_base(data["event"]["slug"], version))
    return re.sub(r"\n{3,}", "\n\n", md).strip() + "\n"


def compose_markdown(db: Database, event: Event) -> str:
    """The digest Markdown as the template makes it (before any organiser edit), redacted if needed."""
    md = markdown_from_data(build_data(db, event), next_version(db, event))
    return redactor_for(db, event)(md)
