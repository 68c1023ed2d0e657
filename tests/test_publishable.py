"""The publishability checks (synthesis.publishable) on small hand-made results."""

import spacy

from synthesis.publishable import (
    check_result,
    dropped_negation,
    is_whole,
    label_problems,
    note_bounds,
    sentence_bounds,
)

NOTE = ("Present: Ann Lee, Bo Chen.\n\nThe council has too few officers to talk to providers. "
        "Procurement rules limit how much the council can talk to providers before a tender.\n"
        "- Funding is short\n- Volunteers are tired")


def _nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def test_whole_sentences_and_items_are_whole_and_pieces_are_not():
    bounds = sentence_bounds(NOTE, _nlp()(NOTE))
    s = NOTE.index("The council")
    e = NOTE.index("providers.") + len("providers.")
    assert is_whole(NOTE, s, e, bounds)
    assert not is_whole(NOTE, s, NOTE.index(" to talk"), bounds)  # stops mid-sentence
    assert not is_whole(NOTE, NOTE.index("how much"), e + 10, bounds)
    item = NOTE.index("Funding")
    assert is_whole(NOTE, item, item + len("Funding is short"), bounds)


def _result(quote_text, summary, label="Council capacity to talk to providers"):
    start = NOTE.index(quote_text)
    return {"themes": [{"id": "t1", "label": label, "keywords": [], "summary": summary, "size": 1,
                        "tables": [], "quotes": [{"text": quote_text, "note": "n1",
                                                  "parts": [{"start": start,
                                                             "end": start + len(quote_text)}]}],
                        "segments": [{"text": NOTE[start:start + 40], "note": "n1", "table": None,
                                      "start": start, "end": start + 40}]}]}


def test_check_result_counts_each_kind_of_problem():
    notes = {"n1": NOTE}
    good = _result("The council has too few officers to talk to providers.",
                   "Procurement rules limit how much the council can talk to providers before a tender.")
    report = check_result(good, notes, _nlp(), context_lines=["Present: Ann Lee, Bo Chen."])
    assert report.counts() == {"quotes_not_whole": 0, "summaries_not_verbatim": 0,
                               "summary_sentences_not_whole": 0, "context_in_themes": 0,
                               "labels_breaking_rules": 0}, report.problems()
    bad = _result("has too few officers to talk to providers.",
                  "The council has too few officers to talk to providers before a tender.",
                  label="Council can talk to providers before a tender")
    bad["themes"][0]["segments"].append({"text": "Present: Ann Lee, Bo Chen.", "note": "n1", "table": None,
                                         "start": 0, "end": 26})
    bad["themes"][0]["segments"][0]["text"] = NOTE[NOTE.index("Procurement"):]
    report = check_result(bad, notes, _nlp(), context_lines=["Present: Ann Lee, Bo Chen."])
    counts = report.counts()
    assert counts["quotes_not_whole"] == 1
    assert counts["summary_sentences_not_whole"] >= 1  # glued across two sentences
    assert counts["context_in_themes"] == 1
    assert any("negation" in p for p in report.labels_breaking_rules)
    glued = _result("The council has too few officers to talk to providers.", "Officers talk to nobody here.")
    assert check_result(glued, notes, _nlp()).counts()["summaries_not_verbatim"] == 1


def test_label_rules():
    assert label_problems("Funding") and "1 words (3-9 wanted)" in label_problems("Funding")[0]
    assert any("date" in p for p in label_problems("Meeting of 12 March 2026"))
    assert any("placeholder" in p for p in label_problems("Apologies from [REDACTED] and others"))
    assert any("function word" in p for p in label_problems("Big contracts squeeze out the"))
    assert any("function word 'all'" in p for p in label_problems("Volunteer drivers are all"))
    assert any("heading" in p for p in label_problems("Matters arising from the minutes",
                                                       headings=["Matters arising from the minutes"]))
    assert label_problems("Small charities cannot afford bid writers") == []
    assert dropped_negation("council can talk to providers",
                            ["Rules limit how much the council can talk to providers."])
    assert dropped_negation("Council cannot talk to providers",
                            ["Rules limit how much the council can talk."]) is None


def test_note_bounds_without_a_parser_uses_lines():
    bounds = note_bounds({"n1": "First point\nSecond point here"})["n1"]
    assert {0, len("First point\n")} <= bounds.starts


def test_a_short_context_line_is_found_as_its_own_note_not_inside_words():
    from synthesis.publishable import context_in_themes

    notes = {"a": "No", "b": "Nobody pays for the coordination. No council grant covers it.", "c": "n/a"}

    def theme_of(*refs):
        return {"themes": [{"segments": [{"note": r, "start": 0, "end": len(notes[r])} for r in refs]}]}

    # "No" (an answer that says nothing) is found where it is a note of its own...
    assert context_in_themes(theme_of("a", "b"), notes, ["No"]) == ["note 'a': 'No'"]
    assert context_in_themes(theme_of("b"), notes, ["No"]) == []  # ... not in "Nobody" or "No council"
    assert context_in_themes(theme_of("c"), notes, ["n/a"]) == ["note 'c': 'n/a'"]
    # Without such a note, as whole words.
    assert context_in_themes(theme_of("b"), {"b": notes["b"]}, ["No council"]) == ["note 'b': 'No council'"]
    assert context_in_themes(theme_of("b"), {"b": notes["b"]}, ["Nob"]) == []
