"""The synthesis pipeline end to end with a fake embedder and spaCy's blank English pipeline
(fast), on a real SQLite database: coverage of segments, verbatim offsets, determinism, the
embedding cache, seeds, failures and bad input. The real models run in test_synthesis_models.py.
"""

from __future__ import annotations

import itertools
import json
import sqlite3

import pytest

from capture.errors import ValidationError
from capture.models import Note
from capture.store import add_notes, list_notes, save_event
from synthesis import runs
from synthesis.embed import Embedder, FakeEmbedder
from synthesis.pipeline import synthesise
from synthesis.result import validate

TOPICS = {
    "bullying": [
        "Uniforms reduce bullying because poorer pupils do not stand out from richer pupils.",
        "Without uniforms the bullying about clothes and brands gets much worse for pupils.",
        "Bullying over clothes disappears when every pupil wears the same uniform.",
        "Pupils are bullying each other less about clothes when uniforms are worn.",
    ],
    "cost": [
        "Uniforms are expensive for parents and the cost of uniforms adds up every year.",
        "Parents pay a high cost for uniforms from a single expensive supplier.",
        "The cost of uniforms is a burden for parents on low incomes.",
        "Expensive uniforms cost parents more than ordinary clothes would cost.",
    ],
    "expression": [
        "Children cannot express their identity and personality when forced into uniforms.",
        "Uniforms stop children from expressing their personality through their own style.",
        "Personal style and identity matter to children and uniforms take that expression away.",
        "Children express personality through clothes, which uniforms forbid.",
    ],
}


def make_event(db, slug="uniforms", notes=None, tables=True):
    event = save_event(db, slug, title="School uniform round table")
    if notes is None:
        notes = []
        for t, (topic, sentences) in enumerate(TOPICS.items()):
            for i, sentence in enumerate(sentences):
                notes.append(Note(text=sentence, ref=f"{topic}-{i}",
                                  table=f"Table {1 + (i + t) % 2}" if tables else None))
    add_notes(db, event, notes)
    return event


def all_segments(result):
    """Every segment with its theme: in a theme, unassigned (None), or a context line ("context")."""
    for line in result.get("context", []):
        yield "context", line
    for theme in result["themes"]:
        for seg in theme["segments"]:
            yield theme["id"], seg
    for seg in result["unassigned"]:
        yield None, seg


def note_texts(db, event):
    return {r["ref"]: r["text"] for r in db.query("SELECT ref, text FROM note WHERE event_id = ?",
                                                  [event.id])}


def test_every_segment_once_and_verbatim(db, nlp):
    event = make_event(db)
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    result = runs.latest_result(db, event)
    texts = note_texts(db, event)
    seen = [(s["note"], s["start"], s["end"]) for _, s in all_segments(result)]
    assert len(seen) == len(set(seen))
    # Every note is covered: each of the 12 one-sentence notes gives exactly one segment.
    assert sorted(ref for ref, _, _ in seen) == sorted(texts)
    for _, seg in all_segments(result):
        assert texts[seg["note"]][seg["start"]:seg["end"]] == seg["text"]
    assert result["run"]["segments"] == len(seen)
    for theme in result["themes"]:
        assert theme["size"] == len(theme["segments"])
        assert 1 <= len(theme["quotes"]) <= 4
        for quote in theme["quotes"]:
            assert quote["text"] in texts[quote["note"]]
        assert set(theme["tables"]) <= {"Table 1", "Table 2"}


def test_json_contract_keys(db, nlp):
    event = make_event(db)
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    result = runs.latest_result(db, event)
    validate(result)  # the contract of docs/result.md
    # The event's details: none stored and none in the notes (no context lines).
    assert result["event"] == {"slug": "uniforms", "title": "School uniform round table",
                               "date": None, "venue": None, "present": None}
    assert result["context"] == []
    assert result["run"] == {"method": "spectral", "segments": sum(
        t["size"] for t in result["themes"]) + len(result["unassigned"])}
    texts = {n.ref: n.text for n in list_notes(db, event)}
    for theme in result["themes"]:
        assert theme["seeded"] is False
        for seg in theme["segments"]:
            assert set(seg) == {"text", "note", "table", "start", "end"}
        for quote in theme["quotes"]:
            # Each quote's parts are its verbatim pieces at their offsets in the note.
            pieces = [texts[quote["note"]][p["start"]:p["end"]] for p in quote["parts"]]
            assert " ... ".join(pieces) == quote["text"]


