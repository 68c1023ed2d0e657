"""The theme-quality metrics of shared/eval/README.md, on plain data.

A clustering is a mapping text id -> produced theme id, with UNASSIGNED for leftovers (BERTopic's
topic -1, Harvest's "unassigned"). UNASSIGNED counts as one more cluster for ARI and NMI, and is
never a theme for recall or the theme count.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

UNASSIGNED = "__unassigned__"
MIN_GOLD_SIZE = 3        # gold themes with fewer texts are not counted in recall
MIN_PURITY = 0.5         # share of a produced theme's texts that must come from the gold theme
MIN_JACCARD = 0.3


@dataclass
class GroupScore:
    """The scores of one clustering of one group."""

    ari: float
    nmi: float
    recall: float
    unassigned: float
    themes: int
    scored: int
    recall_strict: float  # recall with unscored texts counted against a produced theme's purity
    gold_themes: int      # gold themes with MIN_GOLD_SIZE or more texts


# --- from a Harvest result (JSON contract of docs/result.md) to one theme per text ------------------------

def text_themes(result: Mapping, refs: Sequence[str]) -> dict[str, str]:
    """Each note's produced theme: the theme holding most of its segments (else UNASSIGNED).

    Ties go to the theme listed first, then to UNASSIGNED, so the choice is deterministic. A note
    with no segment at all (which the contract forbids) counts as unassigned.
    """
    counts: dict[str, Counter] = defaultdict(Counter)
    order: dict[str, int] = {}
    for rank, theme in enumerate(result.get("themes", [])):
        theme_id = str(theme["id"])
        order[theme_id] = rank
        for seg in theme.get("segments", []):
            counts[str(seg["note"])][theme_id] += 1
    order[UNASSIGNED] = len(order)
    for seg in result.get("unassigned", []):
        counts[str(seg["note"])][UNASSIGNED] += 1
    chosen = {}
    for ref in refs:
        tally = counts.get(str(ref))
        if not tally:
            chosen[str(ref)] = UNASSIGNED
            continue
        chosen[str(ref)] = min(tally, key=lambda t: (-tally[t], order[t]))
    return chosen


def topics_to_themes(ids: Sequence[str], topics: Sequence[int]) -> dict[str, str]:
    """BERTopic's topics as a text -> theme mapping: topic -1 (outliers) becomes UNASSIGNED."""
    pairs = zip(ids, topics, strict=True)
    return {str(i): (UNASSIGNED if int(t) == -1 else f"topic-{int(t)}") for i, t in pairs}


# --- ArgKP -----------------------------------------------------------------------------------------

def theme_recall(gold: Mapping[str, str], produced: Mapping[str, str],
                 strict: bool = False) -> tuple[float, int]:
    """(share of gold themes with >= 3 texts that are recovered, number of such gold themes).

    Recovered: some produced theme (not UNASSIGNED) has at least half of its texts from the gold
    theme and a Jaccard overlap of at least 0.3 with it. By default both are counted over the
    scored texts (those with a gold theme), the only ones whose gold theme is known; `strict`
    counts a produced theme's unscored texts too, as texts not from the gold theme.
    """
    gold_sets: dict[str, set[str]] = defaultdict(set)
    produced_sets: dict[str, set[str]] = defaultdict(set)
    for text, g in gold.items():
        gold_sets[g].add(text)
    for text, p in produced.items():
        if p != UNASSIGNED and (strict or text in gold):
            produced_sets[p].add(text)
    eligible = {g: s for g, s in gold_sets.items() if len(s) >= MIN_GOLD_SIZE}
    if not eligible:
        return 0.0, 0
    recovered = 0
    for g_set in eligible.values():
        for p_set in produced_sets.values():
            inter = len(g_set & p_set)
            if inter and inter / len(p_set) >= MIN_PURITY and inter / len(g_set | p_set) >= MIN_JACCARD:
                recovered += 1
                break
    return recovered / len(eligible), len(eligible)


def score_group(gold: Mapping[str, str], produced: Mapping[str, str]) -> GroupScore:
    """ARI, NMI and recall over the scored texts; unassigned share and theme count over all texts.

    `gold` maps each scored text to its gold theme; `produced` maps every text of the group (scored
    or not) to its produced theme or UNASSIGNED.
    """
    scored = [t for t in gold]
    g_labels = [gold[t] for t in scored]
    p_labels = [produced.get(t, UNASSIGNED) for t in scored]
    ari = float(adjusted_rand_score(g_labels, p_labels)) if scored else 0.0
    nmi = float(normalized_mutual_info_score(g_labels, p_labels)) if scored else 0.0
    recall, eligible = theme_recall(gold, produced)
    total = len(produced)
    unassigned = sum(1 for p in produced.values() if p == UNASSIGNED) / total if total else 0.0
    themes = len({p for p in produced.values() if p != UNASSIGNED})
    return GroupScore(ari=ari, nmi=nmi, recall=recall, unassigned=unassigned, themes=themes,
                      scored=len(scored), recall_strict=theme_recall(gold, produced, strict=True)[0],
                      gold_themes=eligible)


