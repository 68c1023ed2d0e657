"""The synthesis pipeline: approved notes -> segments -> embeddings -> themes -> stored run.

`synthesise` reads like the list of stages; each stage is its own module and can be replaced
(the embedder and the spaCy pipeline may be injected, e.g. a fake embedder in fast tests).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable

import numpy as np
from sqlite_utils import Database

from capture.errors import ValidationError
from capture.models import Event
from capture.store import approved_notes
from synthesis import breadth, citation, runs, seeds, segment_cache, strata, typos, vocabulary
from synthesis import cluster as clustering
from synthesis import context as context_stage
from synthesis import entities as entity_stage
from synthesis import label as labelling
from synthesis import quotes as quoting
from synthesis.bertopic_themes import LargeEventTopics
from synthesis.embed import Embedder, default_embedder, embed_cached
from synthesis.segment import Segment
from synthesis.settings import DEFAULTS, resolve

Progress = Callable[[str, float], None]
_HAS_LETTER = re.compile(r"[^\W\d_]")


def synthesise(db: Database, event: Event, themes: list[str] | str | None = None,
               progress: Progress | None = None, settings: dict | None = None,
               run_id: int | None = None, *, embedder: Embedder | None = None, nlp=None) -> int:
    """Synthesise the event's approved notes into themes; store and return the run id.

    Raises ValidationError when the event has no approved notes. On any error the run is
    marked failed (with the message) and the error re-raised; the previous result stays current.
    """
    if run_id is not None and settings is None:
        # A queued run carries the settings it was created with; keep the ones still known.
        settings = {k: v for k, v in runs.get_run(db, run_id)["settings"].items() if k in DEFAULTS}
    config = resolve(settings)
    notes = approved_notes(db, event)
    if not notes:
        message = (f"Event {event.slug!r} has no approved notes to synthesise. Import notes "
                   f"(`harvest import FILE --event {event.slug}`) or approve some in moderation first.")
        if run_id is not None:
            runs.fail_run(db, run_id, message)
        raise ValidationError(message)
    if run_id is None:
        run_id = runs.create_run(db, event, config)
    seed_phrases = seeds.parse_seeds(themes)
    config_stored = {**config, "themes": seed_phrases}
    runs.start_run(db, run_id, config_stored, {})

    def report(stage: str, fraction: float) -> None:
        runs.set_progress(db, run_id, stage, fraction)
        if progress is not None:
            progress(stage, fraction)

    try:
        # The heartbeat says this process still owns the run (a dead owner's run is failed when
        # read); a cancelled run raises RunCancelled at the next report and stores nothing.
        with runs.heartbeat(db, run_id):
            result, timings, models = _run_stages(db, event, notes, seed_phrases, config, report,
                                                  embedder, nlp)
            runs.set_progress(db, run_id, "saving", 0.98, models=models)
            runs.store_result(db, run_id, result, timings)
    except runs.RunCancelled:
        raise  # the run already says why
    except Exception as exc:  # noqa: BLE001 - recorded on the run, then re-raised unchanged
        runs.fail_run(db, run_id, str(exc) or type(exc).__name__)
        raise
    if progress is not None:
        progress("done", 1.0)
    return run_id


def _run_stages(db, event, notes, seed_phrases, config, report, embedder, nlp):
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    # 1. Parse and segment (sentences or short claims, with offsets in the note); cached per
    # note, so a re-run on the same notes parses nothing and does not load the spaCy model.
    report("segmenting", 0.05)
    parsed, spacy_model = segment_cache.segmentation_entries(db, notes, config, nlp)
    # Context (a date, "Present: ...", an agenda heading, the event's blurb) is kept apart: listed
    # in the result, never in a theme, quote or summary; headings give their paragraphs a topic.
    separated = context_stage.separate(parsed, notes)
    parsed, context_lines = separated.entries, separated.lines
    segments = [Segment(note_id=note.id, note_ref=note.ref, table=note.table, start=start, end=end,
                        text=note.text[start:end], note_index=index)
                for index, (note, item) in enumerate(zip(notes, parsed, strict=True))
                for start, end in item.spans]
    phrases = [found for item in parsed for found in item.phrases]
    texts = [s.text for s in segments]
    order = [(s.note_index, s.start) for s in segments]
    eligible = np.array([bool(_HAS_LETTER.search(t)) for t in texts], dtype=bool)
    # The event's title, blurb and headings shape the graph the themes are cut from, in none.
    guides = np.array(separated.guides, dtype=bool)
    lap("segment")

    # 2. Embed (cached in the database by text).
    report("embedding", 0.3)
    embedder = embedder if embedder is not None else default_embedder()
    vectors = embed_cached(db, embedder, texts)
    lap("embed")

    # 3. Seeded themes first, then cluster what they leave, comparing segments without the
    # words the whole event shares (its subject) and by the uncommon words they share.
    report("clustering", 0.6)
    terms = [row for item in parsed for row in item.terms]
    note_index = [s.note_index for s in segments]
    common = vocabulary.common_words(terms, note_index, eligible, config["common_word_share"])
    topics = separated.topics
    neutral = vectors if not common and not any(topics) else embed_cached(
        db, embedder, context_stage.under_headings(
            vocabulary.neutral_texts(texts, [s.start for s in segments], terms, common), topics))
    seed_labels = np.full(len(segments), -1, dtype=int)
    if seed_phrases:
        seed_vectors = embed_cached(db, embedder, seed_phrases)
        seed_labels = seeds.assign_seeds(seed_vectors, vectors, eligible, config,
                                         seeds.word_overlap(seed_phrases, texts))
    seed_labels = np.where(guides, -1, seed_labels)
    free = eligible & (seed_labels < 0)
    # Segments come in reading order, so neighbours in the list are neighbours in the note.
    context = clustering.with_context(neutral, note_index, config["context_weight"], config["context_window"])
    lexical = None
    small = free.sum() <= config["small_event_segments"]
    if small:
        # Only a small event's clustering uses shared words (a dense n x vocabulary matrix).
        lexical = clustering.with_context(vocabulary.lexical_vectors(terms, common), note_index,
                                          config["context_weight"], config["context_window"])
    # A large event goes through BERTopic itself (its import only then), which also gives the
    # keywords of its themes (c-TF-IDF); a small one through spectral clustering.
    large = LargeEventTopics(config, db)
    found = clustering.cluster(texts, context, config, eligible=free, cache=db, lexical=lexical, large=large)
    # A form's answers to different questions, and comments about the event itself ("lunch ran
    # out") beside points about its subject, never share a theme: a theme mixing them is split.
    groups = strata.strata(texts, [s.table for s in segments], free, topics) if small else [0] * len(texts)
    found = strata.split_mixed(found, groups, vectors, [s.note_index for s in segments])
    kept_seeds = sorted(set(seed_labels[seed_labels >= 0].tolist()))
    offset = len(seed_phrases)
    labels = np.where(seed_labels >= 0, seed_labels, np.where(found >= 0, found + offset, -1))
    labels = np.where(guides, -1, labels)
    labels = clustering.renumber(labels)
    # Where the event has few notes, a note's point riding in another's theme gets its own theme;
    # where it has many, a theme made of one note's segments is folded away.
    labels = breadth.split_passengers(
        labels, note_index, vectors, protected=set(labels[seed_labels >= 0].tolist()),
        sentences=breadth.sentence_of(note_index, [s.start for s in segments],
                                      [item.sentences for item in parsed]))
    labels = breadth.fold_one_note_themes(labels, note_index, vectors,
                                          protected=set(labels[seed_labels >= 0].tolist()), strata=groups)
    seed_of_label = {}
    for seed_index in kept_seeds:
        seed_of_label[int(labels[np.flatnonzero(seed_labels == seed_index)[0]])] = seed_phrases[seed_index]
    lap("cluster")

    # 4. Labels and keywords; 5. quotes and summaries.
    report("labelling", 0.8)
    # The notes' probable typos ("commissinoers") are never keywords, and a label holding one
    # gives way to a clean candidate of about the same score.
    lexicon = typos.default_lexicon() if nlp is None else typos.spacy_lexicon(nlp)
    typo_words = typos.probable_typos(texts, lexicon) if (labels >= 0).any() else set()
    keyword_sets = (large.keywords(texts, labels, config["keywords"], leave_out=typo_words) if large.fitted
                    else labelling.keywords(texts, labels, config["keywords"], leave_out=typo_words))
    centres = clustering.centroids(vectors, labels)
    # Every theme's label candidates are embedded in one batch (one model call, one commit).
    names = labelling.label_themes(phrases, labels, centres, keyword_sets, texts,
                                   lambda batch: embed_cached(db, embedder, batch), seed_of_label,
                                   typo_words=typo_words)
    # A summary and quotes per theme, each whole sentences of one note (clauses widened).
    theme_order = sorted(centres)
    member_lists = [sorted(np.flatnonzero(labels == label).tolist(), key=lambda i: order[i])
                    for label in theme_order]
    passages = quoting.theme_passages(
        member_lists, [centres[label] for label in theme_order],
        [dict(keyword_sets.get(label, [])) for label in theme_order], texts,
        [(s.note_index, s.start, s.end) for s in segments], [item.sentences for item in parsed],
        [note.text for note in notes], vectors, lambda batch: embed_cached(db, embedder, batch),
        config["max_quotes"], config["quote_diversity"], config["summary_sentences"])
    theme_list = []
    for label, members, (summary, quotes) in zip(theme_order, member_lists, passages, strict=True):
        key = f"t{label + 1}"
        weights = dict(keyword_sets.get(label, []))
        name = names[label]
        table_counts = Counter(segments[i].table for i in members if segments[i].table)
        theme_list.append({
            "id": key, "label": name, "keywords": list(weights),
            "summary": " ".join(p.text for p in summary),
            "summary_quotes": [_quote_json(notes[p.note], p) for p in summary],
            "size": len(members),
            "tables": [t for t, _ in sorted(table_counts.items(), key=lambda kv: (-kv[1], kv[0]))],
            "quotes": [_quote_json(notes[p.note], p) for p in quotes],
            "segments": [_segment_json(segments[i]) for i in members],
            "seeded": label in seed_of_label,
        })
    lap("label")

    # 6. Entities.
    report("entities", 0.95)
    # Not what the context lines name ("AOB None", the attendance list): what the notes discuss.
    entities = entity_stage.count_mentions(entity_stage.event_mentions(parsed, notes))
    lap("entities")

    unassigned = sorted(np.flatnonzero((labels < 0) & ~guides).tolist(), key=lambda i: order[i])
    result = {
        "event": context_stage.event_info(event, parsed, notes),
        "themes": theme_list,
        "unassigned": [_segment_json(segments[i]) for i in unassigned],
        "context": context_lines,
        "entities": [{"text": e.text, "label": e.label, "count": e.count} for e in entities],
        # Segments in themes or unassigned (context lines that guided the clustering are not).
        "run": {"method": large.method if large.fitted else "spectral",
                "segments": len(segments) - int(guides.sum())},
    }
    models = {"spacy": spacy_model, "embedding": f"{embedder.name} ({embedder.version})",
              "umap": _version("umap-learn"), "hdbscan": _version("hdbscan"),
              "clustering": large.describe() if large.fitted else "spectral"}
    return result, timings, models


def _segment_json(seg) -> dict:
    return {"text": seg.text, "note": seg.note_ref, "table": seg.table, "start": seg.start, "end": seg.end}


def _quote_json(note, passage) -> dict:
    """A quote of the contract: whole sentences of one note, verbatim, with the offsets of each
    part, cited by the note's number ("Table 2, note 5")."""
    return citation.quote(note, passage.parts, passage.text)


def _version(package: str) -> str:
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:  # noqa: BLE001 - informative only
        return "unknown"
