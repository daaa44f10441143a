"""The answer policy: its weights are tied to its calibrated thresholds and to the builds it serves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.embedding.embedder import Embedder, EmbeddingConfig
from knowledge.errors import KnowledgeError
from knowledge.index.builder import build_and_publish
from knowledge.index.store import IndexStore
from knowledge.loader import load_valid_knowledge
from knowledge.policy import SCORE_WEIGHTS, THRESHOLDS_CALIBRATED_WITH, Policy, judge
from knowledge.service import KnowledgeService


def test_the_thresholds_were_calibrated_with_the_weights_in_use() -> None:
    """Changing a score weight silently invalidates the thresholds: re-run `askvn eval --calibrate`,
    then record the new weights in THRESHOLDS_CALIBRATED_WITH."""
    assert SCORE_WEIGHTS == THRESHOLDS_CALIBRATED_WITH


def test_a_build_records_its_score_weights(fixture_index_dir: Path) -> None:
    store = IndexStore(fixture_index_dir)
    assert store.manifest(store.current_id() or "")["score_weights"] == SCORE_WEIGHTS.as_record()


def _republish_with_weights(store: IndexStore, weights: dict[str, float]) -> str:
    """A copy of the current build whose manifest claims other score weights, published."""
    current = store.current_id() or ""
    copy = store.builds / f"{current}-reweighted"
    copy.mkdir()
    for path in (store.builds / current).iterdir():
        if path.is_file():
            (copy / path.name).write_bytes(path.read_bytes())
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["score_weights"] = weights
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    store.publish(copy.name)
    return copy.name


def test_a_build_scored_with_other_weights_is_refused(tmp_path: Path, kb_copy: Path, embedder: Embedder,
                                                     embedding_config: EmbeddingConfig) -> None:
    store = IndexStore(tmp_path / "index")
    good = build_and_publish(load_valid_knowledge(kb_copy), embedder, store)
    running = KnowledgeService(store.root, embedding_config, check_interval_s=0)
    running.embedder = embedder
    assert running.searcher().build_id == good.build_id

    _republish_with_weights(store, {**SCORE_WEIGHTS.as_record(), "lexical": 0.5})
    assert running.searcher().build_id == good.build_id  # a running server keeps the last good build
    fresh = KnowledgeService(store.root, embedding_config)
    fresh.embedder = embedder
    with pytest.raises(KnowledgeError, match="score weights"):
        fresh.searcher()


@pytest.mark.parametrize(("question", "language", "verdict"), [
    ("Do Americans need a visa for Thailand?", "en", "out_of_scope"),  # another country
    ("asdf qwerty zxcv", "en", "no_answer"),  # no known word: never answered, never refused
    ("What is the capital of Vietnam?", "en", "answer"),
])
def test_the_ordered_rules(service: KnowledgeService, question: str, language: str, verdict: str) -> None:
    searcher = service.searcher()
    message = searcher.analyse(question, language)
    assert judge(message, searcher.search(message), Policy()) == verdict


def test_a_message_is_analysed_once(service: KnowledgeService, monkeypatch: pytest.MonkeyPatch) -> None:
    """Retrieval and every rule read one analysis: the text is embedded and place-matched once."""
    searcher = service.searcher()
    calls = {"embed": 0, "places": 0}
    embed, find = searcher.embedder.embed_queries, searcher.gazetteer.find

    def counting_embed(texts: list[str]) -> object:
        calls["embed"] += 1
        return embed(texts)

    def counting_find(text: str) -> list[str]:
        calls["places"] += 1
        return find(text)

    monkeypatch.setattr(searcher.embedder, "embed_queries", counting_embed)
    monkeypatch.setattr(searcher.gazetteer, "find", counting_find)
    message = searcher.analyse("How do I cook a good pasta carbonara at home?", "en")
    assert judge(message, searcher.search(message), Policy()) in ("no_answer", "out_of_scope")
    assert calls == {"embed": 1, "places": 1}
