"""Theme review: edits stored as edits, re-applied over a new synthesis result (hand-made results)."""

from __future__ import annotations

import copy

import pytest
from publishing_data import make_result, seed_event, store_result

from capture.errors import ValidationError
from web.review import (
    edited_result,
    edited_result_with_report,
    quote_key,
    record_edit,
    segment_key,
    undo_last_edit,
)


def all_segment_keys(result):
    keys = [segment_key(s) for t in result["themes"] for s in t["segments"]]
    keys += [segment_key(s) for s in result["unassigned"]]
    return keys


@pytest.fixture
def event(db):
    event = seed_event(db)
    store_result(db, event, make_result(db, event))
    return event


def theme(result, label):
    return next(t for t in result["themes"] if t["label"] == label)


def test_no_edits_gives_the_result_unchanged(db, event):
    assert edited_result(db, event) == make_result(db, event)


def test_rename_and_summary(db, event):
    record_edit(db, event, "rename", theme="t0", label="  Contracts  too big ")
    record_edit(db, event, "summary", theme="t0", summary="Organiser's own words.")
    result = edited_result(db, event)
    assert result["themes"][0]["label"] == "Contracts too big"
    assert result["themes"][0]["summary"] == "Organiser's own words."


def test_merge_keeps_every_segment_once(db, event):
    before = edited_result(db, event)
    record_edit(db, event, "merge", theme="t0", other="t2")
    after = edited_result(db, event)
    assert [t["label"] for t in after["themes"]] == ["Bigger contracts", "Commissioning practice"]
    merged = after["themes"][0]
    assert merged["size"] == len(before["themes"][0]["segments"]) + len(before["themes"][2]["segments"])
    assert merged["tables"] == ["Table 1", "Table 3"]
    assert sorted(all_segment_keys(after)) == sorted(all_segment_keys(before))
    assert len(set(all_segment_keys(after))) == len(all_segment_keys(after))


def test_split_to_a_new_theme_and_to_another(db, event):
    before = edited_result(db, event)
    moving = [segment_key(s) for s in before["themes"][1]["segments"][2:]]
    record_edit(db, event, "split", theme="t1", segments=moving, label="Tender timelines")
    after = edited_result(db, event)
    assert [t["label"] for t in after["themes"]] == [
        "Bigger contracts", "Commissioning practice", "Tender timelines", "Trust and partnership"]
    new = theme(after, "Tender timelines")
    assert [segment_key(s) for s in new["segments"]] == moving
    assert new["quotes"] and all(q["text"] in [s["text"] for s in new["segments"]] for q in new["quotes"])
    assert theme(after, "Commissioning practice")["size"] == 2
    # Move one more segment into the existing new theme.
    new_id = new["id"]
    one = segment_key(theme(after, "Bigger contracts")["segments"][0])
    record_edit(db, event, "split", theme="t0", segments=[one], to=new_id)
    again = edited_result(db, event)
    assert one in [segment_key(s) for s in theme(again, "Tender timelines")["segments"]]
    assert sorted(all_segment_keys(again)) == sorted(all_segment_keys(before))


def test_split_rejects_segments_of_another_theme(db, event):
    result = edited_result(db, event)
    other = segment_key(result["themes"][2]["segments"][0])
    with pytest.raises(ValidationError, match="Tick one or more segments"):
        record_edit(db, event, "split", theme="t0", segments=[other])
    own = segment_key(result["themes"][0]["segments"][0])
    with pytest.raises(ValidationError, match="to another theme, or to a new one"):
        record_edit(db, event, "split", theme="t0", segments=[own], to="t0")
    assert edited_result(db, event) == result  # nothing stored


def test_hide_and_pin_quotes(db, event):
    result = edited_result(db, event)
    t0 = result["themes"][0]
    hidden = t0["quotes"][0]
    record_edit(db, event, "hide_quote", theme="t0", quote=quote_key(hidden))
    pinned = {"text": t0["segments"][3]["text"], "note": t0["segments"][3]["note"]}
    record_edit(db, event, "pin_quote", theme="t0", quote=quote_key(pinned))
    quotes = edited_result(db, event)["themes"][0]["quotes"]
    assert hidden not in quotes
    # A quote made by an edit cites its note's number as moderation shows it (issue 12, point 6).
    assert {k: quotes[0][k] for k in ("text", "note")} == pinned
    numbers = {r["ref"]: r["number"] for r in db.query("SELECT ref, number FROM note")}
    assert quotes[0]["number"] == numbers[pinned["note"]]
    assert quotes[0]["cite"].endswith(f"note {numbers[pinned['note']]}")


