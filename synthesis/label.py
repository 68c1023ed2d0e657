"""Stage 4: a label a person could have written, and keywords, for each theme.

Keywords come from class-based TF-IDF (BERTopic's c-TF-IDF: words frequent in this theme and
rare in the others). The label is built from the theme's own segments: a run of their words (a
short clause, "Public sector contracts are getting bigger"; a noun phrase with its prepositional
phrases, "Lack of going out to the market"; a whole short segment), or a whole clause compressed
as an editor would, by leaving out whole adjuncts, demonstratives and intensifiers ("These larger
contracts by their very nature do need more partnership and consortia working" gives "Larger
contracts do need more partnership and consortia working"), never by cutting it short; each is
trimmed of leading fillers ("I think", "There is", "The group felt that", "a lot of the"). Nothing
comes from a condition that only sets the scene ("If you are operating in health and social
care, ..."), and a compression keeps every word that limits or hedges its clause.
Candidates are scored by how central they are to the theme (embedding similarity to its centre),
how distinct from the other themes, how well they cover the theme's keywords, and a length prior
(3 to 8 words), less a small penalty for a compressed clause (a run of the notes' words wins
near-ties) and a large one for a probable typo of the notes (synthesis/typos.py: "Commissinoers
are focusing on the end point" gives way to any clean candidate of 3 words or more). Capitalised,
no trailing punctuation, unique within the event; every word the notes' own, in their order.

A candidate keeps the rules of a headline (issue 12, point 3; `breaks_rules`): 1 to 9 words, never
a date, a redaction placeholder, a bare proper noun or a phrase ending on a function word, never
cut short ("businesses to compete [against]"), and never without a word that limits or reverses
it in its source ("rules limit how much the council can talk to providers" gives no "Council can
talk to providers"; "lack of going out to the market" no "Going out to the market").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from synthesis import publishable, typos

PREPOSITIONS = {"of", "for", "between", "with", "in", "on", "around", "to", "from", "about",
                "against", "across", "within", "among", "through", "without", "into", "over", "by"}
GENERIC = {"thing", "things", "people", "way", "ways", "lot", "lots", "group", "table", "point",
           "issue", "issues", "time", "something", "anything", "everything", "kind", "sort",
           "part", "fact", "one", "ones", "bit", "idea", "question", "case", "example"}
# Single words a label never starts with (articles, conjunctions, discourse markers, hedges);
# Determiners and adverbs go too ("Already established set", "Genuinely quasi market"), except
# negations: "No management costs" says the opposite of "Management costs".
LEADING_WORDS = {"a", "an", "the", "this", "these", "those", "that", "all", "some", "any", "so",
                 "and", "but", "or", "also", "actually", "certainly", "just", "really", "then",
                 "well", "maybe", "perhaps", "basically", "obviously", "clearly", "however",
                 "therefore", "thus", "because", "if", "when", "whether", "even", "which", "who",
                 "yes", "ok", "okay", "anyway", "indeed", "again", "now", "generally", "still",
                 "such", "as", "like", "there", "here", "our", "their", "its", "his", "her", "my",
                 "your", "other", "another", "both", "each", "every", "certain"}
NEGATIONS = {"no", "not", "never", "nobody", "nothing", "none", "neither", "nor"}
LEADING_POS = {"PUNCT", "CCONJ", "SCONJ", "INTJ", "SPACE"}
# Openings that carry no content: whoever said it, "there is", quantifiers ("a lot of the").
OPENERS = tuple(tuple(o.split()) for o in (
    "there is", "there are", "there was", "there were", "there 's", "there seems to be",
    "there seem to be", "it is", "it was", "it 's", "it seems", "it was felt by the group",
    "it was felt", "it is felt", "it was agreed", "it was noted", "i think", "i believe", "i feel",
    "i guess", "we think", "we feel", "we felt", "we believe", "the group felt", "the group thought",
    "the group agreed", "the group questioned", "the table felt", "people felt", "in my opinion",
    "in terms of", "a lot of", "lots of", "one of", "some of", "many of", "most of", "all of",
    "a number of", "a couple of", "plenty of", "a bit of", "kind of", "sort of", "the fact that",
    "the idea that", "feeling that", "a feeling that", "a sense that", "the point that",
    "the key issue", "the issue of", "the question of", "the use of"))
TRAILING_POS = {"PUNCT", "ADP", "CCONJ", "DET", "PART", "SCONJ", "SPACE", "AUX"}
SUBJECTS = {"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"}
# A verb's right-hand dependents that belong in a short clause, in the order they may follow it.
COMPLEMENTS = {"dobj", "attr", "acomp", "oprd", "prt", "xcomp", "dative", "agent", "prep", "neg",
               "ccomp", "npadvmod", "advmod"}
# Dependents without which a word is incomplete: a phrase that leaves one out is cut short.
ARGUMENTS = {"dobj", "attr", "acomp", "oprd", "xcomp", "ccomp", "pobj", "dative", "prt", "pcomp"}
PRONOUNS = {"i", "we", "you", "they", "he", "she", "it", "this", "that", "these", "those", "which",
            "who", "one", "me", "us", "them", "what", "there"}
PERSONAL = {"i", "we", "you", "they", "he", "she", "it", "me", "us", "them", "him"}
ALLOWED_PUNCT = {"-", "/", "'", "’", "&", "'s", "’s"}
MAX_LABEL_WORDS = 9  # a headline of 3 to 9 words
# What a compression may leave out (`_optional`): adjuncts, demonstratives, vague intensifiers.
ADJUNCTS = {"advmod", "npadvmod", "advcl", "relcl", "acl", "appos", "parataxis", "intj", "meta"}
DEMONSTRATIVES = {"this", "that", "these", "those"}
# Not "just", "only", "normally": "they just want one person" limits what they want.
VAGUE = {"very", "whole", "really", "actually", "certainly", "basically", "obviously", "clearly", "indeed",
         "quite", "simply"}
# Words that say how often, how surely or how long: "Homeschooling is sometimes required" is not
# "is required", "guns will still exist" not "guns will exist".
HEDGES = {"sometimes", "often", "usually", "always", "mostly", "partly", "largely", "generally", "normally",
          "occasionally", "seldom", "almost", "nearly", "mainly", "probably", "possibly", "perhaps", "maybe",
          "just", "still", "even", "already", "yet", "ever", "again"}
FINITE = {"VBZ", "VBP", "VBD", "MD"}  # tags of a finite verb
WH = {"WDT", "WP", "WP$", "WRB"}  # tags of question words
QUANTIFIERS = {"all", "any", "each", "every", "both", "some"}  # never the last word ("drivers are all")
# Dependents that only modify the word after them: a phrase never ends on one.
MODIFIERS = {"amod", "compound", "det", "nummod", "poss", "nmod", "advmod", "quantmod"}
# Subordinators of a clause that sets the scene rather than makes the point (`_in_condition`).
CONDITIONS = {"if", "when", "whenever", "unless", "once", "while", "whilst"}
OPTIONAL_LIMIT = 10  # optional subtrees tried per clause (2^10 subsets at most)
COMPRESSIONS = 2  # compressed versions kept per clause
# What redaction puts in place of a name (web/publish/redact.py): never a label.
PARTICIPANT = re.compile(r"\b(?:a|another|the other) participant\b", re.IGNORECASE)
SHORTLIST = 8  # candidates embedded per theme (16 or 24 changed no label on argkp-dev)
# Weights of the label score (tuned on argkp-dev, checked on argkp-train and SEEE).
DISTINCT = 1.0
MARGIN = 0.0
COVER = 0.2
FREQUENT = 0.05
SHORT = 0.5  # less for a 2-word label, twice that for one word: a headline has 3 to 9 words
LONG = 0.05  # less per word beyond 8
COMPRESSED = 0.02  # less for a compressed clause (words left out) than for a run of the notes' words
# Less for a phrase with a probable typo ("commissinoers"): an editor would have to fix it, so any
# clean candidate of 3 words or more goes first (a 2-word one costs SHORT = 0.5).
TYPO = 0.4
_WORD = re.compile(r"(?u)\b\w[\w'-]*\w\b|\b\w\b")


def _tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def has_word_in(text: str, words: set[str] | frozenset[str]) -> bool:
    """Whether `text` holds one of `words` (lower-case), also as part of a hyphenated or
    apostrophised word ("commissinoers-led")."""
    return any(part in words for token in _tokens(text) for part in re.split(r"[-'’]", token))


def keyword_words(text: str, leave_out: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The words of `text` that may be keywords: lower-case, three letters or more, not a stop
    word (spaCy's English list) or a number, none of `leave_out` (the event's probable typos)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return [w for w in _tokens(text) if w not in STOP_WORDS and len(w) > 2 and not w.isdigit()
            and not (leave_out and has_word_in(w, leave_out))]


def keywords(texts: Sequence[str], labels: np.ndarray, top_n: int,
             leave_out: set[str] | frozenset[str] = frozenset()) -> dict[int, list[tuple[str, float]]]:
    """c-TF-IDF keywords with weights for each label >= 0: {label: [(word, weight), ...]}.
    Words in `leave_out` (lower-case; the event's probable typos) are never keywords."""
    per_class: dict[int, Counter] = {}
    for text, label in zip(texts, labels.tolist(), strict=True):
        if label < 0:
            continue
        per_class.setdefault(label, Counter()).update(keyword_words(text, leave_out))
    if not per_class:
        return {}
    total = Counter()
    for counts in per_class.values():
        total.update(counts)
    avg_words = sum(total.values()) / len(per_class)
    out = {}
    for label, counts in per_class.items():
        size = sum(counts.values()) or 1
        scored = [(w, (c / size) * math.log(1 + avg_words / total[w])) for w, c in counts.items()]
        # Ties broken alphabetically so runs are identical.
        scored.sort(key=lambda p: (-p[1], p[0]))
        out[label] = scored[:top_n]
    return out


def _strip_leading(tokens: list) -> list:
    """Drop fillers from the front until a content word starts the phrase."""
    changed = True
    while tokens and changed:
        changed = False
        lower = [t.lower_ for t in tokens[:8]]
        for opener in OPENERS:
            if tuple(lower[:len(opener)]) == opener and len(tokens) > len(opener):
                tokens, changed = tokens[len(opener):], True
                break
        if not changed and (tokens[0].lower_ in LEADING_WORDS or tokens[0].pos_ in LEADING_POS
                            or (tokens[0].pos_ in {"DET", "ADV"} and tokens[0].lower_ not in NEGATIONS)
                            or not tokens[0].text.strip()):
            tokens, changed = tokens[1:], True
    return tokens


def _clean_tokens(tokens: list, dropped: frozenset[int] = frozenset()) -> str | None:
    """The tokens as a label text (their words in order, whitespace collapsed), or None if unfit
    for one. `dropped` are the heads of subtrees a compression left out on purpose (an adjunct
    with its object: "die [with dignity]"); any other word the tokens need and lack is a cut."""
    # A headline leaves out demonstratives and intensifiers ("no costs around [that whole] convening").
    tokens = [t for t in _strip_leading(list(tokens)) if not _light(t)]
    while tokens and (tokens[-1].pos_ in TRAILING_POS or tokens[-1].dep_ in SUBJECTS
                      or not tokens[-1].text.strip()):
        tokens = tokens[:-1]
    if not tokens or any(t.is_punct and t.text not in ALLOWED_PUNCT for t in tokens):
        return None
    if tokens[0].lower_ in PERSONAL or tokens[0].text[0] in "'’" or tokens[0].pos_ == "AUX":
        return None  # "They just want one person": a label names who, not "they"
    first, last = tokens[0].i, tokens[-1].i
    inside = {t.i for t in tokens}
    gaps = len(inside) != last - first + 1
    if tokens[-1].dep_ in MODIFIERS and tokens[-1].head.i > last:
        return None  # cut from the word it modifies: "money and what rural [routes]"
    if any(child.i < first and (child.dep_ in {"aux", "auxpass"} or child.dep_ in ARGUMENTS)
           for t in tokens for child in t.lefts):
        return None  # a question cut from its start: "[what would] a fair process look like"
    if first and tokens[0].doc[first - 1].tag_ in WH and any(t.pos_ in {"VERB", "AUX"} for t in tokens):
        return None  # the same: "[what] rural routes will get from it" (what they will get)
    if any(child.i not in inside and child.dep_ in ARGUMENTS and (gaps or child.i > last)
           for t in tokens for child in t.rights):
        return None  # cut short: "Homeschooling gives kids" (what?), "might not feel" (what?)
    if tokens[-1].pos_ == "VERB" and any(child.dep_ == "prep" and child.i not in dropped
                                         for child in tokens[-1].rights):
        return None  # cut short: "businesses to compete [against them]"
    if any(t.pos_ in {"VERB", "AUX"} for t in tokens) and any(
            t.dep_ in SUBJECTS and t.head.i not in inside and (gaps or not first <= t.head.i <= last)
            for t in tokens):
        return None  # runs into the next clause: "celibacy is a tradition and traditions [should ...]"
    after = tokens[-1].doc[last + 1] if last + 1 < len(tokens[-1].doc) else None
    if after is not None and after.tag_ in FINITE and not any(c.dep_ in SUBJECTS for c in after.children):
        return None  # the same where the parse gave the next verb no subject: "and traditions [are ...]"
    if gaps:
        text = "".join(t.text_with_ws if t.i + 1 in inside else t.text + " " for t in tokens)
        text = re.sub(r"\s+", " ", text).strip()
    else:
        # The span's own text: doc.text would rebuild the whole note's text for every candidate
        # (34 s on a 100,000-character note, against 0.24 s).
        text = re.sub(r"\s+", " ", tokens[0].doc[first:last + 1].text).strip()
    if not 0 < len(text.split()) <= MAX_LABEL_WORDS or not re.search(r"[^\W\d_]{3}", text):
        return None
    if all(t.is_stop or t.lower_ in GENERIC or t.is_punct for t in tokens):
        return None
    if breaks_rules(tokens, text):
        return None
    return text


def _negates(token) -> bool:
    return token.lower_ in publishable.NEGATORS or token.lemma_.lower() in publishable.NEGATORS \
        or token.lower_.endswith("n't")


def breaks_rules(tokens: list, text: str) -> bool:
    """Whether a candidate label breaks a rule of a headline (issue 12, point 3): it holds a date,
    a redaction placeholder ("[redacted]", "a participant"), ends on a function word, is a bare
    proper noun ("Manchester Systems"), or leaves out a word that limits or reverses it: a
    negation of its words, a negator within four words before it in its clause ("rules limit how
    much the council can talk" is not "Council can talk"), or one that governs it ("lack of
    going out to the market" is not "Going out to the market")."""
    if publishable.DATE.search(text) or publishable.PLACEHOLDER.search(text) or PARTICIPANT.search(text):
        return True
    if tokens[-1].lower_ in publishable.FUNCTION_WORDS | QUANTIFIERS or any(t.ent_type_ in ("DATE", "TIME")
                                                              for t in tokens):
        return True
    content = [t for t in tokens if t.is_alpha and t.lower_ not in publishable.FUNCTION_WORDS]
    if content and all(t.pos_ == "PROPN" for t in content):
        return True
    if any(_negates(t) for t in tokens):
        return False  # it keeps its negation
    doc, first = tokens[0].doc, tokens[0].i
    inside = {t.i for t in tokens}
    start = max(tokens[0].sent.start, first - 4)
    before = list(doc[start:first])
    cut = max((k for k, t in enumerate(before) if t.text in ",;:.!?()"), default=-1)
    before = before[cut + 1:]  # only the words of its own clause
    if any(_negates(t) for t in before):
        return True
    for token in tokens:
        if any((child.dep_ == "neg" or _negates(child)) and child.i not in inside
               for child in token.children):
            return True
        if token.head.i in inside or token.head is token:
            continue
        head = token.head
        if head.dep_ in {"prep", "agent"} and head.head is not head:
            head = head.head  # "lack [of] going out", "limits [on] talking"
        if _negates(head) or any(c.dep_ == "neg" or c.lower_ in publishable.NEGATORS for c in head.children
                                 if c.i not in inside):
            return True
    return False


def _noun_chains(doc, chunks: list) -> list[str]:
    """Noun phrases and chains of them joined by a preposition or conjunction, optionally after
    one verb or adjective: "capacity constraints for commissioners", "distrust building between
    small medium voluntary sector"."""
    out: list[str] = []
    for i, chunk in enumerate(chunks):
        if chunk.root.pos_ == "PRON":
            continue  # "you entering into a partnership": who "you" is, the label cannot say
        end, j = chunk.end, i
        found = _clean_tokens(list(chunk))
        if found:
            out.append(found)
        while j + 1 < len(chunks):
            gap = list(doc[end:chunks[j + 1].start])
            if not gap or len(gap) > 2 or not (gap[-1].lower_ in PREPOSITIONS or gap[-1].dep_ == "cc") \
                    or (len(gap) == 2 and gap[0].pos_ not in {"VERB", "ADJ", "ADV"}):
                break
            j += 1
            end = chunks[j].end
            if end - chunk.start > MAX_LABEL_WORDS + 3:
                break
            # "arrangement between the release" (of what?) is cut short: wait for the next link.
            dangling = any(c.dep_ == "prep" and c.i >= end for c in chunks[j].root.rights)
            found = None if dangling else _clean_tokens(list(doc[chunk.start:end]))
            if found:
                out.append(found)
    return out


def _clauses(doc, first: int, last: int) -> list[str]:
    """Short clauses of tokens [first, last): a verb with its subject and its first complements
    ("public sector contracts are getting bigger"); clauses whose subject is a bare pronoun are
    left out (their predicate alone does not say who), except "there is X", which gives X."""
    out: list[str] = []
    for verb in doc[first:last]:
        if verb.pos_ not in {"VERB", "AUX"} or verb.dep_ in {"aux", "auxpass"} or _in_condition(verb):
            continue
        subjects = [c for c in verb.lefts if c.dep_ in SUBJECTS]
        if not subjects:
            continue
        subject = subjects[0]
        if subject.dep_ != "expl" and subject.lower_ in PRONOUNS and subject.left_edge == subject.right_edge:
            continue
        left = subject.left_edge.i
        ends = []
        for child in verb.rights:
            if child.dep_ not in COMPLEMENTS or child.right_edge.i >= last:
                break
            ends.append(child.right_edge.i + 1)
        if not ends and not any(c.dep_ in COMPLEMENTS for c in verb.rights):
            ends = [verb.i + 1]  # "costs are rising"; not "partners have all said" (cut short)
        for end in ends:
            if left >= first and end - left <= MAX_LABEL_WORDS + 6:
                found = _clean_tokens(list(doc[left:end]))
                if found:
                    out.append(found)
    return out


def _light(token) -> bool:
    """A word a headline always leaves out: a demonstrative ("these larger contracts") or a vague
    intensifier ("that whole convening", "very tight") with nothing under it."""
    if token.n_lefts or token.n_rights:
        return False
    return (token.dep_ == "det" and token.lower_ in DEMONSTRATIVES) or (
        token.dep_ in {"amod", "advmod"} and token.lower_ in VAGUE)


def _optional(token) -> bool:
    """Whether a person writing a headline could leave out `token` and the words under it: an
    adjunct (a prepositional phrase with its object, an adverb, a relative or adverbial clause,
    an apposition); never one holding a word that limits or reverses the rest ("not", "only",
    "too") or a question word ("limit [how] much the council can talk")."""
    if any(_negates(t) or t.dep_ == "neg" or t.lower_ in HEDGES for t in token.subtree):
        return False
    if token.tag_ in {"WRB", "WDT", "WP"} or (token.dep_ == "advmod" and token.head.pos_ == "ADP"):
        return False  # nor half of "instead of", "because of"
    if token.dep_ == "acl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children):
        return False  # "the opportunity [to learn at their own pace]": the noun needs it
    if token.dep_ == "prep":
        # Never a stranded "against", nor a preposition right after its verb, which the verb most
        # often needs ("entering into a partnership", "focus on the end point").
        # Nor "of", which completes its noun ("a lot [of the contracts]", "lack [of funding]").
        return any(c.dep_ in {"pobj", "pcomp"} for c in token.children) and token.lower_ != "of" and not (
            token.head.pos_ in {"VERB", "AUX"} and token.i == token.head.i + 1)
    if token.dep_ == "conj":
        # A second prepositional phrase or verb phrase ("with dignity [and without pain]"), never
        # a conjunct of a noun or adjective ("small [and large] charities" says something else).
        return token.pos_ in {"ADP", "VERB"} and token.head.pos_ == token.pos_
    return token.dep_ in ADJUNCTS


def _dropped_span(token) -> set[int]:
    """The token indices a compression leaves out with `token`: its subtree, and for a conjunct
    the "and"/"or" before it."""
    span = set(range(token.left_edge.i, token.right_edge.i + 1))
    if token.dep_ == "conj":
        span |= {c.i for c in token.head.children if c.dep_ in {"cc", "punct"} and c.i < token.left_edge.i
                 and c.i > token.head.i}
    return span


def _compressions(doc, first: int, last: int) -> list[str]:
    """Clauses of tokens [first, last) with a subject, a verb and all their complements, too long
    or too cluttered for a headline as written, compressed the way an editor would: by leaving
    out whole adjuncts ("These larger contracts [by their very nature] do need more partnership
    and consortia working"), never by cutting the clause short. The least compressed versions of
    3 to MAX_LABEL_WORDS words are kept (COMPRESSIONS per clause), fewest words dropped first."""
    out: list[str] = []
    for verb in doc[first:last]:
        if verb.pos_ not in {"VERB", "AUX"} or verb.dep_ in {"aux", "auxpass"} or _in_condition(verb):
            continue
        subjects = [c for c in verb.lefts if c.dep_ in SUBJECTS]
        if not subjects or (subjects[0].dep_ != "expl" and subjects[0].lower_ in PRONOUNS):
            continue
        left = subjects[0].left_edge.i
        right = verb.i
        for child in verb.rights:
            if child.dep_ in {"cc", "conj", "punct"} or child.right_edge.i >= last:
                break
            right = child.right_edge.i
        if left < first or right - left + 1 > 3 * MAX_LABEL_WORDS:
            continue
        # Demonstratives and intensifiers always go ("that whole convening" is "convening");
        # then any set of adjuncts, each with the words under it.
        clause = [t for t in doc[left:right + 1] if not _light(t)]
        roots = [t for t in clause if t is not verb and t is not subjects[0] and _optional(t)]
        roots = roots[:OPTIONAL_LIMIT]
        spans = [_dropped_span(r) for r in roots]
        variants: dict[tuple[int, ...], tuple[int, frozenset[int]]] = {}
        for mask in range(1 << len(roots)):
            chosen = [k for k in range(len(roots)) if mask >> k & 1]
            gone = set().union(*(spans[k] for k in chosen))
            kept = tuple(t.i for t in clause if t.i not in gone)
            words = sum(1 for i in kept if not doc[i].is_punct)
            if 3 <= words <= MAX_LABEL_WORDS and kept not in variants:
                # A subtree inside one that goes is gone with it: the same words, kept once.
                variants[kept] = (len(gone), frozenset(roots[k].i for k in chosen))
        found = 0
        for kept, (_gone, heads) in sorted(variants.items(), key=lambda kv: (kv[1][0], kv[0])):
            kept = [doc[i] for i in kept]
            text = _clean_tokens(kept, heads)
            if text:
                out.append(text)
                found += 1
                if found == COMPRESSIONS:
                    break
    return out


def _in_condition(token) -> bool:
    """Whether `token` is inside a condition or a time clause ("If you are operating in health
    and social care, there is a big group of businesses to compete against"): that clause sets
    the scene, the rest of the sentence makes the point."""
    for node in [token, *token.ancestors]:
        if node.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in CONDITIONS for c in node.children):
            return True
    return False


