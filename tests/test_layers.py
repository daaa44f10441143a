"""The layers import one way (README, "Layout"): knowledge ← actions ← bot, and the Rasa server's
add-ons stand alone. Inside bot/, the channels (web, telegram), the staff tools (staff) and the process
entry points (processes) share only settings and logging; processes may use the staff tools (set-up
builds the index) and the actions (the action server). An AST check of every module's imports, so a
wrong arrow fails here."""

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


# bot/ sub-package -> modules of bot/ it must never import
FORBIDDEN_IN_BOT = {
    "bot/web": {"actions", "bot.staff", "bot.processes", "bot.telegram", "bot.cli"},
    "bot/telegram": {"actions", "bot.staff", "bot.processes", "bot.web", "bot.cli"},
    "bot/staff": {"actions", "bot.processes", "bot.web", "bot.telegram", "bot.cli"},
    "bot/processes": {"bot.web", "bot.telegram", "bot.cli"},  # it starts the channels as processes, by name
    "bot/settings.py": {"actions", "bot.staff", "bot.processes", "bot.web", "bot.telegram", "bot.cli"},
}


def _modules(path: Path) -> set[str]:
    """Every absolute module an import names, with its parents ("bot.staff.report" gives "bot", "bot.staff",
    "bot.staff.report"); `from bot import report` names "bot.report"."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    named: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            named.add(node.module)
            named.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {".".join(name.split(".")[:i]) for name in named for i in range(1, name.count(".") + 2)}


def _imports(path: Path) -> set[str]:
    return {name for name in _modules(path) if "." not in name}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    wrong = {str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
             for path in (ROOT / package).rglob("*.py")}
    assert {file: names for file, names in wrong.items() if names} == {}


def test_the_check_sees_imports() -> None:
    assert {"knowledge", "rasa_sdk"} <= _imports(ROOT / "actions" / "actions.py")


@pytest.mark.parametrize("part", sorted(FORBIDDEN_IN_BOT))
def test_bot_parts_import_one_way(part: str) -> None:
    root = ROOT / part
    files = [root] if root.is_file() else sorted(root.rglob("*.py"))
    wrong = {str(path.relative_to(ROOT)): sorted(_modules(path) & FORBIDDEN_IN_BOT[part]) for path in files}
    assert {file: names for file, names in wrong.items() if names} == {}


def test_the_bot_check_sees_sub_packages() -> None:
    assert {"bot.staff", "bot.staff.kb_commands"} <= _modules(ROOT / "bot" / "processes" / "setup_steps.py")
