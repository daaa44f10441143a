"""The embedding model on ONNX Runtime gives the vectors PyTorch gives, is used only when it was exported
from the very same weights, and a forced backend that cannot run says so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge.embedding import onnx_encoder
from knowledge.embedding.embedder import Embedder, EmbeddingConfig
from knowledge.errors import ModelError

TEXTS = ["Do I need a visa to visit Vietnam?", "Tôi có cần thị thực không?", "越南签证", "비자 필요해요?",
         "Quel est le taux de change ?", "x" * 3000]  # the last one is cut at the model's 512 tokens


def test_the_set_up_model_runs_on_onnx_with_the_same_vectors_as_pytorch(embedding_config: EmbeddingConfig) -> None:
    onnx = Embedder(embedding_config)
    torch = Embedder(EmbeddingConfig(embedding_config.model, backend="torch"))
    assert onnx.backend == "onnx" and torch.backend == "torch"
    assert onnx.model_id == torch.model_id  # the same model: published indexes stay valid
    for embed in ("embed_queries", "embed_passages"):
        a, b = getattr(onnx, embed)(TEXTS), getattr(torch, embed)(TEXTS)
        assert a.shape == b.shape == (len(TEXTS), onnx.dimension) and a.dtype == np.float32
        assert float((a * b).sum(axis=1).min()) > 0.9999
    # ... from a graph whose token-embedding table is half precision (the session needs ~185 MB less)
    weights = Path(embedding_config.model)
    assert onnx_encoder.onnx_path(weights).stat().st_size < 0.65 * (weights / "model.safetensors").stat().st_size


def test_an_export_from_other_weights_or_a_missing_one_is_not_used(embedding_config: EmbeddingConfig,
                                                                   tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(embedding_config.model, copy)
    marker = copy / onnx_encoder.ONNX_DIR / onnx_encoder.MARKER
    marker.write_text(json.dumps({**json.loads(marker.read_text()), "model_id": "other-weights"}))
    assert Embedder(EmbeddingConfig(str(copy))).backend == "torch"
    with pytest.raises(ModelError, match="no current ONNX export"):
        Embedder(EmbeddingConfig(str(copy), backend="onnx")).embed_queries(["visa"])
    shutil.rmtree(copy / onnx_encoder.ONNX_DIR)
    assert Embedder(EmbeddingConfig(str(copy))).backend == "torch"


def test_only_mean_pooled_normalised_models_are_exported(embedding_config: EmbeddingConfig, tmp_path: Path) -> None:
    assert onnx_encoder.supports(Path(embedding_config.model))
    copy = tmp_path / "cls-model"
    shutil.copytree(embedding_config.model, copy, ignore=shutil.ignore_patterns("*.safetensors", "onnx"))
    pooling = copy / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps({**config, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}))
    assert not onnx_encoder.supports(copy)
