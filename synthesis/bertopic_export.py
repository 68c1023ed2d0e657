"""`harvest export SLUG --format bertopic DIR`: an event's themes as a saved BERTopic model.

Any event's latest result (small or large) becomes a BERTopic model by BERTopic's manual topic
modelling: `fit(docs, embeddings, y=themes)` with a pass-through reduction and a pass-through
clustering (BaseDimensionalityReduction, BaseCluster), so BERTopic computes only its c-TF-IDF
and topic vectors over Harvest's themes. The topics carry Harvest's labels (custom labels).
It is saved with safetensors (no pickles), its c-TF-IDF, and a pointer to the embedding model,
so an analyst can `BERTopic.load(DIR)` offline and use BERTopic's own visualisations and
`topics_over_time`. `harvest_documents.json` beside it lists the documents in the model's
order, with their topic, note and the note's timestamp (no author: the notes' own words only).

Usage:
    summary = export_bertopic(db, event, "seee-topics")
    # then, elsewhere:
    model = BERTopic.load("seee-topics")
    docs = json.load(open("seee-topics/harvest_documents.json"))["documents"]
    # datetimes, not the ISO strings: BERTopic 0.17 parses strings in a way pandas 3 refuses
    times = [datetime.fromisoformat(d["timestamp"]) for d in docs]
    model.topics_over_time([d["text"] for d in docs], times)
"""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from capture.errors import ValidationError
from capture.models import Event
from capture.store import list_notes
from synthesis import runs
from synthesis.embed import Embedder, default_embedder, embed_cached

DOCUMENTS_FILE = "harvest_documents.json"
UNASSIGNED_LABEL = "Unassigned"
# Words of three characters or more, not only digits: the words Harvest's keywords count
# (label.keyword_words), as a pattern, because the saved model must describe its word counter
# in JSON (a Python function cannot be saved with safetensors).
TOKEN_PATTERN = r"(?u)\b(?!\d+\b)\w[\w'-]+\w\b"


def _documents(db: Database, event: Event, result: dict, run: dict) -> list[dict]:
    """Every segment of the result with its theme (None: unassigned), in reading order."""
    notes = {note.ref: note for note in list_notes(db, event)}
    fallback = run.get("started_at") or ""
    docs = []
    for position, theme in enumerate(result["themes"]):
        docs += [(seg, position, theme["label"]) for seg in theme["segments"]]
    docs += [(seg, None, UNASSIGNED_LABEL) for seg in result["unassigned"]]
    out = []
    for seg, position, label in docs:
        note = notes.get(seg["note"])
        out.append({"text": seg["text"], "theme": position, "label": label, "note": seg["note"],
                    "table": seg["table"], "start": seg["start"], "end": seg["end"],
                    # A note deleted since the run: the run's time (it existed then).
                    "timestamp": (note.created_at if note is not None else None) or fallback,
                    "_order": (note.id if note is not None and note.id is not None else 0, seg["start"])})
    out.sort(key=lambda d: d["_order"])
    for doc in out:
        del doc["_order"]
    return out


