"""Build an index from validated entries and publish it atomically.

Only documents whose text (or the model) changed are embedded again: vectors of the current build are
reused by content hash, so a one-entry edit rebuilds in seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np
from filelock import FileLock

from knowledge.embedding.embedder import Embedder
from knowledge.errors import IndexCorrupt, IndexNotFound
from knowledge.index.documents import DOCUMENT_SCHEME, Document, documents_for, off_topic_documents
from knowledge.index.store import DOCS_FILE, ENTRIES_FILE, FAISS_FILE, FORMAT_VERSION, MANIFEST, IndexStore
from knowledge.model import Entry
from knowledge.off_topic import off_topic_questions
from knowledge.policy import SCORE_WEIGHTS
from knowledge.scope_files import ScopeFiles

log = logging.getLogger(__name__)
KEEP_BUILDS = 5


@dataclass(frozen=True)
class BuildResult:
    build_id: str
    published: bool  # False when the current build already had this content and model
    embedded: int
    reused: int
    seconds: float


def content_hash(entries: list[Entry], scope_digests: dict[str, str]) -> str:
    """Hash of everything a build serves: the entries, the scope files (places, foreign places,
    off-topic examples) and the score weights it is served with, so a change to any of them publishes
    a new build."""
    digest = hashlib.sha256(f"documents-v{DOCUMENT_SCHEME}".encode())
    for entry in sorted(entries, key=lambda e: e.id):
        digest.update(entry.content_hash().encode())
    digest.update(json.dumps(scope_digests, sort_keys=True).encode())
    digest.update(json.dumps(SCORE_WEIGHTS.as_record(), sort_keys=True).encode())
    return digest.hexdigest()


def build_and_publish(entries: list[Entry], embedder: Embedder, store: IndexStore, *,
                      progress: bool = False, force: bool = False, scope: ScopeFiles | None = None) -> BuildResult:
    """Build a new index for `entries` (and the scope files) and make it current; a no-op if nothing changed."""
    started = datetime.now(UTC)
    scope = scope or ScopeFiles()
    store.root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(store.root / ".build.lock"), timeout=600):
        off_topic = off_topic_questions(scope.off_topic)
        scope_digests = scope.digests()
        chash = content_hash(entries, scope_digests)
        model_id = embedder.model_id
        current = store.current_id()
        if current and not force:
            manifest = store.manifest(current)
            if manifest.get("content_hash") == chash and manifest["model"]["id"] == model_id:
                return BuildResult(current, False, 0, 0, 0.0)

        documents = documents_for(entries) + off_topic_documents(off_topic)
        vectors, embedded = _vectors_for(documents, embedder, store, progress)
        build_id = f"{started:%Y%m%dT%H%M%S%fZ}-{chash[:8]}"
        _write_build(store, build_id, entries, documents, vectors, embedder, chash, started, scope)
        store.publish(build_id)
        _prune(store, keep=KEEP_BUILDS)
    seconds = (datetime.now(UTC) - started).total_seconds()
    log.info("published build %s: %d documents (%d embedded)", build_id, len(documents), embedded)
    return BuildResult(build_id, True, embedded, len(documents) - embedded, seconds)


def _vectors_for(documents: list[Document], embedder: Embedder, store: IndexStore,
                 progress: bool) -> tuple[np.ndarray, int]:
    prefixes = {"question": embedder.config.query_prefix, "answer": embedder.config.passage_prefix,
                "off_topic": embedder.config.query_prefix}
    keys = [d.embedding_key(embedder.model_id, prefixes[d.kind]) for d in documents]
    cached = _cached_vectors(store, embedder)
    missing = [i for i, k in enumerate(keys) if k not in cached]
    vectors = np.zeros((len(documents), embedder.dimension), dtype=np.float32)
    for i, key in enumerate(keys):
        if key in cached:
            vectors[i] = cached[key]
    for kind, embed in (("question", embedder.embed_queries), ("off_topic", embedder.embed_queries),
                        ("answer", embedder.embed_passages)):
        todo = [i for i in missing if documents[i].kind == kind]
        if todo:
            vectors[todo] = embed([documents[i].text for i in todo], progress=progress)
    return vectors, len(missing)


def _cached_vectors(store: IndexStore, embedder: Embedder) -> dict[str, np.ndarray]:
    """Vectors of the current build, by content hash (empty if there is none or it is unusable)."""
    try:
        loaded = store.load_current()
    except (IndexNotFound, IndexCorrupt):
        return {}
    if loaded.manifest["model"]["id"] != embedder.model_id:
        return {}
    prefixes = {"question": loaded.manifest["model"]["query_prefix"],
                "answer": loaded.manifest["model"]["passage_prefix"],
                "off_topic": loaded.manifest["model"]["query_prefix"]}
    stored = loaded.index.reconstruct_n(0, loaded.index.ntotal)
    return {d.embedding_key(embedder.model_id, prefixes[d.kind]): stored[i]
            for i, d in enumerate(loaded.documents)}


def _write_build(store: IndexStore, build_id: str, entries: list[Entry], documents: list[Document],
                 vectors: np.ndarray, embedder: Embedder, chash: str, started: datetime, scope: ScopeFiles) -> None:
    final = store.builds / build_id
    tmp = store.builds / f".tmp-{build_id}"
    tmp.mkdir(parents=True)
    scope.copy_into(tmp)
    index = faiss.IndexFlatIP(vectors.shape[1])  # unit vectors: inner product is cosine similarity
    index.add(vectors)
    faiss.write_index(index, str(tmp / FAISS_FILE))
    with (tmp / DOCS_FILE).open("w", encoding="utf-8") as fh:
        for doc in documents:
            fh.write(json.dumps(doc.to_json(), ensure_ascii=False) + "\n")
    (tmp / ENTRIES_FILE).write_text(
        json.dumps([e.to_json() for e in entries], ensure_ascii=False), encoding="utf-8")
    languages = Counter(lang for e in entries for lang in e.languages)
    manifest = {
        "format": FORMAT_VERSION,
        "build_id": build_id,
        "built_at": started.isoformat(timespec="seconds"),
        "model": {"id": embedder.model_id, "source": embedder.config.model, "dimension": int(vectors.shape[1]),
                  "query_prefix": embedder.config.query_prefix,
                  "passage_prefix": embedder.config.passage_prefix},
        "metric": "inner_product_on_unit_vectors",
        "score_weights": SCORE_WEIGHTS.as_record(),  # the answer thresholds are calibrated on this scoring
        "content_hash": chash,
        "entry_count": len(entries),
        "document_count": len(documents),
        "documents_by_kind": dict(sorted(Counter(d.kind for d in documents).items())),
        "languages": dict(sorted(languages.items())),
        "files": {name: _sha256(tmp / name) for name in (FAISS_FILE, DOCS_FILE, ENTRIES_FILE)},
        "scope_files": ScopeFiles.in_build(tmp).digests(),
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    for path in tmp.rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
    os.replace(tmp, final)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _prune(store: IndexStore, keep: int) -> None:
    """Delete old builds, never the current or previous one (rollback needs it)."""
    protected = {store.current_id(), store.previous_id()}
    builds = store.list_builds()
    for build_id in builds[:-keep]:
        if build_id not in protected:
            shutil.rmtree(store.builds / build_id, ignore_errors=True)
