"""`harvest --help` and the commands that need neither the web server nor the models start light:
no pandas, numpy, Flask or matplotlib is imported (each checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "numpy", "flask", "matplotlib", "spacy", "torch")

# Runs the real entry point (web.cli:main) with the given arguments, then prints which of HEAVY
# were imported; a SystemExit from click is the command's normal end.
PROBE = """
import json, sys
sys.argv = ["harvest", *json.loads(sys.argv[1])]
from web.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
else:
    code = 0
print(json.dumps({"code": code, "loaded": [m for m in HEAVY_NAMES if m in sys.modules]}))
""".replace("HEAVY_NAMES", repr(HEAVY))


def _probe(args: list[str], db_path) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(["--db", str(db_path), *args])],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--help"], ["events"], ["notes", "--help"], ["init"]])
def test_light_commands_import_no_heavy_library(args, db_path):
    found = _probe(args, db_path)
    assert found["code"] == 0
    assert found["loaded"] == []


def test_digest_of_an_event_without_runs_loads_no_chart_library(db_path):
    from capture.store import open_db, save_event

    db = open_db(db_path)
    save_event(db, "spring", title="Spring round table")
    db.conn.close()
    found = _probe(["digest", "spring"], db_path)
    assert "matplotlib" not in found["loaded"] and "flask" not in found["loaded"]


def test_numpy_and_pandas_import_normally_after_capture():
    """The sqlite-utils import guard in capture/__init__.py leaves no trace in sys.modules."""
    code = ("import capture.store, sqlite_utils.db as d, numpy, pandas; "
            "print(d.np is None, numpy.zeros(2).sum(), pandas.DataFrame({'a': [1]}).shape)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         check=True)
    assert out.stdout.split() == ["True", "0.0", "(1,", "1)"]
