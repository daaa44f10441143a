"""The embedding model's SentencePiece tokenizer gives the ids its `tokenizer.json` gives on every real text,
is only used when it was made from that very tokenizer.json, and the model's weights are mapped from a data
file: together they take the action server from 1.25 GB to about half a GB after warm-up."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from tokenizers import Tokenizer

from knowledge.embedding import onnx_encoder, spm_tokenizer
from knowledge.embedding.embedder import EmbeddingConfig
from knowledge.embedding.onnx_encoder import OnnxEncoder, max_tokens
from knowledge.embedding.spm_tokenizer import SpmTokenizer
from knowledge.index.documents import documents_for
from knowledge.loader import load_valid_knowledge
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def model_dir(embedding_config: EmbeddingConfig) -> Path:
    return Path(embedding_config.model)


@pytest.fixture(scope="module")
def reference(model_dir: Path) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_tokens(model_dir))
    return tokenizer


@pytest.fixture(scope="module")
def spm(model_dir: Path) -> SpmTokenizer:
    loaded = SpmTokenizer.load(model_dir, max_tokens(model_dir))
    assert loaded is not None, "set-up made no SentencePiece copy of the tokenizer"
    return loaded


def test_every_entry_text_and_dev_set_question_gets_the_same_ids(reference: Tokenizer, spm: SpmTokenizer) -> None:
    texts = [d.text for d in documents_for(load_valid_knowledge(ROOT / "knowledge" / "entries"))]
    devset = yaml.safe_load((ROOT / "knowledge" / "evaluation" / "devset.yaml").read_text(encoding="utf-8"))
    texts += ["query: " + q["q"] for q in devset["questions"]]
    assert len(texts) > 10_000
    differing = [t for t in texts if reference.encode(t).ids != spm.ids(t)]
    assert differing == []


@pytest.mark.parametrize("text", [
    "𠀋𠀋 two unknown characters stay two unknown tokens, as the model saw them",
    "  leading, inner   and trailing spaces  ", "a\u00a0b\u3000c\u200b", "Vie\u0302\u0323t Nam (decomposed)",
    "query: " + "Hội An 会安 " * 400,  # cut at the model's maximum length
])  # fmt: skip
def test_awkward_text_gets_the_same_ids(reference: Tokenizer, spm: SpmTokenizer, text: str) -> None:
    assert spm.ids(text) == reference.encode(text).ids


def test_text_that_spells_a_special_token_is_read_as_text(spm: SpmTokenizer) -> None:
    # `tokenizers` turned a typed "</s>" into the end-of-text token; a visitor's text is only text
    ids = spm.ids("query: what is </s> <unk> <mask>?")
    assert ids.count(spm.eos) == 1 and spm.unk not in ids


def test_a_batch_is_padded_with_a_mask(spm: SpmTokenizer) -> None:
    ids, mask = spm.encode_batch(["query: visa", "query: how long can I stay in Vietnam on an e-visa?"])
    assert ids.shape == mask.shape and ids.shape[0] == 2
    assert mask[0].sum() == len(spm.ids("query: visa")) < mask[1].sum() == ids.shape[1]
    assert (ids[0][mask[0] == 0] == spm.pad).all()


def test_a_copy_made_from_another_tokenizer_json_is_not_used(model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy, ignore=shutil.ignore_patterns("*.safetensors", "*.onnx", "*.data"))
    assert SpmTokenizer.load(copy, 512) is not None
    tokenizer = json.loads((copy / "tokenizer.json").read_text(encoding="utf-8"))
    tokenizer["model"]["vocab"][5][1] -= 1.0  # staff or a new model version changed a score
    (copy / "tokenizer.json").write_text(json.dumps(tokenizer), encoding="utf-8")
    assert SpmTokenizer.load(copy, 512) is None
    assert spm_tokenizer.write(copy, 512, ["query: visa"]).startswith("SentencePiece copy of the tokenizer written")
    assert SpmTokenizer.load(copy, 512) is not None


def test_a_tokenizer_that_is_not_a_unigram_keeps_tokenizers(model_dir: Path, tmp_path: Path) -> None:
    tokenizer = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    assert spm_tokenizer.model_proto({**tokenizer, "model": {**tokenizer["model"], "type": "WordPiece"}}) is None


def test_the_encoder_gives_the_same_vectors_on_either_tokenizer(model_dir: Path) -> None:
    texts = ["query: Do I need a visa?", "query: 하롱베이 가기 좋은 계절은 언제인가요?", "passage: " + "Huế " * 700]
    encoder = OnnxEncoder(model_dir)
    assert encoder.spm is not None
    on_spm = encoder.encode(texts)
    encoder.spm = None
    encoder.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    encoder.tokenizer.enable_truncation(max_tokens(model_dir))
    encoder.tokenizer.enable_padding(pad_id=1)
    assert np.allclose(on_spm, encoder.encode(texts), atol=1e-6)


def test_the_weights_are_mapped_from_a_data_file_not_copied(model_dir: Path) -> None:
    graph = onnx_encoder.onnx_path(model_dir)
    data = graph.with_name(graph.name + ".data")
    assert data.stat().st_size > 5 * graph.stat().st_size
    probe = (
        "import sys; sys.modules['torch'] = None\n"
        "from pathlib import Path\n"
        "from knowledge.embedding.onnx_encoder import OnnxEncoder\n"
        f"OnnxEncoder(Path({str(model_dir)!r})).encode(['query: Do I need a visa?'])\n"
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('RssAnon')))\n"
    )
    private_kb = int(subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                                    check=True).stdout.split()[-1])
    # 348 MB of private memory when the weights were inside the graph and tokenizers held the vocabulary
    assert private_kb < 250_000, f"{private_kb // 1024} MB of private memory for the embedding model"
