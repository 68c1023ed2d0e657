"""Budgets for zip packages (.docx, .xlsx): checked from the zip directory, before anything is unpacked.

A 1 MB .xlsx can unpack to gigabytes (a zip bomb), and a 30 KB .docx can hold 291,000 paragraphs.
The declared sizes in the zip directory are what Python's `zipfile` will unpack at most (it stops
at the declared size and checks the CRC), so checking them first bounds memory and time; the
importers then cap paragraphs and cells while they stream.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from capture.importers.base import ParseError

MAX_MEMBERS = 2_000


@dataclass(frozen=True)
class Budget:
    """How much a package may hold: bytes unpacked in all, paragraphs (.docx), cells (.xlsx)."""

    unpacked_bytes: int
    paragraphs: int = 20_000
    cells: int = 500_000


def budget_for(max_bytes: int) -> Budget:
    """The budget for a file-size limit: it may unpack to four times the limit (80 MB by default)."""
    return Budget(unpacked_bytes=4 * max_bytes)


def open_package(data: bytes, kind: str, budget: Budget) -> zipfile.ZipFile:
    """The zip, after checking its directory against the budget (raises ParseError with the reason).

    `kind` names the format for messages ("Word .docx", "Excel .xlsx").
    """
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ParseError(f"this {kind} file is damaged ({exc}). Open it and save it again.") from None
    if len(members) > MAX_MEMBERS:
        raise ParseError(f"this {kind} file holds {len(members):,} parts, over the {MAX_MEMBERS:,} a "
                         "document has. It is not a normal export: save it again from the program "
                         "that made it.")
    total = sum(m.file_size for m in members)
    if total > budget.unpacked_bytes:
        largest = max(members, key=lambda m: m.file_size)
        raise ParseError(
            f"this {kind} file unpacks to {_mb(total)} ({largest.filename} alone is "
            f"{_mb(largest.file_size)}), "
            f"over the {_mb(budget.unpacked_bytes)} limit for a {len(data) / 1_048_576:.1f} MB file "
            "(a zip bomb, or far more than notes need). Export only the notes, or raise --max-size "
            "(it may unpack to 4 times that).")
    return package


def _mb(size: int) -> str:
    return f"{size / 1_048_576:,.1f} MB"
