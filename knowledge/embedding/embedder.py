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

from knowledge.embedding import onnx_encoder
from knowledge.embedding.onnx_encoder import OnnxEncoder
from knowledge.errors import ModelError


@dataclass(frozen=True)
class EmbeddingConfig:
    model: str
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    allow_download: bool = False
    # "auto": ONNX Runtime when the model directory has a current ONNX export (knowledge/embedding/
    # onnx_encoder.py; same vectors, faster), else PyTorch. "torch" / "onnx" force one (onnx: or fail).
    backend: str = "auto"
    threads: int = 0  # per process for the model; 0: the library's default (one per core)


def model_id_of(model: str) -> str:
    """A name that changes when the weights change: local dirs are identified by their files."""
    path = Path(model)
    if not path.is_dir():
        return model
    marker = path / "askvn_model.json"
    if marker.exists():  # written by our converter: identify by the weights it came from
        info = json.loads(marker.read_text(encoding="utf-8"))
        return f"{path.name}@{str(info.get('sha256_of_source', 'unknown'))[:12]}"
    weights = path / "model.safetensors"
    stat = weights.stat() if weights.exists() else None
    raw = f"{stat.st_size}:{stat.st_mtime_ns}" if stat else "local"
    return f"{path.name}@{hashlib.sha256(raw.encode()).hexdigest()[:12]}"


def runs_on_onnx(config: EmbeddingConfig) -> bool:
    """Whether this configuration's vectors come from ONNX Runtime (reads small files, loads no model).

    A server that knows this before importing anything heavy can keep PyTorch out of its memory."""
    path = Path(config.model)
    usable = (config.backend != "torch" and path.is_dir() and onnx_encoder.supports(path)
              and onnx_encoder.is_current(path, model_id_of(config.model)))
    if config.backend == "onnx" and not usable:
        raise ModelError(f"no current ONNX export of {path}; run `askvn setup` (ASKVN_EMBEDDING_BACKEND"
                         "=onnx needs one) or use auto/torch")
    return usable


class Embedder:
    """Loads the model on first use (no I/O in constructors), thread-safe."""

    def __init__(self, config: EmbeddingConfig):
        self.config = config
        self._model: object | None = None
        self._onnx: OnnxEncoder | None = None
        self._backend_chosen = False
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return model_id_of(self.config.model)

    @property
    def dimension(self) -> int:
        onnx = self._onnx_encoder()
        if onnx is not None:
            return onnx.dimension
        dim = self._load().get_embedding_dimension()  # type: ignore[attr-defined]
        return int(dim)

    @property
    def backend(self) -> str:
        """Which engine computes the vectors: "onnx" or "torch" (loads the ONNX file if there is one)."""
        return "onnx" if self._onnx_encoder() is not None else "torch"

    def embed_queries(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return self._encode([self.config.query_prefix + t for t in texts], progress)

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return self._encode([self.config.passage_prefix + t for t in texts], progress)

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        nfc = [unicodedata.normalize("NFC", t) for t in texts]
        onnx = self._onnx_encoder()
        if onnx is not None:
            return onnx.encode(nfc, progress=progress)
        model = self._load()
        vectors = model.encode(  # type: ignore[attr-defined]
            nfc, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=progress
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _onnx_encoder(self) -> OnnxEncoder | None:
        """The ONNX Runtime encoder when configured and exported from these very weights, else None."""
        if self._backend_chosen:
            return self._onnx
        with self._lock:
            if not self._backend_chosen:
                usable = runs_on_onnx(self.config)
                self._onnx = onnx_encoder.OnnxEncoder(Path(self.config.model), self.config.threads) if usable else None
                self._backend_chosen = True
        return self._onnx

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
            import torch
            from sentence_transformers import SentenceTransformer

            if self.config.threads:
                torch.set_num_threads(self.config.threads)
            return SentenceTransformer(str(self.config.model), device="cpu")
        except Exception as exc:  # a third-party loader fails in many ways; report it as ours
            raise ModelError(f"cannot load embedding model {self.config.model}: {exc}") from exc
