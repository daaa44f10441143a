"""Shared fixtures: the real converted embedding model and a real index over a tiny fixture knowledge base."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from knowledge.embedding.embedder import Embedder, EmbeddingConfig
from knowledge.index.builder import build_and_publish
from knowledge.index.store import IndexStore
from knowledge.loader import load_valid_knowledge
from knowledge.service import KnowledgeService
from tests.stack import Stack, running_stack

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "knowledge"


@pytest.fixture(scope="session")
def embedding_config() -> EmbeddingConfig:
    return EmbeddingConfig(Settings().embedding_model)


@pytest.fixture(scope="session")
def embedder(embedding_config: EmbeddingConfig) -> Embedder:
    return Embedder(embedding_config)


@pytest.fixture(scope="session")
def fixture_index_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A real FAISS index of the fixture knowledge base, built once per test session."""
    index_dir = tmp_path_factory.mktemp("data") / "index"
    build_and_publish(load_valid_knowledge(FIXTURE_KB), embedder, IndexStore(index_dir))
    return index_dir


@pytest.fixture()
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture knowledge base, for tests that edit entries."""
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, target)
    return target


@pytest.fixture(scope="session")
def service(fixture_index_dir: Path, embedding_config: EmbeddingConfig, embedder: Embedder) -> KnowledgeService:
    svc = KnowledgeService(fixture_index_dir, embedding_config)
    svc.embedder = embedder  # share the loaded model across fixtures
    return svc


@pytest.fixture(scope="session")
def stack(fixture_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One real running assistant (`askvn run`: action server, Rasa, web page) over the fixture index,
    shared by the conversation, web, Telegram, live-update and dev-set tests (the last two publish other
    builds to it with `tests.stack.publishing`, which puts the fixture build back); stopped with Ctrl-C
    at the end, which must stop every process cleanly."""
    data_dir = tmp_path_factory.mktemp("stack-data")
    shutil.copytree(fixture_index_dir, data_dir / "index")  # a copy: publishing here changes no other fixture
    with running_stack(data_dir) as running:
        yield running
