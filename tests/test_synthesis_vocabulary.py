"""synthesis/vocabulary.py: the event's content words, its common words (its subject), the
subject-neutral texts and the lexical (TF-IDF) rows. Fast tests use spaCy's blank pipeline or
hand-built term lists; one test (marked `models`) runs the real spaCy model through the pipeline.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import spacy
from spacy.tokens import Doc

from capture.models import Note
from capture.store import add_notes, approved_notes, save_event
from synthesis import segment_cache
from synthesis.embed import FakeEmbedder
from synthesis.pipeline import synthesise
from synthesis.settings import resolve
from synthesis.vocabulary import MIN_NOTES, common_words, content_terms, lexical_vectors, neutral_texts


def terms_of(*lemmas: str) -> list[tuple[int, int, str]]:
    """A segment's terms when only the lemmas matter (offsets unused)."""
    return [(0, 0, lemma) for lemma in lemmas]


# content_terms ---------------------------------------------------------------------------------


def test_content_terms_keeps_alphabetic_non_stop_words_with_offsets(nlp):
    text = "Uniforms stop bullying at 3 schools. The cost-of-living matters, don't it?"
    doc = nlp(text)
    terms = content_terms(doc, 0, len(text))
    # No lemmatizer in the blank pipeline: the lower-cased word stands for its lemma.
    assert [lemma for _, _, lemma in terms] == ["uniforms", "stop", "bullying", "schools", "cost",
                                                "living", "matters"]
    for start, end, lemma in terms:
        assert text[start:end].lower() == lemma


def test_content_terms_only_inside_the_span(nlp):
    text = "Uniforms stop bullying. The cost matters to parents."
    doc = nlp(text)
    second = text.index("The")
    assert [lemma for _, _, lemma in content_terms(doc, second, len(text))] == ["cost", "matters", "parents"]
    assert [lemma for _, _, lemma in content_terms(doc, 0, second)] == ["uniforms", "stop", "bullying"]
    # A span cutting words in half keeps only the words wholly inside it.
    assert content_terms(doc, 2, text.index("bullying") + 3) == [(9, 13, "stop")]


def test_content_terms_uses_the_lemma_lower_cased_when_there_is_one():
    vocab = spacy.blank("en").vocab
    doc = Doc(vocab, words=["Arguments", "about", "Uniforms"], lemmas=["Argument", "about", "uniform"])
    assert content_terms(doc, 0, len(doc.text)) == [(0, 9, "argument"), (16, 24, "uniform")]


# common_words ----------------------------------------------------------------------------------


def test_common_words_are_those_in_more_than_share_of_notes():
    # 10 notes; "subject" in all, "four" in 4 (0.4 > 0.3), "three" in exactly 3 (0.3, not more).
    rows = [terms_of("subject", f"own{i}", *(["four"] if i < 4 else []), *(["three"] if i >= 7 else []))
            for i in range(10)]
    found = common_words(rows, list(range(10)), np.ones(10, dtype=bool), 0.3)
    assert found == {"subject", "four"}


def test_common_words_count_notes_not_segments():
    # 10 notes of two segments each. "subject" is named once in 4 notes (4 of 20 segments, but 4
    # of 10 notes); "chatty" fills all ten segments of notes 8 and 9 but is in only 2 notes.
    rows, notes = [], []
    for note in range(10):
        for part in range(2):
            lemmas = [f"w{note}_{part}"]
            if part == 0 and note < 4:
                lemmas.append("subject")
            if note >= 8:
                lemmas += ["chatty"] * 5
            rows.append(terms_of(*lemmas))
            notes.append(note)
    assert common_words(rows, notes, np.ones(len(rows), dtype=bool), 0.3) == {"subject"}
    assert common_words(rows, notes, np.ones(len(rows), dtype=bool), 0.15) == {"subject", "chatty"}


def test_common_words_count_only_eligible_segments():
    # 10 eligible notes; "theme" in 4 of them (0.4). Five more notes whose only segments are not
    # eligible mention "noise": they count neither towards "noise" nor towards the number of notes.
    rows = [terms_of("theme" if i < 4 else f"other{i}") for i in range(10)]
    rows += [terms_of("noise") for _ in range(5)]
    eligible = np.array([True] * 10 + [False] * 5)
    found = common_words(rows, list(range(15)), eligible, 0.3)
    assert found == {"theme"}
    # Counted as eligible, the same segments change the answer: "noise" 5/15, "theme" only 4/15.
    assert common_words(rows, list(range(15)), np.ones(15, dtype=bool), 0.3) == {"noise"}


