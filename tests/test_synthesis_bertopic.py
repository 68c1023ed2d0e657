"""BERTopic where the design names it (issue 11, point 2): large events go through
`bertopic.BERTopic` itself, and `harvest export SLUG --format bertopic DIR` saves any event's
themes as a BERTopic model that `BERTopic.load` opens offline, with Harvest's labels.

Fast tests use the fake embedder and spaCy's blank pipeline on a real SQLite database; the
round trip through the command line with the real models is marked `models`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from capture.errors import ValidationError
from capture.models import Note
from capture.store import add_notes, get_event, open_db, save_event
from synthesis import runs
from synthesis.bertopic_export import DOCUMENTS_FILE, export_bertopic
from synthesis.embed import FakeEmbedder
from synthesis.pipeline import synthesise
from synthesis.result import validate
from synthesis.settings import resolve
from tests.test_synthesis_pipeline import TOPICS, make_event
from web.cli import cli

REPO = Path(__file__).resolve().parent.parent
LARGE = {"small_event_segments": 20}


def large_notes() -> list[Note]:
    """36 notes of two sentences on one topic each: 72 segments, over LARGE's 20."""
    import itertools

    return [Note(text=f"{first} {second}", ref=f"{topic}-{i}")
            for topic, sentences in TOPICS.items()
            for i, (first, second) in enumerate(itertools.permutations(sentences, 2))]


def test_large_event_goes_through_bertopic(db, nlp, monkeypatch):
    """A large event's themes come from BERTopic.fit_transform (called once, for real) and their
    keywords from its c-TF-IDF; the run's models and the result's run metadata say so."""
    from bertopic import BERTopic

    from synthesis.bertopic_themes import LargeEventTopics

    calls, keyword_sets = [], []
    fit_transform, keywords = BERTopic.fit_transform, LargeEventTopics.keywords

    def counted(self, documents, embeddings=None, **kwargs):
        calls.append((len(documents), type(self.umap_model).__name__, type(self.hdbscan_model).__name__))
        return fit_transform(self, documents, embeddings, **kwargs)

    def recorded(self, *args, **kwargs):
        keyword_sets.append(keywords(self, *args, **kwargs))
        return keyword_sets[-1]

    monkeypatch.setattr(BERTopic, "fit_transform", counted)
    monkeypatch.setattr(LargeEventTopics, "keywords", recorded)
    event = make_event(db, slug="large", notes=large_notes())
    run_id = synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp, settings=LARGE)
    result = validate(runs.latest_result(db, event))
    assert calls == [(72, "CachedReducer", "HDBSCAN")]
    assert result["run"] == {"method": "bertopic", "segments": 72}
    from importlib.metadata import version

    assert runs.get_run(db, run_id)["models"]["clustering"] == f"bertopic {version('bertopic')}"
    # The themes' keywords are BERTopic's c-TF-IDF words of the final themes, in order.
    assert len(keyword_sets) == 1 and len(result["themes"]) >= 3
    for position, theme in enumerate(result["themes"]):
        assert theme["keywords"] == [w for w, _ in keyword_sets[0][position]]
        assert theme["keywords"]  # every theme has some
    # The planted topics stay apart: each topic's segments mostly in one theme of its own.
    homes = {}
    for theme in result["themes"]:
        for seg in theme["segments"]:
            homes.setdefault(seg["note"].split("-")[0], []).append(theme["id"])
    assert len({max(set(ids), key=ids.count) for ids in homes.values()}) == 3


def test_bertopic_keywords_leave_out_the_notes_typos(db, nlp):
    """BERTopic counts only the words Harvest's keywords may be: no stop words, no numbers, none
    of the probable typos given, and letters outside A-Z kept ("café" stays whole)."""
    from synthesis.bertopic_themes import LargeEventTopics

    rng = np.random.default_rng(0)
    texts = ([f"The café pricing {i} hurts the committee budget badly" for i in range(30)]
             + [f"Volunteers recruitment for the commitee is 42 slow {i}" for i in range(30)])
    vectors = np.vstack([rng.normal(0, 0.05, (30, 8)) + 1, rng.normal(0, 0.05, (30, 8)) - 1])
    topics = LargeEventTopics(resolve(LARGE), db)
    labels = topics.fit(texts, vectors)
    assert topics.fitted and set(labels[:30].tolist()).isdisjoint(set(labels[30:].tolist()) - {-1})
    final = np.array([0] * 30 + [1] * 30)
    words = topics.keywords(texts, final, 6, leave_out={"commitee"})
    everything = {w for pairs in words.values() for w, _ in pairs}
    assert "café" in everything and "commitee" not in everything
    assert not everything & {"the", "for", "is", "42"}
    assert all(weight > 0 for pairs in words.values() for _, weight in pairs)


