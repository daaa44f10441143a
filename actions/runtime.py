"""The action server's long-lived objects, created on first use (rasa_sdk imports this package
eagerly, so nothing here may touch disk or load models at import time)."""

from __future__ import annotations

from functools import lru_cache

from bot.settings import get_settings
from knowledge.answering import Policy
from knowledge.embedding.embedder import EmbeddingConfig
from knowledge.gaps import GapLog
from knowledge.service import KnowledgeService


@lru_cache(maxsize=1)
def knowledge_service() -> KnowledgeService:
    s = get_settings()
    embedding = EmbeddingConfig(s.embedding_model, s.query_prefix, s.passage_prefix, s.allow_model_download)
    return KnowledgeService(s.index_dir, embedding, check_interval_s=s.index_check_interval_s)


@lru_cache(maxsize=1)
def policy() -> Policy:
    s = get_settings()
    return Policy(s.answer_threshold, s.clarify_threshold, s.clarify_margin, s.max_message_chars)


@lru_cache(maxsize=1)
def gap_log() -> GapLog:
    s = get_settings()
    key = s.pseudonym_key.get_secret_value().encode() if s.pseudonym_key else None
    return GapLog(s.gap_db, key=key, retention_days=s.gap_retention_days)
