"""How fast `harvest` starts: `python benchmarks/import_time.py [--baseline DIR] [--repeats 5]`.

For each command (`harvest --help`, `harvest events`, `harvest digest SLUG` of an event with no
run yet, `harvest init`) it runs the real entry point (`web.cli:main`, as the console script does)
in a fresh interpreter, `--repeats` times, and prints the median wall time, the median import time
reported by `python -X importtime` (the sum of the top-level imports' cumulative times) and which
heavy libraries got imported. The interpreter's own start (`python -c pass`) is measured in the same
run, as the floor every figure is compared with.

`--baseline DIR` measures a second checkout in the same run (for instance the code before a change:
`git archive COMMIT | tar -x -C DIR`), each with its own fresh database; the last column is then
this checkout's wall time over the baseline's. Nothing is asserted; figures depend on the machine
and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.machine import git_commit  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "numpy", "flask", "matplotlib", "spacy", "torch", "sklearn")
COMMANDS = (("harvest --help", ["--help"]), ("harvest events", ["events"]),
            ("harvest digest spring", ["digest", "spring"]), ("harvest init", ["init"]))

# The console script's body, with the heavy libraries it loaded printed to stderr at the end.
PROBE = """
import sys
sys.argv = ["harvest", *sys.argv[1:]]
from web.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("LOADED " + ",".join(m for m in HEAVY_NAMES if m in sys.modules) + "\\n")
""".replace("HEAVY_NAMES", repr(HEAVY))


def _run(repo: Path, args: list[str], importtime: bool = False) -> subprocess.CompletedProcess:
    flags = ["-X", "importtime"] if importtime else []
    env = {**os.environ, "PYTHONPATH": str(repo), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, *flags, "-c", PROBE, *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=300)


def _import_seconds(stderr: str) -> float:
    """The sum of the cumulative times of top-level imports (no indentation before the name) in seconds."""
    total = 0
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)", line)
        if match and not match.group(2):
            total += int(match.group(1))
    return total / 1e6


def _floor(repeats: int) -> float:
    walls = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


def measure(repo: Path, repeats: int, folder: Path) -> list[dict]:
    """One row per command for the checkout at `repo`: median wall, median import time, heavy modules."""
    db = folder / f"{repo.name}-{len(list(folder.iterdir()))}.db"
    setup = _run(repo, ["--db", str(db), "event", "spring", "--title", "Spring round table"])
    if setup.returncode != 0:
        raise SystemExit(f"Cannot create the test event with {repo}: {setup.stderr.strip()[-500:]}")
    rows = []
    for name, args in COMMANDS:
        walls, imports, loaded = [], [], ""
        for _ in range(repeats):
            start = time.perf_counter()
            done = _run(repo, ["--db", str(db), *args])
            walls.append(time.perf_counter() - start)
            timed = _run(repo, ["--db", str(db), *args], importtime=True)
            imports.append(_import_seconds(timed.stderr))
            found = [line[7:] for line in done.stderr.splitlines() if line.startswith("LOADED ")]
            if done.returncode != 0 or not found:
                raise SystemExit(f"`{name}` failed with {repo}: {done.stderr.strip()[-500:]}")
            loaded = found[-1]
        rows.append({"command": name, "wall_s": statistics.median(walls),
                     "import_s": statistics.median(imports), "heavy": loaded or "none"})
    return rows


def main() -> None:
    """Measure this checkout (and a baseline checkout if given) and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--baseline", type=Path, default=None,
                        help="Another checkout of Harvest to measure in the same run.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        floor = _floor(args.repeats)
        current = measure(REPO, args.repeats, Path(tmp))
        baseline = measure(args.baseline.resolve(), args.repeats, Path(tmp)) if args.baseline else None
    report = {"commit": git_commit(), "python": sys.version.split()[0], "nproc": os.cpu_count(),
              "repeats": args.repeats, "interpreter_s": floor, "current": current, "baseline": baseline,
              "baseline_dir": str(args.baseline) if args.baseline else None}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"commit {report['commit']}, Python {report['python']}, {report['nproc']} cores, "
          f"median of {args.repeats}; `python -c pass` takes {floor:.3f} s")
    print("| checkout | command | wall s | x interpreter | import s (-X importtime) | heavy modules "
          "| wall / baseline |")
    print("|---|---|---|---|---|---|---|")
    for label, rows in (("baseline", baseline), ("current", current)):
        for i, row in enumerate(rows or []):
            ratio = f"{row['wall_s'] / baseline[i]['wall_s']:.2f}" if baseline and label == "current" else ""
            print(f"| {label} | `{row['command']}` | {row['wall_s']:.3f} | {row['wall_s'] / floor:.1f} "
                  f"| {row['import_s']:.3f} | {row['heavy']} | {ratio} |")


if __name__ == "__main__":
    main()