def test_only_large_events_import_bertopic(tmp_path):
    """Only large events pay BERTopic's import: a small event's run never loads it; a large
    event's loads it without transformers or sentence-transformers (BERTopic's optional parts)."""
    code = (
        "import sys, spacy\n"
        "from capture.store import open_db\n"
        "from synthesis.embed import FakeEmbedder\n"
        "from synthesis.pipeline import synthesise\n"
        "from synthesis import runs\n"
        "from tests.test_synthesis_bertopic import large_notes\n"
        "from tests.test_synthesis_pipeline import make_event\n"
        f"db = open_db({str(tmp_path / 'events.db')!r})\n"
        "nlp = spacy.blank('en'); nlp.add_pipe('sentencizer')\n"
        "small = make_event(db)\n"
        "synthesise(db, small, embedder=FakeEmbedder(), nlp=nlp)\n"
        "print(runs.latest_result(db, small)['run']['method'], 'bertopic' in sys.modules)\n"
        "large = make_event(db, slug='large', notes=large_notes())\n"
        "synthesise(db, large, embedder=FakeEmbedder(), nlp=nlp, settings={'small_event_segments': 20})\n"
        "print(runs.latest_result(db, large)['run']['method'], 'bertopic' in sys.modules,\n"
        "      'transformers' in sys.modules, 'sentence_transformers' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}).stdout.split()
    assert out == ["spectral", "False", "bertopic", "True", "False", "False"]


def test_a_rerun_reads_bertopic_from_its_cache_without_importing_it(tmp_path, nlp):
    """A re-run on unchanged notes takes BERTopic's topics and keywords from bertopic_cache, in a
    fresh process that imports neither BERTopic nor HDBSCAN nor UMAP, and still records that the
    event went through BERTopic; the result is the first run's."""
    path = tmp_path / "events.db"
    db = open_db(path)
    event = make_event(db, slug="large", notes=large_notes())
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp, settings=LARGE)
    first = runs.latest_result(db, event)
    assert first["run"]["method"] == "bertopic"
    assert db.conn.execute("SELECT COUNT(*) FROM bertopic_cache").fetchone()[0] == 2  # topics, keywords
    db.conn.close()
    code = (
        "import json, sys, spacy\n"
        "from capture.store import get_event, open_db\n"
        "from synthesis.embed import FakeEmbedder\n"
        "from synthesis.pipeline import synthesise\n"
        "from synthesis import runs\n"
        f"db = open_db({str(path)!r})\n"
        "nlp = spacy.blank('en'); nlp.add_pipe('sentencizer')\n"
        "event = get_event(db, 'large')\n"
        f"run_id = synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp, settings={LARGE!r})\n"
        "imported = sorted(m for m in ('bertopic', 'hdbscan', 'umap') if m in sys.modules)\n"
        "print(json.dumps({'result': runs.latest_result(db, event), 'imported': imported,\n"
        "                  'clustering': runs.get_run(db, run_id)['models']['clustering']}))\n")
    out = json.loads(subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                                    check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}).stdout)
    from importlib.metadata import version

    assert out["imported"] == []
    assert out["clustering"] == f"bertopic {version('bertopic')}"
    assert out["result"]["run"] == {"method": "bertopic", "segments": 72}
    assert out["result"]["themes"] == first["themes"]
    assert out["result"]["unassigned"] == first["unassigned"]


def test_cached_topics_with_new_final_themes_fit_bertopic_for_their_keywords(db):
    """A second component on the same input reads both results and fits nothing; where the
    topics come from the cache but the final themes are new (other settings of what follows
    clustering), BERTopic is fitted then for their keywords, which are those of no cache at all."""
    from synthesis.bertopic_themes import LargeEventTopics

    rng = np.random.default_rng(2)
    texts = ([f"The budget matters {i} for the treasurer" for i in range(30)]
             + [f"Volunteers matter {i} for recruitment" for i in range(30)])
    vectors = np.vstack([rng.normal(1, 0.05, (30, 8)), rng.normal(-1, 0.05, (30, 8))])
    settings = resolve(LARGE)
    first = LargeEventTopics(settings, db)
    labels = first.fit(texts, vectors)
    final = np.where(labels < 0, 0, labels)
    words = first.keywords(texts, final, 6)
    assert first.model is not None and first.cache_hits == 0
    second = LargeEventTopics(settings, db)
    assert np.array_equal(second.fit(texts, vectors), labels) and second.fitted
    assert second.keywords(texts, final, 6) == words
    assert second.model is None and second.cache_hits == 2
    other = np.array([0] * 20 + [1] * 40)
    third, uncached = LargeEventTopics(settings, db), LargeEventTopics(settings)
    assert np.array_equal(third.fit(texts, vectors), uncached.fit(texts, vectors))
    assert third.model is None and third.cache_hits == 1
    assert third.keywords(texts, other, 6) == uncached.keywords(texts, other, 6) != words
    assert third.model is not None and third.cache_hits == 1


