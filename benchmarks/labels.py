"""Theme labels alone, against labels people wrote: the old labeller and the current one side by side.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/labels.py [--split dev|train] [--groups N]
        [--no-seee] [--show N] [--json] [--save FILE]

Clustering plays no part: each gold theme is given to the labeller as it is. On argkp-dev (or the
first 16 groups of argkp-train, `--split train`, held out), a gold theme is an ArgKP key point with
at least 3 matched arguments, its segments those of the matched arguments, and its gold label the
key point. On the SEEE transcript, a theme is one of the 8 annotated themes, its segments those
containing its quotes (a segment with quotes of two themes goes to the one it shares most
characters with). The other gold themes of the same group or event are the "other themes", as in
the pipeline. Each produced label is compared with the gold label by
  cos   cosine similarity of their MiniLM embeddings (synthesis.embed.default_embedder),
  F1    F1 of their content-word lemmas (lower-cased, no stop words, no punctuation),
  words the produced label's length in words (gold labels: ArgKP about 6, SEEE about 7),
  3-8 w the share of produced labels of 3 to 8 words,
  rules the share that keeps the rules of a headline (synthesis.publishable.label_problems: 3-9
        words, no date, placeholder, bare proper noun or function word at the end).
Every label is printed beside its gold label (--show N: the first N of an ArgKP set).
The seconds are each method's labelling time (candidates, embedding with no cache, choice).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

from benchmarks import label_baseline  # noqa: E402
from benchmarks.eval_data import SEEE_TRANSCRIPT, EvalDataMissing, load_groups, load_seee  # noqa: E402
from benchmarks.machine import describe_machine, emit_report, git_commit  # noqa: E402

METHODS = ("old", "new")
TRAIN_GROUPS = 16
MIN_MEMBERS = 3


def log(message: str) -> None:
    """Progress goes to stderr so --json output stays clean."""
    print(message, file=sys.stderr, flush=True)


class Tools:
    """The models the benchmark shares: the pipeline's spaCy parse, a lemmatiser, MiniLM."""

    def __init__(self) -> None:
        import spacy

        from synthesis.embed import default_embedder
        from synthesis.segment import SPACY_MODELS, load_nlp

        self.nlp = load_nlp()
        # load_nlp leaves the lemmatiser out; the F1 needs lemmas ("contracts" = "contract").
        self.lemmatiser = None
        for name in SPACY_MODELS:
            try:
                self.lemmatiser = spacy.load(name, disable=["parser", "ner"])
                break
            except OSError:
                continue
        self.embedder = default_embedder()
        self.vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors of `texts`, embedding the unseen ones in one batch (a cache, as embed_cached)."""
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            self.vectors.update(zip(missing, self.embedder.encode(missing), strict=True))
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.vstack([self.vectors[t] for t in texts])

    def lemmas(self, text: str) -> set[str]:
        """Lower-cased lemmas of the content words of `text`."""
        doc = self.lemmatiser(text)
        return {t.lemma_.lower() for t in doc if not t.is_stop and not t.is_punct and not t.is_space
                and re.search(r"\w", t.text)}


def lemma_f1(tools: Tools, produced: str, gold: str) -> float:
    """F1 of the two labels' content-word lemma sets (0 when either has none)."""
    a, b = tools.lemmas(produced), tools.lemmas(gold)
    common = len(a & b)
    if not common:
        return 0.0
    precision, recall = common / len(a), common / len(b)
    return 2 * precision * recall / (precision + recall)


def label_clusters(tools: Tools, notes: list, assign) -> dict:
    """Parse the notes, make gold clusters with `assign(segments) -> labels`, label them both ways.

    Returns {"labels": {method: {cluster: label}}, "seconds": {method: s}}."""
    from synthesis import label as labelling
    from synthesis.cluster import centroids
    from synthesis.segment import segment_notes, spacy_docs
    from synthesis.settings import DEFAULTS

    docs = spacy_docs(tools.nlp, notes)
    segments = segment_notes(notes, docs, DEFAULTS)
    texts = [s.text for s in segments]
    labels = assign(segments)
    vectors = tools.embed(texts)
    centres = centroids(vectors, labels)
    keyword_sets = labelling.keywords(texts, labels, DEFAULTS["keywords"])
    out = {"labels": {}, "seconds": {}}
    # Each method embeds its own candidates (no shared cache), so the seconds compare.
    for method in METHODS:
        start = time.perf_counter()
        if method == "old":
            phrases = label_baseline.candidate_phrases(docs, segments)
            names = label_baseline.label_themes(phrases, labels, centres, keyword_sets, texts,
                                                tools.embedder.encode)
        else:
            phrases = labelling.candidate_phrases(docs, segments)
            names = labelling.label_themes(phrases, labels, centres, keyword_sets, texts,
                                           tools.embedder.encode)
        out["seconds"][method] = time.perf_counter() - start
        out["labels"][method] = names
    return out


