"""Checks that a synthesis result could be published as it stands (issue 12).

Each check reads a `Result` beside the notes it came from and returns what breaks, as readable
problem strings, so a benchmark can count them and a test can print them:

- `quote_problems`: quotes (and summary quotes) that are not verbatim whole sentences of their note,
  or that run across a line label ("... officers Question raised: could ...");
- `summary_problems`: summaries not verbatim, or holding a piece of a sentence;
- `label_problems`: labels outside 3-9 words, holding a date, a heading of the document, a
  redaction placeholder or a scribe's shorthand ("->", "hrs"), a bare proper noun, ending on a
  function word, or dropping a negation ("limit", "no", "not", "too") that stood before the words
  the label took from its theme;
- `context_in_themes`: lines known to be context (attendance, dates, headings...) inside themes.

"Whole sentence" is defined on the note itself: spaCy's sentence boundaries, plus the boundaries
of lines and list items (`synthesis.segment.line_breaks`), since minutes are written in lines and
bullets that spaCy runs together. A quote is whole when it starts where a sentence or item starts
and ends where one ends; a long sentence may be shortened with " ... " between verbatim parts.

Usage:
    from synthesis.publishable import check_result
    report = check_result(result, {note.ref: note.text for note in notes}, nlp, context_lines)
    report.counts()  # {"quotes not whole": 0, ...}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from synthesis.segment import line_breaks, line_labels

ELLIPSES = (" ... ", " … ")
# Words a headline does not end on: articles, prepositions, conjunctions, possessives, auxiliaries.
FUNCTION_WORDS = {
    "a", "an", "the", "and", "or", "but", "nor", "so", "yet", "if", "than", "that", "which", "who",
    "whom", "whose", "to", "of", "in", "on", "at", "by", "for", "from", "with", "without", "into",
    "onto", "over", "under", "about", "around", "between", "through", "across", "against", "as",
    "because", "while", "whereas", "although", "though", "their", "our", "my", "your", "its", "his",
    "her", "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "do",
    "does", "did", "can", "could", "will", "would", "shall", "should", "may", "might", "must",
    "very", "such", "this", "these", "those", "there", "where", "when", "how", "what",
}
# Quantifiers that wait for their noun: a headline ending on one ("Volunteer drivers are all")
# stops mid-phrase too (checked here; synthesis.label refuses on FUNCTION_WORDS).
QUANTIFIERS = {"all", "any", "each", "every", "both", "some"}
# Words that limit or reverse what follows them: a label that drops one says the opposite.
NEGATORS = {
    "no", "not", "n't", "never", "nobody", "none", "nothing", "neither", "nor", "cannot", "can't",
    "without", "lack", "lacks", "lacking", "lacked", "limit", "limits", "limited", "limiting",
    "too", "hardly", "barely", "rarely", "little", "few", "fewer", "less", "only", "unable",
    "don't", "doesn't", "didn't", "won't", "isn't", "aren't", "wasn't", "weren't", "couldn't",
    "shouldn't", "wouldn't", "haven't", "hasn't",
}
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
# "Wed 4 Feb", "Thurs. 12th": a weekday's short form only with a capital and a day's number after
# it ("sat" alone is a verb).
_SHORT_WEEKDAY = r"(?-i:Mon|Tue|Tues|Wed|Weds|Thu|Thur|Thurs|Fri|Sat|Sun)\.?(?=,?\s+\d{1,2}(?!\d))"
DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}\b|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|"
    rf"{_MONTH}\s+\d{{4}}\b|\d{{4}}-\d{{2}}-\d{{2}}\b|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b|{_WEEKDAY}\b|"
    # A day and month without the year, as a scribe writes the date at the top ("12/02, Town Hall").
    r"(?:[0-2]?\d|3[01])/(?:0?[1-9]|1[0-2])\b(?![/.]\d)|"
    rf"{_SHORT_WEEKDAY})",
    re.IGNORECASE)
# A redaction placeholder: bracketed or angle-bracketed words, block characters, runs of X or *.
PLACEHOLDER = re.compile(r"\[[^\]]*\]|<[^>]*>|[█▇■]+|\bX{3,}\b|\*{3,}|\bredacted\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# A scribe's shorthand, which an editor writes out in a heading: arrows and signs standing for
# words ("kids at school in Lynn -> 2 hrs"), a spaced dash or slash joining two fragments
# ("Intro / why we're here"), and abbreviations of the minutes ("hrs", "approx", "tbc").
SHORTHAND_SIGN = re.compile(r"->|=>|<-|[→←⇒↑↓=<>+~^#|\\]|\s[-–—/]\s|\s[-–—/]$|\.\.\.|…")
SHORTHAND_WORDS = {
    "hrs", "hr", "mins", "yrs", "mths", "wk", "wks", "approx", "govt", "dept", "mgmt", "cttee", "pls",
    "plz", "thx", "tbc", "tbd", "asap", "esp", "etc", "nb", "aob", "w/", "w/o", "b/c", "vs", "ppl",
}


@dataclass
class Bounds:
    """Where sentences and list items of one note start and end (character offsets)."""

    starts: set[int]
    ends: set[int]
    # Where a line label ("Question raised:", "Action:") starts a point: no passage runs across one.
    labels: set[int] = field(default_factory=set)


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without the whitespace at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_bounds(text: str, doc=None) -> Bounds:
    """The note's sentence boundaries (spaCy's, when `doc` is given) and its line/item boundaries."""
    starts: set[int] = set()
    ends: set[int] = set()
    a, b = trim(text, 0, len(text))
    starts.add(a)
    ends.add(b)
    for sent in (doc.sents if doc is not None and len(doc) else ()):
        s, e = trim(text, sent.start_char, sent.end_char)
        if e > s:
            starts.add(s)
            ends.add(e)
    lines = line_breaks(text)
    for brk in lines.breaks:
        starts.add(brk)
        ends.add(trim(text, 0, brk)[1])
    for lead, words in lines.markers.items():
        starts.add(lead)
        starts.add(trim(text, words, len(text))[0])
    # A line that ends a point ends a sentence; so does a blank line.
    for match in re.finditer(r"\n\s*\n", text):
        ends.add(trim(text, 0, match.start())[1])
        starts.add(trim(text, match.end(), len(text))[0])
    return Bounds(starts, ends, set(line_labels(text)))


def looks_cut(text: str, start: int, end: int) -> bool:
    """Signs of a piece whatever the parser said: it stops at a comma or a dash, or starts in lower
    case straight after a word or a comma of the same sentence."""
    if end <= start:
        return True
    if text[end - 1] in ",-–—":
        return True
    before = text[:start].rstrip()
    first = re.search(r"[^\W\d_]", text[start:end])
    if before and first and first.group().islower() and (before[-1].isalnum() or before[-1] == ","):
        return True
    return False


def is_whole(text: str, start: int, end: int, bounds: Bounds) -> bool:
    """Whether note `text[start:end]` is one or more whole sentences (or list items)."""
    start, end = trim(text, start, end)
    return start in bounds.starts and end in bounds.ends and not looks_cut(text, start, end)


def _parts(quote: Mapping, note_text: str) -> list[tuple[int, int]] | None:
    """The quote's verbatim parts as offsets: its `parts`, else where its text is in the note."""
    if quote.get("parts"):
        return [(p["start"], p["end"]) for p in quote["parts"]]
    at = note_text.find(quote["text"])
    return None if at < 0 else [(at, at + len(quote["text"]))]


