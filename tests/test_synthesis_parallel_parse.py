"""Stage 1 on two cores (synthesis/parallel_parse.py): many notes are parsed half in a forked
process, with the entries one process gives; never from a thread other than the main one."""

from __future__ import annotations

import os
import threading

from capture.models import Note
from synthesis import parallel_parse
from synthesis.segment_cache import compute_entries
from synthesis.settings import resolve
from tests.test_synthesis_pipeline import TOPICS


def many_notes(count: int = 60) -> list[Note]:
    sentences = [s for group in TOPICS.values() for s in group]
    return [Note(text=f"{sentences[i % len(sentences)]} {sentences[(i * 7 + 3) % len(sentences)]}",
                 ref=f"n{i}") for i in range(count)]


def pids(_nlp, notes, _settings) -> list[tuple[int, str]]:
    return [(os.getpid(), note.ref) for note in notes]


def test_the_second_half_is_parsed_in_a_forked_process_with_the_same_entries(nlp, monkeypatch):
    monkeypatch.setattr(parallel_parse, "MIN_CHARS", 1_000)
    notes = many_notes()
    assert parallel_parse.worthwhile(notes)
    placed = parallel_parse.compute(pids, nlp, notes, {})
    assert [ref for _, ref in placed] == [n.ref for n in notes]  # every note once, in order
    here = [pid for pid, _ in placed if pid == os.getpid()]
    assert 0 < len(here) < len(notes) and len({pid for pid, _ in placed}) == 2
    settings = resolve(None)
    serial = compute_entries(nlp, notes, settings)
    assert parallel_parse.compute(compute_entries, nlp, notes, settings) == serial


def test_one_process_for_few_notes_a_thread_or_spacys_own_processes(nlp, monkeypatch):
    notes = many_notes()
    assert sum(len(n.text) for n in notes) < parallel_parse.MIN_CHARS
    assert {pid for pid, _ in parallel_parse.compute(pids, nlp, notes, {})} == {os.getpid()}
    monkeypatch.setattr(parallel_parse, "MIN_CHARS", 1_000)
    from_thread = []
    worker = threading.Thread(target=lambda: from_thread.extend(parallel_parse.compute(pids, nlp, notes, {})))
    worker.start()
    worker.join()
    assert {pid for pid, _ in from_thread} == {os.getpid()} and len(from_thread) == len(notes)
    monkeypatch.setenv("HARVEST_SPACY_PROCESSES", "1")
    assert not parallel_parse.worthwhile(notes)


def test_halves_cut_by_characters():
    notes = [Note(text="x" * size) for size in (10, 10, 10, 70)]
    assert parallel_parse.halves(notes) == 3
    assert parallel_parse.halves([Note(text="a"), Note(text="b")]) == 1
    assert parallel_parse.halves([Note(text="x" * 100), Note(text="y")]) == 1
