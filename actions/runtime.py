"""The action server's long-lived objects, created on first use (rasa_sdk imports this package
eagerly, so nothing here may touch disk or load models at import time).

The process's settings are handed in by its entry point (`bot/processes/action_server.py` calls `configure`):
the actions layer imports only the knowledge library, never `bot/`, so imports point one way.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Protocol

from knowledge.embedding.embedder import EmbeddingConfig
from knowledge.gaps import GapLog
from knowledge.policy import Policy
from knowledge.service import KnowledgeService, release_freed_memory


class ActionSettings(Protocol):
    """What the actions need of the process's settings object (bot.settings.Settings has it)."""

    index_check_interval_s: float
    gap_retention_days: int

    @property
    def index_dir(self) -> Path: ...

    @property
    def gap_db(self) -> Path: ...

    @property
    def pseudonym_secret(self) -> bytes | None: ...

    def embedding(self) -> EmbeddingConfig: ...

    def policy(self) -> Policy: ...


_settings: ActionSettings | None = None


def configure(settings: ActionSettings) -> None:
    """Called once by the process entry point (and by tests) before any action runs."""
    global _settings
    _settings = settings
    for cached in (knowledge_service, policy, gap_log):
        cached.cache_clear()


def get_settings() -> ActionSettings:
    if _settings is None:
        raise RuntimeError("actions.runtime.configure(settings) was not called by the process entry point")
    return _settings


@lru_cache(maxsize=1)
def knowledge_service() -> KnowledgeService:
    s = get_settings()
    return KnowledgeService(s.index_dir, s.embedding(), check_interval_s=s.index_check_interval_s,
                            reload_in_background=True)


@lru_cache(maxsize=1)
def policy() -> Policy:
    return get_settings().policy()


@lru_cache(maxsize=1)
def gap_log() -> GapLog:
    s = get_settings()
    return GapLog(s.gap_db, key=s.pseudonym_secret, retention_days=s.gap_retention_days)


def warm_up() -> None:
    """Load everything a question touches (model, index, BM25, gazetteers, language detector, language
    requests) before the server reports healthy, so the first visitor does not wait for it."""
    from knowledge.turn import Turn, respond

    # Names no place in Vietnam, so the foreign-place names (CLDR, ~2 s) and off-topic check load too.
    respond(Turn("Do I need a visa?"), knowledge_service().searcher(), policy())
    release_freed_memory()
