"""Capture: the data Harvest keeps (events, tables, notes) and the importers that fill it."""

from __future__ import annotations

import sys


def _import_sqlite_utils_without_dataframes() -> None:
    """Import sqlite-utils with pandas and numpy hidden from it, unless either is loaded already.

    sqlite-utils imports both when installed (BERTopic brings them) only to map their scalar
    types to column types when it creates tables; Harvest writes through its own SQL and
    migrations and never hands it those types. Hidden, `harvest --help` and the capture commands
    start in ~0.2 s instead of ~0.8 s. sqlite-utils has no setting for this, hence the sys.modules
    entries (an entry of None makes `import` raise ImportError), removed straight after.
    """
    if "sqlite_utils.db" in sys.modules:
        return
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]


_import_sqlite_utils_without_dataframes()
