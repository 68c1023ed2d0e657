"""Publishability of the digest's text: what an editor would still have to fix (issue 12).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/publishability.py [--only NAME ...] [--verbose] [--json]

Every sample in transcripts/ (the SEEE transcript among them) is imported into its own event of
one temporary SQLite database, with the options transcripts/imports.json gives (a survey's
questions one column at a time), and synthesised with the real models; the result is checked by
`synthesis.publishable.check_result` against the notes it read: quotes and summary sentences that
are not whole sentences of their note, summaries that are not verbatim, labels that break the
headline rules, and hand-marked context lines (benchmarks/context_gold.json, marked when the
samples were written) found inside themes. Targets: 0 on each. About a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from benchmarks.machine import describe_machine, emit_report, git_commit  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TRANSCRIPTS = REPO / "transcripts"
GOLD = Path(__file__).resolve().parent / "context_gold.json"
IMPORTS = TRANSCRIPTS / "imports.json"  # the options an organiser imports a sample with
SUFFIXES = {".txt", ".md", ".docx", ".csv", ".xlsx", ".vtt", ".srt"}
CHECKS = ("quotes_not_whole", "summaries_not_verbatim", "summary_sentences_not_whole",
          "context_in_themes", "labels_breaking_rules")


def samples(only: list[str] | None = None) -> list[Path]:
    """The sample files of transcripts/ (or those whose name contains one of `only`)."""
    found = sorted(p for p in TRANSCRIPTS.iterdir() if p.suffix in SUFFIXES)
    return [p for p in found if not only or any(o in p.name for o in only)]


def context_gold() -> dict[str, list[str]]:
    """File name -> its hand-marked context lines."""
    return json.loads(GOLD.read_text(encoding="utf-8"))["files"]


def import_options(name: str) -> list[dict]:
    """The imports of one sample as transcripts/imports.json gives them (ImportOptions fields),
    or one import with no options."""
    return json.loads(IMPORTS.read_text(encoding="utf-8"))["files"].get(name, [{}])


def import_sample(db, path: Path, event: str) -> list[int]:
    """Import a sample into `event` as an organiser would (`import_options`); the notes each
    import added."""
    from capture.importing import ImportOptions, import_file

    return [import_file(db, path, event=event, options=ImportOptions(**options)).added
            for options in import_options(path.name)]


def check_file(db, path: Path, nlp, gold: list[str]) -> dict:
    """Import one sample as an event, synthesise it, and check the result."""
    from capture.store import approved_notes, get_event
    from synthesis.pipeline import synthesise
    from synthesis.publishable import check_result
    from synthesis.runs import latest_result

    slug = path.stem.lower().replace("_", "-")[:60]
    import_sample(db, path, slug)
    event = get_event(db, slug)
    started = time.perf_counter()
    synthesise(db, event)
    seconds = time.perf_counter() - started
    result = latest_result(db, event)
    notes = {n.ref: n.text for n in approved_notes(db, event)}
    report = check_result(result, notes, nlp, context_lines=gold)
    return {"file": path.name, "notes": len(notes), "themes": len(result["themes"]),
            "context": len(result.get("context", []) or []), "seconds": round(seconds, 2),
            "counts": report.counts(), "problems": report.problems(),
            "labels": [t["label"] for t in result["themes"]],
            "event": result.get("event", {})}


def run(only: list[str] | None = None) -> dict:
    """Every sample checked; the totals over all of them."""
    from capture.store import open_db
    from synthesis.segment import load_nlp

    nlp = load_nlp()
    gold = context_gold()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "publishability.db")
        for path in samples(only):
            rows.append(check_file(db, path, nlp, gold.get(path.name, [])))
    totals = {name: sum(r["counts"][name] for r in rows) for name in CHECKS}
    return {"machine": describe_machine(), "commit": git_commit(), "files": rows, "totals": totals,
            "gold_context_lines": sum(len(gold.get(r["file"], [])) for r in rows)}


def print_report(report: dict, verbose: bool = False) -> None:
    """The per-file table, the totals against the target of 0, and (verbose) every problem."""
    print(f"commit {report['commit']}")
    short = {"quotes_not_whole": "quotes", "summaries_not_verbatim": "summ-verb",
             "summary_sentences_not_whole": "summ-sent", "context_in_themes": "context",
             "labels_breaking_rules": "labels"}
    print(f"{'file':42} {'notes':>5} {'themes':>6} " + " ".join(f"{short[c]:>9}" for c in CHECKS))
    for row in report["files"]:
        print(f"{row['file']:42} {row['notes']:>5} {row['themes']:>6} "
              + " ".join(f"{row['counts'][c]:>9}" for c in CHECKS))
    print(f"{'total (target 0 each)':42} {'':>5} {'':>6} "
          + " ".join(f"{report['totals'][c]:>9}" for c in CHECKS))
    print(f"(context: {report['gold_context_lines']} hand-marked context lines in all)")
    if verbose:
        for row in report["files"]:
            print(f"\n== {row['file']}: event {row['event']}")
            print("   labels: " + " | ".join(row["labels"]))
            for problem in row["problems"]:
                print(f"   - {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="only the samples whose file name contains one of these")
    parser.add_argument("--verbose", action="store_true", help="print every problem found")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--save", help="also write the JSON report to this file")
    args = parser.parse_args()
    report = run(args.only)
    emit_report(report, args.save, args.json, lambda r: print_report(r, args.verbose))


if __name__ == "__main__":
    main()
