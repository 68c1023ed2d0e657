"""Tests that need ../shared/eval (marker `eval`) skip with the reason on a clone without it, and
run where it is (as here): a pytest session inside this one (pytester, in process: a child
interpreter cost 2-4 s a run) with this suite's conftest runs one marked and one plain test,
$HARVEST_EVAL_DIR pointing at the data or elsewhere."""

from __future__ import annotations

from tests.conftest import REPO

pytest_plugins = ["pytester"]

TESTS = """
import pytest

@pytest.mark.eval
def test_reads_the_evaluation_data():
    pass

def test_needs_nothing():
    pass
"""


def _run(pytester, monkeypatch, eval_dir: str, ci: str = "") -> str:
    pytester.makepyfile(test_child=TESTS)
    monkeypatch.setenv("HARVEST_EVAL_DIR", eval_dir)
    monkeypatch.setenv("CI", ci)
    # The inner session needs none of the installed plugins (Playwright, Hypothesis, xdist).
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    done = pytester.runpytest_inprocess("-q", "-rs", "-p", "no:cacheprovider", "-p", "tests.conftest",
                                        "-c", str(REPO / "pyproject.toml"), "--rootdir", str(pytester.path),
                                        str(pytester.path / "test_child.py"))
    return "\n".join(done.outlines + done.errlines)


def test_eval_tests_skip_with_the_reason_when_the_data_is_absent(pytester, monkeypatch, tmp_path):
    out = _run(pytester, monkeypatch, str(tmp_path / "no-eval-here"))
    assert "1 passed, 1 skipped" in out, out
    assert "The evaluation data (shared/eval) was not found" in out
    assert str(tmp_path / "no-eval-here") in out


def test_in_ci_absent_data_is_an_error_not_a_skip(pytester, monkeypatch, tmp_path):
    out = _run(pytester, monkeypatch, str(tmp_path / "no-eval-here"), ci="true")
    assert "CI=true but The evaluation data (shared/eval) was not found" in out, out
    assert "passed" not in out and "skipped" not in out


def test_eval_tests_run_where_the_data_is(pytester, monkeypatch):
    from benchmarks.eval_data import eval_dir

    out = _run(pytester, monkeypatch, str(eval_dir()))
    assert "2 passed" in out and "skipped" not in out, out