def test_finds_the_planted_topics(db, nlp):
    event = make_event(db)
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    result = runs.latest_result(db, event)
    by_theme = {}
    for theme_id, seg in all_segments(result):
        by_theme.setdefault(seg["note"].split("-")[0], set()).add(theme_id)
    # Each planted topic lands (mostly) in one theme of its own.
    homes = {topic: max(ids, key=lambda t: sum(1 for tid, s in all_segments(result)
                                               if tid == t and s["note"].startswith(topic)))
             for topic, ids in by_theme.items()}
    assert len(set(homes.values())) == 3


def test_two_runs_give_identical_json(db, nlp):
    event = make_event(db)
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    first = runs.latest_result(db, event)
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    second = runs.latest_result(db, event)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_second_run_embeds_nothing(db, nlp):
    event = make_event(db)
    first = FakeEmbedder()
    synthesise(db, event, embedder=first, nlp=nlp)
    assert first.texts_embedded >= 12
    second = FakeEmbedder()
    synthesise(db, event, embedder=second, nlp=nlp)
    assert second.calls == 0 and second.texts_embedded == 0


def test_run_record(db, nlp):
    event = make_event(db)
    run_id = synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp, settings={"max_quotes": 3})
    run = runs.get_run(db, run_id)
    assert run["status"] == "succeeded" and run["progress"] == 1.0 and run["finished_at"]
    assert run["settings"]["max_quotes"] == 3
    assert run["models"]["embedding"].startswith("fake-hashed-bow")
    assert {"segment", "embed", "cluster", "label", "entities"} <= set(run["timings"])
    assert runs.latest_run(db, event)["id"] == run_id
    assert runs.get_run(db, run_id)["status"] == "succeeded"


def test_progress_is_committed_for_other_connections(db, db_path, nlp):
    event = make_event(db)
    seen = []

    def progress(stage, fraction):
        other = sqlite3.connect(db_path)
        row = other.execute("SELECT status, stage, progress FROM synthesis_run ORDER BY id DESC").fetchone()
        other.close()
        seen.append((stage, fraction, row))

    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp, progress=progress)
    fractions = [f for _, f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    embedding = next(row for stage, _, row in seen if stage == "embedding")
    assert embedding == ("running", "embedding", 0.3)


def test_queued_run_from_the_web_is_used(db, nlp):
    event = make_event(db)
    run_id = runs.create_run(db, event, {"max_quotes": 2})
    assert runs.get_run(db, run_id)["status"] == "queued"
    assert synthesise(db, event, run_id=run_id, embedder=FakeEmbedder(), nlp=nlp) == run_id
    result = runs.latest_result(db, event)
    assert all(len(t["quotes"]) <= 2 for t in result["themes"])


def test_no_approved_notes(db, nlp):
    event = make_event(db, notes=[Note(text="A pending note about uniforms.", status="pending")])
    with pytest.raises(ValidationError, match="no approved notes"):
        synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    assert runs.latest_run(db, event) is None
    run_id = runs.create_run(db, event)
    with pytest.raises(ValidationError):
        synthesise(db, event, run_id=run_id, embedder=FakeEmbedder(), nlp=nlp)
    run = runs.get_run(db, run_id)
    assert run["status"] == "failed" and "no approved notes" in run["error"]


class BrokenEmbedder(Embedder):
    name = "broken"
    dim = 8

    def _encode(self, texts):
        raise RuntimeError("the model fell over")


def test_failed_run_keeps_previous_result(db, nlp):
    event = make_event(db)
    good = synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    before = runs.latest_result(db, event)
    add_notes(db, event, [Note(text="A new note about school dinners and healthy food.")])
    with pytest.raises(RuntimeError, match="fell over"):
        synthesise(db, event, embedder=BrokenEmbedder(), nlp=nlp)
    latest = runs.latest_run(db, event)
    assert latest["status"] == "failed" and latest["error"] == "the model fell over"
    assert latest["id"] != good
    assert runs.latest_result(db, event) == before
    stored = list(db.query("SELECT result FROM synthesis_run WHERE id = ?", [latest["id"]]))
    assert stored[0]["result"] is None  # nothing of the failed run was written


def test_seeded_themes_when_supported_only(db, nlp):
    event = make_event(db)
    settings = {"seed_threshold": 0.2}
    synthesise(db, event, themes="bullying; quantum chromodynamics", embedder=FakeEmbedder(),
               nlp=nlp, settings=settings)
    result = runs.latest_result(db, event)
    labels = [t["label"] for t in result["themes"]]
    assert "Bullying" in labels
    assert not any("quantum" in label.lower() for label in labels)
    bullying = next(t for t in result["themes"] if t["label"] == "Bullying")
    assert all("bullying" in s["text"].lower() for s in bullying["segments"])
    # The rest is still discovered: cost and expression segments sit in other themes.
    others = [s["note"] for t in result["themes"] if t["label"] != "Bullying" for s in t["segments"]]
    assert any(ref.startswith("cost") for ref in others)
    assert any(ref.startswith("expression") for ref in others)
    assert bullying["seeded"] is True
    assert not any(t["seeded"] for t in result["themes"] if t is not bullying)


def test_one_note_of_three_words(db, nlp):
    event = make_event(db, notes=[Note(text="Uniforms reduce bullying", ref="only")])
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    result = runs.latest_result(db, event)
    assert len(result["themes"]) == 1 and result["unassigned"] == []
    assert result["themes"][0]["segments"][0]["text"] == "Uniforms reduce bullying"


def test_emoji_and_other_language(db, nlp):
    notes = [Note(text=s, ref=f"{topic}-{i}") for topic, ss in TOPICS.items() for i, s in enumerate(ss)]
    notes += [Note(text="🙂🙂👍", ref="emoji"),
              Note(text="Les uniformes scolaires coûtent très cher aux familles modestes.", ref="fr")]
    event = make_event(db, notes=notes)
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    result = runs.latest_result(db, event)
    unassigned = {s["note"] for s in result["unassigned"]}
    assert "emoji" in unassigned
    placed = [s["note"] for _, s in all_segments(result)]
    assert placed.count("emoji") == 1 and placed.count("fr") == 1


def test_only_emoji(db, nlp):
    event = make_event(db, notes=[Note(text="🎉🎉", ref="a"), Note(text="👍", ref="b")])
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    result = runs.latest_result(db, event)
    assert result["themes"] == []
    assert sorted(s["note"] for s in result["unassigned"]) == ["a", "b"]


def test_very_long_note(db, nlp):
    """A note of over 100,000 characters is cut into its 1,400 sentences, in order, verbatim, by the
    stage the pipeline runs first (and caches). Clustering that many segments is the large-event
    path's job: test_synthesis_models.py::test_long_note_with_real_models runs a long note through
    it end to end, and test_large_event_path_umap_hdbscan below covers the path itself."""
    from synthesis.segment_cache import segmentation_entries
    from synthesis.settings import resolve

    sentences = [s for ss in TOPICS.values() for s in ss]
    text = " ".join(sentences[i % len(sentences)] for i in range(1400))
    assert len(text) > 100_000
    event = make_event(db, notes=[Note(text=text, ref="minutes")])
    note = list_notes(db, event)[0]
    (entry,), _model = segmentation_entries(db, [note], resolve({}), nlp)
    spans = entry.spans
    assert len(spans) == 1400
    for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False):
        assert end <= next_start
    assert [note.text[a:b] for a, b in spans] == [sentences[i % len(sentences)] for i in range(1400)]
    assert db.execute("SELECT count(*) FROM segmentation_cache").fetchone()[0] == 1


