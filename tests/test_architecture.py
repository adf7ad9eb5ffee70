"""Core stays channel-neutral: nothing under bot/core imports telegram or sqlite_utils."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "bot" / "core"
FORBIDDEN = {"telegram", "sqlite_utils", "sqlite3"}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_imports_no_channel_or_storage():
    files = sorted(CORE.glob("*.py"))
    assert files
    for path in files:
        assert not (_imported_roots(path) & FORBIDDEN), path.name
