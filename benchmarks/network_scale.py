"""Network synthesis at scale: 100 dated events of 50 notes each, built from argkp-train.

The plan: each ArgKP motion runs over a span of weekly events (some from the first event, some
starting late, some stopping early); each event draws 50 arguments from the motions running that
week. An event's published themes are its motion-and-stance groups (what a reviewed 50-note
digest of 4 to 8 themes looks like), so this measures the network stage itself, not the
per-event synthesis (100 real syntheses would take longer than the network stage by far).

Measured, with the real MiniLM embeddings (cached in a temporary database):
- seconds for the network synthesis, cold (embedding everything) and warm (embeddings cached);
- peak memory of this process (VmHWM);
- purity: the share of network themes at least 80% of whose event themes are one motion;
- status against the plan: each network theme's majority motion says what its status should be
  (recurring / new / fading over the latest two events); the share of themes whose status agrees;
- for several matching thresholds, the same figures, to choose synthesis.network.THRESHOLD.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/network_scale.py [--events 100] [--notes 50]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.eval_data import load_groups  # noqa: E402
from benchmarks.machine import describe_machine, emit_report, git_commit, machine_line  # noqa: E402

THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75)


def plan_events(groups, events: int, notes: int, seed: int = 7) -> tuple[list[dict], dict[str, list[int]]]:
    """The dated events as published data, and the events each motion was raised in (the plan)."""
    rng = random.Random(seed)
    motions = sorted({g.topic for g in groups})
    spans = {}
    for i, motion in enumerate(motions):
        kind = i % 4  # a quarter each: throughout, starting late, stopping early, a middle stretch
        if kind == 0:
            spans[motion] = (0, events - 1)
        elif kind == 1:
            spans[motion] = (rng.randint(events // 2, events - 2), events - 1)
        elif kind == 2:
            spans[motion] = (0, rng.randint(events // 3, events - 5))
        else:
            start = rng.randint(5, events // 2)
            spans[motion] = (start, min(events - 5, start + rng.randint(10, 30)))
    by_motion = {m: [g for g in groups if g.topic == m] for m in motions}
    out = []
    raised: dict[str, list[int]] = {}
    for index in range(events):
        running = [m for m in motions if spans[m][0] <= index <= spans[m][1]]
        chosen = rng.sample(running, min(len(running), rng.randint(3, 5)))
        for motion in chosen:
            raised.setdefault(motion, []).append(index)
        pool = [(g, arg) for m in chosen for g in by_motion[m] for arg in g.arguments]
        picked = rng.sample(pool, min(notes, len(pool)))
        themes: dict[str, dict] = {}
        for n, (group, (_arg_id, text)) in enumerate(picked):
            label = next(iter(group.key_points.values()), group.topic)
            theme = themes.setdefault(group.name, {"label": label, "motion": group.topic, "segments": []})
            theme["segments"].append({"text": text, "note": str(n + 1), "table": None})
        for theme in themes.values():
            theme["size"] = len(theme["segments"])
            theme["quotes"] = [{"text": theme["segments"][0]["text"], "cite": "note 1"}]
        day = 1 + (index % 28)
        month = 1 + (index // 28) % 12
        out.append({"slug": f"event-{index:03d}", "title": f"Round table {index + 1}",
                    "date": f"{2026 + index // 336}-{month:02d}-{day:02d}", "themes": list(themes.values()),
                    "segments": len(picked), "index": index})
    return out, raised


def expected_status(raised_in: list[int], events: int) -> str:
    """What the plan says a motion's theme is at the end (the same rule as the synthesis: the
    latest two events are the window)."""
    from synthesis.network import status_of

    order = list(range(events))
    return status_of(raised_in, order)


def score(result: dict, events: list[dict], raised: dict) -> dict:
    """Purity (themes >= 80% one motion) and agreement of statuses with the plan."""
    motion_of = {(e["slug"], t["label"], t["size"]): t["motion"] for e in events for t in e["themes"]}
    pure = agree = 0
    for theme in result["themes"]:
        motions = Counter(motion_of[(m["slug"], m["label"], m["size"])] for m in theme["members"])
        top, count = motions.most_common(1)[0]
        pure += count >= 0.8 * sum(motions.values())
        # The theme's own span is that of its events; its motion's plan says what it should be.
        agree += theme["status"] == expected_status(raised[top], len(events))
    n = len(result["themes"]) or 1
    return {"themes": len(result["themes"]), "purity": round(pure / n, 3),
            "status_agreement": round(agree / n, 3)}


def peak_memory_gib() -> float | None:
    """This process's peak resident memory (VmHWM), in GiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024 / 1024, 2)
    except OSError:
        return None
    return None


def run(events_n: int, notes: int) -> dict:
    """The benchmark's figures."""
    from capture.store import open_db
    from synthesis.embed import default_embedder, embed_cached
    from synthesis.network import THRESHOLD, network_themes

    groups = load_groups("train")
    events, raised = plan_events(groups, events_n, notes)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "network.db")
        embedder = default_embedder()

        def vectors(texts):
            return embed_cached(db, embedder, texts)

        start = time.perf_counter()
        network_themes(events, vectors)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        result = network_themes(events, vectors)
        warm = time.perf_counter() - start
        by_threshold = {}
        for threshold in THRESHOLDS:
            found = network_themes(events, vectors, threshold=threshold)
            by_threshold[str(threshold)] = score(found, events, raised)
        db.conn.close()
    return {"machine": describe_machine(), "commit": git_commit(), "events": events_n, "notes": notes,
            "motions": len(raised), "cold_seconds": round(cold, 1), "warm_seconds": round(warm, 1),
            "peak_memory_gib": peak_memory_gib(), "threshold": THRESHOLD,
            "figures": score(result, events, raised), "by_threshold": by_threshold}


def print_report(report: dict) -> None:
    """The figures against their targets, as text."""
    print(f"Machine: {machine_line(report['machine'])}; commit {report['commit']}")
    print(f"{report['events']} events x {report['notes']} notes, {report['motions']} motions")
    print(f"network synthesis: cold {report['cold_seconds']} s, warm (embeddings cached) "
          f"{report['warm_seconds']} s (target < 60 s); peak memory {report['peak_memory_gib']} GiB "
          "(target < 2)")
    f = report["figures"]
    print(f"threshold {report['threshold']}: {f['themes']} network themes, purity {f['purity']}, "
          f"status agreement {f['status_agreement']}")
    print("threshold  themes  purity  status")
    for t, row in report["by_threshold"].items():
        print(f"{t:>9}  {row['themes']:>6}  {row['purity']:>6}  {row['status_agreement']:>6}")


def main() -> None:
    """Run the benchmark and print (or save) its report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--notes", type=int, default=50)
    parser.add_argument("--save", help="Also write the JSON report to this file.")
    parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
    args = parser.parse_args()
    emit_report(run(args.events, args.notes), args.save, args.json, print_report)


if __name__ == "__main__":
    main()
