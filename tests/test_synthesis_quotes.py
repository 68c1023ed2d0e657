"""Quotes and summaries are whole sentences of one note, verbatim at their offsets (issue 12, 1 and 2).

Fast tests: spaCy's blank English pipeline with a sentencizer, and the fake embedder. The same
rules on the SEEE transcript with the real models are in test_synthesis_publishable.py.
"""

from __future__ import annotations

import numpy as np

from capture.models import Note
from synthesis import quotes
from synthesis.embed import FakeEmbedder
from synthesis.segment import segment_notes, sentence_spans
from synthesis.settings import resolve

LONG = ("The difficulty is the time line between entering into a formal partnership arrangement and "
        "the release of the tender, which is normally very tight, because commissioners expect a "
        "consortium to be established in one week or one month, with all the appropriate governance "
        "in place, ready to respond to an invitation to tender, and to be clear about the content of "
        "the activity, the partners, the shares of the work and the risks each of them carries.")
NOTES = [
    "Public sector contracts are getting bigger, bringing previous grants and previous contracts "
    "into one larger contract. These larger contracts need more partnership and consortium working.\n"
    "- because all commissioners are focusing on the end point\n"
    "- Bigger contracts squeeze out small charities",
    LONG + " Tenders give a week.",
    "and then the contracts, the bigger contracts, the larger contracts",
]


def setup(nlp, texts=NOTES, **overrides):
    notes = [Note(text=t, ref=f"n{i}", id=i) for i, t in enumerate(texts)]
    docs = [nlp(n.text) for n in notes]
    segments = segment_notes(notes, docs, resolve({"max_segment_chars": 90, **overrides}))
    texts_ = [s.text for s in segments]
    embedder = FakeEmbedder()
    vectors = embedder.encode(texts_)
    sentences = [sentence_spans(doc, n.text) for doc, n in zip(docs, notes, strict=True)]
    spans = [(s.note_index, s.start, s.end) for s in segments]
    return notes, segments, texts_, vectors, sentences, spans, embedder


def passages_of(nlp, members=None, texts=NOTES, k=4, summary_max=2, **overrides):
    notes, segments, texts_, vectors, sentences, spans, embedder = setup(nlp, texts, **overrides)
    members = list(range(len(segments))) if members is None else members
    centre = vectors[members].mean(axis=0)
    centre /= np.linalg.norm(centre)
    weights = {"contracts": 1.0, "bigger": 0.6, "tender": 0.4}
    [(summary, quoted)] = quotes.theme_passages([members], [centre], [weights], texts_, spans, sentences,
                                                [n.text for n in notes], vectors, embedder.encode, k, 0.5,
                                                summary_max)
    return notes, sentences, segments, summary, quoted


def test_sentence_spans_are_whole_sentences_without_list_markers(nlp):
    text = NOTES[0]
    spans = sentence_spans(nlp(text), text)
    shown = [text[a:b] for a, b in spans]
    assert shown == ["Public sector contracts are getting bigger, bringing previous grants and previous "
                     "contracts into one larger contract.",
                     "These larger contracts need more partnership and consortium working.",
                     "because all commissioners are focusing on the end point",
                     "Bigger contracts squeeze out small charities"]


def test_every_passage_is_whole_sentences_of_one_note_at_its_offsets(nlp):
    notes, sentences, segments, summary, quoted = passages_of(nlp)
    # The segmenter cut the first sentence into clauses; no reader sees a clause.
    assert any(not s.text.endswith((".", "point", "charities")) for s in segments)
    for passage in summary + quoted:
        text = notes[passage.note].text
        assert passage.text == quotes.ELLIPSIS.join(text[a:b] for a, b in passage.parts)
        starts = {a for a, _ in sentences[passage.note]}
        ends = {b for _, b in sentences[passage.note]}
        # It starts where a sentence starts and ends where one ends; a part boundary inside is an
        # ellipsis of a long sentence only.
        assert passage.parts[0][0] in starts and passage.parts[-1][1] in ends
        if len(passage.parts) == 1:
            covered = [(a, b) for a, b in sentences[passage.note]
                       if passage.parts[0][0] <= a and b <= passage.parts[0][1]]
            assert covered and covered[0][0] == passage.parts[0][0] and covered[-1][1] == passage.parts[0][1]


