"""Stage 5: each theme's summary (one or two whole sentences that state it) and 2-4 quotes.

Clustering works on segments, which may be clauses of a long sentence; a reader sees only
whole sentences of one note, verbatim, at their offsets (`Passage.parts`). A quoted segment is
widened to the sentence(s) it lies in (`segment.sentence_spans`: spaCy's sentences, cut at the
lines and list items that start a new point). A sentence of more than LONG_SENTENCE words is
shortened with " ... " where words are left out: its first clause, the quoted clause and its
last clause stay, each part with its own offsets, so it still starts and ends where the
sentence does.

The summary is chosen first: the sentence that best states the theme (central to it, covering
its keywords) and reads as a sentence on its own (a capital, no leading "because" or "and", no
dangling end, not too long); a second one where it is nearly as good, unless that would leave the
theme nothing to quote. The most central segments' sentences are tried first, then the others;
only where no sentence of the theme reads so is the summary empty (the outputs then say so). A
theme of one readable sentence has it as its summary. Quotes are then picked by maximal marginal
relevance over the segments, never repeating a sentence of the summary or of another quote.

Usage:
    found = theme_passages([members, ...], [centre, ...], [weights, ...], texts, spans,
                           sentences, note_texts, vectors, embed, k=4, diversity=0.5, summary_max=2)
    summary, quotes = found[0]  # lists of Passage
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from synthesis.segment import LINE_LABEL

NEAR_DUPLICATE = 0.9  # cosine similarity above which two quotes say the same thing
LONG_SENTENCE = 60  # words above which a quoted sentence is shortened with " ... "
ELLIPSIS = " ... "
SUMMARY_WORDS = (5, 45)  # a summary sentence's length in words, at least and at most
SUMMARY_CANDIDATES = 12  # a theme's most central segments whose sentences may summarise it
SECOND_SENTENCE = 0.08  # a second summary sentence scores within this of the first
# ... and says something near the first (cosine): two unrelated sentences, one from each of two
# notes a theme joined, do not state one theme ("Really useful day." beside "Patients missing
# hospital appointments ...").
SECOND_RELATED = 0.35
# Words a complete sentence essentially never ends on: a segment ending on one, lower-case and with
# no closing punctuation, is a piece of a long sentence cut where it had no better boundary
# ("... saying 'has that been a fair and"). Prepositions and "be" can end a sentence ("who we are
# talking to", "it should be"), so they are not here.
DANGLING = {"a", "an", "the", "and", "or", "but", "nor", "than", "because", "if", "their", "our",
            "my", "your", "its"}
# First words of a sentence that leans on the one before it: it does not state a theme alone.
LEANING = {"because", "and", "but", "so", "or", "nor", "also", "then", "which", "whereas",
           "although", "though", "while", "plus", "as", "therefore", "hence", "thus", "yet"}
# First words that point back to something said before: fine in a quote, weaker as a summary.
POINTING = {"this", "that", "these", "those", "it", "they", "them", "he", "she", "there", "here",
            "such", "yes", "no"}
# First words that need the sentence before to be understood ("They just want one person to
# negotiate with.", "This is seen as a real constraint."): a quote starting so takes that sentence
# with it, where the two are short enough together. ("It" and "There" often point at nothing:
# "It was felt that...", "There is...".)
NEEDS_ANTECEDENT = {"this", "that", "these", "those", "they", "them", "he", "she", "such"}
CLOSING = ".!?;:)]\"'’”“»«…"
_LAST_WORD = re.compile(r"(\w+)\W*$")
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Passage:
    """Whole sentence(s) of one note, verbatim: `text` is `note[start:end]` of each part, joined
    with " ... " where words of a long sentence are left out; `sentences` are the indices of
    the note's sentences it is made of."""

    note: int
    parts: tuple[tuple[int, int], ...]
    sentences: tuple[int, ...]
    text: str


def _words(text: str) -> int:
    return len(_WORDS.findall(text))


def _quotable(text: str) -> float:
    """A small bonus for passages that read as a quote: a few words, not a wall of text, not a
    sentence cut off in the middle (a note's line that stops mid-way)."""
    words = _words(text)
    if words < 4:
        return -0.2
    if words > LONG_SENTENCE or is_cut_short(text):
        return -0.1
    return 0.0


