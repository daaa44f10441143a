"""Building, publishing, reusing vectors, rolling back and hot-reloading real FAISS indexes."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from knowledge.embedding.embedder import Embedder, EmbeddingConfig
from knowledge.errors import IndexCorrupt, IndexNotFound
from knowledge.index.builder import build_and_publish
from knowledge.index.store import IndexStore
from knowledge.loader import load_valid_knowledge
from knowledge.scope_files import ScopeFiles
from knowledge.service import KnowledgeService


def test_manifest_describes_the_build(fixture_index_dir: Path, embedder: Embedder) -> None:
    store = IndexStore(fixture_index_dir)
    manifest = store.manifest(store.current_id() or "")
    assert manifest["model"]["id"] == embedder.model_id
    assert manifest["model"]["dimension"] == 384
    assert manifest["entry_count"] == 6
    assert manifest["languages"]["en"] == 6 and manifest["languages"]["ko"] == 2
    loaded = store.load_current()
    assert loaded.index.ntotal == manifest["document_count"] == len(loaded.documents)


def test_unchanged_content_is_not_rebuilt_and_edits_reuse_vectors(tmp_path: Path, kb_copy: Path,
                                                                   embedder: Embedder) -> None:
    store = IndexStore(tmp_path / "index")
    first = build_and_publish(load_valid_knowledge(kb_copy), embedder, store)
    assert first.published and first.reused == 0
    again = build_and_publish(load_valid_knowledge(kb_copy), embedder, store)
    assert not again.published and again.build_id == first.build_id

    pho = kb_copy / "culture" / "pho.yaml"
    pho.write_text(pho.read_text(encoding="utf-8").replace("- pho\n", "- pho noodle soup\n"), encoding="utf-8")
    second = build_and_publish(load_valid_knowledge(kb_copy), embedder, store)
    assert second.published and second.embedded == 1 and second.reused > 30
    assert store.current_id() == second.build_id


def test_rollback_returns_to_the_previous_build(tmp_path: Path, kb_copy: Path, embedder: Embedder) -> None:
    store = IndexStore(tmp_path / "index")
    first = build_and_publish(load_valid_knowledge(kb_copy), embedder, store)
    (kb_copy / "country" / "capital.yaml").unlink()
    second = build_and_publish(load_valid_knowledge(kb_copy), embedder, store)
    assert store.previous_id() == first.build_id
    store.publish(first.build_id, action="rollback")
    assert store.current_id() == first.build_id
    assert "capital" in store.load_current().entries
    assert second.build_id in store.list_builds()


def test_missing_and_corrupt_indexes_are_reported(tmp_path: Path, fixture_index_dir: Path) -> None:
    with pytest.raises(IndexNotFound):
        IndexStore(tmp_path).load_current()
    store = IndexStore(fixture_index_dir)
    build = store.current_id() or ""
    docs = fixture_index_dir / "builds" / build / "documents.jsonl"
    original = docs.read_text(encoding="utf-8")
    try:
        docs.write_text("\n".join(original.splitlines()[:-1]) + "\n", encoding="utf-8")
        with pytest.raises(IndexCorrupt):
            store.load(build)
    finally:
        docs.write_text(original, encoding="utf-8")


def test_service_switches_to_a_new_build_and_keeps_the_last_good_one(
        tmp_path: Path, kb_copy: Path, embedder: Embedder, embedding_config: EmbeddingConfig) -> None:
    store = IndexStore(tmp_path / "index")
    build_and_publish(load_valid_knowledge(kb_copy), embedder, store)
    service = KnowledgeService(store.root, embedding_config, check_interval_s=0)
    service.embedder = embedder
    assert "capital" in service.searcher().loaded.entries

    (kb_copy / "country" / "capital.yaml").unlink()
    new = build_and_publish(load_valid_knowledge(kb_copy), embedder, store)
    assert service.searcher().build_id == new.build_id
    assert "capital" not in service.searcher().loaded.entries

    # A broken build named by CURRENT must not take the service down.
    broken = store.builds / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text(json.dumps({"document_count": 1}), encoding="utf-8")
    store.publish("broken")
    assert service.searcher().build_id == new.build_id


def test_an_edited_scope_file_is_a_new_build_that_carries_it(tmp_path: Path, kb_copy: Path,
                                                              embedder: Embedder) -> None:
    """foreign.yaml, places.yaml and off_topic.yaml are build inputs: editing one publishes, and the
    build serves its own copy."""
    store = IndexStore(tmp_path / "index")
    foreign = tmp_path / "foreign.yaml"
    shutil.copyfile(ScopeFiles().foreign, foreign)
    scope = ScopeFiles(foreign=foreign)
    first = build_and_publish(load_valid_knowledge(kb_copy), embedder, store, scope=scope)
    assert not build_and_publish(load_valid_knowledge(kb_copy), embedder, store, scope=scope).published
    foreign.write_text(foreign.read_text(encoding="utf-8") + "  - names:\n      en: [Zanzibar]\n", encoding="utf-8")
    second = build_and_publish(load_valid_knowledge(kb_copy), embedder, store, scope=scope)
    assert second.published and second.embedded == 0 and second.build_id != first.build_id
    loaded = store.load_current()
    assert "Zanzibar" in loaded.scope.foreign.read_text(encoding="utf-8")
    assert loaded.manifest["scope_files"]["foreign.yaml"] != store.load(first.build_id).manifest["scope_files"][
        "foreign.yaml"]


def test_a_server_prepares_a_new_build_off_the_request_path(
        tmp_path: Path, kb_copy: Path, embedder: Embedder, embedding_config: EmbeddingConfig) -> None:
    """The request that notices a publish is answered from the previous build; the next ones get the new
    build once a background thread has loaded it (no visitor waits for the load)."""
    store = IndexStore(tmp_path / "index")
    first = build_and_publish(load_valid_knowledge(kb_copy), embedder, store)
    service = KnowledgeService(store.root, embedding_config, check_interval_s=0, reload_in_background=True)
    service.embedder = embedder
    assert service.searcher().build_id == first.build_id

    (kb_copy / "country" / "capital.yaml").unlink()
    new = build_and_publish(load_valid_knowledge(kb_copy), embedder, store)
    assert service.searcher().build_id == first.build_id  # the noticing request is not held up
    deadline = time.monotonic() + 30
    while service.searcher().build_id != new.build_id and time.monotonic() < deadline:
        time.sleep(0.05)
    assert service.searcher().build_id == new.build_id
    assert "capital" not in service.searcher().loaded.entries