def test_a_long_sentence_is_shortened_with_an_ellipsis_each_part_verbatim(nlp):
    notes, segments, texts, vectors, sentences, spans, _ = setup(nlp)
    text = notes[1].text
    middle = next(i for i, s in enumerate(segments) if s.note_index == 1 and "commissioners expect" in s.text)
    passage = quotes.Notes(spans, sentences, [n.text for n in notes]).passage(middle)
    assert len(passage.parts) >= 2 and quotes.ELLIPSIS in passage.text
    assert passage.parts[0][0] == 0 and passage.parts[-1][1] == len(LONG)  # the sentence's own ends
    assert all(text[a:b] in passage.text for a, b in passage.parts)
    assert segments[middle].text in passage.text
    assert len(passage.text.split()) <= quotes.LONG_SENTENCE + 6  # (the " ... " marks)
    # Parts are in order and do not touch: something is left out between each two.
    assert all(b < a2 for (_, b), (a2, _) in zip(passage.parts, passage.parts[1:], strict=False))


def test_summary_and_quotes_never_repeat_a_sentence(nlp):
    _notes, _sentences, _segments, summary, quoted = passages_of(nlp)
    used = [(p.note, s) for p in summary + quoted for s in p.sentences]
    assert summary and quoted
    assert len(used) == len(set(used))


def test_summary_reads_alone():
    assert quotes.reads_alone("These larger contracts need more partnership and consortium working.")
    assert quotes.reads_alone("Bigger contracts squeeze out small charities")
    for bad in ("because all commissinoers are focusing on the end point.",
                "And the partners have all said you can challenge us.",
                "But how else are we going to compete with them?",
                "So the tender went to the usual suspects again.",
                "there bringing together previous grants and previous contracts into one",
                "We don't have a connective voice for saying you cannot expect one and",
                "Contracts are bigger,",
                "Too short.",
                " ".join(["word"] * 50) + "."):
        assert not quotes.reads_alone(bad), bad


def test_summary_is_a_sentence_that_states_the_theme(nlp):
    _notes, _sentences, _segments, summary, _quoted = passages_of(nlp)
    assert summary and all(quotes.reads_alone(p.text) for p in summary)
    assert all("because all commissioners" not in p.text for p in summary)
    assert 1 <= len(summary) <= 2


def test_no_summary_where_no_sentence_reads_alone(nlp):
    # Only the lower-case fragment of note 2 and the leaning bullet of note 0 are in the theme.
    notes, _sentences, segments, summary, quoted = passages_of(nlp, members=None, texts=[NOTES[2]])
    assert summary == [] and len(quoted) == 1
    assert quoted[0].text == NOTES[2]


def test_a_theme_of_one_readable_sentence_is_summarised_by_it(nlp):
    # Not "no sentence states this theme" beside a quote that states it (issue 12, point 2).
    text = "Bigger contracts squeeze out small local charities every year."
    _notes, _sentences, _segments, summary, quoted = passages_of(nlp, texts=[text])
    assert [p.text for p in summary] == [text] and quoted == []


def test_a_theme_of_two_readable_sentences_has_a_summary_and_a_quote(nlp):
    # Both read alone and would both summarise it; one is kept to quote, not both to the summary.
    texts = ["Small groups cannot apply for core costs at all; only new projects are funded.",
             "Residents worry the primary school will lose another class."]
    _notes, _sentences, _segments, summary, quoted = passages_of(nlp, texts=texts)
    assert len(summary) == 1 and len(quoted) == 1
    assert {summary[0].text, quoted[0].text} == set(texts)


def test_a_readable_sentence_beyond_the_most_central_still_summarises(nlp, monkeypatch):
    # Only the most central segment's sentence is tried first: it leans on the one before; the
    # readable sentence further out is then taken rather than saying none states the theme.
    monkeypatch.setattr(quotes, "SUMMARY_CANDIDATES", 1)
    texts = ["and then the contracts, the bigger contracts, the larger contracts",
             "Bigger contracts squeeze out small local charities every year."]
    _notes, _sentences, _segments, summary, _quoted = passages_of(nlp, texts=texts)
    assert [p.text for p in summary] == [texts[1]]


def test_quotes_of_a_clause_in_another_theme_still_quote_the_whole_sentence(nlp):
    notes, sentences, segments, summary, quoted = passages_of(nlp, members=[1], summary_max=0)
    first_sentence = notes[0].text[sentences[0][0][0]:sentences[0][0][1]]
    assert segments[1].text != first_sentence and segments[1].text in first_sentence
    assert [q.text for q in quoted] == [first_sentence]


