"""Tests that need ../shared/eval (marker `eval`) skip with the reason on a clone without it, and
run where it is (as here): a child pytest with this suite's conftest runs one marked and one plain
test, $HARVEST_EVAL_DIR pointing at the data or elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO

TESTS = """
import pytest

@pytest.mark.eval
def test_reads_the_evaluation_data():
    pass

def test_needs_nothing():
    pass
"""


def _run(tmp_path, eval_dir: str, ci: str = "") -> str:
    (tmp_path / "test_child.py").write_text(TESTS)
    env = {**os.environ, "HARVEST_EVAL_DIR": eval_dir, "CI": ci}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           "-p", "tests.conftest", "-c", str(REPO / "pyproject.toml"),
                           "--rootdir", str(tmp_path), str(tmp_path / "test_child.py")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    return done.stdout + done.stderr


def test_eval_tests_skip_with_the_reason_when_the_data_is_absent(tmp_path):
    out = _run(tmp_path, str(tmp_path / "no-eval-here"))
    assert "1 passed, 1 skipped" in out, out
    assert "The evaluation data (shared/eval) was not found" in out
    assert str(tmp_path / "no-eval-here") in out


def test_in_ci_absent_data_is_an_error_not_a_skip(tmp_path):
    out = _run(tmp_path, str(tmp_path / "no-eval-here"), ci="true")
    assert "CI=true but The evaluation data (shared/eval) was not found" in out, out
    assert "passed" not in out and "skipped" not in out


def test_eval_tests_run_where_the_data_is(tmp_path):
    from benchmarks.eval_data import eval_dir

    out = _run(tmp_path, str(eval_dir()))
    assert "2 passed" in out and "skipped" not in out, out