def quote_problem(quote: Mapping, note_text: str | None, bounds: Bounds | None) -> str | None:
    """Why a quote is not a verbatim whole sentence of its note, or None."""
    shown = quote["text"][:70]
    if note_text is None:
        return f"quote {shown!r}: its note {quote.get('note')!r} is not among the notes"
    parts = _parts(quote, note_text)
    if parts is None:
        return f"quote {shown!r}: not verbatim in note {quote.get('note')!r}"
    pieces = [note_text[a:b] for a, b in parts]
    joined = {sep.join(pieces) for sep in ELLIPSES} | ({pieces[0]} if len(pieces) == 1 else set())
    if quote["text"] not in joined:
        return f"quote {shown!r}: its text is not the note's text at its offsets"
    if any(b1 > a2 for (_, b1), (a2, _) in zip(parts, parts[1:], strict=False)):
        return f"quote {shown!r}: its parts overlap or are out of order"
    if bounds is not None:
        start, _ = trim(note_text, *parts[0])
        _, end = trim(note_text, *parts[-1])
        if start not in bounds.starts or looks_cut(note_text, start, parts[0][1]) and len(parts) == 1:
            return f"quote {shown!r}: starts inside a sentence"
        if end not in bounds.ends or note_text[end - 1] in ",-–—":
            return f"quote {shown!r}: stops inside a sentence"
        across = [p for p in bounds.labels for a, b in parts if a < p < b]
        if across:
            label = note_text[min(across):min(across) + 20]
            return f"quote {shown!r}: runs across the line label {label!r}"
    return None


