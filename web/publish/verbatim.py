"""Quotes in a digest's Markdown checked against the notes: what the digest calls verbatim is.

The digest says that quoted passages (block quotes, and the sentences after "In the notes' words:")
are verbatim from the notes. An organiser editing the Markdown may change a quote's words; the
page, the Markdown download and the feed would then print words nobody wrote, cited to a note,
while the JSON and CSV kept the real ones. So a draft is checked before it is saved or published:
each quoted passage (each part of one shortened with " ... ") must be found, spaces aside, in an
approved note of the event, as written or as redacted under the Chatham House Rule.

The Markdown is read with markdown-it-py, the parser that renders it, so escapes and entities are
undone exactly as the page shows them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark")
_CITATION = re.compile(r"^\s*[\u2014\u2013-]\s*\S")  # "— *Table 2, note 5*" under a quote
_INLINE = re.compile(r"\u201c([^\u201d]+)\u201d\s*\((?:[^()]*\bnote\b[^()]*)\)")
_WORDS_INTRO = "In the notes' words:"
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\u2026)\s*")


def _plain(text: str) -> str:
    return " ".join(text.split())


def _inline_text(token) -> list[str]:
    """The lines of an inline token as the page shows them (soft breaks split lines)."""
    lines, line = [], []
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            lines.append("".join(line))
            line = []
        elif child.type in ("text", "code_inline"):
            line.append(child.content)
    lines.append("".join(line))
    return lines


def quoted_passages(markdown: str) -> list[str]:
    """Every passage the Markdown presents as verbatim: block quotes (without their citation
    line) and the quoted sentences after "In the notes' words:"."""
    tokens = _PARSER.parse(markdown)
    out: list[str] = []
    depth = 0
    for token in tokens:
        if token.type == "blockquote_open":
            depth += 1
        elif token.type == "blockquote_close":
            depth -= 1
        elif token.type == "inline":
            lines = _inline_text(token)
            if depth:
                body = [line for line in lines if not _CITATION.match(line)]
                if _plain(" ".join(body)):
                    out.append(_plain(" ".join(body)))
            else:
                text = _plain(" ".join(lines))
                if text.startswith(_WORDS_INTRO):
                    out.extend(_plain(m.group(1)) for m in _INLINE.finditer(text))
    return out


def unverified_quotes(markdown: str, notes: Iterable[str],
                      redact: Callable[[str], str] | None = None) -> list[str]:
    """The quoted passages of `markdown` not found in any of the notes' texts (as written, or
    as `redact` makes them), in the order they appear."""
    corpus = _corpus(notes, redact)
    return [passage for passage in quoted_passages(markdown) if not _found(passage, corpus)]


def in_texts(passages: list[str], notes: Iterable[str],
             redact: Callable[[str], str] | None = None) -> list[str]:
    """Those of `passages` (as quoted_passages gives them) found in the notes' texts."""
    corpus = _corpus(notes, redact)
    return [passage for passage in passages if _found(passage, corpus)]


def _corpus(notes: Iterable[str], redact: Callable[[str], str] | None) -> str:
    texts = [_plain(t) for t in notes]
    if redact is not None:
        texts += [_plain(redact(t)) for t in texts]
    return "\n".join(texts)


def _found(passage: str, corpus: str) -> bool:
    parts = [p for p in _ELLIPSIS.split(passage) if p.strip()]
    return all(_plain(p).strip(" \u201c\u201d\"") in corpus for p in parts)


def describe_edited(passages: list[str]) -> str:
    """The refusal for quotes of notes edited in moderation after the synthesis ran."""
    shown = "; ".join(f"\u201c{p[:80]}{'...' if len(p) > 80 else ''}\u201d" for p in passages[:3])
    return (f"A note was edited in moderation after the synthesis ran, and the digest still quotes its "
            f"old words: {shown}. Run the synthesis again so the digest quotes the note as it is now, "
            "regenerate the draft if you edited it (your text edits are kept), then publish.")


def describe(missing: list[str]) -> str:
    """The refusal for a draft whose quotes are not the notes' words."""
    shown = "; ".join(f"\u201c{p[:80]}{'...' if len(p) > 80 else ''}\u201d" for p in missing[:3])
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    count = f"{len(missing)} quoted passage{'s are' if len(missing) != 1 else ' is'}"
    return (f"{count} not in the notes' words: {shown}{more}. The digest says quotes are verbatim: "
            "restore the words as the note has them, or take away the quote marks (the '>' or "
            "the \u201c\u201d after \"In the notes' words:\") to make it your own text.")
