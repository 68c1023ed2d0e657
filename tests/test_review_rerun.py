"""Nine edits (two renames, a summary, a merge, a split, two hidden quotes, a pin, a reorder) and a
new synthesis run with one more approved note: each edit lands where its segments are now, or is
listed with the reason. Fast with the FakeEmbedder; the same with the real models on SEEE."""

from __future__ import annotations

import itertools

import pytest
from conftest import SEEE

from capture.importing import import_file
from capture.models import Note
from capture.store import add_notes, get_event, save_event
from synthesis.embed import FakeEmbedder
from synthesis.pipeline import synthesise
from web.review import (
    _describe,
    _locate,
    _same_quote,
    edited_result,
    edited_result_with_report,
    list_edits,
    quote_key,
    record_edit,
    segment_key,
)

NEW_NOTE = ("Commissioners should pay for the convening of consortia, because small charities cannot "
            "carry the cost of a partnership bid alone.")


def nine_edits(db, event) -> None:
    """The organiser's nine edits, each made on the themes as they stand after the ones before."""

    def themes():
        return edited_result(db, event)["themes"]

    first = themes()
    assert len(first) >= 5, [t["label"] for t in first]
    a, b, c, d, e = (t["id"] for t in first[:5])
    record_edit(db, event, "rename", theme=a, label="Contracts getting bigger")
    record_edit(db, event, "rename", theme=b, label="Social value in practice")
    record_edit(db, event, "summary", theme=b, summary="Written by the organiser.")
    record_edit(db, event, "merge", theme=c, other=d)
    moved = [segment_key(s) for s in themes()[0]["segments"][-2:]]
    record_edit(db, event, "split", theme=a, segments=moved, to="", label="Moved out by hand")
    t = {x["id"]: x for x in themes()}
    record_edit(db, event, "hide_quote", theme=b, quote=quote_key(t[b]["quotes"][0]))
    record_edit(db, event, "hide_quote", theme=c, quote=quote_key(t[c]["quotes"][0]))
    last_quote = t[e]["quotes"][-1]
    record_edit(db, event, "pin_quote", theme=e, quote=quote_key(last_quote))
    ids = [x["id"] for x in themes()]
    record_edit(db, event, "reorder", order=[ids[-1], *ids[:-1]])
    assert len(list_edits(db, event)) == 9
    _, unkept = edited_result_with_report(db, event)
    assert unkept == []


def applied(edit: dict, result: dict) -> bool:
    """Whether the edit's effect holds in the edited result, where its segments are now."""
    op, p = edit["op"], edit["payload"]
    if op in ("rename", "summary"):
        theme, _ = _locate(result, p["theme"])
        return theme is not None and theme["label" if op == "rename" else "summary"] == p[
            "label" if op == "rename" else "summary"]
    if op == "merge":
        one, _ = _locate(result, p["theme"])
        return one is not None and one is _locate(result, p["other"])[0]
    if op == "split":
        keys = set(p["segments"])
        holders = [t for t in result["themes"] if keys & {segment_key(s) for s in t["segments"]}]
        return len(holders) == 1 and holders[0]["label"] == p["label"]
    if op == "hide_quote":
        return not any(_same_quote(p, q) for t in result["themes"] for q in t["quotes"])
    if op == "pin_quote":
        holder = next(t for t in result["themes"] if any(
            s["note"] == p["note"] and (p["text"] in s["text"] or s["text"] in p["text"])
            for s in t["segments"]))
        return holder["quotes"][0]["text"] == p["text"]
    if op == "reorder":
        return result["themes"][0] is _locate(result, p["order"][0], majority=False)[0]
    raise AssertionError(op)


def check_after_rerun(db, event) -> tuple[int, list[str]]:
    """Every edit applied where its segments are, or listed with its reason; returns (kept, unkept)."""
    result, unkept = edited_result_with_report(db, event)
    kept = 0
    for edit in list_edits(db, event):
        listed = [u for u in unkept if u.startswith(f"Not kept: {_describe(edit)} (")]
        if listed:
            assert listed[0].endswith(").") and len(listed[0]) > len(_describe(edit)) + 20, listed
        else:
            assert applied(edit, result), (edit["op"], edit["payload"].get("label"))
            kept += 1
    assert kept + len(unkept) == 9, unkept
    keys = [segment_key(s) for t in result["themes"] for s in t["segments"]]
    keys += [segment_key(s) for s in result["unassigned"]]
    assert len(keys) == len(set(keys))  # every segment in one place
    return kept, unkept


def add_one_note(db, event) -> None:
    add_notes(db, event, [Note(text=NEW_NOTE, ref="late-1", status="approved")])


def test_nine_edits_survive_a_rerun_with_one_new_note_fake_embedder(db, nlp):
    import_file(db, SEEE, event="seee")
    event = get_event(db, "seee")
    run = {"embedder": FakeEmbedder(), "nlp": nlp, "settings": {"min_theme_size": 2}}
    synthesise(db, event, **run)
    nine_edits(db, event)
    add_one_note(db, event)
    synthesise(db, event, **run)
    kept, unkept = check_after_rerun(db, event)
    assert kept == 9, unkept  # one note more moves no old segment: nothing is lost


