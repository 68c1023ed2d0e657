"""Which segments may share a theme at all (stage 3's first step), so a theme never mixes kinds
an editor keeps apart:

- a form's answers to different questions, imported one question at a time as tables ("Biggest
  challenge", "What the network should do more of"): a challenge and an ask of the network are
  different things even where they share their words ("Core funding." and "Funding fairs");
  tables named as round tables ("Table 2", "Group C", "Breakout room 1") discuss one subject and
  do share themes;
- comments about the event itself (its lunch, venue, timing, format, "Great event", "Please
  share the attendee list") and points about the subject the event discussed;
- in a scribe's write-up under two or more headings, the points of different sections (a
  heading's, or a table's fed back after it): "TEMPORARY ACCOMMODATION" and Table 2's young
  people sleeping on sofas are two things the room discussed apart.

The event is clustered as a whole (synthesis/cluster.py), then a theme holding segments of two
strata is split into one theme per stratum (`split_mixed`); an event with one stratum, as most
minutes are, keeps its themes exactly.

Usage:
    groups = strata.strata(texts, tables)  # one stratum number per segment
    labels = strata.split_mixed(labels, groups, vectors)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from synthesis.cluster import UNASSIGNED, centroids, renumber

# A round table's name: "Table 2", "Group C", "Breakout room 1", "Red table", "A", "12".
ROUND_TABLE = re.compile(r"^(?:(?:table|group|breakout(?:\s+room)?|room|zone|station|pod)\b.*|[\w-]{1,3}|"
                         r".*\btable)$", re.IGNORECASE)
_OCCASION = r"(?:event|day|session|sessions|morning|afternoon|workshop|conference|meeting|forum|talks?)"
_VERDICT = (r"(?:great|good|useful|excellent|brilliant|fantastic|lovely|interesting|informative|enjoyable|"
            r"helpful|worthwhile|inspiring|boring|poor|rushed|too long|too short|well (?:run|organi[sz]ed|"
            r"chaired|attended|facilitated))")
# What a comment about the event itself talks of: how it went, what it served and where, how it
# ran, what was promised after it. Words that also name a subject are tied to the event: a
# "lunch club" or a "coffee morning" is a service, "organisations" are not organisers.
ABOUT_EVENT = re.compile(
    rf"\b{_VERDICT}\b[^.!?\n]{{0,25}}\b{_OCCASION}\b|\b{_OCCASION}\b[^.!?\n]{{0,50}}\b(?:was|were|is)\s+"
    rf"(?:really\s+|very\s+|so\s+)?{_VERDICT}\b|"
    r"^\W*(?:thanks|thank you|cheers)\b|"
    r"\b(?:lunch(?!\s+clubs?)|catering|refreshments|sandwiches|buffet|coffee(?!\s+mornings?)|"
    r"venue|parking|car park|the lift|lifts? (?:was|were) out|mic|microphone|acoustics|wi-?fi|toilets|"
    r"seating|projector|powerpoint|air con(?:ditioning)?|"
    r"(?:room|hall|it) (?:was|is|got) (?:far |too |very |really |so )+"
    r"(?:hot|cold|noisy|crowded|stuffy|cramped)|name badges|"
    r"sign-?in sheet|attendee list|delegate list|attendance list|slides|handouts|"
    r"(?:was|were|well) chaired|the chair\b|organi[sz](?:ing|ers?|ed it)\b|for organi[sz]ing|"
    r"breakout rooms?|table discussions?|presentations|speakers?|q&a|networking|"
    r"start(?:ed|ing)? (?:late|later|earlier|on time)|finish(?:ed)? (?:late|early)|kept to time|"
    r"ran (?:over|late)|over-?ran|next time)\b",
    re.IGNORECASE)
# Fewest segments that make a stratum of event comments (one such comment stays with the rest).
FEWEST = 2


# A question's name however short: "Q1", "Question 2", or its wording with its question mark.
QUESTION = re.compile(r"^(?:q|question)\s*\d{1,2}\b|\?$", re.IGNORECASE)


def question_tables(tables: Sequence[str | None]) -> bool:
    """Whether the event's tables are a form's questions, imported one at a time: two or more
    tables, none named as a round table ("Table 2", "Group C") unless as a question ("Q1")."""
    names = {t.strip() for t in tables if t and t.strip()}
    return len(names) >= 2 and not any(ROUND_TABLE.match(name) and not QUESTION.search(name)
                                       for name in names)


def about_event(text: str) -> bool:
    """Whether a comment is about the event itself (its lunch, venue, timing, format, thanks, a
    verdict on the day) rather than the subject it discussed."""
    return ABOUT_EVENT.search(text) is not None


def strata(texts: Sequence[str], tables: Sequence[str | None],
           eligible: Sequence[bool] | None = None, sections: Sequence[str | None] | None = None) -> list[int]:
    """A stratum number per segment: segments of different strata never share a theme. By the
    question they answer where the tables are questions (`question_tables`), else apart from the
    rest where at least FEWEST eligible segments are about the event itself (`about_event`); and
    by section (`sections`: the heading over each segment, None where none is, as
    synthesis/context.py finds them) where the eligible segments stand under two headings or more."""
    eligible = list(eligible) if eligible is not None else [True] * len(texts)
    by_question = question_tables(tables)
    # A survey's answers are not about an event ("More networking events in Wisbech" is an ask).
    event = [about_event(t) and ok and not by_question for t, ok in zip(texts, eligible, strict=True)]
    if sum(event) < FEWEST or sum(event) == sum(eligible):
        event = [False] * len(texts)
    headed = {h for h, ok in zip(sections or [], eligible, strict=False) if h and ok}
    parts = list(sections) if sections is not None and len(headed) >= 2 else [None] * len(texts)
    keys = [("event" if e else "subject", table if by_question else None, part)
            for e, table, part in zip(event, tables, parts, strict=True)]
    numbers: dict[tuple, int] = {}
    return [numbers.setdefault(key, len(numbers)) for key in keys]


def split_mixed(labels: np.ndarray, groups: Sequence[int], vectors: np.ndarray,
                note_index: Sequence[int] | None = None) -> np.ndarray:
    """Labels where every theme holding segments of two or more strata is split, one theme per
    stratum. A piece of one note's segments (`note_index`; by default each segment its own note)
    joins the theme (or lone piece) of its stratum whose centre is nearest (a one-note theme of a large event
    would be folded away unassigned: "Core funding." is a challenge worth its place among the
    others), where its stratum has another theme; else it stands alone. Renumbered by size;
    unchanged where no theme is mixed."""
    groups = np.asarray(groups)
    both = list(zip(labels.tolist(), groups.tolist(), strict=True))
    pairs = sorted({(int(label), int(group)) for label, group in both if label != UNASSIGNED})
    if len(pairs) == len({label for label, _ in pairs}):
        return labels
    numbers = {pair: k for k, pair in enumerate(pairs)}
    out = np.array([numbers.get((int(label), int(group)), UNASSIGNED) for label, group in both], dtype=int)
    mixed = {label for label, _ in pairs if sum(1 for other, _ in pairs if other == label) > 1}
    notes = np.asarray(note_index) if note_index is not None else np.arange(len(labels))
    alone = [k for (label, _), k in numbers.items()
             if label in mixed and len(set(notes[out == k].tolist())) == 1]
    centres = centroids(vectors, out)
    for k in alone:
        members = np.flatnonzero(out == k)
        # Another lone piece of its stratum will do: two actions of one list are a theme.
        options = [(float(centres[other] @ centres[k]), other) for other in centres if other != k
                   and (out == other).any() and groups[np.flatnonzero(out == other)[0]] == groups[members[0]]]
        if options:
            out[members] = max(options)[1]
    return renumber(out)
