"""Synthesis settings that document themselves: (name, default, help), as datasette does.

`resolve(overrides)` returns the full dict a run uses (stored with the run, so a result can
always be traced to the settings that made it). Unknown names are an error, not a silent no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from capture.errors import ValidationError


@dataclass(frozen=True)
class Setting:
    """One tunable: its name, default value and a sentence saying what it does."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("min_segment_words", 4,
            "Sentences shorter than this many words join their neighbour in the same note."),
    Setting("max_segment_chars", 200,
            "Sentences longer than this are split at clause boundaries (; : dashes, conjunctions)."),
    Setting("small_event_segments", 400,
            "Up to this many segments, cluster without dimension reduction (spectral clustering, "
            "the number of themes chosen by silhouette); above it, BERTopic with UMAP + HDBSCAN."),
    Setting("theme_granularity", 1.2,
            "Small events: at most this times the square root of the number of segments as themes."),
    Setting("common_word_share", 0.3,
            "Words found in more than this share of the notes (the event's own subject) are left "
            "out when comparing segments, so themes split on what differs (1 = keep every word)."),
    Setting("lexical_weight", 0.4,
            "Small events: how much sharing uncommon words counts against embedding similarity (0-1)."),
    Setting("neighbours", 10, "Small events: each segment's nearest neighbours in the clustering graph."),
    Setting("context_weight", 1.0,
            "How much a sentence's neighbours in the same note count when clustering it (0 = none)."),
    Setting("context_window", 2, "Neighbouring segments on each side that give a sentence its context."),
    Setting("min_themes", 3, "Fewest themes for a small event (when it has enough segments)."),
    Setting("max_themes", 30, "Most themes for a small event."),
    Setting("min_theme_size", 2,
            "A cluster smaller than this is dissolved; its segments are reassigned or left unassigned."),
    Setting("reassign_threshold", 0.3,
            "Cosine similarity to a theme's centre above which a leftover segment joins that theme."),
    Setting("seed_threshold", 0.4,
            "Match (cosine similarity plus word bonus) between a segment and a named (seeded) theme "
            "needed to assign the segment there."),
    Setting("seed_word_bonus", 0.15,
            "Added to a segment's match with a named theme, times the share of the name's words it uses."),
    Setting("seed_min_support", 1,
            "A named theme with fewer matching segments than this (or 0.5% of the event's segments, "
            "when more) is not produced."),
    Setting("max_quotes", 4, "Most verbatim quotes shown per theme (2 to 4 where the theme has them)."),
    Setting("quote_diversity", 0.5,
            "Maximal-marginal-relevance weight: 0 picks the most central quotes, 1 the most varied."),
    Setting("summary_sentences", 2, "Sentences in each theme's extractive summary."),
    Setting("keywords", 6, "Keywords listed per theme."),
    Setting("random_state", 42, "Seed for UMAP so the same input gives the same themes."),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}


def resolve(overrides: dict | None = None) -> dict:
    """The defaults with `overrides` applied; raises ValidationError naming an unknown setting."""
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(DEFAULTS))
    if unknown:
        names = ", ".join(sorted(DEFAULTS))
        raise ValidationError(f"Unknown synthesis setting(s): {', '.join(unknown)}. Known: {names}.")
    resolved = dict(DEFAULTS)
    for name, value in overrides.items():
        default = DEFAULTS[name]
        try:
            resolved[name] = type(default)(value)
        except (TypeError, ValueError):
            raise ValidationError(
                f"Synthesis setting {name} must be a {type(default).__name__}, got {value!r}."
            ) from None
    return resolved
