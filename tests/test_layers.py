"""The layers import one way (README, "Layout"): knowledge ← actions ← bot, and the Rasa server's
add-ons stand alone. An AST check of every module's imports, so a wrong arrow fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# package -> project packages it must never import
FORBIDDEN = {
    "knowledge": {"actions", "bot", "rasa_addons", "rasa", "rasa_sdk"},
    "actions": {"bot", "rasa_addons", "rasa"},
    "rasa_addons": {"knowledge", "actions", "bot"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    wrong = {str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
             for path in (ROOT / package).rglob("*.py")}
    assert {file: names for file, names in wrong.items() if names} == {}


def test_the_check_sees_imports() -> None:
    assert {"knowledge", "rasa_sdk"} <= _imports(ROOT / "actions" / "actions.py")
