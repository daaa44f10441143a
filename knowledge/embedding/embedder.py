"""Turn text into unit vectors with a sentence-transformers model (offline by default).

E5-style models want a prefix on every input ("query: " / "passage: "), and text must be Unicode NFC:
decomposed Vietnamese tokenises badly. Both rules live here so no caller can forget them.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.errors import ModelError


@dataclass(frozen=True)
class EmbeddingConfig:
    model: str
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    allow_download: bool = False


class Embedder:
    """Loads the model on first use (no I/O in constructors), thread-safe."""

    def __init__(self, config: EmbeddingConfig):
        self.config = config
        self._model: object | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """A name that changes when the weights change: local dirs are identified by their files."""
        path = Path(self.config.model)
        if not path.is_dir():
            return self.config.model
        marker = path / "askvn_model.json"
        if marker.exists():  # written by our converter: identify by the weights it came from
            info = json.loads(marker.read_text(encoding="utf-8"))
            return f"{path.name}@{str(info.get('sha256_of_source', 'unknown'))[:12]}"
        weights = path / "model.safetensors"
        stat = weights.stat() if weights.exists() else None
        raw = f"{stat.st_size}:{stat.st_mtime_ns}" if stat else "local"
        return f"{path.name}@{hashlib.sha256(raw.encode()).hexdigest()[:12]}"

    @property
    def dimension(self) -> int:
        dim = self._load().get_embedding_dimension()  # type: ignore[attr-defined]
        return int(dim)

    def embed_queries(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return self._encode([self.config.query_prefix + t for t in texts], progress)

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return self._encode([self.config.passage_prefix + t for t in texts], progress)

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._load()
        nfc = [unicodedata.normalize("NFC", t) for t in texts]
        vectors = model.encode(  # type: ignore[attr-defined]
            nfc, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=progress
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _load(self) -> object:
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                self._model = self._load_model()
        return self._model

    def _load_model(self) -> object:
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        if not self.config.allow_download:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = Path(self.config.model)
        if not self.config.allow_download and not path.is_dir():
            raise ModelError(
                f"embedding model directory {path} does not exist; run `make setup` (it converts the "
                "bundled model) or set ASKVN_EMBEDDING_MODEL and ASKVN_ALLOW_MODEL_DOWNLOAD=true"
            )
        try:
            from sentence_transformers import SentenceTransformer

            return SentenceTransformer(str(self.config.model), device="cpu")
        except Exception as exc:  # a third-party loader fails in many ways; report it as ours
            raise ModelError(f"cannot load embedding model {self.config.model}: {exc}") from exc