def quote_problems(result: Mapping, notes: Mapping[str, str], bounds: Mapping[str, Bounds]) -> list[str]:
    """Quotes and summary quotes of every theme that are not whole verbatim sentences of their note."""
    out = []
    for theme in result.get("themes", []):
        for quote in list(theme.get("quotes", [])) + list(theme.get("summary_quotes", []) or []):
            problem = quote_problem(quote, notes.get(quote.get("note")), bounds.get(quote.get("note")))
            if problem:
                out.append(f"{theme.get('label', theme.get('id'))!r}: {problem}")
    return out


def _squash(text: str) -> str:
    return " ".join(text.split())


def _tile(summary: str, notes: Mapping[str, str]) -> list[tuple[str, str]] | None:
    """The summary as verbatim pieces of notes joined by spaces (longest match first): a list of
    (note ref, piece), or None where some words are in no note."""
    squashed = {ref: _squash(t) for ref, t in notes.items()}
    words = summary.split(" ")
    pieces, i = [], 0
    while i < len(words):
        best = None
        for ref, text in squashed.items():
            j = i + 1
            if " ".join(words[i:j]) not in text:
                continue
            lo, hi = j, len(words)  # the longest run of words from i found in this note
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if " ".join(words[i:mid]) in text:
                    lo = mid
                else:
                    hi = mid - 1
            if best is None or lo > best[0]:
                best = (lo, ref)
        if best is None:
            return None
        pieces.append((best[1], " ".join(words[i:best[0]])))
        i = best[0]
    return pieces


def _whole_somewhere(piece: str, note_text: str, bounds: Bounds) -> bool:
    """Whether `piece` (spaces squashed) is at some place in the note a run of whole sentences."""
    pattern = re.compile(r"\s+".join(re.escape(w) for w in piece.split(" ")))
    return any(is_whole(note_text, m.start(), m.end(), bounds) for m in pattern.finditer(note_text))


