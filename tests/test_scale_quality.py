"""benchmarks/scale_quality.py helpers on hand-made groups: fast, no models, no data files."""

from __future__ import annotations

import sys

import pytest
from conftest import REPO

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.eval_data import Group  # noqa: E402
from benchmarks.metrics import UNASSIGNED  # noqa: E402
from benchmarks.scale_quality import bertopic_name, score_contender, take_arguments  # noqa: E402


def groups() -> list[Group]:
    first = Group(name="g1", topic="t1", stance="1",
                  arguments=[("a1", "x"), ("a2", "y"), ("a3", "z")], key_points={"k1": "K1", "k2": "K2"},
                  gold={"a1": "k1", "a3": "k2"})
    second = Group(name="g2", topic="t2", stance="-1",
                   arguments=[("b1", "u"), ("b2", "v"), ("b3", "w")], key_points={"k3": "K3"},
                   gold={"b1": "k3", "b2": "k3", "b3": "k3"})
    return [first, second]


def test_take_arguments_keeps_group_order_and_cuts_the_last_group():
    pairs, gold, coarse = take_arguments(groups(), 5)
    assert pairs == [("a1", "x"), ("a2", "y"), ("a3", "z"), ("b1", "u"), ("b2", "v")]
    # a2 has no single key point: imported, not scored; b3 is beyond the count.
    assert gold == {"a1": "k1", "a3": "k2", "b1": "k3", "b2": "k3"}
    assert coarse == {"a1": "g1", "a2": "g1", "a3": "g1", "b1": "g2", "b2": "g2"}


def test_take_arguments_with_a_count_beyond_the_data_takes_everything():
    pairs, gold, coarse = take_arguments(groups(), 100)
    assert [a for a, _ in pairs] == ["a1", "a2", "a3", "b1", "b2", "b3"]
    assert len(gold) == 5 and len(coarse) == 6


def test_score_contender_scores_key_points_and_motion_stance_separately():
    _pairs, gold, coarse = take_arguments(groups(), 6)
    # Themes that keep the two groups apart but merge k1 and k2.
    produced = {"a1": "p", "a2": "p", "a3": "p", "b1": "q", "b2": "q", "b3": "q"}
    row = score_contender(gold, coarse, produced, seconds=1.234)
    assert row["ari_group"] == pytest.approx(1.0)
    assert row["ari"] < 1.0
    assert row["themes"] == 2 and row["unassigned"] == 0.0 and row["seconds"] == 1.2
    assert row["scored"] == 5


def test_score_contender_counts_unassigned_over_all_arguments():
    _pairs, gold, coarse = take_arguments(groups(), 6)
    produced = {"a1": "p", "a2": UNASSIGNED, "a3": "r", "b1": "q", "b2": "q", "b3": UNASSIGNED}
    row = score_contender(gold, coarse, produced, seconds=0.0)
    assert row["unassigned"] == pytest.approx(2 / 6)
    assert row["themes"] == 3


def test_bertopic_names():
    assert bertopic_name(None) == "BERTopic defaults"
    assert bertopic_name(5) == "BERTopic min_topic_size=5"
