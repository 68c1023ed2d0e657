"""The benchmark metrics (benchmarks/metrics.py) on small hand-made cases: fast, no models."""

from __future__ import annotations

import sys

import pytest
from conftest import REPO

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.metrics import (  # noqa: E402
    UNASSIGNED,
    average,
    quote_themes,
    score_group,
    score_seee,
    text_themes,
    theme_recall,
    topics_to_themes,
)


def seg(text, note, start=0, end=None, table=None):
    return {"text": text, "note": note, "table": table, "start": start,
            "end": len(text) if end is None else end}


def test_text_theme_is_the_theme_holding_most_of_its_segments():
    result = {
        "themes": [
            {"id": "a", "segments": [seg("x", "n1"), seg("y", "n1"), seg("z", "n2")]},
            {"id": "b", "segments": [seg("w", "n1"), seg("v", "n3")]},
        ],
        "unassigned": [seg("u", "n2"), seg("t", "n2"), seg("s", "n4")],
    }
    chosen = text_themes(result, ["n1", "n2", "n3", "n4", "n5"])
    assert chosen == {"n1": "a", "n2": UNASSIGNED, "n3": "b", "n4": UNASSIGNED, "n5": UNASSIGNED}


def test_text_theme_ties_go_to_the_first_listed_theme():
    result = {"themes": [{"id": "a", "segments": [seg("x", "n1")]},
                         {"id": "b", "segments": [seg("y", "n1")]}],
              "unassigned": [seg("z", "n1")]}
    assert text_themes(result, ["n1"]) == {"n1": "a"}


def test_bertopic_outlier_topic_is_unassigned():
    assert topics_to_themes(["a", "b", "c"], [0, -1, 3]) == {"a": "topic-0", "b": UNASSIGNED,
                                                            "c": "topic-3"}


def test_perfect_clustering_scores_one():
    gold = {f"t{i}": ("g1" if i < 4 else "g2") for i in range(8)}
    produced = {t: ("p" + g) for t, g in gold.items()}
    score = score_group(gold, produced)
    assert score.ari == pytest.approx(1.0)
    assert score.nmi == pytest.approx(1.0)
    assert score.recall == 1.0
    assert score.unassigned == 0.0
    assert score.themes == 2
    assert score.gold_themes == 2


def test_all_unassigned_recovers_nothing_and_counts_as_one_cluster():
    gold = {f"t{i}": ("g1" if i < 4 else "g2") for i in range(8)}
    produced = {t: UNASSIGNED for t in gold}
    score = score_group(gold, produced)
    assert score.recall == 0.0
    assert score.unassigned == 1.0
    assert score.themes == 0
    assert score.ari == pytest.approx(0.0)


def test_unassigned_share_and_theme_count_include_unscored_texts():
    gold = {"a": "g1", "b": "g1", "c": "g1"}
    produced = {"a": "p1", "b": "p1", "c": "p1", "x": UNASSIGNED, "y": "p2"}
    score = score_group(gold, produced)
    assert score.unassigned == pytest.approx(1 / 5)
    assert score.themes == 2
    assert score.scored == 3


def test_recall_needs_purity_of_half():
    # g1 (4 texts) sits inside a produced theme that has 5 texts from g2: purity 4/9 < 0.5.
    gold = {**{f"a{i}": "g1" for i in range(4)}, **{f"b{i}": "g2" for i in range(5)}}
    produced = {t: "p" for t in gold}
    recall, eligible = theme_recall(gold, produced)
    assert eligible == 2
    assert recall == 0.5   # g2: purity 5/9, Jaccard 5/9 -> recovered; g1 is not


def test_recall_needs_jaccard_of_three_tenths():
    # g1 has 10 texts; a pure produced theme holds only 2 of them: Jaccard 0.2.
    gold = {f"a{i}": "g1" for i in range(10)}
    produced = {t: ("p" if i < 2 else f"q{i}") for i, t in enumerate(gold)}
    assert theme_recall(gold, produced) == (0.0, 1)
    produced = {t: ("p" if i < 3 else f"q{i}") for i, t in enumerate(gold)}   # Jaccard 0.3
    assert theme_recall(gold, produced) == (1.0, 1)


def test_recall_ignores_gold_themes_under_three_texts_and_unassigned():
    gold = {"a": "g1", "b": "g1", "c": "g2", "d": "g2", "e": "g2"}
    produced = {"a": "p", "b": "p", "c": UNASSIGNED, "d": UNASSIGNED, "e": UNASSIGNED}
    assert theme_recall(gold, produced) == (0.0, 1)