# --- harvest export --format bertopic -------------------------------------------------------------

def _load(path: Path):
    """BERTopic.load, as an analyst would open the folder (the fake embedder's model is not one
    BERTopic can load: it opens without an embedding model)."""
    from bertopic import BERTopic

    return BERTopic.load(str(path))


def test_export_round_trip_finds_harvests_themes(db, nlp, tmp_path):
    """The exported model, opened with BERTopic.load, holds Harvest's themes: one topic per theme
    labelled with Harvest's label, and every document in the topic of its theme."""
    event = make_event(db)
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    result = runs.latest_result(db, event)
    target = tmp_path / "uniforms-topics"
    summary = export_bertopic(db, event, target, embedder=FakeEmbedder())
    assert summary["themes"] == len(result["themes"]) and target.is_dir()
    assert {"config.json", "topics.json", "topic_embeddings.safetensors", "ctfidf.safetensors",
            "ctfidf_config.json", DOCUMENTS_FILE} <= {p.name for p in target.iterdir()}
    assert not list(target.glob("*.pickle")) and not list(tmp_path.glob(".harvest-export-*"))

    model = _load(target)
    info = model.get_topic_info()
    labels = dict(zip(info["Topic"], info["CustomName"], strict=True))
    assert sorted(label for topic, label in labels.items() if topic != -1) == sorted(
        t["label"] for t in result["themes"])
    docs = json.loads((target / DOCUMENTS_FILE).read_text(encoding="utf-8"))["documents"]
    segments = sum(t["size"] for t in result["themes"]) + len(result["unassigned"])
    assert len(model.topics_) == len(docs) == segments
    by_label = {t["label"]: {s["text"] for s in t["segments"]} for t in result["themes"]}
    for doc, topic in zip(docs, model.topics_, strict=True):
        assert doc["topic"] == topic
        if topic != -1:
            assert doc["text"] in by_label[labels[topic]]
    # Each theme's size is its topic's count, and BERTopic's c-TF-IDF words came with it.
    counts = dict(zip(info["Topic"], info["Count"], strict=True))
    for theme in result["themes"]:
        topic = next(t for t, label in labels.items() if label == theme["label"])
        assert counts[topic] == theme["size"]
        assert model.get_topic(topic) and all(w for w, _ in model.get_topic(topic))


def test_export_topics_over_time_with_the_notes_timestamps(db, nlp, tmp_path):
    """Notes with timestamps (created_at): the exported documents carry them, in the model's
    order, and topics_over_time works on the loaded model."""
    event = save_event(db, "weekly", title="Weekly round table")
    notes = [Note(text=sentence, ref=f"{topic}-{i}", created_at=f"2026-0{1 + i % 3}-1{i}T10:00:00Z")
             for topic, sentences in TOPICS.items() for i, sentence in enumerate(sentences)]
    add_notes(db, event, notes)
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    target = tmp_path / "weekly"
    export_bertopic(db, event, target, embedder=FakeEmbedder())
    docs = json.loads((target / DOCUMENTS_FILE).read_text(encoding="utf-8"))["documents"]
    created = {n.ref: n.created_at for n in notes}
    assert [d["timestamp"] for d in docs] == [created[d["note"]] for d in docs]
    model = _load(target)
    # As datetimes: BERTopic 0.17 parses strings with an argument pandas 3 no longer takes.
    times = [datetime.fromisoformat(d["timestamp"]) for d in docs]
    over_time = model.topics_over_time([d["text"] for d in docs], times)
    assert set(over_time["Topic"]) == set(model.topics_)
    assert over_time["Frequency"].sum() == len(docs)
    assert over_time["Timestamp"].nunique() >= 2
    # BERTopic's own chart of it names the topics by Harvest's labels.
    figure = model.visualize_topics_over_time(over_time, custom_labels=True)
    harvest_labels = {t["label"] for t in runs.latest_result(db, event)["themes"]}
    assert {trace.name for trace in figure.data} == harvest_labels


def test_export_errors_write_nothing(db, nlp, tmp_path):
    event = make_event(db)
    with pytest.raises(ValidationError, match="no synthesis to export.*harvest synthesise uniforms"):
        export_bertopic(db, event, tmp_path / "out", embedder=FakeEmbedder())
    synthesise(db, event, embedder=FakeEmbedder(), nlp=nlp)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    with pytest.raises(ValidationError, match="exists and is not empty"):
        export_bertopic(db, event, busy, embedder=FakeEmbedder())
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(ValidationError, match="is a file"):
        export_bertopic(db, event, a_file, embedder=FakeEmbedder())
    with pytest.raises(ValidationError, match="does not exist"):
        export_bertopic(db, event, tmp_path / "no" / "such" / "folder", embedder=FakeEmbedder())
    # An empty folder is fine.
    empty = tmp_path / "empty"
    empty.mkdir()
    export_bertopic(db, event, empty, embedder=FakeEmbedder())
    assert (empty / "config.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("harvest.db")) == [
        "a-file", "busy", "empty"]  # nothing left half-written beside them