def score(tools: Tools, produced: str, gold: str) -> dict:
    """cos, F1, length and the headline rules it breaks (synthesis.publishable.label_problems)
    of one produced label against its gold label."""
    from synthesis.publishable import label_problems

    vectors = tools.embed([produced, gold])
    return {"label": produced, "cos": round(float(vectors[0] @ vectors[1]), 4),
            "f1": round(lemma_f1(tools, produced, gold), 4), "words": len(produced.split()),
            "problems": label_problems(produced, (), tools.lemmatiser)}


def run_argkp(tools: Tools, split: str, limit: int | None, seconds: dict) -> list[dict]:
    """One row per gold theme (key point with >= 3 matched arguments) of every group; adds each
    method's labelling time to `seconds`."""
    from capture.models import Note

    rows = []
    for group in load_groups(split, limit):
        counts: dict[str, int] = {}
        for kp in group.gold.values():
            counts[kp] = counts.get(kp, 0) + 1
        themes = sorted(kp for kp, n in counts.items() if n >= MIN_MEMBERS)
        if not themes:
            continue
        index = {kp: i for i, kp in enumerate(themes)}
        notes = [Note(text=text, ref=arg_id, id=i) for i, (arg_id, text) in enumerate(group.arguments)]

        def assign(segments, group=group, index=index):
            return np.array([index.get(group.gold.get(s.note_ref, ""), -1) for s in segments], dtype=int)

        found = label_clusters(tools, notes, assign)
        for method in METHODS:
            seconds[method] = seconds.get(method, 0.0) + found["seconds"][method]
        for kp, i in index.items():
            gold = group.key_points[kp]
            row = {"group": group.name, "gold": gold, "size": counts[kp]}
            for method in METHODS:
                row[method] = score(tools, found["labels"][method][i], gold)
            rows.append(row)
        log(f"  {group.name}: {len(themes)} themes, labelled in "
            + ", ".join(f"{m} {found['seconds'][m]:.2f} s" for m in METHODS))
    return rows


def _normalise(text: str) -> tuple[str, list[int]]:
    out, index = [], []
    for match in re.finditer(r"\s+|\S", text):
        out.append(" " if match.group().isspace() else match.group().lower())
        index.append(match.start())
    return "".join(out), index


def run_seee(tools: Tools, workdir: Path, seconds: dict) -> list[dict]:
    """One row per annotated SEEE theme; notes imported as `harvest import` does; adds each
    method's labelling time to `seconds`."""
    from benchmarks.contenders import import_transcript
    from capture.store import approved_notes, open_db

    _text, gold = load_seee()
    db = open_db(workdir / "labels-seee.db")
    event, _how = import_transcript(db, "seee-labels", SEEE_TRANSCRIPT)
    notes = approved_notes(db, event)
    db.conn.close()
    normal = [_normalise(n.text) for n in notes]
    # (note index, start, end) of each quote, per theme.
    located: list[list[tuple[int, int, int]]] = []
    for theme in gold:
        spans = []
        for quote in theme.quotes:
            q = _normalise(quote)[0].strip()
            for n, (norm, index) in enumerate(normal):
                pos = norm.find(q)
                if pos >= 0:
                    spans.append((n, index[pos], index[pos + len(q) - 1] + 1))
                    break
        located.append(spans)

    def assign(segments):
        labels = np.full(len(segments), -1, dtype=int)
        for i, seg in enumerate(segments):
            best, best_overlap = -1, 0
            for t, spans in enumerate(located):
                overlap = sum(max(0, min(b, seg.end) - max(a, seg.start))
                              for n, a, b in spans if n == seg.note_index)
                if overlap > best_overlap:
                    best, best_overlap = t, overlap
            labels[i] = best
        return labels

    found = label_clusters(tools, notes, assign)
    seconds.update(found["seconds"])
    log("  SEEE labelled in " + ", ".join(f"{m} {found['seconds'][m]:.2f} s" for m in METHODS))
    rows = []
    for t, theme in enumerate(gold):
        row = {"group": "seee", "id": theme.id, "gold": theme.label, "quotes_found": len(located[t])}
        for method in METHODS:
            produced = found["labels"][method].get(t)
            row[method] = score(tools, produced, theme.label) if produced else {
                "label": None, "cos": 0.0, "f1": 0.0, "words": 0, "problems": ["no label"]}
        rows.append(row)
    return rows