def test_neighbouring_sentences_of_one_note_are_quoted_as_one_passage(nlp):
    # "Getting a bank account!" and "Three months and still waiting" are one answer, not two quotes.
    texts = ["Getting a bank account for the group! Three months and still waiting for the bank.",
             "Bigger contracts squeeze out small local charities every year.",
             "Contracts are getting bigger every year for small charities."]
    notes, sentences, segments, summary, quoted = passages_of(nlp, texts=texts, summary_max=1)
    first = [q for q in quoted if q.note == 0]
    assert [q.text for q in first] == [texts[0]] and first[0].parts == ((0, len(texts[0])),)
    assert first[0].sentences == (0, 1)


def test_a_second_summary_sentence_says_something_near_the_first(monkeypatch):
    # Two sentences as central to a theme as each other but about different things (one from each
    # of two notes the theme joined) do not make one summary.
    texts = ["Bigger contracts squeeze out small local charities every year.",
             "Lunch ran out before the second sitting at the venue today."]
    notes = quotes.Notes([(0, 0, len(texts[0])), (1, 0, len(texts[1]))], [[(0, len(texts[0]))],
                                                                         [(0, len(texts[1]))]], texts)
    found = [notes.passage(0), notes.passage(1)]
    vectors = {texts[0]: np.array([1.0, 0.0]), texts[1]: np.array([0.0, 1.0])}
    centre = np.array([1.0, 1.0]) / np.sqrt(2)
    assert [p.text for p in quotes._pick_summary(found, centre, {}, {0, 1}, notes, vectors, 2)] == [texts[0]]
    monkeypatch.setattr(quotes, "SECOND_RELATED", -1.0)  # without the rule, both would be the summary
    assert len(quotes._pick_summary(found, centre, {}, {0, 1}, notes, vectors, 2)) == 2


def test_a_line_a_scribe_or_a_form_started_in_lower_case_may_summarise():
    assert quotes.reads_alone("council spends more on nightly-rate TA than leasing homes", starts_line=True)
    assert not quotes.reads_alone("council spends more on nightly-rate TA than leasing homes")
    assert not quotes.reads_alone("because all commissioners are focusing on the end point", starts_line=True)
    notes = quotes.Notes([(0, 0, 5), (0, 8, 20)], [[(0, 5), (8, 20)]], ["First\n- second point"])
    assert notes.starts_line(quotes.Passage(0, ((8, 20),), (1,), "second point"))
    assert notes.starts_line(quotes.Passage(0, ((0, 5),), (0,), "First"))
    inline = quotes.Notes([(0, 0, 5), (0, 6, 12)], [[(0, 5), (6, 12)]], ["First second"])
    assert not inline.starts_line(quotes.Passage(0, ((6, 12),), (1,), "second"))


def test_a_quote_that_points_back_takes_the_sentence_before_it(nlp):
    # "They just want one person to negotiate with." says nothing on its own: who are they?
    text = ("Commissioners prefer a single prime contractor. They just want one person to negotiate "
            "with.\n\nThis is seen as a real constraint. It was felt that time is short.")
    [doc] = [nlp(text)]
    sentences = [sentence_spans(doc, text)]
    spans = [(0, a, b) for a, b in sentences[0]]
    notes = quotes.Notes(spans, sentences, [text])
    they = notes.passage(1)
    assert they.text == "They just want one person to negotiate with."
    widened = notes.with_antecedent(they)
    assert widened.text == ("Commissioners prefer a single prime contractor. They just want one person to "
                            "negotiate with.")
    assert widened.parts == ((0, sentences[0][1][1]),) and widened.sentences == (0, 1)
    assert text[widened.parts[0][0]:widened.parts[0][1]] == widened.text  # verbatim at its offsets
    # Only where the sentence before is the theme's too: a quote stays the theme's own words.
    assert notes.with_antecedent(they, {0, 1}) == widened and notes.with_antecedent(they, {1}) == they
    # Not across a paragraph break, and not where the sentence before points back itself.
    this = notes.passage(2)
    assert this.text.startswith("This is seen") and notes.with_antecedent(this) == this
    assert notes.with_antecedent(notes.passage(3)) == notes.passage(3)  # "It was felt": none needed
