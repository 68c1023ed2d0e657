"""benchmarks/scale_quality.py helpers on hand-made groups: fast, no models, no data files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import REPO

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.eval_data import Group  # noqa: E402
from benchmarks.metrics import UNASSIGNED  # noqa: E402
from benchmarks.scale_quality import (  # noqa: E402
    bertopic_name,
    main,
    peak_rss_gb,
    print_report,
    score_contender,
    take_arguments,
)


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


def test_a_count_below_one_is_a_clear_error(capsys):
    assert main(["--count", "0"]) == 1
    assert "error: --count must be a positive number of arguments" in capsys.readouterr().err


def test_peak_rss_is_the_kernels_high_water_mark_in_gib():
    status = Path("/proc/self/status").read_text()
    hwm_kib = int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])
    assert peak_rss_gb() == pytest.approx(hwm_kib / 1024 / 1024, abs=0.05)


def test_peak_rss_of_a_spawned_child_is_its_own():
    """A child spawned after this process held 600 MB reports its own peak, not the parent's
    (ru_maxrss would carry the parent's high-water mark over the exec)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ballast = bytearray(600 * 1024 * 1024)
    ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page so it is resident
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        child = pool.submit(peak_rss_gb).result()
    del ballast
    assert peak_rss_gb() > 0.55
    assert child < 0.3


def test_report_states_harvest_peak_memory_against_the_target(capsys):
    row = {"ari": 0.4, "nmi": 0.7, "recall": 0.2, "unassigned": 0.001, "themes": 100, "ari_group": 0.4,
           "seconds": 60.0, "segments": 5851, "segments_unassigned": 0.001, "stages": {"embed": 30.0},
           "peak_rss_gb": 1.1}
    report = {"event": {"arguments": 5000, "groups": 44, "key_points": 190, "scored": 3423,
                        "gold_themes": 179},
              "commit": "abc1234", "embed_seconds": 20.0, "small_event_segments": 400,
              "machine": {"nproc": 2, "cpu": "x", "memory_gib": 8, "python": "3.11", "torch": "2",
                          "bertopic": "0.17", "sentence_transformers": "6", "umap_learn": "0.5"},
              "contenders": {"Harvest": row}}
    print_report(report)
    out = capsys.readouterr().out
    assert "5851 segments (small_event_segments = 400: the large-event path)" in out
    assert "Harvest peak RSS" in out and "1.10 GB, under the 2.5 GB target" in out
    row["peak_rss_gb"] = 2.6
    print_report(report)
    assert "2.60 GB, NOT under the 2.5 GB target" in capsys.readouterr().out
