"""Speed and memory: Harvest end to end against BERTopic's own fit_transform, on the same texts.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/speed.py [--count 3000] [--repeats 2] [--json]

The first `--count` arguments of argkp-train are one event. Each contender runs in a fresh Python
process, so imports and model loading count for both, and the order alternates between repeats:
  - BERTopic: load all-MiniLM-L6-v2, then fit_transform on the texts (embedding included; default
    settings, UMAP seeded);
  - Harvest cold: import the texts into an empty database, then synthesise (empty embedding cache);
  - Harvest warm: synthesise again on the same database (cached embeddings).
Peak memory is each child's maximum resident set (os.wait4, as getrusage(RUSAGE_CHILDREN) gives).
Last, `harvest synthesise` on the SEEE transcript, cold: fresh database, fresh process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_START = time.perf_counter()  # a child's clock starts before its heavy imports

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TARGET_COLD = 1.5
TARGET_WARM = 0.2
TARGET_MEMORY_GB = 2.5
TARGET_SEEE_S = 15.0


# --- children: one contender each, in a fresh process ------------------------------------------------

def child_bertopic(texts_file: Path) -> dict:
    """BERTopic as a new user runs it, its embedding model passed in and loaded here."""
    from benchmarks import contenders

    texts = json.loads(texts_file.read_text())["texts"]
    embedder = contenders.load_embedder()
    model = contenders.bertopic_model(embedding_model=embedder)
    fit_start = time.perf_counter()
    topics, _ = model.fit_transform(texts)
    fit = time.perf_counter() - fit_start
    return {"fit_transform_s": fit, "themes": len(set(topics) - {-1}),
            "unassigned": sum(1 for t in topics if t == -1) / len(topics)}


def child_harvest(texts_file: Path, db_path: Path, do_import: bool) -> dict:
    """Harvest end to end: import (when asked) and synthesise into the database at db_path."""
    from benchmarks import contenders
    from capture.store import get_event, open_db

    data = json.loads(texts_file.read_text())
    db = open_db(db_path)
    import_s = 0.0
    if do_import:
        start = time.perf_counter()
        event = contenders.import_pairs(db, "speed", "Speed benchmark", list(zip(data["ids"], data["texts"],
                                                                                strict=True)))
        import_s = time.perf_counter() - start
    else:
        event = get_event(db, "speed")
    start = time.perf_counter()
    result = contenders.synthesise_result(db, event)
    synth = time.perf_counter() - start
    segments = sum(len(t["segments"]) for t in result["themes"]) + len(result["unassigned"])
    stages = contenders.stage_timings(db, event)
    db.conn.close()
    return {"import_s": import_s, "synthesise_s": synth, "stages": stages, "themes": len(result["themes"]),
            "segments": segments, "unassigned": len(result["unassigned"]) / max(segments, 1)}


def _child_main(args) -> int:
    if args.child == "bertopic":
        out = child_bertopic(Path(args.texts))
    else:
        out = child_harvest(Path(args.texts), Path(args.db), args.child == "harvest-cold")
    out["in_process_s"] = time.perf_counter() - _START
    Path(args.out).write_text(json.dumps(out))
    return 0


# --- the parent: runs the children and reports -------------------------------------------------------

def run_child(cmd: list[str], out_file: Path | None = None) -> dict:
    """Run one child process; its wall time, peak RSS (from wait4) and what it wrote to out_file."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=REPO)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"{' '.join(cmd[:4])}... failed (exit {proc.returncode}):\n{tail}")
    info = json.loads(out_file.read_text()) if out_file else {}
    info.update({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
                 "peak_rss_gb": usage.ru_maxrss / 1024 / 1024})
    return info


def _child_cmd(kind: str, texts: Path, out: Path, db: Path | None = None) -> list[str]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--texts", str(texts),
           "--out", str(out)]
    return cmd + (["--db", str(db)] if db else [])


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _timed(kind: str, texts: Path, out: Path, db: Path | None = None) -> dict:
    # The load average before each run shows how busy the shared machine was.
    load = os.getloadavg()[0]
    return {**run_child(_child_cmd(kind, texts, out, db), out), "load_before": load}


