"""Two events under the Chatham House Rule for the redaction scan: realistic minutes and a hostile one.

The realistic event is minutes as people write them: an attendance list, initials in brackets
after a name, first names used alone later, an attribution, a building and acronyms that are not
people, and a word spaCy takes for a name ("Covid"). The hostile one hides names every way a
digest could carry them: lower case, capitals, titles, possessives, Markdown, a line break inside
a name, a theme label that is a name, keywords that are names, the organiser's own draft.
"""

from __future__ import annotations

from publishing_data import make_result, seed_event, store_result

from capture.models import Note
from capture.store import add_notes

MINUTES = [
    ("m1", "Table 1", "Present: Jane Smith (Chair), Tom Brown, Priya Shah (PS) and Olu Adebayo. "
                      "Apologies: Grace Okonjo-Smith."),
    ("m2", "Table 1", "Jane Smith (JS) opened the meeting at Keynes House and thanked SEEE for hosting. "
                      "Contracts are getting bigger every year."),
    ("m3", "Table 1", "JS said small charities cannot bid alone for contracts that size. "
                      "Priya agreed and said the consortium has no money for convening."),
    ("m4", "Table 2", "Tom asked whether NCVO could fund the convening. Covid drivers after lockdown made "
                      "tender timelines far too tight."),
    ("m5", "Table 2", "Rural Covid recovery needs co-design with commissioners. Olu thinks commissioners "
                      "skip co-design and ignore the Social Value Act."),
    ("m6", "Table 3", "Brown said big firms distrust small ones. (PS) to draft a proposal for a standing "
                      "partnership."),
]
MINUTES_THEMES = [
    ("Bigger contracts", ("bigger", "bid alone", "consortium", "Present", "opened")),
    ("Commissioning practice", ("co-design", "tender", "NCVO")),
    ("Trust and partnership", ("distrust", "partnership")),
]
MINUTES_NAMES = ("Jane Smith", "Tom Brown", "Priya Shah", "Olu Adebayo", "Grace Okonjo-Smith")
MINUTES_KEPT = ("Keynes House", "SEEE", "NCVO", "Covid", "Social Value Act")

HOSTILE = [
    ("h1", "Table 1", "JANE OKAFOR and jane okafor and Jane\nOkafor all said contracts are getting bigger."),
    ("h2", "Table 1", "Dr. Peter Marsh's point: **Marsh** thinks small charities cannot bid alone."),
    ("h3", "Table 2", "okafor and PETER agreed tender timelines are far too tight (PM)."),
    ("h4", "Table 2", "Commissioners skip co-design, said Mrs Okafor; _Peter_ nodded.", "Peter Marsh"),
    ("h5", "Table 3", "Big firms distrust small ones, according to Sam Whitlow (SW), and Whitlow's team."),
]
HOSTILE_THEMES = [
    ("Bigger contracts", ("bigger", "bid alone")),
    ("Commissioning practice", ("co-design", "tender")),
    ("Trust and partnership", ("distrust", "partnership")),
]
HOSTILE_NAMES = ("Jane Okafor", "Peter Marsh", "Sam Whitlow")


def _with_names_in_keywords(result: dict, names: tuple[str, ...]) -> dict:
    """What synthesis can produce: names lower-cased among the keywords, a theme labelled with a
    name, and a PERSON entity."""
    first = names[0].split()
    for theme in result["themes"]:
        theme["keywords"] = [first[0].lower(), theme["keywords"][0], first[-1].lower()]
    result["themes"][-1]["label"] = names[1]  # "8. A participant" is what this became
    result["entities"].append({"text": names[2], "label": "PERSON", "count": 1})
    return result


def minutes_event(db):
    """Realistic minutes under the rule, with a stored synthesis result; returns the Event."""
    event = seed_event(db, slug="minutes", notes=MINUTES, chatham_house=True,
                       title="Partnership round table", venue="Keynes House, Cambridge")
    add_notes(db, event, [Note(text="Commissioners should allow three months for a tender.", ref="m7",
                               table="Table 3", status="approved", author="Olu Adebayo",
                               attribution="Olu Adebayo, CEO of Fenland Foodbank")])
    store_result(db, event, _with_names_in_keywords(make_result(db, event, MINUTES_THEMES), MINUTES_NAMES))
    return event


def hostile_event(db):
    """Names hidden every way a digest could carry them; returns the Event."""
    event = seed_event(db, slug="hostile-names", notes=HOSTILE, chatham_house=True,
                       title="Round table with Jane Okafor", venue="Cambridge")
    store_result(db, event, _with_names_in_keywords(make_result(db, event, HOSTILE_THEMES), HOSTILE_NAMES))
    return event