# Words that react to what was said rather than say something: "Agreed.", "Good point, yes.",
# "Same here +1" carry no content of their own, so they are never a theme's quote.
REACTIONS = {"agree", "agreed", "agrees", "agreeing", "disagree", "disagreed", "yes", "yeah", "yep", "no",
             "nope", "ok", "okay", "same", "here", "too", "point", "points", "good", "great", "true",
             "exactly", "indeed", "definitely", "absolutely", "totally", "fair", "thanks", "thank", "ditto",
             "likewise", "seconded", "second", "echo", "echoed", "this", "that", "1", "plus", "nothing",
             "add", "comment", "comments"}
MIN_CONTENT_WORDS = 1


def carries_content(text: str) -> bool:
    """Whether a passage says something of its own: at least MIN_CONTENT_WORDS words that are
    neither stop words nor reactions ("Agreed." was a theme's quote in the second walk-through;
    "No wifi." still is one)."""
    from spacy.lang.en.stop_words import STOP_WORDS  # here: importing spaCy takes a while

    words = [w for w in _WORDS.findall(text.lower()) if w not in STOP_WORDS and w not in REACTIONS]
    return len(words) >= MIN_CONTENT_WORDS


def is_cut_short(text: str) -> bool:
    """Whether a segment stops mid-sentence: no closing punctuation, and its last word is one a
    sentence does not end on (an article, a conjunction, a possessive), in lower case."""
    stripped = text.rstrip()
    if not stripped or stripped[-1] in CLOSING:
        return False
    last = _LAST_WORD.search(stripped[-64:])  # the tail only: a search of the whole is quadratic
    return bool(last) and last.group(1) in DANGLING


def reads_alone(text: str, starts_line: bool = False) -> bool:
    """Whether a sentence reads as a summary on its own: a capital (or a digit) first, not
    leaning on the sentence before ("because ...", "And ..."), no dangling end, 5 to 45 words.
    One that starts a line of its note (`starts_line`: a scribe's bullet, a form's answer) may
    start in lower case: it is not the tail of a sentence, only written so. One opening on a line
    label ("Question raised: ...", "Action: ...") records a question or a task, not the theme's
    point: it may be quoted, never the summary."""
    if LINE_LABEL.match(text.lstrip()):
        return False
    words = _WORDS.findall(text)
    if not SUMMARY_WORDS[0] <= len(words) <= SUMMARY_WORDS[1]:
        return False
    first = next((ch for ch in text if ch.isalnum()), "")
    if not (first.isupper() or first.isdigit() or (starts_line and first.islower())) \
            or words[0].lower() in LEANING:
        return False
    return not is_cut_short(text) and not text.rstrip().endswith((",", "-", "–", "—", "("))