def averages(rows: list[dict]) -> dict:
    """Mean cos, F1 and words per method over rows (and the share of labels of 3 to 8 words)."""
    out = {}
    for method in METHODS:
        cells = [r[method] for r in rows]
        n = max(1, len(cells))
        out[method] = {"cos": round(sum(c["cos"] for c in cells) / n, 4),
                       "f1": round(sum(c["f1"] for c in cells) / n, 4),
                       "words": round(sum(c["words"] for c in cells) / n, 2),
                       "in_3_8": round(sum(3 <= c["words"] <= 8 for c in cells) / n, 3),
                       "rules_kept": round(sum(not c.get("problems") for c in cells) / n, 3),
                       "themes": len(cells)}
    return out


def print_report(report: dict) -> None:
    """The human-readable report on stdout."""
    print(f"Theme labels against gold labels, commit {report['commit']} "
          f"(old = labeller of 891e031, new = synthesis/label.py)")
    for name, block in report["sets"].items():
        took = ", ".join(f"{m} {block['seconds'][m]:.1f} s" for m in METHODS)
        print(f"\n{name}: {block['average']['old']['themes']} gold themes (labelling, candidates and "
              f"embedding included: {took})")
        print(f"  {'':<6}{'cos':>7}{'F1':>7}{'words':>7}{'3-8 w':>7}{'rules':>7}")
        for method in METHODS:
            a = block["average"][method]
            print(f"  {method:<6}{a['cos']:>7.3f}{a['f1']:>7.3f}{a['words']:>7.1f}{a['in_3_8']:>7.0%}"
                  f"{a['rules_kept']:>7.0%}")
        shown = block["rows"] if name == "seee" else block["rows"][:report["show"]]
        if shown:
            print("  examples (gold | old | new, cos/F1):" if name != "seee" else "  per theme:")
        for r in shown:
            print(f"    gold: {r['gold']}")
            for method in METHODS:
                c = r[method]
                broken = f"  breaks: {'; '.join(c['problems'])}" if c.get("problems") else ""
                print(f"      {method}: {c['label']}  ({c['cos']:.2f}/{c['f1']:.2f}){broken}")


def main(argv: list[str] | None = None) -> int:
    """Run the label benchmark; exit status 1 when the evaluation data is missing."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "train"), default="dev",
                        help=f"argkp split (train: the first {TRAIN_GROUPS} groups, held out)")
    parser.add_argument("--groups", type=int, default=None, help="only the first N groups")
    parser.add_argument("--no-seee", action="store_true", help="skip the SEEE transcript")
    parser.add_argument("--show", type=int, default=None,
                        help="ArgKP labels to print beside their gold label (default: every one)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument("--save", metavar="FILE", help="also write the JSON report to FILE")
    args = parser.parse_args(argv)
    limit = args.groups or (TRAIN_GROUPS if args.split == "train" else None)

    tools = Tools()
    sets = {}
    try:
        seconds: dict[str, float] = {}
        rows = run_argkp(tools, args.split, limit, seconds)
        sets[f"argkp-{args.split}"] = {"rows": rows, "average": averages(rows), "seconds": seconds}
        if not args.no_seee:
            with tempfile.TemporaryDirectory(prefix="harvest-labels-") as tmp:
                seconds = {}
                rows = run_seee(tools, Path(tmp), seconds)
            sets["seee"] = {"rows": rows, "average": averages(rows), "seconds": seconds}
    except EvalDataMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report = {"split": args.split, "groups": limit, "commit": git_commit(), "machine": describe_machine(),
              "show": args.show, "sets": sets}
    emit_report(report, args.save, args.json, print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
