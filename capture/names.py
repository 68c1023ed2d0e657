"""Names as people type or import them (event titles, venues, table names, hosts, authors) made safe
to show: no bidirectional-text controls and no control characters; and note text made safe to
quote: no embedding, override or isolate controls and no control characters but line breaks.

A right-to-left override (U+202E) in a table name makes "Table 1\u202egnp.exe" read backwards
on every page that shows it, including the public digest; a control character breaks the XML of
the table's QR-code SVG and of the Atom feed. Line breaks and tabs become spaces (a name is one
line). Letters of right-to-left scripts are kept: browsers order them without these controls.
"""

from __future__ import annotations

import re
import unicodedata

# Embeddings and overrides (LRE RLE PDF LRO RLO), isolates (LRI RLI FSI PDI), and the marks
# (LRM RLM ALM): invisible, and they reorder what follows them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# In note text the marks stay: a Hebrew or Arabic note may need them to order a number or a
# Latin word, and they move only the neutral characters beside them. Embeddings, overrides
# and isolates go: they reverse whole runs, so a quote on the public digest could read
# differently from what was submitted.
_RUN_CONTROLS = BIDI_CONTROLS - frozenset("\u200e\u200f\u061c")
_SPACES = re.compile(r"\s+")


def _kept(char: str) -> bool:
    if char in BIDI_CONTROLS:
        return False
    # Cc: C0 and C1 controls; Cs: lone surrogates; and the two non-characters XML refuses.
    return unicodedata.category(char) not in ("Cc", "Cs") and char not in "\ufffe\uffff"


def clean_name(text: str | None) -> str | None:
    """The name without bidi controls or control characters, on one line, ends stripped
    (None stays None; a name of nothing but such characters becomes '')."""
    if text is None:
        return None
    text = _SPACES.sub(" ", str(text))
    return "".join(c for c in text if _kept(c)).strip()


def _kept_in_text(char: str) -> bool:
    if char in "\n\r\t":
        return True
    if char in _RUN_CONTROLS:
        return False
    return unicodedata.category(char) not in ("Cc", "Cs") and char not in "\ufffe\uffff"


def clean_text(text: str) -> str:
    """A note's text without bidi embeddings, overrides or isolates and without control
    characters other than line breaks and tabs. The words are kept as they were written:
    quotes stay verbatim of what is stored."""
    if all(_kept_in_text(c) for c in text):
        return text
    return "".join(c for c in text if _kept_in_text(c))
