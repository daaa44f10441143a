"""XQuAD loading, sentence splitting and a disk cache of e5 vectors for the retrieval benchmark.

Kept apart from the benchmark's scoring so each module stays small. Vectors are cached per
(model id, prefix kind, language) in `.cache/xquad/`, keyed by a hash of each text: a rerun, a
`--limit` run or a run with more languages only embeds what it has not seen.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from knowledge.embedding.embedder import Embedder

Kind = Literal["query", "passage"]
CHUNK = 128  # texts per encode call: small enough to save progress often on 2 shared cores


@dataclass(frozen=True)
class Question:
    qid: str
    paragraph: int  # index of the gold paragraph
    texts: dict[str, str]


@dataclass(frozen=True)
class XQuAD:
    pids: list[str]
    contexts: list[dict[str, str]]  # per paragraph: language -> text
    questions: list[Question]


def load_xquad(path: Path) -> XQuAD:
    """Read the shared jsonl.gz (one paragraph per line); strips the BOM some translations carry."""
    pids: list[str] = []
    contexts: list[dict[str, str]] = []
    questions: list[Question] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            index = len(pids)
            pids.append(row["pid"])
            contexts.append({lang: text.lstrip("\ufeff").strip() for lang, text in row["contexts"].items()})
            for qa in row["qas"]:
                texts = {lang: q.lstrip("\ufeff").strip() for lang, q in qa["questions"].items()}
                questions.append(Question(qa["id"], index, texts))
    return XQuAD(pids, contexts, questions)


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=\S)|(?<=[。！？；])")


def split_sentences(text: str, language: str, min_chars: int = 40) -> list[str]:
    """Sentences of a paragraph, short pieces merged into the previous one.

    Thai has no sentence punctuation; spaces mark clause/sentence boundaries, so it is split on spaces
    and merged up to `min_chars * 2` so pieces carry enough words to embed meaningfully.
    """
    if language == "th":
        pieces = text.split()
        floor = min_chars * 2
    else:
        pieces = [p.strip() for p in _SENTENCE_END.split(text)]
        floor = min_chars
    sentences: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if sentences and (len(sentences[-1]) < floor or len(piece) < min_chars // 2):
            sentences[-1] += ("" if language == "zh" else " ") + piece
        else:
            sentences.append(piece)
    return sentences or [text]


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class VectorCache:
    """e5 vectors on disk, one npz per (model id, kind, language), keyed by text hash."""

    def __init__(self, embedder: Embedder, directory: Path):
        self.embedder = embedder
        self.directory = directory
        self.seconds_embedding = 0.0
        self.texts_embedded = 0

    def _path(self, kind: Kind, language: str) -> Path:
        prefix = self.embedder.config.query_prefix if kind == "query" else self.embedder.config.passage_prefix
        model = re.sub(r"[^A-Za-z0-9_.@-]+", "_", self.embedder.model_id)
        tag = hashlib.sha256(prefix.encode()).hexdigest()[:8]
        return self.directory / f"{model}-{kind}-{tag}-{language}.npz"

    def _read(self, path: Path) -> dict[str, np.ndarray]:
        if not path.exists():
            return {}
        with np.load(path) as data:
            return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))

    def _write(self, path: Path, stored: dict[str, np.ndarray]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(list(stored)), vectors=np.stack(list(stored.values())))
        tmp.replace(path)

    def get(self, texts: list[str], kind: Kind, language: str, *, verbose: bool = False) -> np.ndarray:
        """Unit vectors for `texts` (rows in order), embedding and saving only the missing ones."""
        path = self._path(kind, language)
        stored = self._read(path)
        keys = [_text_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in stored))
        by_key = dict(zip(keys, texts, strict=True))
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start:start + CHUNK]
            batch = [by_key[k] for k in chunk]
            began = time.perf_counter()
            encode = self.embedder.embed_queries if kind == "query" else self.embedder.embed_passages
            vectors = encode(batch)
            self.seconds_embedding += time.perf_counter() - began
            self.texts_embedded += len(batch)
            stored.update(zip(chunk, vectors, strict=True))
            self._write(path, stored)
            if verbose:
                print(f"  embedded {kind} {language}: {start + len(chunk)}/{len(missing)} "
                      f"({self.seconds_embedding:.0f}s so far)", flush=True)
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.ascontiguousarray(np.stack([stored[k] for k in keys]), dtype=np.float32)
