"""pyproject.toml declares what the shipped code imports: every third-party module imported by
capture/, synthesis/ or web/ belongs to a distribution listed in `dependencies`."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.conftest import REPO

SHIPPED = ("capture", "synthesis", "web")


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {_normal(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_modules() -> dict[str, str]:
    """Top-level third-party module -> the first file importing it."""
    found: dict[str, str] = {}
    for package in SHIPPED:
        for path in sorted((REPO / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in SHIPPED and top != "__future__":
                        found.setdefault(top, str(path.relative_to(REPO)))
    return found


def test_every_import_of_the_shipped_code_is_a_declared_dependency():
    declared, owners = _declared(), packages_distributions()
    missing = {module: where for module, where in _imported_modules().items()
               if not declared & {_normal(d) for d in owners.get(module, [module])}}
    assert missing == {}, f"imported but not in pyproject.toml dependencies: {missing}"


def test_sentence_transformers_is_a_test_dependency_only():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "sentence-transformers" not in _declared()
    assert any(spec.startswith("sentence-transformers") for spec in project["optional-dependencies"]["test"])
    assert "sentence_transformers" not in _imported_modules()