def run_argkp(count: int, repeats: int, tmp: Path) -> dict:
    """Alternate BERTopic and Harvest (cold, then warm) `repeats` times; every run's figures."""
    from benchmarks.eval_data import load_arguments

    pairs = load_arguments("train", count)
    texts_file = tmp / "texts.json"
    texts_file.write_text(json.dumps({"ids": [i for i, _ in pairs], "texts": [t for _, t in pairs]}))
    runs: dict[str, list[dict]] = {"bertopic": [], "harvest_cold": [], "harvest_warm": []}
    for rep in range(repeats):
        db = tmp / f"speed-{rep}.db"
        order = ["bertopic", "harvest"] if rep % 2 == 0 else ["harvest", "bertopic"]
        for who in order:
            if who == "bertopic":
                _log(f"run {rep + 1}: BERTopic fit_transform ...")
                runs["bertopic"].append(_timed("bertopic", texts_file, tmp / f"b{rep}.json"))
            else:
                _log(f"run {rep + 1}: Harvest cold ...")
                runs["harvest_cold"].append(_timed("harvest-cold", texts_file, tmp / f"hc{rep}.json", db))
                _log(f"run {rep + 1}: Harvest warm ...")
                runs["harvest_warm"].append(_timed("harvest-warm", texts_file, tmp / f"hw{rep}.json", db))
    words = sum(len(t.split()) for _, t in pairs)
    return {"arguments": len(pairs), "words": words, "repeats": repeats, "runs": runs}


def run_seee_cli(tmp: Path) -> dict:
    """`harvest synthesise` on the SEEE transcript: fresh database, fresh process, wall time."""
    from benchmarks.eval_data import SEEE_TRANSCRIPT

    harvest = Path(sys.executable).parent / "harvest"
    base = [str(harvest)] if harvest.exists() else [sys.executable, "-c", "from web.cli import main; main()"]
    db = tmp / "seee-cli.db"
    subprocess.run(base + ["--db", str(db), "import", str(SEEE_TRANSCRIPT), "--event", "seee"],
                   check=True, cwd=REPO, capture_output=True)
    _log("harvest synthesise seee (cold) ...")
    return run_child(base + ["--db", str(db), "synthesise", "seee"])


def summarise(argkp: dict, seee: dict | None) -> dict:
    """Medians over repeats, the ratios and each target met or short."""
    med = {k: statistics.median(r["wall_s"] for r in v) for k, v in argkp["runs"].items()}
    cpu = {k: statistics.median(r["cpu_s"] for r in v) for k, v in argkp["runs"].items()}
    peak = max(r["peak_rss_gb"] for k in ("harvest_cold", "harvest_warm") for r in argkp["runs"][k])
    fit = statistics.median(r["fit_transform_s"] for r in argkp["runs"]["bertopic"])
    synth_cold = statistics.median(r["synthesise_s"] for r in argkp["runs"]["harvest_cold"])
    synth_warm = statistics.median(r["synthesise_s"] for r in argkp["runs"]["harvest_warm"])
    cold, warm = med["harvest_cold"] / med["bertopic"], med["harvest_warm"] / med["bertopic"]
    out = {
        "median_wall_s": med, "median_cpu_s": cpu, "bertopic_fit_transform_s": fit,
        "cold_ratio_cpu": cpu["harvest_cold"] / cpu["bertopic"],
        "warm_ratio_cpu": cpu["harvest_warm"] / cpu["bertopic"], "harvest_synthesise_cold_s": synth_cold,
        "harvest_synthesise_warm_s": synth_warm, "cold_ratio": cold, "warm_ratio": warm,
        "cold_ratio_inner": synth_cold / fit, "warm_ratio_inner": synth_warm / fit,
        "harvest_peak_rss_gb": peak,
        "targets": [
            {"target": "Harvest cold <= 1.5x BERTopic (process wall time)", "measured": round(cold, 2),
             "met": cold <= TARGET_COLD},
            {"target": "Harvest warm <= 0.2x BERTopic (process wall time)", "measured": round(warm, 2),
             "met": warm <= TARGET_WARM},
            {"target": "Harvest peak memory < 2.5 GB", "measured": round(peak, 2),
             "met": peak < TARGET_MEMORY_GB},
        ],
    }
    if seee:
        out["targets"].append({"target": "harvest synthesise SEEE cold < 15 s",
                               "measured": round(seee["wall_s"], 1), "met": seee["wall_s"] < TARGET_SEEE_S})
    return out


