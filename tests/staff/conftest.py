"""Staff-workflow fixtures: the `askvn` CLI run in-process against a temporary knowledge base and data dir."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.settings import get_settings
from bot.staff import kb_commands, report
from knowledge.embedding.embedder import Embedder


@dataclass
class Cli:
    knowledge: Path
    data: Path
    runner: CliRunner

    def __call__(self, *args: str, input: str | None = None) -> tuple[int, str]:
        from bot.cli import app

        result = self.runner.invoke(app, list(args), input=input)
        return result.exit_code, result.output


@pytest.fixture()
def cli(kb_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: Embedder) -> Iterator[Cli]:
    """`askvn` on a copy of the fixture knowledge base; the session's loaded model is shared (no reload)."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("ASKVN_KNOWLEDGE_DIR", str(kb_copy))
    monkeypatch.setenv("ASKVN_DATA_DIR", str(data))
    monkeypatch.setattr(kb_commands, "Embedder", lambda config: embedder)
    monkeypatch.setattr(report, "Embedder", lambda config: embedder)
    get_settings.cache_clear()
    yield Cli(kb_copy, data, CliRunner())
    get_settings.cache_clear()


@pytest.fixture()
def published(cli: Cli, fixture_index_dir: Path) -> Cli:
    """The CLI with a copy of the fixture index already published in its data dir."""
    shutil.copytree(fixture_index_dir, cli.data / "index")
    return cli