def test_average_weighs_groups_equally():
    g = {"a": "g", "b": "g", "c": "g"}
    s1 = score_group(g, {"a": "p", "b": "p", "c": "p"})
    s2 = score_group(g, {"a": UNASSIGNED, "b": UNASSIGNED, "c": UNASSIGNED})
    avg = average([s1, s2])
    assert avg["recall"] == 0.5
    assert avg["unassigned"] == 0.5
    assert avg["themes"] == 0.5


NOTE = "The group felt\u00a0that contracts are getting bigger. Nobody pays for convening."


def test_quotes_map_to_the_segment_that_contains_them_despite_nbsp():
    first_end = NOTE.index(".") + 1
    result = {"themes": [{"id": "big", "segments": [seg(NOTE[:first_end], "n1", 0, first_end)]}],
              "unassigned": [seg(NOTE[first_end + 1:], "n1", first_end + 1, len(NOTE))]}
    quotes = ["felt that contracts", "pays for convening", "not in the text"]
    assert quote_themes(result, quotes, {"n1": NOTE}) == ["big", UNASSIGNED, None]
    # Without the notes, segment text containment is used.
    assert quote_themes(result, quotes) == ["big", UNASSIGNED, None]


def test_quote_across_a_boundary_goes_to_the_segment_overlapping_it_most():
    cut = NOTE.index("bigger")
    result = {"themes": [{"id": "a", "segments": [seg(NOTE[:cut], "n1", 0, cut)]},
                         {"id": "b", "segments": [seg(NOTE[cut:], "n1", cut, len(NOTE))]}],
              "unassigned": []}
    assert quote_themes(result, ["getting bigger. Nobody pays for"], {"n1": NOTE}) == ["b"]


def test_seee_recovered_needs_both_halves():
    gold_quotes = {"g1": ["1", "2", "3", "4"], "g2": ["5", "6"], "g3": ["7", "8"]}
    produced = {
        "g1": ["A", "A", "B", UNASSIGNED],   # A holds half of g1's quotes
        "g2": ["A", "A"],                     # A holds all of g2's
        "g3": ["A", None],                    # A holds half of g3's; one quote found nowhere
    }
    score = score_seee(gold_quotes, produced)
    assert score.total == 3
    assert score.missing_quotes == 1
    # A holds 5 gold quotes: 2 of g1, 2 of g2, 1 of g3, none of them at least half -> none recovered.
    assert score.detail == {"g1": None, "g2": None, "g3": None}
    assert score.recovered == 0
    # Without g3's quote in A, A holds 2 of g1 and 2 of g2: both exactly half, both recovered by A.
    produced["g3"] = ["C", "C"]
    score = score_seee(gold_quotes, produced)
    assert score.detail == {"g1": "A", "g2": "A", "g3": "C"}
    assert score.recovered == 3


def test_seee_perfect_mapping_recovers_all():
    gold_quotes = {"g1": ["1", "2"], "g2": ["3", "4", "5"]}
    produced = {"g1": ["A", "A"], "g2": ["B", "B", UNASSIGNED]}
    score = score_seee(gold_quotes, produced)
    assert score.recovered == 2
    assert score.detail == {"g1": "A", "g2": "B"}
    assert 0 < score.ari < 1
    assert score_seee(gold_quotes, {"g1": ["A", "A"], "g2": ["B", "B", "B"]}).ari == pytest.approx(1.0)


def test_seee_unassigned_never_recovers_a_theme():
    score = score_seee({"g1": ["1", "2"]}, {"g1": [UNASSIGNED, None]})
    assert score.recovered == 0


def test_strict_recall_counts_unscored_texts_against_purity():
    # A produced theme with 3 texts of g1 and 4 unscored texts: pure over scored texts only.
    gold = {"a": "g1", "b": "g1", "c": "g1"}
    produced = {"a": "p", "b": "p", "c": "p", "x1": "p", "x2": "p", "x3": "p", "x4": "p"}
    assert theme_recall(gold, produced) == (1.0, 1)
    assert theme_recall(gold, produced, strict=True) == (0.0, 1)
    score = score_group(gold, produced)
    assert (score.recall, score.recall_strict) == (1.0, 0.0)