def test_export_cli_errors(runner, db_path, tmp_path):
    db = open_db(db_path)
    event = save_event(db, "fresh", title="Fresh")
    add_notes(db, event, [Note(text="Commissioners want one person to negotiate with.")])
    db.conn.close()
    base = ["--db", str(db_path), "export", "fresh", "--format", "bertopic"]
    result = runner.invoke(cli, [*base, str(tmp_path / "out")])
    assert result.exit_code == 1 and "no synthesis to export" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()
    result = runner.invoke(cli, base)
    assert result.exit_code == 2 and "DIR" in result.output
    result = runner.invoke(cli, ["--db", str(db_path), "export", "fresh", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--format bertopic" in result.output
    result = runner.invoke(cli, ["--db", str(db_path), "export", "nope", "--format", "bertopic", "d"])
    assert result.exit_code == 1 and "No event 'nope'" in result.output


@pytest.mark.models
def test_export_cli_round_trip_with_real_models(runner, db_path, tmp_path):
    """`harvest synthesise` then `harvest export --format bertopic DIR` with the real models;
    a fresh process opens DIR with BERTopic.load offline (HF_HUB_OFFLINE=1), the embedding model
    with it, and finds Harvest's labels and each document's topic."""
    from tests.conftest import SEEE

    assert runner.invoke(cli, ["--db", str(db_path), "import", str(SEEE), "--event", "seee"]).exit_code == 0
    assert runner.invoke(cli, ["--db", str(db_path), "synthesise", "seee"]).exit_code == 0
    target = tmp_path / "seee-topics"
    out = runner.invoke(cli, ["--db", str(db_path), "export", "seee", "--format", "bertopic", str(target)])
    assert out.exit_code == 0, out.output
    assert "Wrote a BERTopic model of" in out.output
    db = open_db(db_path)
    result = runs.latest_result(db, get_event(db, "seee"))
    db.conn.close()
    code = (
        "import json, sys\n"
        "from bertopic import BERTopic\n"
        "model = BERTopic.load(sys.argv[1])\n"
        "docs = json.load(open(sys.argv[1] + '/harvest_documents.json'))['documents']\n"
        "topics, _ = model.transform([d['text'] for d in docs])\n"
        "print(json.dumps({'labels': model.custom_labels_, 'topics': model.topics_,\n"
        "                  'embedder': type(model.embedding_model).__name__,\n"
        "                  'predicted': [int(t) for t in topics]}))\n")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code, str(target)], cwd=tmp_path, check=True,
                                       capture_output=True, text=True,
                                       env={**os.environ, "HF_HUB_OFFLINE": "1"}).stdout)
    assert loaded["embedder"] == "SentenceTransformerBackend"
    assert {t["label"] for t in result["themes"]} <= set(loaded["labels"])
    docs = json.loads((target / DOCUMENTS_FILE).read_text(encoding="utf-8"))["documents"]
    assert [d["topic"] for d in docs] == loaded["topics"]
    # The embedding model came along: new documents are embedded and placed (here the same
    # documents, most of them back in their own theme).
    assigned = [(d["topic"], p) for d, p in zip(docs, loaded["predicted"], strict=True) if d["topic"] != -1]
    assert sum(t == p for t, p in assigned) >= 0.5 * len(assigned)


def test_large_event_with_too_few_words_for_keywords(db):
    """Texts with fewer than two words a keyword may be (numbers, stop words only) still go
    through BERTopic, whose c-TF-IDF fails on a vocabulary of one word or none: no keywords,
    and none of the padding that keeps it working."""
    from synthesis.bertopic_themes import LargeEventTopics

    rng = np.random.default_rng(4)
    points = np.vstack([rng.normal(loc, 0.05, size=(6, 8)) for loc in (-1.0, 1.0)]).astype(np.float32)
    halves = np.array([0] * 6 + [1] * 6)
    for texts, expected in (([f"text {i}" for i in range(12)], {"text"}), (["the and of it"] * 12, set())):
        topics = LargeEventTopics(resolve({"small_event_segments": 5}), db)
        labels = topics.fit(texts, points)
        assert set(labels[:6].tolist()).isdisjoint(set(labels[6:].tolist()) - {-1})
        words = topics.keywords(texts, halves, 6)
        assert sorted(words) == [0, 1]
        assert {w for pairs in words.values() for w, _ in pairs} == expected
