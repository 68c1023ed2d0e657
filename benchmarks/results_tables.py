"""Markdown tables for RESULTS.md from the JSON reports of quality.py and speed.py (--save FILE).

    .venv/bin/python benchmarks/results_tables.py quality.json speed.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.machine import machine_line  # noqa: E402
from benchmarks.quality import CONTENDERS, TITLES  # noqa: E402


def _mark(met: bool) -> str:
    return "met" if met else "**SHORT**"


def quality_tables(q: dict) -> str:
    """Per-group and average figures of the three contenders, the targets, and SEEE."""
    names = [n for n in CONTENDERS if n in q["average"]]
    out = [f"Commit {q['commit']}; {len(q['groups'])} groups of argkp-{q['split']}.", ""]
    out += ["| group | args | scored | " + " | ".join(f"{TITLES[n]} ARI / recall / unas / themes"
                                                      for n in names) + " |",
            "|---|---|---|" + "---|" * len(names)]
    for row in q["groups"]:
        cells = " | ".join(f"{row[n]['ari']:.3f} / {row[n]['recall']:.2f} / {row[n]['unassigned']:.0%} / "
                           f"{row[n]['themes']}" for n in names)
        out.append(f"| {row['group']} | {row['arguments']} | {row['scored']} | {cells} |")
    out += ["", "| average over groups | ARI | NMI | recall | recall* | unassigned | themes |",
            "|---|---|---|---|---|---|---|"]
    for n in names:
        a = q["average"][n]
        out.append(f"| {TITLES[n]} | {a['ari']:.3f} | {a['nmi']:.3f} | {a['recall']:.2f} | "
                   f"{a['recall_strict']:.2f} | {a['unassigned']:.0%} | {a['themes']:.1f} |")
    seee = q.get("seee")
    if seee:
        out += ["", f"SEEE transcript ({seee['notes']} notes, {seee['imported_with']}): "
                    f"**{seee['recovered']} of {seee['total']}** annotated themes recovered, ARI over "
                    f"quotes {seee['ari']:.3f}.", "",
                "| annotated theme | recovered by |", "|---|---|"]
        for g in seee["gold"]:
            out.append(f"| {g['label']} | {g['recovered_by'] or '**not recovered**'} |")
        out += ["", "Themes produced (label, size: quotes):", ""]
        for t in seee["themes"]:
            out.append(f"- **{t['label']}** ({t['size']}): " + " / ".join(f"\"{x}\"" for x in t["quotes"]))
    out += ["", "| target (issue 3) | measured | |", "|---|---|---|"]
    out += [f"| {t['target']} | {t['measured']} | {_mark(t['met'])} |" for t in q["targets"]]
    return "\n".join(out)


def speed_tables(s: dict) -> str:
    """Wall and CPU times, ratios, memory and the targets."""
    a, m = s["argkp"], s["summary"]
    out = [f"Commit {s['commit']}; {a['arguments']} arguments ({a['words']:,} words); "
           f"{a['repeats']} repeat(s), each run a fresh process. Machine: {machine_line(s['machine'])}.", "",
           "| run | wall (median) | CPU user+sys | peak RSS | load avg before |", "|---|---|---|---|---|"]
    for key, title in (("bertopic", "BERTopic: load model + fit_transform"),
                       ("harvest_cold", "Harvest cold: import + synthesise"),
                       ("harvest_warm", "Harvest warm: synthesise again (cached)")):
        runs = a["runs"][key]
        loads = ", ".join(f"{r['load_before']:.1f}" for r in runs)
        out.append(f"| {title} | {m['median_wall_s'][key]:.1f} s | {m['median_cpu_s'][key]:.1f} s | "
                   f"{max(r['peak_rss_gb'] for r in runs):.2f} GB | "
                   f"{loads} |")
    if s.get("seee"):
        e = s["seee"]
        out.append(f"| `harvest synthesise` SEEE, cold | {e['wall_s']:.1f} s | {e['cpu_s']:.1f} s | "
                   f"{e['peak_rss_gb']:.2f} GB | |")
    out += ["", f"In-process: BERTopic fit_transform {m['bertopic_fit_transform_s']:.1f} s; Harvest "
                f"synthesise() cold {m['harvest_synthesise_cold_s']:.1f} s, warm "
                f"{m['harvest_synthesise_warm_s']:.1f} s (ratios {m['cold_ratio_inner']:.2f}x, "
                f"{m['warm_ratio_inner']:.2f}x). By CPU time: cold {m['cold_ratio_cpu']:.2f}x, warm "
                f"{m['warm_ratio_cpu']:.2f}x."]
    for key in ("harvest_cold", "harvest_warm"):
        stages = a["runs"][key][-1].get("stages") or {}
        if stages:
            out.append(f"Stages, {key.replace('_', ' ')} (s): "
                       + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()) + ".")
    out += ["", "| target (issue 3) | measured | |", "|---|---|---|"]
    out += [f"| {t['target']} | {t['measured']} | {_mark(t['met'])} |" for t in m["targets"]]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """Print the tables for each JSON report given (quality or speed, told apart by their keys)."""
    for path in argv:
        report = json.loads(Path(path).read_text())
        print(speed_tables(report) if "summary" in report else quality_tables(report))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
