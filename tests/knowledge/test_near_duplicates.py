"""No two entries of the real knowledge base share a near-identical question (the search could not tell
them apart). Vectors come from the index `make setup` publishes; only questions edited since are embedded."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from knowledge.embedding.embedder import Embedder
from knowledge.index.store import IndexStore
from knowledge.loader import load_knowledge
from knowledge.near_duplicates import find_near_duplicates

pytestmark = pytest.mark.published_index  # reuses the published index's vectors


def test_no_near_duplicate_questions_across_entries() -> None:
    settings = Settings()
    entries = load_knowledge(settings.knowledge_dir).entries
    duplicates = find_near_duplicates(entries, Embedder(settings.embedding()), store=IndexStore(settings.index_dir),
                                      threshold=settings.near_duplicate_threshold)
    assert not duplicates, "near-identical questions in different entries (merge or reword one):\n" + "\n".join(
        str(d.problem()) for d in duplicates)
