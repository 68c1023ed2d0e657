"""Stage 1 on two cores: a large batch of notes is parsed half here, half in a forked process.

spaCy's parse and what Harvest reads from it (segments, label phrases, content words, entities,
sentences) run on one core; on 3,000 arguments that is a third of a cold run. A second process
forked from this one has the loaded pipeline already (no second load, unlike spaCy's own
`n_process`, which also sends every Doc back to be read here), parses the second half and sends
back only the plain SegmentationEntry data. Each note's parse is its own, so the entries are
those one process gives (a test compares them).

Forking is done only where it is safe and pays: from the main thread (never from a web worker's
thread, whose locks a child would inherit), on a machine of two cores or more, when the notes
are many (MIN_CHARS) and HARVEST_SPACY_PROCESSES is unset (then spaCy's own processes are used).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence

MIN_CHARS = 100_000  # below this a second process saves less than it costs (about 0.1-0.3 s)
MIN_NOTES = 2
_job: tuple | None = None  # what the forked child parses: set just before the fork


def worthwhile(notes: Sequence) -> bool:
    """Whether the notes are parsed in two processes here."""
    return (len(notes) >= MIN_NOTES and sum(len(n.text) for n in notes) >= MIN_CHARS
            and (os.cpu_count() or 1) >= 2 and os.environ.get("HARVEST_SPACY_PROCESSES") is None
            and threading.current_thread() is threading.main_thread()
            and "fork" in multiprocessing.get_all_start_methods())


def halves(notes: Sequence) -> int:
    """Where to cut the notes into two runs of about equal characters (1 <= cut < len)."""
    total = sum(len(n.text) for n in notes)
    running = 0
    for i, note in enumerate(notes):
        running += len(note.text)
        if running * 2 >= total:
            return min(max(i + 1, 1), len(notes) - 1)
    return len(notes) - 1


def _child() -> list:
    compute, nlp, notes, settings = _job
    return compute(nlp, notes, settings)


def compute(compute_entries: Callable, nlp, notes: Sequence, settings: dict) -> list:
    """compute_entries(nlp, notes, settings), the second half in a forked process when
    worthwhile(notes); the entries in the notes' order."""
    global _job
    if not worthwhile(notes):
        return compute_entries(nlp, notes, settings)
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    cut = halves(notes)
    _job = (compute_entries, nlp, list(notes[cut:]), settings)
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            second = pool.submit(_child)  # the worker forks here, with _job in its memory
            first = compute_entries(nlp, notes[:cut], settings)
            try:
                return first + second.result()
            except BrokenProcessPool:  # the child died (killed, out of memory): parse here instead
                return first + compute_entries(nlp, notes[cut:], settings)
    finally:
        _job = None
