"""Merging the organiser's text edits into a draft remade from a new synthesis.

A draft's Markdown is the template's sections: a head (title, participation), one section per
theme ("### N. label" and what follows it), and a tail (charts, questions, how it was made).
Text the organiser wrote belongs to the section it was written in, and a theme's section follows
the theme's identity, not its place: the theme of the new result that holds more than half of
its passages (the rule renames follow, `web/review.py`). So a paragraph written after one theme
stays after that theme when the themes reorder or a new one comes between. Where a theme is gone,
its text is kept after the last theme and reported (`Kept`), never left to read as another
theme's.

Usage: `merge_by_theme(base, mine, theirs, old_themes, new_themes, unassigned)` where the themes
are [[label, segment keys], ...] in the order the texts head them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_HEADING_NUMBER = re.compile(r"^### \d+\. ")


@dataclass
class Kept:
    """Text of the organiser's that could not stay with its theme, and where it went."""

    paragraphs: list[str]
    was: str  # the theme's heading as the draft had it: "4. Rents have gone up by a third"
    why: str  # where the theme's passages are now
    now: str  # where the text sits in the regenerated draft


@dataclass
class Merged:
    """A regenerated draft: its text, the paragraphs both sides changed (the organiser's kept),
    text that followed its theme to a new heading or place, and text kept apart."""

    text: str
    conflicts: int = 0
    followed: list[str] = field(default_factory=list)
    kept_apart: list[Kept] = field(default_factory=list)


def paragraphs(markdown: str) -> list[str]:
    """The Markdown's paragraphs (blocks between blank lines)."""
    return [p for p in re.split(r"\n\s*\n", markdown.strip()) if p.strip()]


def _position(opcodes, i: int, start: bool) -> int:
    """Where the boundary before base paragraph i falls in the other text."""
    for tag, a1, a2, b1, b2 in opcodes:
        if tag == "equal" and a1 <= i <= a2:
            return b1 + (i - a1)
        if a1 <= i < a2 or (a1 == a2 == i):
            return b1 if start else b2
    return opcodes[-1][4] if opcodes else 0


def _found_at(opcodes, base: list[str], other: list[str], i: int) -> int:
    """Where base paragraph i (a section's heading) is in the other text: paragraphs the other
    text added just before it stay with the section before (they follow that section's text).
    Where the heading was rewritten (difflib may take it together with a paragraph added before
    it), the section starts at the rewritten heading: the heading of the replaced run counted alike."""
    for tag, a1, a2, b1, b2 in opcodes:
        if a1 <= i < a2:
            if tag == "equal":
                return b1 + (i - a1)
            before = sum(1 for p in base[a1:i] if p.startswith("#"))
            headings = [k for k in range(b1, b2) if other[k].startswith("#")]
            return headings[before] if len(headings) > before else b1
    return opcodes[-1][4] if opcodes else 0


def _opcodes(a: list[str], b: list[str]):
    return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def merge_paragraphs(b: list[str], m: list[str], t: list[str]) -> tuple[list[str], int]:
    """The organiser's changes (b -> m) applied to t (b -> t), by paragraph; returns (paragraphs,
    how many both changed: the organiser's version is kept)."""
    to_theirs = _opcodes(b, t)
    edits = [op for op in _opcodes(b, m) if op[0] != "equal"]
    out, conflicts = list(t), 0
    for _tag, i1, i2, j1, j2 in reversed(edits):  # from the end, so earlier positions stay valid
        start, end = _position(to_theirs, i1, True), _position(to_theirs, i2, False) if i2 > i1 else None
        if end is None:
            end = start  # a paragraph the organiser added: it goes where it stood
        elif out[start:end] != b[i1:i2]:
            conflicts += 1  # the template changed it too: the organiser's words win
        out[start:end] = m[j1:j2]
    return out, conflicts


def merge3(base: str, mine: str, theirs: str) -> tuple[str, int]:
    """A three-way merge of Markdown by paragraph: the organiser's changed, added or deleted
    paragraphs (base -> mine) applied to the template's new text (base -> theirs); returns (text,
    paragraphs both changed, where the organiser's version is kept).

    difflib (standard library) gives the two diffs: paragraphs are the unit an organiser edits in
    a digest, and a merge library (merge3, diff3) would be another dependency for the same result
    on a text of a few hundred paragraphs.
    """
    out, conflicts = merge_paragraphs(paragraphs(base), paragraphs(mine), paragraphs(theirs))
    return "\n\n".join(out) + "\n", conflicts


def _bounds(paras: list[str], count: int) -> list[int] | None:
    """[head start, each theme's heading, the tail's start, end] of a template text with `count`
    themes, or None where its theme headings are not there in order (then no section is known)."""
    if count == 0:
        return None
    try:
        first = next(i for i, p in enumerate(paras) if p.strip() == "## Themes")
    except StopIteration:
        return None
    starts, want = [], 1
    for i in range(first + 1, len(paras)):
        if want <= count and paras[i].startswith(f"### {want}. "):
            starts.append(i)
            want += 1
    if len(starts) != count:
        return None
    tail = next((i for i in range(starts[-1] + 1, len(paras)) if paras[i].startswith("## ")), len(paras))
    return [0, *starts, tail, len(paras)]