def _check_target(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise ValidationError(f"{directory} is a file: give a new folder for the BERTopic model.")
    if directory.is_dir() and any(directory.iterdir()):
        raise ValidationError(f"{directory} exists and is not empty: give a new folder (or empty this "
                              "one) for the BERTopic model.")
    if not directory.parent.is_dir():
        raise ValidationError(f"Cannot write {directory}: the folder {directory.parent} does not exist.")


def build_model(texts: list[str], embeddings: np.ndarray, themes: list[int], labels: dict[int, str]):
    """A fitted BERTopic whose topics are `themes` (-1 = outlier), labelled `labels` (theme ->
    label); returns the model and BERTopic's topic number of each theme."""
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from sklearn.feature_extraction.text import CountVectorizer
    from spacy.lang.en.stop_words import STOP_WORDS

    vectorizer = CountVectorizer(token_pattern=TOKEN_PATTERN, stop_words=sorted(STOP_WORDS))
    # language=None: BERTopic's English preprocessing would strip every letter outside A-Z.
    model = BERTopic(umap_model=BaseDimensionalityReduction(), hdbscan_model=BaseCluster(),
                     vectorizer_model=vectorizer, language=None, calculate_probabilities=False)
    with warnings.catch_warnings():
        # scikit-learn: "stop_words may be inconsistent with your preprocessing" (spaCy's list
        # holds contractions such as "n't", which the pattern never yields; harmless).
        warnings.simplefilter("ignore", UserWarning)
        model.fit(texts, embeddings=embeddings, y=np.asarray(themes, dtype=int))
    # BERTopic renumbers topics by size: find each theme's number from its first document.
    topic_of = {}
    for theme, topic in zip(themes, model.topics_, strict=True):
        topic_of.setdefault(theme, int(topic))
    model.set_topic_labels({topic_of[theme]: labels[theme] for theme in topic_of})
    return model, topic_of


def export_bertopic(db: Database, event: Event, directory: str | Path,
                    embedder: Embedder | None = None) -> dict:
    """Save the event's latest themes as a BERTopic model in `directory` (new or empty); returns
    {"path", "themes", "documents", "embedding_model"}. Raises ValidationError (nothing written)
    when the event has no synthesis or no themes, or the folder is not new or empty."""
    directory = Path(directory)
    run = runs.latest_succeeded_run(db, event)
    result = runs.latest_result(db, event)
    if run is None or result is None:
        raise ValidationError(f"Event {event.slug!r} has no synthesis to export: run "
                              f"`harvest synthesise {event.slug}` first.")
    if not result["themes"]:
        raise ValidationError(f"Event {event.slug!r} has no themes to export (its latest synthesis "
                              "left every segment unassigned).")
    _check_target(directory)
    docs = _documents(db, event, result, run)
    embedder = embedder if embedder is not None else default_embedder()
    # The run embedded these texts already: they come from the embedding cache.
    embeddings = embed_cached(db, embedder, [d["text"] for d in docs])
    themes = [-1 if d["theme"] is None else d["theme"] for d in docs]
    labels = {position: theme["label"] for position, theme in enumerate(result["themes"])}
    labels[-1] = UNASSIGNED_LABEL
    model, topic_of = build_model([d["text"] for d in docs], embeddings, themes, labels)
    for doc, theme in zip(docs, themes, strict=True):
        doc["topic"] = topic_of[theme]
    pointer = _embedding_model_pointer(embedder)
    # Written in a new folder beside the target, then renamed: a failure leaves nothing behind.
    staging = Path(tempfile.mkdtemp(prefix=".harvest-export-", dir=directory.parent))
    try:
        model.save(staging / "model", serialization="safetensors", save_ctfidf=True,
                   save_embedding_model=pointer)
        (staging / "model" / DOCUMENTS_FILE).write_text(json.dumps(
            {"event": {"slug": event.slug, "title": event.title}, "run": run["id"], "documents": docs},
            ensure_ascii=False, indent=1), encoding="utf-8")
        if directory.is_dir():
            directory.rmdir()  # empty (checked above)
        (staging / "model").rename(directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {"path": str(directory), "themes": len(result["themes"]), "documents": len(docs),
            "embedding_model": pointer}


def _embedding_model_pointer(embedder: Embedder) -> str:
    """What BERTopic.load should load as the embedding model: the installed all-MiniLM-L6-v2's
    folder when the themes were embedded with it (it loads offline; elsewhere, pass
    `embedding_model="sentence-transformers/all-MiniLM-L6-v2"` to BERTopic.load), else the
    embedder's name (which BERTopic cannot load: the model then opens without one)."""
    from synthesis.embed import MODEL_NAME, model_path

    if embedder.name == MODEL_NAME:
        try:
            return model_path()
        except RuntimeError:
            return f"sentence-transformers/{MODEL_NAME}"
    return embedder.name