def test_no_common_words_under_min_notes_or_at_share_one():
    few = [terms_of("subject") for _ in range(MIN_NOTES - 1)]
    assert common_words(few, list(range(len(few))), np.ones(len(few), dtype=bool), 0.3) == set()
    enough = [terms_of("subject") for _ in range(MIN_NOTES)]
    everyone = np.ones(len(enough), dtype=bool)
    assert common_words(enough, list(range(len(enough))), everyone, 0.3) == {"subject"}
    assert common_words(enough, list(range(len(enough))), everyone, 0.99) == {"subject"}
    assert common_words(enough, list(range(len(enough))), everyone, 1.0) == set()
    # Segments of fewer than MIN_NOTES notes: still none, however many segments.
    many_segments = [terms_of("subject") for _ in range(30)]
    assert common_words(many_segments, [i % 5 for i in range(30)], np.ones(30, dtype=bool), 0.3) == set()


# neutral_texts ---------------------------------------------------------------------------------


def test_neutral_texts_cut_common_words_at_their_offsets():
    note = "Intro. The schoolbag of Uniforms and the school debate."
    start = note.index("The")
    text = note[start:]
    # Terms carry note offsets; "Uniforms" has the lemma "uniform", "schoolbag" is another word.
    terms = [(note.index("schoolbag"), note.index("schoolbag") + 9, "schoolbag"),
             (note.index("Uniforms"), note.index("Uniforms") + 8, "uniform"),
             (note.index("school "), note.index("school ") + 6, "school"),
             (note.index("debate"), note.index("debate") + 6, "debate")]
    out = neutral_texts([text], [start], [terms], {"school", "uniform"})
    assert out == ["The schoolbag of and the debate."]


def test_neutral_texts_keep_a_segment_left_without_words():
    texts = ["School uniform.", "Uniforms matter to pupils.", "Nothing common here."]
    note = " ".join(texts)
    starts = [note.index(t) for t in texts]

    def term(word, lemma):
        return (note.index(word), note.index(word) + len(word), lemma)

    terms = [[term("School", "school"), term("uniform", "uniform")],
             [term("Uniforms", "uniform"), term("matter", "matter"), term("pupils", "pupil")],
             [term("common", "common")]]
    out = neutral_texts(texts, starts, terms, {"school", "uniform"})
    assert out == ["School uniform.", "matter to pupils.", "Nothing common here."]


def test_neutral_texts_unchanged_without_common_words():
    texts = ["School uniform is good.", "Uniforms matter."]
    terms = [[(0, 6, "school"), (7, 14, "uniform")], [(24, 32, "uniform")]]
    assert neutral_texts(texts, [0, 24], terms, set()) == texts


# lexical_vectors -------------------------------------------------------------------------------


def random_terms(seed: int, n: int = 40) -> list[list[tuple[int, int, str]]]:
    """Segments of 0-8 lemmas (repeats included, so sublinear tf matters) from a small vocabulary,
    with a few words seen once (below min_df) and a common word."""
    rng = np.random.default_rng(seed)
    words = [f"word{j}" for j in range(15)] + ["subject"]
    rows = []
    for i in range(n):
        lemmas = list(rng.choice(words, size=int(rng.integers(0, 9)), p=None))
        if i % 7 == 0:
            lemmas.append(f"hapax{i}")
        rows.append(terms_of(*lemmas))
    rows.append(terms_of("subject", "hapax_last"))  # only a common word and a rare one: zero row
    return rows


def sorted_columns(matrix: np.ndarray) -> list[tuple[float, ...]]:
    return sorted(tuple(col) for col in np.round(matrix.T.astype(np.float64), 5))


@pytest.mark.parametrize("min_df", [2, 1])
def test_lexical_vectors_match_scikit_learn_tfidf(min_df):
    from sklearn.feature_extraction.text import TfidfVectorizer

    terms = random_terms(seed=3)
    common = {"subject"}
    ours = lexical_vectors(terms, common, min_df=min_df)
    docs = [" ".join(lemma for _, _, lemma in row if lemma not in common) for row in terms]
    theirs = TfidfVectorizer(sublinear_tf=True, min_df=min_df, token_pattern=r"\S+",
                             lowercase=False).fit_transform(docs).toarray()
    assert ours.shape == theirs.shape
    # The same rows up to column order: the same Gram matrix and the same set of columns.
    np.testing.assert_allclose(ours @ ours.T, theirs @ theirs.T, atol=1e-6)
    assert sorted_columns(ours) == sorted_columns(theirs)
    np.testing.assert_allclose(np.sort(ours, axis=1), np.sort(theirs, axis=1), atol=1e-6)