def _sections(paras: list[str], bounds: list[int]) -> list[list[str]]:
    return [paras[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _added(b: list[str], m: list[str]) -> tuple[list[str], set[str]]:
    """The organiser's own paragraphs in a section (added or rewritten) and those taken out."""
    added, removed = [], set()
    for tag, i1, i2, j1, j2 in _opcodes(b, m):
        if tag != "equal":
            added += m[j1:j2]
            removed |= set(b[i1:i2])
    return added, removed


def _follow(keys: list[str], new_themes: list, unassigned: set[str]) -> tuple[int | None, str]:
    """The new theme holding more than half of an old theme's passages still in the notes (as a
    rename follows its theme), or (None, where they are now: numbered as the draft heads them)."""
    wanted = set(keys)
    held = [len(wanted & set(k)) for _, k in new_themes]
    other = len(wanted & unassigned)
    present = sum(held) + other
    best = max(range(len(held)), key=held.__getitem__) if held else None
    if best is not None and held[best] * 2 > present:
        return best, ""
    if not present:
        return None, "its passages are no longer in the notes"
    if other == present:
        return None, f"its {present} passages are now in no theme"
    where = [f"{n} in {i + 1}. \u201c{new_themes[i][0]}\u201d"
             for i, n in sorted(enumerate(held), key=lambda x: -x[1]) if n][:3]
    if other:
        where.append(f"{other} in no theme")
    return None, f"its {present} passages are now spread: {', '.join(where)}"


def _snippet(paras: list[str]) -> str:
    text = " ".join(" ".join(paras).split())
    return text if len(text) <= 80 else text[:77].rstrip() + "\u2026"


def merge_by_theme(base: str, mine: str, theirs: str, old_themes: list, new_themes: list,
                   unassigned: set[str] | frozenset = frozenset()) -> Merged:
    """The organiser's edits (base -> mine) merged into theirs section by section, each theme's
    section following its theme by its passages; a text whose sections cannot be told falls back
    to the merge by position (`merge3`)."""
    b, m, t = paragraphs(base), paragraphs(mine), paragraphs(theirs)
    b_bounds, t_bounds = _bounds(b, len(old_themes)), _bounds(t, len(new_themes))
    if b_bounds is None or t_bounds is None:
        text, conflicts = merge3(base, mine, theirs)
        return Merged(text, conflicts)
    to_mine = _opcodes(b, m)
    m_bounds = [0]
    for i in b_bounds[1:-1]:
        m_bounds.append(max(m_bounds[-1], _found_at(to_mine, b, m, i)))
    m_bounds.append(len(m))
    bs, ms, ts = _sections(b, b_bounds), _sections(m, m_bounds), _sections(t, t_bounds)
    # Sections: 0 the head, 1..n the themes, n + 1 the tail (in each text its own n).
    out = Merged("")
    head, c_head = merge_paragraphs(bs[0], ms[0], ts[0])
    tail, c_tail = merge_paragraphs(bs[-1], ms[-1], ts[-1])
    out.conflicts = c_head + c_tail
    themes = [list(sec) for sec in ts[1:-1]]
    taken: set[int] = set()
    for k, (label, keys) in enumerate(old_themes):
        added, removed = _added(bs[k + 1], ms[k + 1])
        if not added and not removed:
            continue
        j, why = _follow(keys, new_themes, set(unassigned))
        if j is None:
            if added:
                out.kept_apart.append(Kept(added, f"{k + 1}. {label}", why, ""))
            continue
        if j not in taken:  # the first old theme of a new one merges in place
            themes[j], both = merge_paragraphs(bs[k + 1], ms[k + 1], themes[j])
            out.conflicts += both
            taken.add(j)
        else:  # a second old theme the new run joined to it: its text goes at the section's end
            themes[j] = [p for p in themes[j] if p not in removed] + added
        if added and (j != k or new_themes[j][0] != label):
            now = f"{j + 1}. \u201c{new_themes[j][0]}\u201d"
            out.followed.append(f"\u201c{_snippet(added)}\u201d stays with its theme: "
                                f"{k + 1}. \u201c{label}\u201d is now {now}")
        # The organiser's own heading keeps its words and takes the theme's number now.
        if themes[j] and _HEADING_NUMBER.match(themes[j][0]):
            themes[j][0] = _HEADING_NUMBER.sub(f"### {j + 1}. ", themes[j][0], count=1)
    if out.kept_apart:
        last = f"after the last theme, {len(new_themes)}. \u201c{new_themes[-1][0]}\u201d"
        for kept in out.kept_apart:
            kept.now = last
            themes[-1] += kept.paragraphs
    body = head + [p for sec in themes for p in sec] + tail
    out.text = "\n\n".join(body) + "\n"
    return out