def _phrases_in(doc, chunks: list, start: int, end: int) -> list[str]:
    """Every candidate label in the segment doc.text[start:end], none from inside a condition
    that sets the scene for the sentence's point (`_in_condition`)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return []
    inside = [c for c in chunks if c.start_char >= start and c.end_char <= end and not _in_condition(c.root)]
    out = _noun_chains(doc, inside) + _clauses(doc, span.start, span.end) \
        + _compressions(doc, span.start, span.end)
    whole = _clean_tokens(list(span))
    if whole:
        out.append(whole)
    # Keep each phrase once per segment, in the order found (deterministic).
    return list(dict.fromkeys(out))


def candidate_phrases(docs: Sequence, segments: Sequence) -> list[list[str]]:
    """For each segment: the phrases that could label a theme it belongs to (verbatim runs of
    its words): noun phrases and their chains, short clauses, and the segment itself if short.

    Each note's noun chunks are computed once (a 100,000-character note has many segments).
    """
    by_note: dict[int, list[int]] = {}
    for i, seg in enumerate(segments):
        by_note.setdefault(seg.note_index, []).append(i)
    out: list[list[str]] = [[] for _ in segments]
    for note_index, members in by_note.items():
        doc = docs[note_index]
        if doc is None or not doc.has_annotation("DEP"):
            continue
        chunks = list(doc.noun_chunks)
        position = 0
        for i in sorted(members, key=lambda j: segments[j].start):
            seg = segments[i]
            while position < len(chunks) and chunks[position].end_char <= seg.start:
                position += 1
            j = position
            local = []
            while j < len(chunks) and chunks[j].start_char < seg.end:
                local.append(chunks[j])
                j += 1
            out[i] = _phrases_in(doc, local, seg.start, seg.end)
    return out


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def capitalise(text: str) -> str:
    """First letter upper-case, the rest as written (keeps acronyms and names)."""
    return text[:1].upper() + text[1:] if text else text


def _coverage(phrase: str, weights: dict[str, float], normalise: bool = True) -> float:
    """Share of the theme's keyword weight the phrase's words carry (per sqrt(word) if normalise)."""
    top_weight = max(weights.values(), default=1.0) or 1.0
    words = _tokens(phrase)
    total = sum(weights.get(w, 0.0) for w in set(words)) / top_weight
    return total / math.sqrt(len(words) or 1) if normalise else total


def _length_fit(phrase: str) -> float:
    """Prior on length: people's theme labels run 3 to 8 words; 1 or 2 words only where a theme
    has no longer candidate."""
    n = len(phrase.split())
    return {1: -2 * SHORT, 2: -SHORT}.get(n, 0.0) if n <= 8 else -LONG * (n - 8)


def shortlist(phrases: Sequence[str], weights: dict[str, float], taken: set[str] | None = None,
              size: int | None = None) -> list[str]:
    """The candidate phrases worth embedding for a theme (as first written), leaving out labels
    already `taken` (lower-case): half by keyword coverage per word (short phrases), half by
    keyword coverage in all (longer ones), each with a bonus for frequent phrases."""
    taken, size = taken or set(), size or SHORTLIST
    counts = Counter(p.lower() for p in phrases if p.lower() not in taken)
    first_form: dict[str, str] = {}
    for p in phrases:
        first_form.setdefault(p.lower(), p)
    chosen: list[str] = []
    for normalise in (True, False):
        ranked = sorted(counts, key=lambda p: (-(_coverage(p, weights, normalise) + _length_fit(p)
                                                 + 0.1 * math.log1p(counts[p])), p))
        chosen += [p for p in ranked if p not in chosen][:size // 2]
    return [first_form[p] for p in chosen]


def _score(own: float, other: float, phrase: str, weights: dict[str, float], count: int,
           typo_words: set[str] | frozenset[str] = frozenset()) -> float:
    """How good `phrase` is as a label: similarity to its theme's centre (`own`), less part of its
    similarity to the nearest other theme, plus keyword coverage, length prior and frequency,
    less TYPO if it has one of the event's probable typos (`typo_words`, lower-case)."""
    return (own - DISTINCT * max(0.0, other - own + MARGIN) + COVER * _coverage(phrase, weights)
            + _length_fit(phrase)
            + FREQUENT * math.log(max(count, 1))
            - (TYPO if typo_words and has_word_in(phrase, typo_words) else 0.0))