def test_lexical_vectors_unit_rows_zero_row_and_common_words_left_out():
    terms = random_terms(seed=5)
    with_subject = lexical_vectors(terms, set())
    without = lexical_vectors(terms, {"subject"})
    assert with_subject.shape[1] == without.shape[1] + 1
    norms = np.linalg.norm(without, axis=1)
    last = len(terms) - 1
    assert norms[last] == 0.0  # only a common word and one used nowhere else
    assert np.linalg.norm(with_subject[last]) == pytest.approx(1.0, abs=1e-6)
    # min_df defaults to 2.
    np.testing.assert_array_equal(lexical_vectors(terms, {"subject"}, min_df=2), without)
    assert lexical_vectors(terms, {"subject"}, min_df=1).shape[1] > without.shape[1]
    nonzero = [i for i, row in enumerate(terms) if any(not lemma.startswith(("hapax", "subject"))
                                                       for _, _, lemma in row)]
    np.testing.assert_allclose(norms[nonzero], 1.0, atol=1e-6)


def test_lexical_vectors_without_shared_words_are_empty():
    out = lexical_vectors([terms_of("alpha"), terms_of("beta"), terms_of()], set())
    assert out.shape == (3, 0)


# The real model through the pipeline's segment cache -------------------------------------------

UNIFORM_NOTES = [
    "There are strong arguments for a school uniform in every district.",
    "School uniforms reduce bullying between rich and poor pupils.",
    "Parents struggle with the price of the school uniform each September.",
    "A school uniform stops children expressing their identity.",
    "Teachers say the school uniform improves discipline in classrooms.",
    "The school uniform creates a sense of belonging and pride.",
    "Some families cannot afford a second school uniform when one wears out.",
    "Girls should be allowed trousers as part of the school uniform.",
    "A cheap school uniform from supermarkets saves money.",
    "School uniforms shorten mornings because nobody chooses clothes.",
    "Visitors recognise pupils by their school uniform on trips.",
    "The debate over school uniforms has run for decades.",
]


class RecordingEmbedder(FakeEmbedder):
    """The deterministic fake embedder, remembering every text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def _encode(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return super()._encode(texts)


@pytest.mark.models
def test_real_model_lemmas_cached_and_event_subject_found(db):
    from synthesis.segment import load_nlp

    real = load_nlp()
    event = save_event(db, "uniform-words", title="School uniform")
    add_notes(db, event, [Note(text=t, ref=f"n{i}") for i, t in enumerate(UNIFORM_NOTES)])
    embedder = RecordingEmbedder()
    synthesise(db, event, embedder=embedder, nlp=real)

    # The segment cache stores each segment's content words with their lemmas.
    config = resolve()
    identity = segment_cache.pipeline_identity(real)
    notes = approved_notes(db, event)
    stored = {}
    for note in notes:
        key = segment_cache.cache_key(note.text, identity, config)
        row = db.conn.execute("SELECT data FROM segmentation_cache WHERE key = ?", [key]).fetchone()
        assert row is not None, note.text
        stored[note.text] = json.loads(row[0])
    first = stored[UNIFORM_NOTES[0]]
    words = {UNIFORM_NOTES[0][s:e]: lemma for seg in first["terms"] for s, e, lemma in seg}
    assert words["arguments"] == "argument"
    second = stored[UNIFORM_NOTES[1]]
    words = {UNIFORM_NOTES[1][s:e]: lemma for seg in second["terms"] for s, e, lemma in seg}
    assert words["uniforms"] == "uniform" and words["pupils"] == "pupil" and words["School"] == "school"

    # The event's subject is found from the cached terms, and cut out of every segment.
    terms, note_index, texts, starts = [], [], [], []
    for index, note in enumerate(notes):
        item = stored[note.text]
        for (start, end), row in zip(item["spans"], item["terms"], strict=True):
            terms.append([tuple(t) for t in row])
            note_index.append(index)
            texts.append(note.text[start:end])
            starts.append(start)
    eligible = np.ones(len(texts), dtype=bool)
    common = common_words(terms, note_index, eligible, config["common_word_share"])
    assert common == {"school", "uniform"}
    neutral = neutral_texts(texts, starts, terms, common)
    assert all("school" in t.lower() and "uniform" in t.lower() for t in texts)
    assert not any("school" in t.lower() or "uniform" in t.lower() for t in neutral)
    assert "There are strong arguments for a in every district." in neutral
    # The pipeline embedded those neutral texts for clustering.
    assert set(neutral) <= set(embedder.seen)
