"""The knowledge base as a long-lived service: the current index, reloaded when a new one is published.

The action server holds one of these. Each request gets the Searcher that was current when it started,
so a publish mid-request never mixes two builds; a build that fails to load is logged and the last good
one keeps serving. A server (`reload_in_background=True`) prepares a newly published build on a thread
and keeps answering from the previous one until it is ready, so no visitor's request pays for the load;
command-line tools reload inline, which is simpler to reason about.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import threading
import time
from pathlib import Path
from typing import Any

from knowledge.embedding.embedder import Embedder, EmbeddingConfig
from knowledge.errors import KnowledgeError
from knowledge.index.store import IndexStore
from knowledge.policy import SCORE_WEIGHTS
from knowledge.search import Searcher

log = logging.getLogger(__name__)


class KnowledgeService:
    def __init__(self, index_dir: Path, embedding: EmbeddingConfig, *, check_interval_s: float = 2.0,
                 reload_in_background: bool = False):
        self.store = IndexStore(index_dir)
        self.embedder = Embedder(embedding)
        self.check_interval_s = check_interval_s
        self.reload_in_background = reload_in_background
        self._searcher: Searcher | None = None
        self._stamp: tuple[int, int] | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    @property
    def serving(self) -> Searcher | None:
        """The searcher answering now, without looking for a newer build (readiness checks, metrics)."""
        return self._searcher

    def searcher(self) -> Searcher:
        """The current searcher; loads the index on first call and after each publish."""
        now = time.monotonic()
        current = self._searcher
        if current is not None and now - self._checked_at < self.check_interval_s:
            return current
        if current is not None and self.reload_in_background:
            self._checked_at = now
            # At most one load at a time; the lock is released by the loading thread when it is done.
            if self.store.pointer_stamp() != self._stamp and self._lock.acquire(blocking=False):
                threading.Thread(target=self._reload_then_release, name="index-reload", daemon=True).start()
            return current
        with self._lock:
            self._checked_at = now
            stamp = self.store.pointer_stamp()
            if self._searcher is None or stamp != self._stamp:
                self._reload(stamp)
        assert self._searcher is not None
        return self._searcher

    def _reload_then_release(self) -> None:
        try:
            self._reload(self.store.pointer_stamp())
        except Exception:  # the thread's edge: _reload already keeps the last good build and logs
            log.exception("index reload failed")
        finally:
            self._lock.release()

    def _reload(self, stamp: tuple[int, int] | None) -> None:
        try:
            loaded = self.store.load_current()
        except Exception:  # the edge of hot reload: any broken build keeps the last good one (logged once)
            if self._searcher is None:
                raise
            log.exception("new index could not be loaded; still serving build %s", self._searcher.build_id)
            self._stamp = stamp
            return
        problem = _mismatch(loaded.manifest, self.embedder.model_id)
        if problem:
            msg = f"index {loaded.build_id} {problem}; rebuild with `askvn kb build`"
            if self._searcher is None:
                raise KnowledgeError(msg)
            log.error(msg)
            self._stamp = stamp
            return
        try:
            searcher = Searcher(loaded, self.embedder)
            searcher.gazetteer, searcher.foreign_places  # noqa: B018 (load the build's place files now)
        except Exception:
            if self._searcher is None:
                raise
            log.exception("build %s could not be prepared; still serving build %s", loaded.build_id,
                          self._searcher.build_id)
            self._stamp = stamp
            return
        self._searcher = searcher
        self._stamp = stamp
        log.info("serving index build %s (%d entries)", loaded.build_id, len(loaded.entries))
        release_freed_memory()


def release_freed_memory() -> None:
    """Hand the heap memory freed after a load back to the operating system.

    Loading a build allocates and frees hundreds of MB of small objects (tokenised documents, JSON), and
    glibc keeps freed memory for reuse; malloc_trim returns it (measured 2026-12-03 after warm-up: 49 MB of
    the action server's memory). A no-op where the C library has no malloc_trim (musl, macOS).
    """
    gc.collect()
    libc = ctypes.CDLL(None)
    if hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def _mismatch(manifest: dict[str, Any], model_id: str) -> str | None:
    """Why this process must not serve a build: embedded with another model, or scored with other weights
    than the ones the answer thresholds were calibrated with (knowledge/policy.py)."""
    if manifest["model"]["id"] != model_id:
        return f"was built with model {manifest['model']['id']}, but this server embeds with {model_id}"
    if manifest.get("score_weights") != SCORE_WEIGHTS.as_record():
        return (f"records score weights {manifest.get('score_weights')}, but this server scores with "
                f"{SCORE_WEIGHTS.as_record()}")
    return None
