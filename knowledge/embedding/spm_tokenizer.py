"""The embedding model's tokenizer on SentencePiece instead of the `tokenizers` library: the same token ids
in a fifth of the memory.

Why: `tokenizers` keeps the 250,002-piece Unigram vocabulary of multilingual-e5 in a trie that takes
268 MB of the action server's memory; SentencePiece holds the same vocabulary in 55 MB (measured
2026-12-03). The ids are the same: on every document of the 401-entry index and every dev-set question
(13,953 texts) not one differs. They can differ on strings of rare characters mixed with stray combining
marks (about 3 % of random 0–30-character strings drawn from eleven scripts), where the two libraries count
the unknown characters differently; such text carries no meaning either way. And text that spells a special
token ("</s>", "<unk>") is read as the characters it is, where `tokenizers` took it for the token itself.

At set-up (`python -m knowledge.embedding.onnx_encoder`) `write(model_dir)` turns `tokenizer.json` into a
SentencePiece model file beside the ONNX graph, after checking that both give the same ids on the
self-test sentences; the file records the hash of the `tokenizer.json` it came from, so an edited
tokenizer is never paired with a stale copy. Models whose tokenizer is not a Unigram with a precompiled
normaliser simply keep `tokenizers`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FILE = "tokenizer.spm"
MARKER = "tokenizer.spm.json"
FORMAT = 1
# SentencePiece piece types (sentencepiece_model.proto)
_NORMAL, _UNKNOWN, _CONTROL = 1, 2, 3


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, data: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _int_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def model_proto(tokenizer: dict) -> bytes | None:
    """A SentencePiece ModelProto with the vocabulary, scores and normaliser of a `tokenizer.json`, or None
    if it is not the XLM-R shape (Unigram; NFC + precompiled charsmap; Metaspace). Written by hand: the
    generated protobuf module needs protobuf >= 5, which rasa-sdk's pin excludes."""
    model = tokenizer.get("model") or {}
    normalizers = (tokenizer.get("normalizer") or {}).get("normalizers") or []
    charsmaps = [n["precompiled_charsmap"] for n in normalizers if n.get("type") == "Precompiled"]
    if model.get("type") != "Unigram" or model.get("byte_fallback") or len(charsmaps) != 1:
        return None
    unk = model["unk_id"]
    special = {t["id"] for t in tokenizer.get("added_tokens", []) if t.get("special")}
    pieces = bytearray()
    for i, (piece, score) in enumerate(model["vocab"]):
        kind = _UNKNOWN if i == unk else _CONTROL if i in special else _NORMAL
        body = _field(1, piece.encode("utf-8")) + _varint(2 << 3 | 5) + struct.pack("<f", score) + _int_field(3, kind)
        pieces += _field(1, body)
    # trainer_spec: model_type UNIGRAM; unk/bos/eos/pad ids as in the vocabulary (<s> <pad> </s> <unk>)
    trainer = _int_field(3, 1) + _int_field(40, unk)
    # normalizer_spec: the charsmap; add the leading "▁", collapse runs of spaces, spaces become "▁"
    normaliser = (_field(1, b"askvn") + _field(2, base64.b64decode(charsmaps[0]))
                  + _int_field(3, 1) + _int_field(4, 1) + _int_field(5, 1))
    return bytes(pieces) + _field(2, trainer) + _field(3, normaliser)


def tokenizer_hash(model_dir: Path) -> str:
    return hashlib.sha256((model_dir / "tokenizer.json").read_bytes()).hexdigest()


class SpmTokenizer:
    """Token ids and attention masks for a batch, as the `tokenizers` pipeline of the same model gives them:
    `<s> … </s>`, cut at max_length, padded with <pad>."""

    def __init__(self, proto: bytes, max_length: int, vocab: dict[str, int]) -> None:
        import sentencepiece as spm

        self._sp = spm.SentencePieceProcessor(model_proto=proto)
        # The same charsmap without collapsing spaces: tells whether the text ends in a space, which
        # `tokenizers` keeps as a final "▁" and SentencePiece drops.
        self._normaliser = spm.SentencePieceNormalizer(
            model_proto=proto, add_dummy_prefix=False, escape_whitespaces=False, remove_extra_whitespaces=False)
        self.max_length = max_length
        self.bos, self.eos, self.pad, self.unk = vocab["<s>"], vocab["</s>"], vocab["<pad>"], vocab["<unk>"]
        self.space = vocab["\u2581"]

    @classmethod
    def load(cls, model_dir: Path, max_length: int) -> SpmTokenizer | None:
        """The set-up copy if it is current for this model's tokenizer.json, else None."""
        folder = model_dir / "onnx"
        try:
            marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
            if marker.get("format") != FORMAT or marker.get("tokenizer_sha256") != tokenizer_hash(model_dir):
                return None
            return cls((folder / FILE).read_bytes(), max_length, marker["ids"])
        except (OSError, ValueError, KeyError):
            return None

    def ids(self, text: str) -> list[int]:
        text = unicodedata.normalize("NFC", text)
        ids = self._sp.encode(text)
        if self.unk in ids:  # SentencePiece fuses a run of unknown characters; the model saw one <unk> each
            ids = []
            for piece in self._sp.encode(text, return_type="proto").pieces:
                ids.extend([self.unk] * len(piece.piece) if piece.id == self.unk else [piece.id])
        if self._normaliser.normalize(text).endswith(" "):
            ids.append(self.space)
        return [self.bos, *ids[: self.max_length - 2], self.eos]

    def encode_batch(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        rows = [self.ids(t) for t in texts]
        width = max((len(r) for r in rows), default=0)
        ids = np.full((len(rows), width), self.pad, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        return ids, mask


def write(model_dir: Path, max_length: int, check: Sequence[str]) -> str:
    """Write onnx/tokenizer.spm for this model if its tokenizer converts and agrees with `tokenizers` on
    `check`; returns what was done (a set-up step's message)."""
    from tokenizers import Tokenizer

    data = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    proto = model_proto(data)
    if proto is None:
        return "tokenizer is not a SentencePiece Unigram: it stays on `tokenizers`"
    vocab = {piece: i for i, (piece, _) in enumerate(data["model"]["vocab"]) if piece in
             ("<s>", "</s>", "<pad>", "<unk>", "\u2581")}
    reference = Tokenizer.from_str(json.dumps(data))
    reference.enable_truncation(max_length)
    candidate = SpmTokenizer(proto, max_length, vocab)
    differing = [t for t in check if reference.encode(t).ids != candidate.ids(t)]
    if differing:
        return f"SentencePiece copy differs from tokenizer.json on {differing[0]!r}: it stays on `tokenizers`"
    folder = model_dir / "onnx"
    folder.mkdir(exist_ok=True)
    (folder / FILE).write_bytes(proto)
    (folder / MARKER).write_text(json.dumps({"format": FORMAT, "tokenizer_sha256": tokenizer_hash(model_dir),
                                             "ids": vocab, "checked_sentences": len(check)}, indent=2))
    return f"SentencePiece copy of the tokenizer written (same ids on {len(check)} self-test sentences)"
