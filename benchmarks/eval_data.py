"""Load the evaluation data in shared/eval: ArgKP groups and the hand-annotated SEEE transcript.

The data is not in the repository: in CI the shared folder sits beside the clone (read-only), so
it is looked for at ../shared/eval relative to the repository root, then at /work/shared/eval;
when $HARVEST_EVAL_DIR is set, there only.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FALLBACK_EVAL_DIR = Path("/work/shared/eval")
SEEE_TRANSCRIPT = REPO / "transcripts" / "seee-partnership-structures.txt"
SPLITS = ("dev", "train")


class EvalDataMissing(RuntimeError):
    """The evaluation data could not be found or read; the message says where it was looked for."""


@dataclass
class Group:
    """One ArgKP motion and stance: its arguments, key points, and the gold key point per argument."""

    name: str
    topic: str
    stance: str
    arguments: list[tuple[str, str]]           # (arg_id, text) in file order
    key_points: dict[str, str]                 # key_point_id -> key point text
    gold: dict[str, str] = field(default_factory=dict)  # arg_id -> key_point_id (scored args only)

    @property
    def slug(self) -> str:
        """An event slug for this group (capture.store.check_slug accepts it)."""
        return self.name


@dataclass
class SeeeTheme:
    """One hand-annotated theme of the SEEE transcript, with its verbatim quotes."""

    id: str
    label: str
    quotes: list[str]


def eval_dir() -> Path:
    """The shared/eval folder, or EvalDataMissing saying where it was looked for."""
    if os.environ.get("HARVEST_EVAL_DIR"):  # an explicit place is the only one looked at
        candidates = [Path(os.environ["HARVEST_EVAL_DIR"])]
    else:
        candidates = [REPO.parent / "shared" / "eval", FALLBACK_EVAL_DIR]
    for path in candidates:
        if (path / "README.md").is_file() or (path / "argkp-dev").is_dir():
            return path
    raise EvalDataMissing(
        "The evaluation data (shared/eval) was not found; looked in "
        + ", ".join(str(p) for p in candidates)
        + ". Put the shared folder beside the repository or set HARVEST_EVAL_DIR."
    )


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise EvalDataMissing(f"Missing evaluation file {path}.")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_groups(split: str = "dev", limit: int | None = None) -> list[Group]:
    """The ArgKP groups (one per motion and stance) of a split, in the order they first appear.

    The gold theme of an argument is its key point when exactly one label says 1; arguments with
    none or several matching key points are kept (they are imported) but not scored.
    """
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}: use one of {', '.join(SPLITS)}.")
    folder = eval_dir() / f"argkp-{split}"
    arguments = _read_csv(folder / f"arguments_{split}.csv")
    key_points = _read_csv(folder / f"key_points_{split}.csv")
    labels = _read_csv(folder / f"labels_{split}.csv")

    matches: dict[str, list[str]] = {}
    for row in labels:
        if row["label"].strip() == "1":
            matches.setdefault(row["arg_id"], []).append(row["key_point_id"])

    groups: dict[tuple[str, str], Group] = {}
    for row in arguments:
        key = (row["topic"], row["stance"].strip())
        if key not in groups:
            stance = "pro" if key[1] == "1" else "con"
            name = f"argkp-{split}-{len(groups) + 1:02d}-{stance}"
            groups[key] = Group(name=name, topic=key[0], stance=key[1], arguments=[], key_points={})
        group = groups[key]
        group.arguments.append((row["arg_id"], row["argument"]))
        kps = matches.get(row["arg_id"], [])
        if len(kps) == 1:
            group.gold[row["arg_id"]] = kps[0]
    for row in key_points:
        key = (row["topic"], row["stance"].strip())
        if key in groups:
            groups[key].key_points[row["key_point_id"]] = row["key_point"]
    result = list(groups.values())
    return result[:limit] if limit else result


def load_arguments(split: str = "train", count: int | None = None) -> list[tuple[str, str]]:
    """The first `count` (arg_id, text) pairs of a split in file order (for the speed benchmark)."""
    folder = eval_dir() / f"argkp-{split}"
    rows = _read_csv(folder / f"arguments_{split}.csv")
    pairs = [(r["arg_id"], r["argument"]) for r in rows]
    return pairs[:count] if count else pairs


def load_seee() -> tuple[str, list[SeeeTheme]]:
    """The SEEE transcript text and its 8 annotated themes."""
    path = eval_dir() / "seee" / "themes.json"
    if not path.is_file():
        raise EvalDataMissing(f"Missing SEEE annotation {path}.")
    data = json.loads(path.read_text(encoding="utf-8"))
    transcript = SEEE_TRANSCRIPT
    if not transcript.is_file():
        transcript = eval_dir().parent / "transcripts" / data.get("transcript", SEEE_TRANSCRIPT.name)
    if not transcript.is_file():
        raise EvalDataMissing(f"Missing SEEE transcript {SEEE_TRANSCRIPT}.")
    themes = [SeeeTheme(id=t["id"], label=t["label"], quotes=list(t["quotes"])) for t in data["themes"]]
    return transcript.read_text(encoding="utf-8"), themes
