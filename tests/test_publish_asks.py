"""Questions raised and proposals made, found by rules over the spaCy parse (real model)."""

from __future__ import annotations

import pytest

from synthesis.asks import find_asks

pytestmark = pytest.mark.models

NOTES = [
    ("n1", "Should funders cover the cost of convening? Contracts are getting bigger."),
    ("n2", "The group questioned how we can get people to work together. Nobody pays for it."),
    ("n3", "Commissioners should allow three months for a consortium to form."),
    ("n4", "We propose a standing partnership of nine providers. It worked in Manchester."),
    ("n5", "Let's meet again in spring. Fund the convening, not only the delivery."),
    ("n6", "They just want one person to negotiate with. Commissioners should not skip co-design."),
    ("n7", "How can small charities compete with corporate providers"),
    ("n8", "Ask the people who use the service what they need, then write the specification."),
]


def texts(items):
    return [i["text"] for i in items]


def test_questions_and_proposals_are_found_verbatim():
    found = find_asks(NOTES)
    assert texts(found["questions"]) == [
        "Should funders cover the cost of convening?",
        "The group questioned how we can get people to work together.",
        "How can small charities compete with corporate providers",
    ]
    assert texts(found["proposals"]) == [
        "Commissioners should allow three months for a consortium to form.",
        "We propose a standing partnership of nine providers.",
        "Let's meet again in spring.",
        "Fund the convening, not only the delivery.",
        "Commissioners should not skip co-design.",
        "Ask the people who use the service what they need, then write the specification.",
    ]
    notes = dict(NOTES)
    for item in found["questions"] + found["proposals"]:
        assert notes[item["note"]][item["start"]:item["end"]] == item["text"]


def test_statements_are_neither():
    found = find_asks([("s", "Contracts are getting bigger. They just want one person to negotiate with. "
                              "Where the money went was never clear.")])
    assert found == {"questions": [], "proposals": []}


def test_what_only_looks_like_a_question():
    """A clause as subject, a relative 'who ... ask', and a request ('asked for') are not questions;
    the request is a proposal. (Found in the demo's Norfolk round table.)"""
    found = find_asks([
        ("m1", "What would help is a commissioner who rings us before the tender goes out."),
        ("m2", "One youth project reports 42 indicators to three funders who all ask the same thing."),
        ("m3", "People asked for the Social Value Act to be applied to grants as well as contracts."),
        ("m4", "They asked whether the council would fund the convening. What do they want from us?"),
        ("m5", "We need the pre-market conversation months earlier. They need the money, we are told."),
    ])
    assert texts(found["questions"]) == ["They asked whether the council would fund the convening.",
                                         "What do they want from us?"]
    assert texts(found["proposals"]) == [
        "People asked for the Social Value Act to be applied to grants as well as contracts.",
        "We need the pre-market conversation months earlier."]
