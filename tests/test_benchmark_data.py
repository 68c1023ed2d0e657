"""The benchmark data loader and the import the quality benchmark does: fast, no models.

The evaluation data lives in shared/eval beside the clone (CI copies it there); the tests that
read it are marked `eval` (skipped, saying where it was looked for, when it is absent).
"""

from __future__ import annotations

import sys

import pytest
from conftest import REPO

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import contenders  # noqa: E402
from benchmarks.eval_data import load_arguments, load_groups, load_seee  # noqa: E402
from benchmarks.metrics import _normalise  # noqa: E402


@pytest.mark.eval
def test_argkp_dev_has_eight_groups_with_gold_from_exactly_one_key_point():
    groups = load_groups("dev")
    assert len(groups) == 8
    assert sorted(len(g.arguments) for g in groups) == [108, 108, 110, 117, 119, 121, 123, 126]
    assert sum(len(g.gold) for g in groups) == 604    # arguments with exactly one matching key point
    for g in groups:
        ids = {a for a, _ in g.arguments}
        assert set(g.gold) <= ids
        assert set(g.gold.values()) <= set(g.key_points)   # gold key points are the group's own
        assert 3 <= len(g.key_points) <= 10   # the eval README says 4 to 10; one group has 3
    assert len({g.slug for g in groups}) == 8


@pytest.mark.eval
def test_speed_corpus_is_the_first_arguments_of_train():
    pairs = load_arguments("train", 3000)
    assert len(pairs) == 3000
    assert 50_000 < sum(len(t.split()) for _, t in pairs) < 62_000


@pytest.mark.eval
def test_seee_annotation_quotes_are_in_the_transcript():
    transcript, themes = load_seee()
    assert len(themes) == 8
    norm = _normalise(transcript)[0]
    for theme in themes:
        assert theme.quotes
        for quote in theme.quotes:
            assert _normalise(quote)[0] in norm, quote


def test_import_pairs_keeps_every_argument_under_its_id(db):
    from capture.store import list_notes

    pairs = [("arg_1", "Uniforms save money."), ("arg_2", "Uniforms save money."),
             ("arg_3", "They stop bullying.")]
    event = contenders.import_pairs(db, "argkp-test", "A motion", pairs)
    notes = list_notes(db, event)
    assert [(n.ref, n.text) for n in notes] == pairs
    assert all(n.status == "approved" for n in notes)


@pytest.mark.eval
def test_import_transcript_gives_notes_whose_text_holds_the_quotes(db):
    from benchmarks.eval_data import SEEE_TRANSCRIPT
    from capture.store import list_notes

    event, how = contenders.import_transcript(db, "seee-test", SEEE_TRANSCRIPT)
    notes = list_notes(db, event)
    assert len(notes) >= 5
    _transcript, themes = load_seee()
    joined = [_normalise(n.text)[0] for n in notes]
    missing = [q for t in themes for q in t.quotes if not any(_normalise(q)[0] in j for j in joined)]
    assert missing == [], f"quotes not inside one note ({how}): {missing}"
