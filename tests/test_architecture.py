"""The dependency direction: web -> matching -> directory, web -> importers -> directory.

import-linter checks the whole graph (contracts in pyproject.toml); the AST scan below is an
independent second check that `matching` stays pure even if the linter configuration drifts.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_MATCHING = {"flask", "flask_wtf", "flask_login", "sqlalchemy", "alembic", "whoosh", "web", "importers"}


def test_import_contracts_are_kept():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_matching_imports_no_framework_directly():
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_roots(path) & FORBIDDEN_IN_MATCHING)
        for path in (ROOT / "matching").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_nothing_below_web_imports_web():
    for package in ("directory", "matching", "importers"):
        for path in (ROOT / package).rglob("*.py"):
            assert "web" not in _imported_roots(path), f"{path} imports web"