def average(scores: Sequence[GroupScore]) -> dict[str, float]:
    """The plain mean of each metric over groups (every group weighs the same)."""
    if not scores:
        return {}
    keys = ("ari", "nmi", "recall", "recall_strict", "unassigned", "themes")
    return {k: sum(getattr(s, k) for s in scores) / len(scores) for k in keys}


# --- SEEE: quotes to the segments that contain them ------------------------------------------------

def _normalise(text: str) -> tuple[str, list[int]]:
    """Lower-case text with every whitespace run (non-breaking spaces too) as one space, and for
    each character of it the offset of its source character: importers may normalise whitespace,
    so quotes are matched on this form and mapped back to note offsets."""
    out: list[str] = []
    index: list[int] = []
    for match in re.finditer(r"\s+|\S", text):
        out.append(" " if match.group().isspace() else match.group().lower())
        index.append(match.start())
    return "".join(out), index


def quote_themes(result: Mapping, quotes: Sequence[str],
                 notes: Mapping[str, str] | None = None) -> list[str | None]:
    """The produced theme of each quote: the theme (or UNASSIGNED) of the segment containing it.

    With the notes' texts (ref -> text) a quote is located in its note and given to the segment
    that overlaps it most, so a quote that crosses a segment boundary still counts; without them,
    a segment whose text contains the quote is used. None when the quote is found nowhere.
    """
    segments = []  # (note ref, start, end, normalised text, theme)
    for theme in result.get("themes", []):
        for seg in theme.get("segments", []):
            segments.append((str(seg["note"]), seg["start"], seg["end"], _normalise(seg["text"])[0],
                             str(theme["id"])))
    for seg in result.get("unassigned", []):
        segments.append((str(seg["note"]), seg["start"], seg["end"], _normalise(seg["text"])[0],
                         UNASSIGNED))
    normal_notes = {ref: _normalise(text) for ref, text in (notes or {}).items()}

    found: list[str | None] = []
    for quote in quotes:
        q = _normalise(quote)[0].strip()
        theme = _by_overlap(q, normal_notes, segments) if normal_notes else None
        if theme is None:
            theme = next((s[4] for s in segments if q in s[3]), None)
        found.append(theme)
    return found


def _by_overlap(q: str, normal_notes: Mapping[str, tuple[str, list[int]]], segments: list) -> str | None:
    for ref, (norm, index) in normal_notes.items():
        pos = norm.find(q)
        if pos < 0:
            continue
        start, end = index[pos], index[pos + len(q) - 1] + 1
        best, best_overlap = None, 0
        for seg_ref, s_start, s_end, _text, theme in segments:
            overlap = min(end, s_end) - max(start, s_start)
            if seg_ref == ref and overlap > best_overlap:
                best, best_overlap = theme, overlap
        if best is not None:
            return best
    return None


@dataclass
class SeeeScore:
    """How many annotated themes were recovered, the ARI over quotes, and per-theme detail."""

    recovered: int
    total: int
    ari: float
    missing_quotes: int
    detail: dict[str, str | None]   # gold theme id -> the produced theme that recovers it, or None


def score_seee(gold_quotes: Mapping[str, Sequence[str]],
               quote_theme: Mapping[str, Sequence[str | None]]) -> SeeeScore:
    """Score the SEEE annotation: gold theme id -> its quotes, and the produced theme of each quote.

    A gold theme is recovered when one produced theme (not unassigned) holds at least half of its
    quotes, and at least half of the gold quotes in that produced theme are that gold theme's.
    Quotes found nowhere count as unassigned.
    """
    pairs = []  # (gold, produced)
    for g, produced in quote_theme.items():
        pairs += [(g, p if p is not None else UNASSIGNED) for p in produced]
    in_produced = Counter(p for _g, p in pairs)
    detail: dict[str, str | None] = {}
    for g in gold_quotes:
        mine = Counter(p for gg, p in pairs if gg == g and p != UNASSIGNED)
        n_quotes = sum(1 for gg, _p in pairs if gg == g)
        detail[g] = None
        for p, n in sorted(mine.items(), key=lambda kv: (-kv[1], kv[0])):
            if n * 2 >= n_quotes and n * 2 >= in_produced[p]:
                detail[g] = p
                break
    ari = float(adjusted_rand_score([g for g, _ in pairs], [p for _, p in pairs])) if pairs else 0.0
    missing = sum(1 for produced in quote_theme.values() for p in produced if p is None)
    return SeeeScore(recovered=sum(1 for v in detail.values() if v is not None), total=len(gold_quotes),
                     ari=ari, missing_quotes=missing, detail=detail)