def test_a_pinned_quote_stays_first_when_its_theme_is_merged_into_another(db, event):
    """The walk-through's F5: a quote pinned in a theme then merged away was fourth of seven."""
    result = edited_result(db, event)
    t2 = next(t for t in result["themes"] if t["id"] == "t2")
    pinned = {"text": t2["segments"][-1]["text"], "note": t2["segments"][-1]["note"]}
    record_edit(db, event, "pin_quote", theme="t2", quote=quote_key(pinned))
    record_edit(db, event, "merge", theme="t0", other="t2")
    merged = edited_result(db, event)["themes"][0]
    assert merged["id"] == "t0" and {k: merged["quotes"][0][k] for k in ("text", "note")} == pinned


def test_reorder_and_drop(db, event):
    record_edit(db, event, "reorder", order=["t2", "t0"])
    assert [t["id"] for t in edited_result(db, event)["themes"]] == ["t2", "t0", "t1"]
    before_unassigned = len(edited_result(db, event)["unassigned"])
    dropped = theme(edited_result(db, event), "Commissioning practice")
    record_edit(db, event, "drop", theme="t1")
    after = edited_result(db, event)
    assert "Commissioning practice" not in [t["label"] for t in after["themes"]]
    assert len(after["unassigned"]) == before_unassigned + dropped["size"]


def test_edits_survive_a_new_run_with_new_ids_and_order(db, event):
    record_edit(db, event, "rename", theme="t2", label="Distrust between small and large")
    record_edit(db, event, "merge", theme="t0", other="t1")
    # A new run: same segments, themes in another order with other ids.
    rerun = make_result(db, event)
    rerun["themes"].reverse()
    for i, t in enumerate(rerun["themes"]):
        t["id"] = f"new{i}"
    store_result(db, event, rerun)
    result, unkept = edited_result_with_report(db, event)
    assert unkept == []
    assert [t["label"] for t in result["themes"]] == ["Distrust between small and large", "Bigger contracts"]


def test_edits_whose_segments_are_gone_are_reported(db, event):
    record_edit(db, event, "rename", theme="t2", label="Distrust")
    record_edit(db, event, "rename", theme="t0", label="Size of contracts")
    rerun = copy.deepcopy(make_result(db, event))
    # The note behind "Trust and partnership" was hidden: its theme and segments are gone.
    rerun["themes"] = rerun["themes"][:2]
    store_result(db, event, rerun)
    result, unkept = edited_result_with_report(db, event)
    assert result["themes"][0]["label"] == "Size of contracts"
    assert len(unkept) == 1 and "rename to 'Distrust'" in unkept[0]


def test_undo_and_validation(db, event):
    with pytest.raises(ValidationError, match="1 to 200 characters"):
        record_edit(db, event, "rename", theme="t0", label="   ")
    with pytest.raises(ValidationError, match="Unknown edit"):
        record_edit(db, event, "explode", theme="t0")
    with pytest.raises(ValidationError, match="Choose the theme to merge into this one."):
        record_edit(db, event, "merge", theme="t0", other="")  # the form's placeholder choice
    record_edit(db, event, "rename", theme="t0", label="X")
    assert undo_last_edit(db, event) is True
    assert edited_result(db, event)["themes"][0]["label"] == "Bigger contracts"
    assert undo_last_edit(db, event) is False


def test_an_edit_does_not_follow_a_stray_segment(db, event):
    """A new run scatters 'Bigger contracts': one of its segments lands in another theme, the rest in
    'other'. The rename is not given to that other theme: it is reported as not kept."""
    record_edit(db, event, "rename", theme="t0", label="Contracts too big")
    rerun = make_result(db, event)
    scattered = rerun["themes"][0]["segments"]
    rerun["themes"][2]["segments"].append(scattered[0])
    rerun["unassigned"].extend(scattered[1:])
    rerun["themes"] = rerun["themes"][1:]
    store_result(db, event, rerun)
    result, unkept = edited_result_with_report(db, event)
    assert [t["label"] for t in result["themes"]] == ["Commissioning practice", "Trust and partnership"]
    assert len(unkept) == 1 and "rename to 'Contracts too big'" in unkept[0]
    # Most of its segments together in a new theme: the rename follows them.
    again = make_result(db, event)
    again["themes"][0]["segments"] = again["themes"][0]["segments"][1:]
    again["unassigned"].append(make_result(db, event)["themes"][0]["segments"][0])
    store_result(db, event, again)
    result, unkept = edited_result_with_report(db, event)
    assert unkept == [] and result["themes"][0]["label"] == "Contracts too big"
