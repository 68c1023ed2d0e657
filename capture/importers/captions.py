"""WebVTT and SRT captions of recorded sessions: speaker runs become notes, timestamps go.

A speaker is named by a WebVTT voice tag (`<v Alison Reid>`) or a label at the start of a cue
line ("ALISON REID:", "Alison Reid:", ">> Alison Reid:"). A cue without a label continues the
current speaker. Consecutive cues of one speaker merge into one note; cues with no speaker at all
are split at pauses of PAUSE_SECONDS or more. Sound descriptions such as [APPLAUSE] are dropped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from capture.importers.base import (
    ImportedNotes,
    ImportOptions,
    ParseError,
    clean,
    decode,
    title_case_if_shouted,
)
from capture.models import Note

PAUSE_SECONDS = 3.0
_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
LABEL = re.compile(r"^(?:>>\s*|-\s+)?(?P<label>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3}"
                   r"(?:\s*\([^()]{1,60}\))?)\s*:\s+(?P<rest>.+)$")
CHANGE = re.compile(r"^>>\s*")
SOUND = re.compile(r"^[\[(][^\])]{1,40}[\])]$")
NOT_SPEAKERS = {"note", "notes", "warning", "music", "caption", "captions", "subtitle", "subtitles",
                "http", "https", "q", "a", "time", "re"}


@dataclass
class _Piece:
    speaker: str | None
    text: str
    start: float
    end: float
    changed: bool = False  # ">>" marks a new, unnamed speaker


def _seconds(groups: tuple) -> float:
    hours, minutes, seconds, millis = groups
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis.ljust(3, "0")) / 1000


def _cue_pieces(lines: list[str], start: float, end: float) -> list[_Piece]:
    """The speaker-labelled pieces of one cue's text lines."""
    pieces: list[_Piece] = []
    voice = None
    for raw in lines:
        m = VOICE.search(raw)
        if m:
            voice = clean(m.group(1))
        line = clean(html.unescape(TAG.sub("", raw)))
        if not line or SOUND.match(line):
            continue
        changed = bool(CHANGE.match(line))
        label = LABEL.match(line)
        speaker = voice
        if label and label.group("label").split()[0].lower().strip(".") not in NOT_SPEAKERS:
            speaker, line = label.group("label"), label.group("rest")
        else:
            line = CHANGE.sub("", line)
            line = re.sub(r"^-\s+", "", line)
        pieces.append(_Piece(speaker, clean(line), start, end, changed and speaker is None))
    return pieces


def _merge(pieces: list[_Piece], options: ImportOptions) -> ImportedNotes:
    parsed = ImportedNotes()
    current: _Piece | None = None
    speaker: str | None = None
    runs: list[_Piece] = []
    for piece in pieces:
        if piece.speaker is not None:
            speaker = piece.speaker
        elif piece.changed:
            speaker = None
        same = current is not None and current.speaker == speaker and not piece.changed and not (
            speaker is None and piece.start - current.end >= PAUSE_SECONDS)
        if piece.speaker is not None and current is not None and current.speaker != piece.speaker:
            same = False
        if same:
            current.text = f"{current.text} {piece.text}"
            current.end = piece.end
        else:
            current = _Piece(speaker, piece.text, piece.start, piece.end)
            runs.append(current)
    for run in runs:
        name = re.sub(r"\s*\(.*\)$", "", run.speaker).strip() if run.speaker else None
        parsed.notes.append(Note(
            text=clean(run.text), table=options.table,
            author=title_case_if_shouted(name) if name else None,
            attribution=run.speaker, role="speaker", location=f"the cue at {_clock(run.start)}",
        ))
    return parsed


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blocks separated by blank lines, each with the number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def _parse_cues(blocks: list[tuple[int, list[str]]], example: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    for first, lines in blocks:
        timing_at = 0 if "-->" in lines[0] else 1
        if timing_at >= len(lines) or "-->" not in lines[timing_at]:
            raise ParseError(f"expected a cue timing line such as {example}", line=first + timing_at)
        m = TIMING.match(lines[timing_at])
        if not m:
            raise ParseError(f"this timing line is not valid: {lines[timing_at].strip()!r} "
                             f"(expected {example})", line=first + timing_at)
        start, end = _seconds(m.groups()[:4]), _seconds(m.groups()[4:])
        pieces.extend(_cue_pieces(lines[timing_at + 1:], start, end))
    if not pieces:
        raise ParseError("there are no captions with text in this file")
    return pieces


def parse_vtt(data: bytes, options: ImportOptions) -> ImportedNotes:
    """Parse WebVTT captions into one note per speaker run."""
    text = decode(data)
    blocks = _blocks(text)
    if not blocks or not blocks[0][1][0].lstrip("\ufeff").startswith("WEBVTT"):
        raise ParseError("a WebVTT file must start with the line WEBVTT", line=1)
    cues = [b for b in blocks[1:] if not b[1][0].startswith(("NOTE", "STYLE", "REGION"))]
    return _merge(_parse_cues(cues, "00:00:01.000 --> 00:00:04.000"), options)


def parse_srt(data: bytes, options: ImportOptions) -> ImportedNotes:
    """Parse SRT subtitles into one note per speaker run."""
    blocks = _blocks(decode(data))
    return _merge(_parse_cues(blocks, "00:00:01,000 --> 00:00:04,000"), options)