def _scatter(db, shares: tuple[int, int, int, int]):
    """A theme of 6 segments renamed "Contracts too big", then a new run that leaves shares[0] of
    them in it and moves shares[1] and shares[2] to two other themes, shares[3] to 'other'."""
    from publishing_data import NOTES, make_result, seed_event, store_result

    event = seed_event(db, notes=NOTES + [("t6", "Table 1", "Lots get bigger every year. A consortium is "
                                                            "unpaid work.")])
    result = make_result(db, event)
    store_result(db, event, result)
    big = result["themes"][0]
    record_edit(db, event, "rename", theme=big["id"], label="Contracts too big")
    segs = big["segments"]
    assert len(segs) == 6 and sum(shares) == 6
    rerun = make_result(db, event)
    cut = [0, *itertools.accumulate(shares)]
    rerun["themes"][0]["segments"] = segs[cut[0]:cut[1]]
    rerun["themes"][0]["label"] = "Machine label"
    rerun["themes"][1]["segments"] = rerun["themes"][1]["segments"] + segs[cut[1]:cut[2]]
    rerun["themes"][2]["segments"] = rerun["themes"][2]["segments"] + segs[cut[2]:cut[3]]
    rerun["unassigned"] = rerun["unassigned"] + segs[cut[3]:]
    store_result(db, event, rerun)
    return edited_result_with_report(db, event)


def test_an_edit_follows_more_than_half_of_its_segments(db):
    edited, unkept = _scatter(db, (4, 1, 1, 0))
    assert unkept == [] and edited["themes"][0]["label"] == "Contracts too big"


def test_an_edit_spread_over_several_themes_is_reported_not_put_on_the_biggest_piece(db):
    """The walk-through's rents theme: a new run moved its segments to several themes, and the
    rename went to the one holding the most (a theme about something else, under the editor's
    heading). Issue 13's trust rule: no theme holds more than half, so the rename is reported
    with where its passages went, and no theme carries it. (Earlier, this test required the rename
    to follow the 2 of 6.)"""
    edited, unkept = _scatter(db, (2, 1, 1, 2))
    assert [t["label"] for t in edited["themes"]].count("Contracts too big") == 0
    assert edited["themes"][0]["label"] == "Machine label"
    [why] = unkept
    # The themes are named as the page heads them: number and label (second walk-through N13).
    assert why == ("Not kept: rename to 'Contracts too big' (the new synthesis spread its 6 passages "
                   "over several themes (2 in theme 1, \u2018Machine label\u2019; 1 in theme 2, "
                   "\u2018Commissioning practice\u2019; 1 in theme 3, \u2018Trust and partnership\u2019; "
                   "2 in 'other'): make it again on the theme you mean).")
    # Made again on the theme meant, the new rename holds; the old one is still listed, naming
    # that theme by the heading it now has (N13: it named it by the new run's label, shown nowhere).
    event = get_event(db, "round-table")
    record_edit(db, event, "rename", theme=edited["themes"][0]["id"], label="Contracts too big")
    record_edit(db, event, "rename", theme=edited["themes"][2]["id"], label="Trusting each other")
    edited, unkept = edited_result_with_report(db, event)
    assert edited["themes"][0]["label"] == "Contracts too big"
    assert unkept == [why.replace("\u2018Machine label\u2019", "\u2018Contracts too big\u2019").replace(
        "\u2018Trust and partnership\u2019", "\u2018Trusting each other\u2019")]


def test_a_merge_keeps_the_heading_it_was_merged_into_after_a_rerun(db):
    """The walk-through's F5: after a merge and a new run, the merged theme took the label of the
    theme merged away, and the Digest tab called it a rename."""
    from publishing_data import make_result, seed_event, store_result

    event = seed_event(db)
    store_result(db, event, make_result(db, event))
    before = edited_result(db, event)["themes"]
    into, away = before[0], before[2]
    record_edit(db, event, "merge", theme=into["id"], other=away["id"])
    rerun = make_result(db, event)
    rerun["themes"][0]["segments"] += rerun["themes"][2]["segments"]
    rerun["themes"][0]["label"] = away["label"]  # the new run's labeller chose the other heading
    del rerun["themes"][2]
    store_result(db, event, rerun)
    edited, unkept = edited_result_with_report(db, event)
    assert unkept == [] and edited["themes"][0]["label"] == into["label"] != away["label"]


def test_two_old_themes_joined_by_a_new_run_keep_one_rename_and_list_the_other(db):
    from publishing_data import make_result, seed_event, store_result

    event = seed_event(db)
    store_result(db, event, make_result(db, event))
    record_edit(db, event, "rename", theme="t0", label="Size of contracts")
    record_edit(db, event, "rename", theme="t2", label="Trust")
    rerun = make_result(db, event)
    rerun["themes"][0]["segments"] += rerun["themes"][2]["segments"]
    del rerun["themes"][2]
    store_result(db, event, rerun)
    edited, unkept = edited_result_with_report(db, event)
    assert edited["themes"][0]["label"] == "Size of contracts"  # it holds more of that theme
    assert unkept == ["Not kept: rename to 'Trust' (its passages are now in the theme rename to "
                      "'Size of contracts' applies to)."]


@pytest.mark.models
def test_nine_edits_survive_a_rerun_with_one_new_note_real_models(db):
    import_file(db, SEEE, event="seee")
    event = save_event(db, "seee", chatham_house=True)
    synthesise(db, event)
    nine_edits(db, event)
    add_one_note(db, event)
    synthesise(db, event)
    kept, unkept = check_after_rerun(db, event)
    assert kept >= 8, unkept
    # Published under the rule, no theme label is a name or a bare replacement.
    from web.publish.digest import build_data

    labels = [t["label"] for t in build_data(db, event)["themes"]]
    assert "Contracts getting bigger" in labels
    assert not any(label.lower().strip(". ") in ("a participant", "alison reid") for label in labels)