def test_large_event_path_umap_hdbscan(db, nlp, monkeypatch):
    """Over `small_event_segments`, segments go through UMAP (exact neighbours, cached) and
    HDBSCAN: every segment once, the planted topics apart, and a re-run reuses the reduction."""
    import umap.umap_

    from synthesis import cluster

    def must_not_search(*_, **__):
        raise AssertionError("UMAP searched for neighbours itself instead of taking ours")

    monkeypatch.setattr(umap.umap_, "nearest_neighbors", must_not_search)
    # 36 notes of two sentences on one topic each: 72 segments.
    notes = [Note(text=f"{first} {second}", ref=f"{topic}-{i}")
             for topic, sentences in TOPICS.items()
             for i, (first, second) in enumerate(itertools.permutations(sentences, 2))]
    event = make_event(db, slug="large", notes=notes)
    settings = {"small_event_segments": 20}
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp, settings=settings)
    first = runs.latest_result(db, event)
    assert db.conn.execute("SELECT COUNT(*) FROM reduction_cache").fetchone()[0] == 1
    placed = [seg["note"] for _, seg in all_segments(first)] + [s["note"] for s in first["unassigned"]]
    assert sorted(placed) == sorted(n.ref for n in notes for _ in range(2))  # each segment once
    homes = {}
    for theme_id, seg in all_segments(first):
        homes.setdefault(seg["note"].split("-")[0], []).append(theme_id)
    main = {topic: max(set(ids), key=ids.count) for topic, ids in homes.items()}
    assert len(set(main.values())) == 3

    def must_not_run(*_, **__):
        raise AssertionError("the cached UMAP reduction should have been used")

    monkeypatch.setattr(cluster, "umap_reduce", must_not_run)
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp, settings=settings)
    assert json.dumps(runs.latest_result(db, event), sort_keys=True) == json.dumps(first, sort_keys=True)
