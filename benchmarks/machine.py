"""Describe the machine and the code measured, so every figure says where it comes from."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MEASURED = ("capture", "synthesis", "benchmarks")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe_machine() -> dict:
    """Cores, CPU model, memory, and the versions of Python and the libraries measured."""
    return {
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": _memory_gib(),
        "python": platform.python_version(),
        "torch": _version("torch"),
        "bertopic": _version("bertopic"),
        "sentence_transformers": _version("sentence-transformers"),
        "umap_learn": _version("umap-learn"),
        "hdbscan": _version("hdbscan"),
        "spacy": _version("spacy"),
    }


def git_commit() -> str:
    """The commit measured (short hash), '+dirty' when the code measured (capture, synthesis,
    benchmarks) has uncommitted changes in the work tree."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *MEASURED], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def machine_line(info: dict) -> str:
    """One line for a report."""
    return (f"{info['nproc']} cores ({info['cpu']}), {info['memory_gib']} GiB, Python {info['python']}, "
            f"torch {info['torch']}, BERTopic {info['bertopic']}, "
            f"sentence-transformers {info['sentence_transformers']}, umap-learn {info['umap_learn']}")


def emit_report(report: dict, save: str | None, as_json: bool, print_report) -> None:
    """Save the JSON report if asked (--save), then print it as JSON (--json) or as text."""
    import json
    from pathlib import Path

    if save:
        Path(save).write_text(json.dumps(report, indent=2))
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
