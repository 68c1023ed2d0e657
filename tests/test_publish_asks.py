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


def test_a_proposal_proposes_and_a_demand_made_of_the_table_does_not():
    """The second walk-through's N5: "Proposals made" listed a complaint (what letting agents ask
    for) and left out what a measure would do. Rules, not sentences: a request counts in the
    meeting's own voice; "would" and "could" count where they say what a measure would make
    possible or what the table or a body could do, not where they guess or look back."""
    proposals = [
        "Selective licensing would let the council inspect more rented homes.",
        "A community land trust would give young families a way to stay in the village.",
        "It would help if the surgery opened on Saturdays.",
        "It would be better to publish the repair times online.",
        "We would like the council to publish the waiting list.",
        "The council could fund a night bus to the hospital.",
        "Perhaps the school could open its hall to the youth club.",
        "We call on the council to ban no-fault evictions.",
        "Several people called for free parking at the station.",
        "We asked the county to reopen the crossing.",
        "Marguerite suggested a lift-share rota for the Thursday club.",
        # Third walk-through: what a measure would change, said as the reason to have it.
        "A bus straight from Ely to the hospital twice a day would change everything.",
        "A named contact at the council would make a real difference to small groups.",
    ]
    others = [
        "Letting agents ask for six months' rent in advance.",
        "Landlords ask for a guarantor even when the tenant works full time.",
        "The agency asked for three references and a credit check.",
        "Landlords asked tenants to leave within a month.",
        "Some landlords suggest tenants find cheaper places.",
        "Rents could rise again next year.",
        "The council could have listened to us.",
        "It would take years to clear the waiting list.",
        "Nobody would take housing benefit.",
        "Employers would rather hire on zero-hours contracts.",
        "The new rules would change nothing for tenants.",
        "It would make no difference to the waiting list.",
        "That would change everything, they warned, if rents rose again.",
    ]
    found = find_asks([(f"p{i}", text) for i, text in enumerate(proposals)]
                      + [(f"o{i}", text) for i, text in enumerate(others)])
    assert texts(found["proposals"]) == proposals
    assert found["questions"] == []


def test_proposals_are_cited_with_their_table_as_quotes_are(db):
    """N5's citation: a proposal read "(note 2)" where every quote read "Table 1, note 2"; one made
    at two tables cites both, told apart."""
    from publishing_data import make_result, seed_event, store_result

    from web.publish.digest import compose_markdown

    notes = [("w1", "Table 1", "Rents are up by a third. Commissioners should fund tenancy advice."),
             ("w2", "Table 2", "Commissioners should fund tenancy advice."),
             ("w3", None, "We propose a landlord register for the district.")]
    event = seed_event(db, slug="winter", notes=notes)
    store_result(db, event, make_result(db, event, [("Rents", ("Rents", "advice", "register"))]))
    md = compose_markdown(db, event)
    proposals = md[md.index("## Proposals made"):].split("\n## ")[0]
    assert '- "Commissioners should fund tenancy advice." (Table 1, note 1; Table 2, note 2)' in proposals
    assert '- "We propose a landlord register for the district." (note 3)' in proposals
