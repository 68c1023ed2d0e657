"""Probable typos in an event's notes, found from the event's own words (no word list downloaded).

Notes are typed in a hurry: "commissinoers", "vountaryl", "enteprises". A theme label is a verbatim
phrase of the notes, so the labeller uses this to prefer a clean candidate over a misspelt one.

A word is a probable typo when all of these hold:
- it is written in lower case somewhere in the event, is alphabetic and has at least MIN_LENGTH
  letters: names and acronyms ("SEEE", "VCSEs", "ITT", "Manchester"), numbers and short words
  are never flagged;
- it is rare in the event (at most RARE occurrences) and is not a stop word;
- spaCy's English lexicon does not know it: neither the word nor what any of the rule
  lemmatizer's suffix rules make of it ("commissioners" -> "commissioner", "gendered" ->
  "gender") is in en_core_web_sm's lemma index or exceptions (the WordNet-derived tables its
  lemmatizer ships with; the model has no vectors, and its lexemes' `prob` and `is_oov` are the
  same for every word, so they tell nothing);
- another word of the event is one slip away (two neighbours transposed, one letter inserted,
  deleted or substituted; in words of MIN_LENGTH_MOVED letters or more, one letter moved:
  "vountaryl"/"voluntary"); is not the same word with another ending or a prefix
  ("partner"/"partners", "ageist"/"ageism", "moral"/"amoral"); and is either known to the lexicon
  and at least as frequent, or (words of FREQUENCY_MIN_LENGTH letters or more) clearly more
  frequent: CLEARLY_MORE times as often, and at least CLEARLY_MORE times ("guatanamo" beside
  "guantanamo", which the lexicon does not know).

Frequency alone is not enough: on ArgKP it flags British spellings beside American ones
("legalised"/"legalized") and common words ("putting", "present"). So without the lexicon (a
spaCy pipeline with no lemmatizer tables) nothing is flagged. Deterministic: the same texts give
the same set.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

MIN_LENGTH = 5
MIN_LENGTH_MOVED = 8
RARE = 2
CLEARLY_MORE = 3
# A neighbour the lexicon does not know must be clearly more frequent, and the word long: short
# words have many real neighbours ("round"/"around").
FREQUENCY_MIN_LENGTH = 7
# Longer "words" (pasted junk, a key held down) are not typos of a word, and one-slip variants of
# them cost the square of their length: never suspects.
MAX_LENGTH = 25
# Endings that make another word of the same stem, not a typo of it.
ENDINGS = {"", "s", "es", "d", "ed", "e", "r", "er", "ers", "ing", "ings", "y", "ies", "ly", "ally",
           "al", "ism", "isms", "ist", "ists", "ise", "ize", "ised", "ized", "ion", "ions", "ive",
           "ity", "ness", "ment", "ments", "able", "ible", "ic", "'s", "’s"}
# Function words the lemma index (open-class words only) and spaCy's stop words both leave out.
FUNCTION_WORDS = {"ought", "shall", "whoever", "whomever", "whichever", "whatsoever", "oneself",
                  "themself", "yourselves"}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

Known = Callable[[str], bool]
LATIN_END = 0x250  # Basic Latin to Latin Extended-B


def _plain(word: str) -> str:
    """The word without its accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _slips(word: str, alphabet: str) -> set[str]:
    """Every string one slip away from `word`: one letter deleted, inserted or substituted, two
    neighbours transposed, or (words of MIN_LENGTH_MOVED letters or more) one letter moved."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in alphabet}
    out |= {a + c + b for a, b in splits for c in alphabet}
    if len(word) >= MIN_LENGTH_MOVED:
        for i, letter in enumerate(word):
            rest = word[:i] + word[i + 1:]
            out |= {rest[:j] + letter + rest[j:] for j in range(len(rest) + 1)}
    out.discard(word)
    return out


def _derived(word: str, other: str) -> bool:
    """Whether the two words are one word with different endings or a prefix added
    ("partner"/"partners", "ageist"/"ageism", "moral"/"amoral"): different words, not a slip."""
    shorter, longer = sorted((word, other), key=lambda w: (len(w), w))
    if longer.endswith(shorter):
        return True
    stem = 0
    while stem < len(shorter) and word[stem] == other[stem]:
        stem += 1
    return any(word[cut:] in ENDINGS and other[cut:] in ENDINGS for cut in range(stem, max(stem - 4, 0), -1))


def probable_typos(texts: Iterable[str], known: Known | None) -> set[str]:
    """The lower-case words of `texts` that are probably misspelt (see the module's docstring).

    `known(word)` says whether a lower-case word is English (spacy_lexicon() makes one from the
    spaCy model). Without it (None) nothing is flagged: frequency alone flags real words
    ("legalised" beside "legalized", "putting" beside "puting").
    """
    if known is None:
        return set()
    from spacy.lang.en.stop_words import STOP_WORDS  # here: importing spaCy takes a while
    words = _WORD.findall("\n".join(texts))
    counts = Counter(map(str.lower, words))
    written_lower = {w for w in set(words) if w.islower()}
    suspects = sorted(w for w, n in counts.items() if n <= RARE and MIN_LENGTH <= len(w) <= MAX_LENGTH
                      and w.isalpha() and w in written_lower and w not in STOP_WORDS
                      and w not in FUNCTION_WORDS and not known(w))
    # Letters of the Latin script only: the lexicon is English, and a note in Chinese would
    # otherwise add thousands of letters to try in every English word.
    alphabet = "".join(sorted({c for w in counts for c in w if c.isalpha() and ord(c) < LATIN_END}))
    found = set()
    for word in suspects:
        for other in sorted(_slips(word, alphabet) & counts.keys()):
            if _derived(word, other) or _plain(word) == _plain(other):
                continue  # another ending, or only accents differ ("naïve"/"naive")
            # A known word of the event at least as frequent, or an unknown one (a name, jargon)
            # clearly more frequent.
            if (known(other) and counts[other] >= counts[word]) or (
                    len(word) >= FREQUENCY_MIN_LENGTH
                    and counts[other] >= max(CLEARLY_MORE, CLEARLY_MORE * counts[word])):
                found.add(word)
                break
    return found


def lexicon_from_tables(index: dict[str, Iterable[str]], exceptions: dict[str, Iterable[str]],
                        rules: dict[str, Sequence[Sequence[str]]]) -> Known:
    """known(word) from rule-lemmatizer tables: {pos: lemmas}, {pos: {form: lemmas}} and
    {pos: [[suffix, replacement], ...]}. A word is known if it is a lemma or an exception, or if
    one suffix rule of any part of speech makes it a lemma, or makes its singular one ("funders"
    -> "funder" -> "fund": the tables list neither "funders" nor "funder"). Only the plural is
    undone first: two rules in any order would also pass typos ("mudered" -> "muder" -> "mud")."""
    lemmas = frozenset().union(*(frozenset(words) for words in index.values()))
    forms = frozenset().union(*(frozenset(table) for table in exceptions.values()))
    suffixes = sorted({(old, new) for pairs in rules.values() for old, new in pairs})
    cache: dict[str, bool] = {}

    def stems(word: str) -> list[str]:
        return [word[:len(word) - len(old)] + new for old, new in suffixes if word.endswith(old)]

    def one_rule(word: str) -> bool:
        return word in lemmas or word in forms or any(stem in lemmas for stem in stems(word))

    def known(word: str) -> bool:
        if word not in cache:
            singular = word[:-1] if word.endswith("s") and not word.endswith("ss") else None
            cache[word] = one_rule(word) or (singular is not None and one_rule(singular))
        return cache[word]

    return known


def spacy_lexicon(nlp) -> Known | None:
    """known(word) from the spaCy pipeline's rule lemmatizer tables (en_core_web_sm has them),
    or None if the pipeline has none."""
    if "lemmatizer" not in nlp.pipe_names:
        return None
    return lexicon_from_lookups(getattr(nlp.get_pipe("lemmatizer"), "lookups", None))


def lexicon_from_lookups(lookups) -> Known | None:
    """known(word) from spaCy Lookups holding the rule lemmatizer's three tables, or None."""
    names = ("lemma_index", "lemma_exc", "lemma_rules")
    if lookups is None or not all(lookups.has_table(name) for name in names):
        return None
    # Table keys are string hashes: the parts of speech are looked up by name.
    tables = [lookups.get_table(name) for name in names]
    parts = ("noun", "verb", "adj", "adv")
    by_part = [{pos: table[pos] for pos in parts if pos in table} for table in tables]
    return lexicon_from_tables(*by_part) if by_part[0] else None


_default: list[Known | None] = []


def default_lexicon() -> Known | None:
    """The lexicon of the project's spaCy model (read once per process), or None without one.

    Only the lemmatizer's tables are read from the installed model (a few hundredths of a
    second), and without importing spaCy (with thinc and torch, 2-3 s of a re-run on cached
    notes, which parses nothing): read_lookup_tables reads the file spaCy's Lookups writes."""
    if not _default:
        import importlib.util

        from synthesis.segment import SPACY_MODELS

        lexicon = None
        for name in SPACY_MODELS:
            try:
                spec = importlib.util.find_spec(name)
                if spec is None or not spec.submodule_search_locations:
                    continue
                package = Path(next(iter(spec.submodule_search_locations)))
                folder = next(package.glob("*/lemmatizer/lookups"), None)
                if folder is not None:
                    lexicon = lexicon_from_tables(*read_lookup_tables(folder / "lookups.bin"))
            except Exception:  # noqa: BLE001 - not installed, or unreadable: try the next one
                continue
            if lexicon is not None:
                break
        _default.append(lexicon)
    return _default[0]


_PARTS = ("noun", "verb", "adj", "adv")


def read_lookup_tables(path: Path) -> list[dict]:
    """The rule lemmatizer's three tables (lemma_index, lemma_exc, lemma_rules), each as {part of
    speech: value}, from a spaCy `lookups.bin` (Lookups.to_disk): msgpack of {table: {key: value}},
    where a key is the text or its 64-bit MurmurHash2 (seed 1) of the UTF-8 text, as spaCy
    hashes strings. Empty where a table is missing (lexicon_from_tables then gives None)."""
    import srsly

    tables = srsly.msgpack_loads(path.read_bytes())
    out = []
    for name in ("lemma_index", "lemma_exc", "lemma_rules"):
        table = tables.get(name) or {}
        found = {}
        for pos in _PARTS:
            for key in (murmur64(pos), pos):
                if key in table:
                    found[pos] = table[key]
                    break
        out.append(found)
    return out


def murmur64(text: str, seed: int = 1) -> int:
    """MurmurHash64A of the UTF-8 text (spaCy's string hash, spacy.strings.hash_string), written
    out so that reading the lemma tables does not import spaCy; a test checks it against spaCy."""
    data = text.encode("utf-8")
    m, r, mask = 0xC6A4A7935BD1E995, 47, (1 << 64) - 1
    h = (seed ^ (len(data) * m)) & mask
    whole = len(data) // 8
    for i in range(whole):
        k = (int.from_bytes(data[8 * i:8 * i + 8], "little") * m) & mask
        k = ((k ^ (k >> r)) * m) & mask
        h = ((h ^ k) * m) & mask
    if len(data) % 8:
        h = ((h ^ int.from_bytes(data[8 * whole:], "little")) * m) & mask
    h = ((h ^ (h >> r)) * m) & mask
    return h ^ (h >> r)