def centrality(indices: Sequence[int], embeddings: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Cosine similarity of each member segment to the theme centre."""
    return embeddings[list(indices)] @ centre


def pick_quotes(indices: Sequence[int], texts: Sequence[str] | Mapping[int, str], embeddings: np.ndarray,
                centre: np.ndarray, k: int, diversity: float,
                bonus: Sequence[float] | None = None) -> list[int]:
    """Up to k segment indices: the most central first, then by MMR, skipping near-duplicates.
    `texts[i]` is what segment i would be quoted as; `bonus[j]` is added to member j's relevance."""
    indices = list(indices)
    if not indices:
        return []
    relevance = centrality(indices, embeddings, centre)
    relevance = relevance + np.array([_quotable(texts[i]) for i in indices])
    if bonus is not None:
        relevance = relevance + np.asarray(bonus, dtype=float)
    chosen: list[int] = []
    seen_text: set[str] = set()
    candidates = list(range(len(indices)))
    while candidates and len(chosen) < k:
        best, best_score = None, -np.inf
        for c in candidates:
            if chosen:
                redundancy = max(float(embeddings[indices[c]] @ embeddings[indices[j]]) for j in chosen)
            else:
                redundancy = 0.0
            score = (1 - diversity) * relevance[c] - diversity * redundancy
            if score > best_score + 1e-12:
                best, best_score = c, score
        candidates.remove(best)
        key = _key(texts[indices[best]])
        too_close = chosen and max(
            float(embeddings[indices[best]] @ embeddings[indices[j]]) for j in chosen) > NEAR_DUPLICATE
        if key in seen_text or too_close:
            continue
        seen_text.add(key)
        chosen.append(best)
    return [indices[c] for c in chosen]


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


class Notes:
    """The notes' sentences and segments, to widen a segment to its whole sentence(s).

    `spans[i]` is segment i's (note index, start, end), in reading order; `sentences[n]` the
    (start, end) of note n's sentences, in order; `note_texts[n]` its text."""

    def __init__(self, spans: Sequence[tuple[int, int, int]], sentences: Sequence[Sequence[tuple[int, int]]],
                 note_texts: Sequence[str]) -> None:
        self.spans, self.note_texts = spans, note_texts
        self.starts = [[a for a, _ in note] for note in sentences]
        self.ends = [[b for _, b in note] for note in sentences]
        self.by_note: dict[int, list[int]] = {}
        for i, (note, _, _) in enumerate(spans):
            self.by_note.setdefault(note, []).append(i)
        self.segment_starts = {note: [spans[i][1] for i in members] for note, members in self.by_note.items()}

    def inside(self, note: int, start: int, end: int) -> list[int]:
        """The segments of `note` that lie within [start, end), in reading order."""
        members, starts = self.by_note[note], self.segment_starts[note]
        window = members[bisect_left(starts, start):bisect_left(starts, end)]
        return [j for j in window if self.spans[j][2] <= end]

    def sentences_of(self, i: int) -> tuple[int, int]:
        """(first, last) index of the sentences segment i overlaps."""
        note, start, end = self.spans[i]
        count = len(self.starts[note])
        first = min(bisect_right(self.ends[note], start), count - 1)
        last = max(first, bisect_left(self.starts[note], end) - 1)
        return first, min(last, count - 1)

    def passage(self, i: int) -> Passage:
        """Segment i widened to its whole sentence(s); shortened with " ... " beyond LONG_SENTENCE."""
        note, _, _ = self.spans[i]
        first, last = self.sentences_of(i)
        start, end = self.starts[note][first], self.ends[note][last]
        text = self.note_texts[note]
        whole = tuple(range(first, last + 1))
        if _words(text[start:end]) <= LONG_SENTENCE:
            return Passage(note, ((start, end),), whole, text[start:end])
        parts = self._shortened(i, start, end)
        return Passage(note, parts, whole, ELLIPSIS.join(text[a:b] for a, b in parts))

    def _shortened(self, i: int, start: int, end: int) -> tuple[tuple[int, int], ...]:
        """The parts of a long sentence [start, end) kept around segment i: its first and last
        segments and segment i, then i's neighbours while the whole stays within LONG_SENTENCE."""
        note = self.spans[i][0]
        inside = self.inside(note, start, end)
        if i not in inside or len(inside) < 2:
            return ((start, end),)
        text = self.note_texts[note]
        size = {j: _words(text[self.spans[j][1]:self.spans[j][2]]) for j in inside}
        kept = {inside[0], i, inside[-1]}
        position = inside.index(i)
        for step in range(1, len(inside)):
            for j in (position - step, position + step):
                if 0 <= j < len(inside) and inside[j] not in kept \
                        and sum(size[x] for x in kept) + size[inside[j]] <= LONG_SENTENCE:
                    kept.add(inside[j])
        parts: list[list[int]] = []
        previous = None
        for j in inside:
            if j not in kept:
                previous = None
                continue
            if previous is None:
                parts.append([self.spans[j][1], self.spans[j][2]])
            else:
                parts[-1][1] = self.spans[j][2]
            previous = j
        parts[0][0], parts[-1][1] = start, end  # the sentence's own first and last characters
        return tuple((a, b) for a, b in parts)

    def with_antecedent(self, passage: Passage, members: set[int] | None = None) -> Passage:
        """The passage with the sentence before it, where it opens on a word that points back
        (NEEDS_ANTECEDENT), that sentence is in the same paragraph and (given `members`) wholly
        in the theme's segments, and the two stay within LONG_SENTENCE words: still whole
        sentences of one note, verbatim at their offsets, and still the theme's own words."""
        first = _WORDS.match(passage.text)
        if len(passage.parts) != 1 or first is None or first.group(0).lower() not in NEEDS_ANTECEDENT \
                or passage.sentences[0] == 0:
            return passage
        before = passage.sentences[0] - 1
        start, end = self.starts[passage.note][before], passage.parts[0][1]
        text = self.note_texts[passage.note]
        if "\n\n" in text[self.ends[passage.note][before]:passage.parts[0][0]] \
                or _words(text[start:end]) > LONG_SENTENCE:
            return passage
        opening = _WORDS.match(text[start:end])
        if opening is None or opening.group(0).lower() in LEANING | NEEDS_ANTECEDENT \
                or not (opening.group(0)[0].isupper() or opening.group(0)[0].isdigit()):
            return passage  # the sentence before leans on another itself: one step back only
        earlier = Passage(passage.note, ((start, self.ends[passage.note][before]),), (before,),
                          text[start:self.ends[passage.note][before]])
        if members is not None and self.share_in(earlier, members) < 1.0:
            return passage  # the sentence before is about another theme: not quoted here
        return Passage(passage.note, ((start, end),), (before, *passage.sentences), text[start:end])

    def starts_line(self, passage: Passage) -> bool:
        """Whether the passage starts its note or a line of it (after a list marker, if any)."""
        before = self.note_texts[passage.note][:passage.parts[0][0]].rstrip(" \t")
        before = re.sub(r"(?:^|\n)\s*(?:[-*+•‣◦▪–]|\d{1,3}[.)])$", "\n", before)
        return not before or before.endswith("\n")

    def share_in(self, passage: Passage, members: set[int]) -> float:
        """The share of the passage's characters that lie in segments of `members`."""
        start, end = passage.parts[0][0], passage.parts[-1][1]
        inside = self.inside(passage.note, start, end)
        total = sum(self.spans[j][2] - self.spans[j][1] for j in inside) or 1
        return sum(self.spans[j][2] - self.spans[j][1] for j in inside if j in members) / total


def _coverage(text: str, weights: dict[str, float]) -> float:
    """The share of the theme's keyword weight a sentence's words carry (top 5 keywords)."""
    top = sorted(weights.items(), key=lambda kv: -kv[1])[:5]
    total = sum(w for _, w in top) or 1.0
    words = {w.lower() for w in _WORDS.findall(text)}
    return sum(w for word, w in top if word in words) / total


def summary_score(passage: Passage, closeness: float, weights: dict[str, float], share: float) -> float:
    """How well a sentence states its theme and reads alone: closeness to the theme's centre,
    keyword coverage, the share of it in the theme, less for pointing back ("This ...") or
    asking, and for length beyond 30 words."""
    words = _words(passage.text)
    first = _WORDS.search(passage.text)
    return (closeness + 0.2 * _coverage(passage.text, weights) + 0.2 * share
            - (0.05 if first and first.group().lower() in POINTING else 0.0)
            - (0.05 if passage.text.rstrip().endswith("?") else 0.0)
            - 0.01 * max(0, words - 30))


def theme_passages(themes: Sequence[Sequence[int]], centres: Sequence[np.ndarray],
                   weights: Sequence[dict[str, float]], texts: Sequence[str],
                   spans: Sequence[tuple[int, int, int]], sentences: Sequence[Sequence[tuple[int, int]]],
                   note_texts: Sequence[str], embeddings: np.ndarray,
                   embed: Callable[[list[str]], np.ndarray], k: int, diversity: float,
                   summary_max: int = 2) -> list[tuple[list[Passage], list[Passage]]]:
    """(summary, quotes) of each theme, as lists of Passage.

    `themes` are the member segments of each theme, `centres` and `weights` (keyword -> weight)
    its centre and keywords, `texts`/`spans`/`embeddings` every segment's text, (note, start,
    end) and vector, `sentences` each note's sentence spans. `embed` turns the summary
    candidates that are not a segment as they stand into unit vectors (one call for all themes).
    """
    notes = Notes(spans, sentences, note_texts)
    vector_of = {text: embeddings[i] for i, text in enumerate(texts)}
    candidates: list[list[Passage]] = []
    for members, centre in zip(themes, centres, strict=True):
        ranked = [members[j] for j in np.argsort(-centrality(members, embeddings, centre), kind="stable")]
        found: dict[tuple, Passage] = {}
        for n, i in enumerate(ranked):
            if n >= SUMMARY_CANDIDATES and found:
                break  # past the most central, only while none of them reads alone
            passage = notes.passage(i)
            if len(passage.parts) == 1 and reads_alone(passage.text, notes.starts_line(passage)):
                found.setdefault((passage.note, passage.sentences), passage)
        candidates.append(list(found.values()))
    wanted = sorted({p.text for found in candidates for p in found if p.text not in vector_of})
    if wanted:
        vector_of.update(zip(wanted, embed(wanted), strict=True))
    out = []
    for members, centre, theme_weights, found in zip(themes, centres, weights, candidates, strict=True):
        summary = _pick_summary(found, centre, theme_weights, set(members), notes, vector_of, summary_max)
        quotes = _pick_quotes(members, centre, notes, embeddings, k, diversity, summary)
        if not quotes and len(summary) > 1:
            # Two sentences were all the theme had: the better one summarises, the other is quoted
            # (a theme whose every readable sentence went to its summary would otherwise have none).
            summary = summary[:1]
            quotes = _pick_quotes(members, centre, notes, embeddings, k, diversity, summary)
        # A theme of one readable sentence keeps it as its summary, with no quote repeating it.
        out.append((sorted(summary, key=lambda p: (p.note, p.parts[0][0])), quotes))
    return out


def _pick_summary(found: list[Passage], centre: np.ndarray, weights: dict[str, float], members: set[int],
                  notes: Notes, vector_of: dict, most: int) -> list[Passage]:
    scores = [summary_score(p, float(vector_of[p.text] @ centre), weights, notes.share_in(p, members))
              for p in found]
    scored = sorted(zip(scores, range(len(found)), strict=True), key=lambda pair: (-pair[0], pair[1]))
    chosen: list[Passage] = []
    for score, n in scored:
        passage = found[n]
        if len(chosen) >= most:
            break
        similarity = float(vector_of[passage.text] @ vector_of[chosen[0].text]) if chosen else 0.0
        if chosen and (score < scored[0][0] - SECOND_SENTENCE
                       or _words(chosen[0].text) + _words(passage.text) > SUMMARY_WORDS[1] + 15
                       or similarity > NEAR_DUPLICATE or similarity < SECOND_RELATED):
            break
        chosen.append(passage)
    return chosen  # best first (the caller puts them in reading order)


def _pick_quotes(members: Sequence[int], centre: np.ndarray, notes: Notes, embeddings: np.ndarray,
                 k: int, diversity: float, summary: list[Passage]) -> list[Passage]:
    """Up to k quotes, none sharing a sentence with another quote or with the summary."""
    members = list(members)
    passages = {i: notes.passage(i) for i in members}
    shown = {i: passages[i].text for i in members}
    theme = set(members)
    # A sentence mostly about another theme is a weaker quote of this one.
    bonus = [0.2 * (notes.share_in(passages[i], theme) - 1.0) for i in members]
    used = {(p.note, s) for p in summary for s in p.sentences}
    seen = {_key(p.text) for p in summary}
    quotes: list[Passage] = []
    picks = pick_quotes(members, shown, embeddings, centre, 3 * k + len(summary), diversity, bonus)
    for i in picks:
        passage = passages[i]
        if any((passage.note, s) in used for s in passage.sentences) or _key(passage.text) in seen \
                or not carries_content(passage.text):
            continue
        widened = notes.with_antecedent(passage, theme)
        if not any((widened.note, s) in used for s in widened.sentences):
            passage = widened
        used.update((passage.note, s) for s in passage.sentences)
        seen.add(_key(passage.text))
        quotes.append(passage)
        # Counted once neighbours are joined: two neighbouring sentences are one quote, and the
        # theme still gets its 2 to 4 where it has them.
        if len(_joined_neighbours(quotes, notes)) == k:
            break
    # A theme of many voices making one claim in near the same words ("assisted suicide should not
    # be a criminal offense because ...") still shows two of them: near-duplicates are skipped
    # above, but 2 to 4 quotes where the theme has them is the contract.
    for i in sorted(members, key=lambda m: -float(embeddings[m] @ centre)):
        if len(_joined_neighbours(quotes, notes)) >= min(2, k):
            break
        passage = passages[i]
        if any((passage.note, s) in used for s in passage.sentences) or _key(passage.text) in seen \
                or not carries_content(passage.text):
            continue
        used.update((passage.note, s) for s in passage.sentences)
        seen.add(_key(passage.text))
        quotes.append(passage)
    return _joined_neighbours(quotes, notes)


def _joined_neighbours(quotes: list[Passage], notes: Notes) -> list[Passage]:
    """Quotes of one note that are next to each other (nothing but space between) as one passage:
    "Getting a bank account!" and "Three months and still waiting" are one answer, not two quotes."""
    out: list[Passage] = []
    for quote in quotes:
        text = notes.note_texts[quote.note]
        for n, other in enumerate(out):
            first, second = sorted((other, quote), key=lambda p: p.parts[0][0])
            if other.note != quote.note or len(first.parts) + len(second.parts) > 2 \
                    or text[first.parts[-1][1]:second.parts[0][0]].strip() \
                    or _words(first.text) + _words(second.text) > LONG_SENTENCE:
                continue
            start, end = first.parts[0][0], second.parts[-1][1]
            out[n] = Passage(quote.note, ((start, end),), first.sentences + second.sentences, text[start:end])
            break
        else:
            out.append(quote)
    return out
