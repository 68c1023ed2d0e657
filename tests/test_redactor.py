"""The Redactor and the final pass alone (no model): how names are matched and what stays."""

from __future__ import annotations

from web.publish.redact import Redactor, attendance_names, final_pass

NAMES = [{"original": "Jane Smith", "replacement": "the chair", "kind": "attendance"},
         {"original": "Tom Smith", "replacement": "the treasurer"},
         {"original": "JS", "replacement": "a participant", "kind": "initials"},
         {"original": "Peter Marsh", "replacement": "a participant"},
         {"original": "Tom Brown", "replacement": "a participant"}]


def test_full_names_parts_titles_initials_and_markdown():
    redact = Redactor(NAMES)
    assert redact("Jane Smith (JS) opened. JS said bids fail; js is lower case.") == \
        "The chair opened. A participant said bids fail; js is lower case."
    assert redact("jane smith and JANE SMITH, Dr. Peter Marsh's point, _Peter_ and \\(JS\\)") == \
        "The chair and the chair, a participant's point, _a participant_ and (the chair)"
    # A part two people share gets neither's role.
    assert redact("Then Smith said no, and marsh agreed.") == \
        "Then a participant said no, and a participant agreed."


def test_everyday_words_go_only_where_they_read_as_a_name():
    redact = Redactor(NAMES)
    assert redact("Brown said no. Brown envelopes stay; then Brown replied.") == \
        "A participant said no. Brown envelopes stay; then a participant replied."
    assert redact("a brown field site") == "a brown field site"


def test_final_pass_keywords_labels_and_entities():
    data = {"themes": [{"label": "Tom Brown", "keywords": ["brown", "tender", "marsh", "timelines"]},
                       {"label": "Tender windows", "keywords": ["tender"]}],
            "entities": {"organisations": ["JS", "NCVO"]}}
    out = final_pass(Redactor(NAMES), data)
    assert [t["label"] for t in out["themes"]] == ["Tender, timelines", "Tender windows"]
    assert out["themes"][0]["keywords"] == ["tender", "timelines"]
    assert out["entities"] == {"organisations": ["NCVO"]}
    assert final_pass(Redactor([]), data) == data  # not under the rule: nothing changes


def test_attendance_lines():
    text = ("Present: Jane Smith (Chair), Tom Brown, Dr Priya Shah (PS) and Olu Adebayo. "
            "Apologies: Grace Okonjo-Smith; NCVO\n"
            "Host: Jenny Carver, Voluntary Norfolk    Scribe: Amir Haddad")
    # "Voluntary Norfolk" is read as listed; the detection drops it as the body in Jenny's brackets.
    assert attendance_names(text) == ["Jane Smith", "Tom Brown", "Priya Shah", "Olu Adebayo",
                                      "Grace Okonjo-Smith", "Jenny Carver", "Voluntary Norfolk",
                                      "Amir Haddad"]
