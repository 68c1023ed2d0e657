"""How fast imports are: `python benchmarks/import_speed.py` (prints one line per case).

Generates synthetic files in a temp folder (a 10,000-row form export, a 5,000-paragraph Markdown
write-up, a 4,000-cue caption file), imports each into a fresh SQLite file, then imports it again
(every note skipped). Figures are wall-clock seconds on this machine; nothing here is asserted.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from capture.importing import import_file  # noqa: E402
from capture.store import open_db  # noqa: E402

WORDS = ("funding commissioners tender social value volunteers consortium capacity partnership "
         "trust grant contract community local small charity council procurement core cost").split()


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 25))).capitalize() + "."


def make_files(folder: Path) -> list[Path]:
    rng = random.Random(7)
    csv_path = folder / "form.csv"
    with csv_path.open("w", encoding="utf-8") as out:
        out.write("Timestamp,Which table are you at?,Your idea,Your name (optional)\n")
        for i in range(10_000):
            out.write(f"2026-03-12 10:{i % 60:02d},Table {i % 12 + 1},\"{sentence(rng)}\",\n")
    md_path = folder / "minutes.md"
    with md_path.open("w", encoding="utf-8") as out:
        out.write("# Synthetic minutes\n\n")
        for i in range(5_000):
            if i % 250 == 0:
                out.write(f"## Table {i // 250 + 1}\n\n")
            if i % 40 == 0:
                out.write("Sam Jones, Director of Somewhere CVS, responds\n\n")
            out.write(" ".join(sentence(rng) for _ in range(3)) + "\n\n")
    vtt_path = folder / "session.vtt"
    with vtt_path.open("w", encoding="utf-8") as out:
        out.write("WEBVTT\n\n")
        for i in range(4_000):
            start = i * 3
            out.write(f"{start // 3600:02d}:{start // 60 % 60:02d}:{start % 60:02d}.000 --> "
                      f"{(start + 3) // 3600:02d}:{(start + 3) // 60 % 60:02d}:{(start + 3) % 60:02d}.000\n")
            out.write(f"<v Speaker {i // 5 % 4}>{sentence(rng)}\n\n")
    return [csv_path, md_path, vtt_path]


def main() -> None:
    """Time the first import and the re-import of each synthetic file."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in make_files(folder):
            db = open_db(folder / f"{path.stem}.db")
            t0 = time.perf_counter()
            first = import_file(db, path, event="bench")
            t1 = time.perf_counter()
            again = import_file(db, path, event="bench")
            t2 = time.perf_counter()
            size = path.stat().st_size / 1_048_576
            print(f"{path.name:<12} {size:5.1f} MB  {first.added:>6} notes in {t1 - t0:5.2f} s  "
                  f"re-import: {again.skipped:>6} skipped in {t2 - t1:5.2f} s")
            db.conn.close()


if __name__ == "__main__":
    main()
