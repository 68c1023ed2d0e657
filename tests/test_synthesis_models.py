"""The synthesis pipeline with the real models (spaCy English, all-MiniLM-L6-v2) on the SEEE
round-table transcript. Marked `models`: slower, and run by CI like the rest."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from capture.importing import import_file
from capture.models import Note
from capture.store import add_notes, get_event, save_event
from synthesis import runs
from synthesis.embed import MiniLMEmbedder, model_path
from synthesis.pipeline import synthesise
from tests.conftest import SEEE

pytestmark = pytest.mark.models


@pytest.fixture
def seee(db):
    import_file(db, SEEE, event="seee")
    return get_event(db, "seee")


def segments(result):
    return [s for t in result["themes"] for s in t["segments"]] + list(result["unassigned"])


def test_seee_themes_with_real_models(db, seee):
    embedder = MiniLMEmbedder()
    synthesise(db, seee, embedder=embedder)
    result = runs.latest_result(db, seee)
    notes = {r["ref"]: r["text"] for r in db.query("SELECT ref, text FROM note WHERE event_id = ?",
                                                   [seee.id])}
    # Every segment once, verbatim; every note covered by a theme, unassigned or a context line
    # (the event's title and blurb are context: issue 12, point 4).
    segs = segments(result)
    covered = segs + list(result["context"])
    keys = [(s["note"], s["start"], s["end"]) for s in covered]
    assert len(keys) == len(set(keys))
    assert {s["note"] for s in covered} == set(notes)
    for s in covered:
        assert notes[s["note"]][s["start"]:s["end"]] == s["text"]
    assert len(result["unassigned"]) <= 0.15 * len(segs)
    assert 3 <= len(result["themes"]) <= 10
    for theme in result["themes"]:
        # Verbatim at their offsets; a long sentence is shortened with " ... " between its parts.
        assert theme["quotes"] and all(" ... ".join(notes[q["note"]][p["start"]:p["end"]] for p in q["parts"])
                                       == q["text"] for q in theme["quotes"])
        # The label is built from what a person wrote in this theme's notes, not a keyword string:
        # one segment's words in order (a compressed clause leaves out whole adjuncts).
        assert any(in_order(theme["label"], s["text"]) for s in theme["segments"]), theme["label"]
        assert theme["label"][0].isupper() and "," not in theme["label"]
        assert theme["summary"]
    # The notes' typos ("commissinoers", "vountaryl", "enteprises") are in no keyword or label.
    shown = " ".join([t["label"] for t in result["themes"]]
                     + [w for t in result["themes"] for w in t["keywords"]])
    assert not {"commissinoers", "vountaryl", "enteprises"} & set(re.findall(r"\w+", shown.lower()))
    entities = {(e["text"], e["label"]) for e in result["entities"]}
    assert ("Social Value Act", "LAW") in entities
    assert ("Manchester", "GPE") in entities
    # A second run embeds nothing (all cached) and gives the same JSON.
    again = MiniLMEmbedder()
    synthesise(db, seee, embedder=again)
    assert again.calls == 0
    assert json.dumps(runs.latest_result(db, seee), sort_keys=True) == json.dumps(result, sort_keys=True)


def test_seeded_themes_with_real_models(db, seee):
    synthesise(db, seee, themes="distrust; Social Value Act; lunar exploration")
    result = runs.latest_result(db, seee)
    by_label = {t["label"]: t for t in result["themes"]}
    assert "Distrust" in by_label and "Social Value Act" in by_label
    assert not any("lunar" in label.lower() for label in by_label)
    assert any("distrust" in s["text"] for s in by_label["Distrust"]["segments"])
    assert any("Social Value Act" in s["text"] for s in by_label["Social Value Act"]["segments"])
    # The rest is still discovered.
    assert len(result["themes"]) >= 4


def test_minilm_matches_sentence_transformers():
    texts = ["Commissioners want one person to negotiate with.", "Tight tender timelines " * 40, "🙂"]
    from sentence_transformers import SentenceTransformer  # the test extra; Harvest never imports it

    ours = MiniLMEmbedder().encode(texts)
    reference = SentenceTransformer(model_path(), device="cpu").encode(
        texts, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)
    assert np.allclose((ours * reference).sum(axis=1), 1.0, atol=1e-4)


def in_order(phrase: str, text: str) -> bool:
    """Whether the words of `phrase` appear in `text` in the same order (gaps allowed)."""
    words = iter(re.findall(r"[\w'’/-]+", text.lower()))
    return all(any(w == x for x in words) for w in re.findall(r"[\w'’/-]+", phrase.lower()))


def test_fused_attention_gives_the_same_vectors():
    """MiniLM's attention through torch's scaled_dot_product_attention gives the vectors of the
    step-by-step attention (softmax(q k^T / sqrt(d) + mask) v) it replaced: cosine >= 0.9999999,
    with padding (texts of different lengths in one batch), a text cut at 256 tokens and emoji."""
    from synthesis.embed import model_path
    from synthesis.minilm import MiniBert

    texts = ["Commissioners want one person to negotiate with.", "Tight tender timelines " * 200, "🙂",
             "Short.", "The Social Value Act is not enforced by councils in the north west of England."]
    model = MiniBert(model_path(), fused=True)
    fused = model.encode(texts).astype(np.float64)
    model.fused = False
    reference = model.encode(texts).astype(np.float64)
    norms = np.linalg.norm(fused, axis=1) * np.linalg.norm(reference, axis=1)
    cosine = (fused * reference).sum(axis=1) / norms
    assert cosine.min() >= 0.9999999


def test_long_note_with_real_models(db):
    """A 100,000-character note is segmented and clustered like the rest: real spaCy, real MiniLM
    and the default settings, so its segments (over 400) take the large-event path, UMAP +
    HDBSCAN. The note repeats the SEEE transcript, so MiniLM embeds few distinct texts."""
    paragraph = open(SEEE, encoding="utf-8").read()
    text = ("\n\n".join([paragraph] * 25))[:100_000]
    event = save_event(db, "long", title="Long minutes")
    add_notes(db, event, [Note(text=text, ref="minutes")])
    synthesise(db, event, embedder=MiniLMEmbedder())
    result = runs.latest_result(db, event)
    segs = segments(result)
    assert len(segs) > 400  # the large-event path
    assert db.conn.execute("SELECT COUNT(*) FROM reduction_cache").fetchone()[0] == 1
    assert all(text[s["start"]:s["end"]] == s["text"] for s in segs)
    spans = sorted((s["start"], s["end"]) for s in segs)
    assert all(end <= start for (_, end), (start, _) in zip(spans, spans[1:], strict=False))
    assert len(result["themes"]) >= 2
    assert len(result["unassigned"]) <= 0.15 * len(segs)
    for theme in result["themes"]:
        # Up to 4 quotes, verbatim and all different (the note repeats itself, so a theme may
        # hold a single distinct sentence many times over: it is then the theme's summary, and no
        # quote repeats it, nor copies of it).
        quotes = [q["text"] for q in theme["quotes"]]
        assert len(quotes) <= 4 and len(set(quotes)) == len(quotes)
        assert quotes or theme["summary_quotes"], theme["label"]
        assert not set(quotes) & {q["text"] for q in theme["summary_quotes"]}
        # Verbatim at their offsets; a long sentence is shortened with " ... " between its parts.
        assert all(" ... ".join(text[p["start"]:p["end"]] for p in q["parts"]) == q["text"]
                   for q in theme["quotes"] + theme["summary_quotes"])


def test_bad_input_with_real_models(db):
    """The issue's small cases with the real models: one note of three words gives one theme;
    a note of emoji only is left unassigned; a note in French is placed exactly once."""
    tiny = save_event(db, "tiny", title="Tiny")
    add_notes(db, tiny, [Note(text="Uniforms reduce bullying", ref="only")])
    synthesise(db, tiny)
    result = runs.latest_result(db, tiny)
    assert [t["segments"][0]["text"] for t in result["themes"]] == ["Uniforms reduce bullying"]
    assert result["unassigned"] == []

    mixed = save_event(db, "mixed", title="Mixed")
    import_file(db, SEEE, event="mixed")
    add_notes(db, mixed, [Note(text="🙂🙂👍", ref="emoji"),
                          Note(text="Les commissaires n'ont pas le temps de rencontrer les petites "
                                    "associations locales.", ref="fr")])
    synthesise(db, mixed)
    result = runs.latest_result(db, mixed)
    placed = [s["note"] for s in segments(result)]
    assert placed.count("emoji") == 1 and placed.count("fr") == 1
    assert "emoji" in {s["note"] for s in result["unassigned"]}
    assert len(result["themes"]) >= 3