def summary_problems(result: Mapping, notes: Mapping[str, str], bounds: Mapping[str, Bounds]) -> tuple[
        list[str], list[str]]:
    """(summaries that are not verbatim, summary sentences that are not whole sentences)."""
    not_verbatim, not_whole = [], []
    for theme in result.get("themes", []):
        summary = _squash(theme.get("summary") or "")
        if not summary:
            continue
        name = repr(theme.get("label", theme.get("id")))
        quotes = theme.get("summary_quotes")
        if quotes:
            if summary != _squash(" ".join(q["text"] for q in quotes)):
                not_verbatim.append(f"{name}: summary is not its summary quotes joined: {summary[:70]!r}")
            for quote in quotes:
                problem = quote_problem(quote, notes.get(quote.get("note")), bounds.get(quote.get("note")))
                if problem and "not verbatim" in problem:
                    not_verbatim.append(f"{name}: summary {problem}")
                elif problem:
                    not_whole.append(f"{name}: summary {problem}")
            continue
        pieces = _tile(summary, notes)
        if pieces is None:
            not_verbatim.append(f"{name}: summary is not verbatim from the notes: {summary[:70]!r}")
            continue
        for ref, piece in pieces:
            if not _whole_somewhere(piece, notes[ref], bounds[ref]):
                not_whole.append(f"{name}: summary sentence is not whole in note {ref!r}: {piece[:70]!r}")
    return not_verbatim, not_whole


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def dropped_negation(label: str, sources: Iterable[str]) -> str | None:
    """The source sentence whose negation the label dropped: the label's words stand in it, after
    (within four words of the same clause) a word that limits or reverses them, which the label
    does not hold. None when the label keeps its negations or is not taken word for word."""
    words = _words(label)
    if not words or any(w in NEGATORS or w.endswith("n't") for w in words):
        return None
    n = len(words)
    for source in sources:
        for clause in re.split(r"[,;:.!?()\n]", source):
            tokens = _words(clause)
            for i in range(len(tokens) - n + 1):
                if tokens[i:i + n] == words and any(
                        t in NEGATORS or t.endswith("n't") for t in tokens[max(0, i - 4):i]):
                    return source
    return None


def shorthand(label: str) -> str | None:
    """The scribe's shorthand a label holds (a sign standing for words, a spaced dash or slash
    between fragments, an abbreviation such as "hrs"), or None: a heading spells it out."""
    sign = SHORTHAND_SIGN.search(label)
    if sign:
        return sign.group().strip() or sign.group()
    for word in re.findall(r"[^\s,;:.!?()]+", label):
        if word.lower().rstrip(".") in SHORTHAND_WORDS:
            return word
    return None


def label_problems(label: str, sources: Sequence[str] = (), nlp=None,
                   headings: Iterable[str] = ()) -> list[str]:
    """Why a label breaks the rules of a headline (issue 12, point 3); [] when it keeps them.

    `sources` are the theme's segment texts (for the negation check), `headings` the document's
    headings and titles, `nlp` a spaCy pipeline with a tagger (for the bare proper noun check)."""
    problems = []
    words = _WORD.findall(label)
    if not 3 <= len(words) <= 9:
        problems.append(f"{len(words)} words (3-9 wanted)")
    if DATE.search(label):
        problems.append("holds a date")
    if PLACEHOLDER.search(label):
        problems.append("holds a redaction placeholder")
    sign = shorthand(label)
    if sign is not None:
        problems.append(f"holds the shorthand {sign!r}")
    flat = " ".join(_words(label))
    for heading in headings:
        other = " ".join(_words(heading))
        if flat and other and (flat == other or (flat in other and len(flat) >= 0.6 * len(other))):
            problems.append(f"is a heading of the document ({heading[:60]!r})")
            break
    if words and words[-1].lower() in FUNCTION_WORDS | QUANTIFIERS:
        problems.append(f"ends on the function word {words[-1]!r}")
    if nlp is not None and words:
        doc = nlp(label)
        content = [t for t in doc if t.is_alpha and t.lower_ not in FUNCTION_WORDS]
        if content and all(t.pos_ == "PROPN" for t in content):
            problems.append("is a bare proper noun")
    source = dropped_negation(label, sources)
    if source is not None:
        problems.append(f"drops the negation of {source[:70]!r}")
    return problems


