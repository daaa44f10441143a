"""The action server's long-lived objects, created on first use (rasa_sdk imports this package
eagerly, so nothing here may touch disk or load models at import time)."""

from __future__ import annotations

from functools import lru_cache

from bot.settings import get_settings
from knowledge.answering import Policy
from knowledge.gaps import GapLog
from knowledge.service import KnowledgeService


@lru_cache(maxsize=1)
def knowledge_service() -> KnowledgeService:
    s = get_settings()
    return KnowledgeService(s.index_dir, s.embedding(), check_interval_s=s.index_check_interval_s)


@lru_cache(maxsize=1)
def policy() -> Policy:
    return get_settings().policy()


@lru_cache(maxsize=1)
def gap_log() -> GapLog:
    s = get_settings()
    key = s.pseudonym_key.get_secret_value().encode() if s.pseudonym_key else None
    return GapLog(s.gap_db, key=key, retention_days=s.gap_retention_days)


def warm_up() -> None:
    """Load everything a question touches (model, index, BM25, gazetteers, language detector, language
    requests) before the server reports healthy, so the first visitor does not wait for it."""
    from knowledge.answering import answer_in_context
    from knowledge.language_detect import detect_language
    from knowledge.language_request import requested_language

    requested_language("answer in English")
    # Names no place in Vietnam, so the foreign-place names (CLDR, ~2 s) and off-topic check load too.
    answer_in_context("Do I need a visa?", detect_language("Do I need a visa?"), knowledge_service().searcher(),
                      policy())
