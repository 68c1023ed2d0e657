"""Theme quality of one LARGE event: BERTopic and Harvest on thousands of ArgKP arguments at once.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/scale_quality.py [--count 3000] [--json] [--save FILE]

(`--count 5000` is the "5,000 notes" of issue 3; argkp-train has 5,583 arguments.)

benchmarks/quality.py scores each ArgKP group (60-170 arguments) alone, so it only measures
Harvest's small-event path (spectral clustering). This measures the large-event path (BERTopic
with seeded UMAP and HDBSCAN leaf selection, outliers reassigned), which Harvest takes above
`small_event_segments` segments.

The event is the first `--count` arguments of argkp-train in file order (the texts
benchmarks/speed.py times; the file lists each motion and stance together, so these are whole
groups, the last one cut). Two golds, scored with metrics.score_group on the whole event as
one "group":
  - key point: an argument's gold theme is its key point when exactly one label says 1 (key point
    ids are distinct across groups); other arguments are imported but not scored;
  - motion + stance (coarse): every argument's gold theme is its group, to see whether themes at
    least keep motions apart.
Contenders, all on all-MiniLM-L6-v2: BERTopic with its defaults (min_topic_size=10), with
min_topic_size=5 and with min_topic_size=3 (the setting of issue 3), each on embeddings computed
once here; and Harvest end to end (import into a temporary SQLite database, synthesise, read
the stored result; it embeds by itself). Harvest runs in a fresh Python process (spawned, not
forked), so its peak resident memory is its own: the interpreter, imports, models and the run,
none of BERTopic's. A note's theme is the theme holding most of its segments. Seconds are
informational only (the machine is shared). BERTopic's UMAP is seeded (42) and Harvest's
clustering is seeded by its settings, so the figures repeat.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from benchmarks import contenders  # noqa: E402
from benchmarks.eval_data import EvalDataMissing, Group, load_arguments, load_groups  # noqa: E402
from benchmarks.machine import describe_machine, emit_report, git_commit, machine_line  # noqa: E402
from benchmarks.metrics import score_group, text_themes, topics_to_themes  # noqa: E402

SPLIT = "train"
BERTOPIC_SIZES = (None, 5, 3)  # min_topic_size: None = BERTopic's default (10)
TARGET_MEMORY_GB = 2.5  # issue 3's peak memory target (benchmarks/speed.py checks it at 3,000)


def bertopic_name(min_topic_size: int | None) -> str:
    """The report title of a BERTopic contender."""
    return "BERTopic defaults" if min_topic_size is None else f"BERTopic min_topic_size={min_topic_size}"


def log(message: str) -> None:
    """Progress goes to stderr so --json output stays clean."""
    print(message, file=sys.stderr, flush=True)


def take_arguments(groups: Sequence[Group], count: int) -> tuple[list[tuple[str, str]], dict[str, str],
                                                                  dict[str, str]]:
    """The first `count` arguments of the groups, in order, as (arg_id, text) pairs; with the key
    point gold (scored arguments only) and the coarse gold (every argument -> its group's name)."""
    pairs: list[tuple[str, str]] = []
    gold: dict[str, str] = {}
    coarse: dict[str, str] = {}
    for group in groups:
        for arg_id, text in group.arguments:
            if len(pairs) >= count:
                return pairs, gold, coarse
            pairs.append((arg_id, text))
            coarse[arg_id] = group.name
            if arg_id in group.gold:
                gold[arg_id] = group.gold[arg_id]
    return pairs, gold, coarse


def event_arguments(count: int) -> tuple[list[tuple[str, str]], dict[str, str], dict[str, str]]:
    """take_arguments on argkp-train, checked to be the very texts speed.py uses (file order)."""
    pairs, gold, coarse = take_arguments(load_groups(SPLIT), count)
    if [a for a, _ in pairs] != [a for a, _ in load_arguments(SPLIT, count)]:
        raise EvalDataMissing(f"argkp-{SPLIT}: the groups are not contiguous in file order, so the "
                              "event would differ from benchmarks/speed.py's; check the data.")
    return pairs, gold, coarse


def score_contender(gold: Mapping[str, str], coarse: Mapping[str, str], produced: Mapping[str, str],
                    seconds: float) -> dict:
    """Key point scores (metrics.score_group) plus the same against motion + stance, and seconds."""
    row = asdict(score_group(gold, produced))
    by_group = score_group(coarse, produced)
    row.update({"ari_group": by_group.ari, "nmi_group": by_group.nmi, "recall_group": by_group.recall,
                "seconds": round(seconds, 1)})
    return row


def run_bertopic(pairs: Sequence[tuple[str, str]], gold: Mapping[str, str], coarse: Mapping[str, str],
                 sizes: Sequence[int | None]) -> tuple[dict[str, dict], float]:
    """Each BERTopic setting on the same embeddings (computed once); their rows and the seconds
    the embedding took."""
    if not sizes:
        return {}, 0.0
    import bertopic  # noqa: F401 - imported here so the first row's seconds leave its import out

    ids = [a for a, _ in pairs]
    texts = [t for _, t in pairs]
    log(f"embedding {len(texts)} arguments with all-MiniLM-L6-v2 ...")
    start = time.perf_counter()
    embeddings = contenders.load_embedder().encode(texts, batch_size=64, show_progress_bar=False)
    embed_s = time.perf_counter() - start
    rows = {}
    for size in sizes:
        log(f"{bertopic_name(size)} ...")
        start = time.perf_counter()
        topics = contenders.bertopic_topics(texts, embeddings, size)
        rows[bertopic_name(size)] = score_contender(gold, coarse, topics_to_themes(ids, topics),
                                                    time.perf_counter() - start)
    return rows, embed_s


def peak_rss_gb() -> float:
    """This process's peak resident set so far, in GiB: the kernel's VmHWM, which starts afresh
    when a process execs. (ru_maxrss does not: a spawned child inherits its parent's high-water
    mark in it, so Harvest's child would report BERTopic's peak.) ru_maxrss where /proc is
    missing."""
    try:
        status = Path("/proc/self/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024 / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def run_harvest(pairs: Sequence[tuple[str, str]], gold: Mapping[str, str], coarse: Mapping[str, str],
                workdir: Path) -> dict:
    """Harvest end to end on a fresh database: import, synthesise (embedding included), score.
    Its row carries this process's peak RSS after the run (see harvest_in_child)."""
    from capture.store import open_db

    log("Harvest: import and synthesise ...")
    db = open_db(workdir / "scale.db")
    event = contenders.import_pairs(db, "scale-quality", f"First {len(pairs)} argkp-{SPLIT} arguments",
                                    pairs)
    start = time.perf_counter()
    result = contenders.synthesise_result(db, event)
    seconds = time.perf_counter() - start
    stages = contenders.stage_timings(db, event)
    db.conn.close()
    row = score_contender(gold, coarse, text_themes(result, [a for a, _ in pairs]), seconds)
    row["segments"] = sum(len(t["segments"]) for t in result["themes"]) + len(result["unassigned"])
    row["segments_unassigned"] = len(result["unassigned"]) / max(row["segments"], 1)
    row["stages"] = stages
    row["peak_rss_gb"] = round(peak_rss_gb(), 2)
    return row


def harvest_in_child(pairs: Sequence[tuple[str, str]], gold: Mapping[str, str], coarse: Mapping[str, str],
                     workdir: Path) -> dict:
    """run_harvest in a fresh (spawned) Python process, so its peak RSS is Harvest's alone, as a
    user's `harvest synthesise` would use, not the high-water mark BERTopic left in this one."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(run_harvest, list(pairs), dict(gold), dict(coarse), workdir).result()


def small_event_limit() -> int:
    """Harvest's default `small_event_segments`: above it, the large-event path is taken."""
    from synthesis.settings import resolve

    return int(resolve({})["small_event_segments"])


def print_report(report: dict) -> None:
    """The human-readable report: one row per contender."""
    e = report["event"]
    print(f"Theme quality of one large event: the first {e['arguments']} argkp-{SPLIT} arguments "
          f"({e['groups']} motion+stance groups, {e['key_points']} key points, {e['scored']} scored, "
          f"{e['gold_themes']} key points with 3+ scored arguments), commit {report['commit']}")
    print(f"Machine: {machine_line(report['machine'])}")
    print(f"{'contender':<28}{'ARI':>7}{'NMI':>7}{'recall':>8}{'unassigned':>12}{'themes':>8}"
          f"{'ARI motion+stance':>19}{'seconds':>9}")
    for name, r in report["contenders"].items():
        print(f"{name:<28}{r['ari']:>7.3f}{r['nmi']:>7.3f}{r['recall']:>8.2f}{r['unassigned']:>12.1%}"
              f"{r['themes']:>8}{r['ari_group']:>19.3f}{r['seconds']:>9.1f}")
    print("ARI, NMI, recall: against key points, over scored arguments (unassigned counts as one more "
          "cluster);\nunassigned: share of all arguments; ARI motion+stance: against each argument's "
          "group, over all arguments.")
    print(f"Seconds (informational, shared machine): BERTopic rows exclude the embedding, done once in "
          f"{report['embed_seconds']:.1f} s, and the first\nincludes numba compiling UMAP, which the "
          "later rows reuse; Harvest's is synthesise() with its own embedding, in a fresh\nprocess "
          "(its imports and model loading included).")
    h = report["contenders"].get("Harvest")
    if h:
        path = "large-event path" if h["segments"] > report["small_event_segments"] else "SMALL-event path"
        stages = ", ".join(f"{k} {v:.1f}" for k, v in (h.get("stages") or {}).items())
        print(f"Harvest: {h['segments']} segments (small_event_segments = {report['small_event_segments']}: "
              f"the {path}), {h['segments_unassigned']:.1%} of segments unassigned"
              + (f"; stages (s): {stages}" if stages else ""))
        if "peak_rss_gb" in h:
            verdict = "under" if h["peak_rss_gb"] < TARGET_MEMORY_GB else "NOT under"
            print(f"Harvest peak RSS (its own process: imports, models, import of the notes, synthesise): "
                  f"{h['peak_rss_gb']:.2f} GB, {verdict} the {TARGET_MEMORY_GB} GB target")


def main(argv: list[str] | None = None) -> int:
    """Run the large-event quality benchmark; exit status 1 when data or Harvest's pipeline is missing."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=3000, help="first N arguments of argkp-train")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument("--save", metavar="FILE", help="also write the JSON report to FILE")
    parser.add_argument("--harvest-only", action="store_true",
                        help="skip the BERTopic rows (for before/after comparisons of Harvest)")
    args = parser.parse_args(argv)
    if args.count < 1:
        print(f"error: --count must be a positive number of arguments, not {args.count}.", file=sys.stderr)
        return 1

    missing = contenders.harvest_available()
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return 1
    try:
        pairs, gold, coarse = event_arguments(args.count)
        rows, embed_s = run_bertopic(pairs, gold, coarse, () if args.harvest_only else BERTOPIC_SIZES)
        with tempfile.TemporaryDirectory(prefix="harvest-scale-") as tmp:
            rows["Harvest"] = harvest_in_child(pairs, gold, coarse, Path(tmp))
    except EvalDataMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    groups = load_groups(SPLIT)
    in_event = {coarse[a] for a, _ in pairs}
    event = {"arguments": len(pairs), "groups": len(in_event), "scored": len(gold),
             "key_points": sum(len(g.key_points) for g in groups if g.name in in_event),
             "gold_themes": next(iter(rows.values()))["gold_themes"]}
    report = {"commit": git_commit(), "machine": describe_machine(), "event": event,
              "small_event_segments": small_event_limit(), "embed_seconds": round(embed_s, 1),
              "contenders": rows}
    emit_report(report, args.save, args.json, print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