def context_in_themes(result: Mapping, notes: Mapping[str, str], context_lines: Iterable[str]) -> list[str]:
    """Known context lines (verbatim text of a note: 'Present: ...', a date, a heading) that are,
    for the most part, inside a theme's segments."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for theme in result.get("themes", []):
        for seg in theme.get("segments", []):
            spans.setdefault(seg["note"], []).append((seg["start"], seg["end"]))
    out = []
    for line in context_lines:
        # A short line ("n/a", "No") is looked for as a note of its own where one is, else as
        # whole words: not inside "Nobody" or another note's sentence.
        whole = [ref for ref, text in notes.items() if text.strip() == line]
        pattern = re.compile(rf"(?<!\w){re.escape(line)}(?!\w)")
        for ref in whole or list(notes):
            for match in pattern.finditer(notes[ref]):
                covered = sum(max(0, min(b, match.end()) - max(a, match.start()))
                              for a, b in spans.get(ref, ()))
                if covered * 2 > len(line):
                    out.append(f"note {ref!r}: {line[:70]!r}")
    return out


@dataclass
class Report:
    """What breaks publishability in one result, by check."""

    quotes_not_whole: list[str] = field(default_factory=list)
    summaries_not_verbatim: list[str] = field(default_factory=list)
    summary_sentences_not_whole: list[str] = field(default_factory=list)
    context_in_themes: list[str] = field(default_factory=list)
    labels_breaking_rules: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The number of problems of each check."""
        return {name: len(items) for name, items in vars(self).items()}

    def problems(self) -> list[str]:
        """Every problem, prefixed by its check."""
        return [f"{name}: {item}" for name, items in vars(self).items() for item in items]


def note_bounds(notes: Mapping[str, str], nlp=None) -> dict[str, Bounds]:
    """Sentence bounds of every note (parsed with `nlp` when given)."""
    refs = list(notes)
    docs = nlp.pipe(notes[r] for r in refs) if nlp is not None else (None for _ in refs)
    return {ref: sentence_bounds(notes[ref], doc) for ref, doc in zip(refs, docs, strict=True)}


def after_context(bounds: Mapping[str, Bounds], notes: Mapping[str, str], context_lines: Iterable[str],
                  context: Iterable[Mapping]) -> None:
    """Add, in place, a sentence start after every context line of a note and an end before it: a
    heading the importer joined to the paragraph under it ("Digital inclusion Richard said ...")
    is not part of the sentence a reader sees. `context_lines` are texts (hand-marked), `context`
    the result's ContextLines (with offsets)."""
    spans = [(c["note"], c["start"], c["end"]) for c in context if c.get("note") in notes]
    for line in context_lines:
        for ref, text in notes.items():
            spans.extend((ref, m.start(), m.end()) for m in re.finditer(re.escape(line), text))
    for ref, start, end in spans:
        text = notes[ref]
        if ref in bounds:
            bounds[ref].starts.add(trim(text, end, len(text))[0])
            bounds[ref].ends.add(trim(text, 0, start)[1])


def check_result(result: Mapping, notes: Mapping[str, str], nlp=None, context_lines: Iterable[str] = (),
                 headings: Iterable[str] = (), bounds: Mapping[str, Bounds] | None = None) -> Report:
    """Every check over one result; `notes` maps note ref -> text (the notes the run read)."""
    bounds = bounds if bounds is not None else note_bounds(notes, nlp)
    context_lines = list(context_lines)
    after_context(bounds, notes, context_lines, result.get("context", []) or [])
    headings = list(headings) + [c["text"] for c in result.get("context", []) or []
                                 if c.get("kind") in ("heading", "title")]
    not_verbatim, not_whole = summary_problems(result, notes, bounds)
    report = Report(quotes_not_whole=quote_problems(result, notes, bounds),
                    summaries_not_verbatim=not_verbatim, summary_sentences_not_whole=not_whole,
                    context_in_themes=context_in_themes(result, notes, context_lines))
    for theme in result.get("themes", []):
        for problem in label_problems(theme["label"], [s["text"] for s in theme.get("segments", [])],
                                      nlp, headings):
            report.labels_breaking_rules.append(f"{theme['label']!r}: {problem}")
    return report