def print_report(report: dict) -> None:
    """The human-readable report."""
    from benchmarks.machine import machine_line

    a, s = report["argkp"], report["summary"]
    print(f"Speed on {a['arguments']} argkp-train arguments ({a['words']:,} words) as one event, "
          f"commit {report['commit']}")
    print(f"Machine: {machine_line(report['machine'])}")
    print(f"Each run is a fresh process; {a['repeats']} repeat(s), order alternating; medians:")
    for key, title in (("bertopic", "BERTopic (load model + fit_transform)"),
                       ("harvest_cold", "Harvest cold (import + synthesise)"),
                       ("harvest_warm", "Harvest warm (synthesise, cached)")):
        runs = a["runs"][key]
        walls = ", ".join(f"{r['wall_s']:.1f}" for r in runs)
        loads = ", ".join(f"{r['load_before']:.1f}" for r in runs)
        print(f"  {title:<40} {s['median_wall_s'][key]:7.1f} s wall, {s['median_cpu_s'][key]:6.1f} s CPU"
              f"   (runs: {walls}; peak RSS "
              f"{max(r['peak_rss_gb'] for r in runs):.2f} GB; load avg before: "
              f"{loads})")
    print(f"  inside the process: BERTopic fit_transform {s['bertopic_fit_transform_s']:.1f} s; "
          f"Harvest synthesise() cold {s['harvest_synthesise_cold_s']:.1f} s, "
          f"warm {s['harvest_synthesise_warm_s']:.1f} s "
          f"(ratios {s['cold_ratio_inner']:.2f}x, {s['warm_ratio_inner']:.2f}x)")
    print(f"  by CPU time (user + system) of the processes: cold {s['cold_ratio_cpu']:.2f}x, "
          f"warm {s['warm_ratio_cpu']:.2f}x")
    for key in ("harvest_cold", "harvest_warm"):
        stages = a["runs"][key][-1].get("stages") or {}
        if stages:
            print(f"  {key.replace('_', ' ')} stages (s, last run): "
                  + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))
    h = a["runs"]["harvest_cold"][-1]
    print(f"  Harvest: {h['segments']} segments, {h['themes']} themes, {h['unassigned']:.0%} of segments "
          f"unassigned; BERTopic: {a['runs']['bertopic'][-1]['themes']} topics, "
          f"{a['runs']['bertopic'][-1]['unassigned']:.0%} outliers")
    if report.get("seee"):
        print(f"harvest synthesise on the SEEE transcript, cold: {report['seee']['wall_s']:.1f} s wall, "
              f"{report['seee']['cpu_s']:.1f} s CPU, peak RSS {report['seee']['peak_rss_gb']:.2f} GB")
    print("\nTargets (issue 3):")
    for t in s["targets"]:
        print(f"  [{'met' if t['met'] else 'SHORT'}] {t['target']}: {t['measured']}")


def main(argv: list[str] | None = None) -> int:
    """Run the speed benchmark (or, with --child, one contender inside a fresh process)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=3000, help="arguments from argkp-train")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each contender, alternating")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument("--save", metavar="FILE", help="also write the JSON report to FILE")
    parser.add_argument("--no-seee", action="store_true", help="skip the SEEE command-line timing")
    parser.add_argument("--child", choices=("bertopic", "harvest-cold", "harvest-warm"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--texts", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child_main(args)

    from benchmarks.contenders import harvest_available
    from benchmarks.eval_data import EvalDataMissing
    from benchmarks.machine import describe_machine, emit_report, git_commit

    missing = harvest_available()
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return 1
    try:
        with tempfile.TemporaryDirectory(prefix="harvest-speed-") as tmp:
            argkp = run_argkp(args.count, args.repeats, Path(tmp))
            seee = None if args.no_seee else run_seee_cli(Path(tmp))
    except (EvalDataMissing, RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report = {"commit": git_commit(), "machine": describe_machine(), "argkp": argkp, "seee": seee,
              "summary": summarise(argkp, seee)}
    emit_report(report, args.save, args.json, print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
