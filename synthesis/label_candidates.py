"""Label candidates (stage 4's first half): the phrases of each segment a theme could be labelled by.

Every candidate is built from one segment's own words, in their order: a noun phrase with its
prepositional phrases ("Lack of going out to the market"), a short clause ("Public sector
contracts are getting bigger"), the whole segment if short, or a whole clause compressed as an
editor would, by leaving out whole adjuncts, demonstratives and intensifiers ("These larger
contracts by their very nature do need more partnership and consortia working" gives "Larger
contracts do need more partnership and consortia working"), never by cutting it short. Each is
trimmed of leading fillers ("I think", "There is", "The group felt that", "a lot of the").
Nothing comes from a condition that only sets the scene ("If you are operating in health and
social care, ..."), and a compression keeps every word that limits or hedges its clause.

A candidate keeps the rules of a headline (issue 12, point 3; `breaks_rules`): 1 to 9 words, never
a date, a redaction placeholder, a bare proper noun or a phrase ending on a function word, never
cut short ("businesses to compete [against]"), and never without a word that limits or reverses
it in its source ("rules limit how much the council can talk to providers" gives no "Council can
talk to providers"; "lack of going out to the market" no "Going out to the market").
synthesis/label.py chooses among them.

Usage:
    phrases = label_candidates.candidate_phrases(docs, segments)  # one list per segment
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from synthesis import publishable

PREPOSITIONS = {"of", "for", "between", "with", "in", "on", "around", "to", "from", "about",
                "against", "across", "within", "among", "through", "without", "into", "over", "by"}
GENERIC = {"thing", "things", "people", "way", "ways", "lot", "lots", "group", "table", "point",
           "issue", "issues", "time", "something", "anything", "everything", "kind", "sort",
           "part", "fact", "one", "ones", "bit", "idea", "question", "case", "example"}
# Single words a label never starts with (articles, conjunctions, discourse markers, hedges);
# Determiners and adverbs go too ("Already established set", "Genuinely quasi market"), except
# negations and limiters: "No management costs" says the opposite of "Management costs", "Too
# much time on presentations" more than "Much time on presentations".
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
# Words that wait for an infinitive: "nowhere [to go]", "nothing [to do]", "someone [to talk to]".
INDEFINITES = {"nowhere", "somewhere", "anywhere", "nothing", "something", "anything", "everything",
               "nobody", "somebody", "anybody", "everybody", "someone", "anyone", "everyone"}
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
                            or (tokens[0].pos_ in {"DET", "ADV"} and tokens[0].lower_ not in NEGATIONS
                                and tokens[0].lower_ not in publishable.NEGATORS)
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
    after = tokens[-1].doc[last + 1] if last + 1 < len(tokens[-1].doc) else None
    if after is not None and tokens[-1].lower_ in INDEFINITES and after.lower_ == "to" \
            and after.head.pos_ in {"VERB", "AUX"} and after.head.i > last:
        return None  # cut from its infinitive: "discharged from hospital with nowhere [to go]"
    if any(t.pos_ in {"VERB", "AUX"} for t in tokens) and any(
            t.dep_ in SUBJECTS and t.head.i not in inside and (gaps or not first <= t.head.i <= last)
            for t in tokens):
        return None  # runs into the next clause: "celibacy is a tradition and traditions [should ...]"
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


# A last word that only modifies a word after it: "... and fewer [homes]", "the three [asks]".
_MODIFIER_DEPS = {"amod", "det", "nummod", "compound", "poss", "quantmod", "nmod"}


def _ends_mid_phrase(tokens: list) -> bool:
    """Whether the candidate stops on a modifier of a word left out after it ("Landlords are
    selling up and fewer [homes]"). (Refusing a coordination cut after its first part, "in bed
    [and breakfast hotels]", was tried: it cost SEEE's label agreement 0.580 -> 0.543.)"""
    last = tokens[-1]
    inside = {t.i for t in tokens}
    return last.dep_ in _MODIFIER_DEPS and last.head.i > last.i and last.head.i not in inside


def breaks_rules(tokens: list, text: str) -> bool:
    """Whether a candidate label breaks a rule of a headline (issue 12, point 3): it holds a date,
    a redaction placeholder ("[redacted]", "a participant"), a scribe's shorthand ("->", "hrs",
    a spaced dash between fragments), ends on a function word, is a bare
    proper noun ("Manchester Systems"), or leaves out a word that limits or reverses it: a
    negation of its words, a negator within four words before it in its clause ("rules limit how
    much the council can talk" is not "Council can talk"), or one that governs it ("lack of
    going out to the market" is not "Going out to the market")."""
    if publishable.DATE.search(text) or publishable.PLACEHOLDER.search(text) or PARTICIPANT.search(text):
        return True
    if publishable.shorthand(text) is not None:
        return True  # "School in Lynn -> 2 hrs": a heading spells the scribe's signs out
    if tokens[-1].lower_ in publishable.FUNCTION_WORDS | QUANTIFIERS or any(t.ent_type_ in ("DATE", "TIME")
                                                              for t in tokens):
        return True
    if _ends_mid_phrase(tokens):
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
    if token.dep_ == "det" and token.lower_ in {"this", "that"} and token.head.tag_ == "NN" \
            and not token.head.lower_.endswith("ing"):
        return False  # "work for [this] group" would leave a bare singular noun: "for group"
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