def _fallback(label: int, labels: np.ndarray, texts: Sequence[str], weights: dict[str, float],
              taken: set[str]) -> str:
    """A label for a theme without a usable candidate: a keyword or the start of a segment."""
    starts = [" ".join(texts[i].split()[:8]).rstrip(".,;:!?-–—'\"") for i in np.flatnonzero(labels == label)]
    options = [option for option in list(weights) + starts if option]
    for option in options:
        if option.lower() not in taken:
            return capitalise(option)
    # Everything taken (identical segments in two themes): still unique, by a number.
    first = options[0] if options else "Theme"
    number = 2
    while f"{first} ({number})".lower() in taken:
        number += 1
    return capitalise(f"{first} ({number})")


def label_themes(phrases: Sequence[Sequence[str]], labels: np.ndarray, centres: dict[int, np.ndarray],
                 keyword_sets: dict[int, list[tuple[str, float]]], texts: Sequence[str],
                 embed: Callable[[list[str]], np.ndarray],
                 seeds: dict[int, str] | None = None,
                 typo_words: set[str] | None = None) -> dict[int, str]:
    """A label for every theme (the keys of `centres`), unique within the event (case-insensitive).

    `phrases` are the candidate phrases of each segment, `labels` each segment's theme (-1: none),
    `embed` turns phrases into unit vectors; seeded themes (`seeds`: theme -> the organiser's
    phrase) keep their phrase. Every shortlisted candidate is embedded in one call; the best
    (theme, phrase) pairs are taken first, so a phrase goes to the theme it fits best.
    `typo_words` are the event's probable typos (lower-case); by default they are found in
    `texts` with spaCy's lexicon (synthesis/typos.py).
    """
    seeds = seeds or {}
    names = {label: capitalise(seeds[label]) for label in centres if label in seeds}
    taken = {name.lower() for name in names.values()}
    order = sorted(centres)
    matrix = np.vstack([centres[label] for label in order]) if order else np.zeros((0, 0))
    counts, pools = {}, {}
    for label in order:
        if label in seeds:
            continue
        found = [p for i in np.flatnonzero(labels == label) for p in phrases[i]]
        counts[label] = Counter(p.lower() for p in found)
        pools[label] = shortlist(found, dict(keyword_sets.get(label, [])), taken)
    if typo_words is None:
        typo_words = typos.probable_typos(texts, typos.default_lexicon()) if pools else set()
    wanted = sorted({p for pool in pools.values() for p in pool})
    vectors = dict(zip(wanted, embed(wanted), strict=True)) if wanted else {}
    scored = []
    for label, pool in pools.items():
        row = order.index(label)
        weights = dict(keyword_sets.get(label, []))
        written = [_squash(texts[i]) for i in np.flatnonzero(labels == label)]
        for phrase in pool:
            sims = matrix @ vectors[phrase]
            own = float(sims[row])
            other = float(np.delete(sims, row).max()) if len(order) > 1 else 0.0
            score = _score(own, other, phrase, weights, counts[label][phrase.lower()], typo_words)
            if not any(_squash(phrase) in text for text in written):
                score -= COMPRESSED  # a reader finds a label as written in the notes: it wins near-ties
            scored.append((-round(score, 6), label, phrase.lower(), phrase))
    scored.sort()
    for _score_key, label, lower, phrase in scored:
        if label not in names and lower not in taken:
            names[label] = capitalise(phrase)
            taken.add(lower)
    for label in order:
        if label not in names:
            names[label] = _fallback(label, labels, texts, dict(keyword_sets.get(label, [])), taken)
            taken.add(names[label].lower())
    return {label: names[label] for label in order}
