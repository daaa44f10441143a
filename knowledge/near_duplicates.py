"""Warn when a question phrasing of one entry is nearly identical to a phrasing of another entry.

Two entries claiming the same question make the search flip between them (or ask "which one?"), so staff
should merge them or reword one. The comparison is by meaning (e5 cosine), not by characters, so it also
catches "How much is a visa?" vs "how much does the visa cost". It needs the embedding model, which is
why it lives outside the pure loader: vectors of the published index are reused by content hash, so only
questions edited since the last `askvn kb build` are embedded and validation stays fast.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from knowledge.embedding.embedder import Embedder
from knowledge.errors import IndexCorrupt, IndexNotFound
from knowledge.index.documents import Document
from knowledge.index.store import IndexStore
from knowledge.model import Entry
from knowledge.policy import NEAR_DUPLICATE_THRESHOLD
from knowledge.problems import Problem

# Measured on the real knowledge base (4,266 questions, 2026-11-26; see knowledge/README.md, "Similar questions"):
# different questions on one subject reach 0.986 with e5-small, near-verbatim copies score 0.99 and more.
DEFAULT_THRESHOLD = NEAR_DUPLICATE_THRESHOLD
_BLOCK = 512  # rows per similarity block: bounds memory at _BLOCK x questions floats


@dataclass(frozen=True)
class Question:
    """One question phrasing and where it is written."""

    entry_id: str
    path: str
    line: int
    language: str
    text: str


@dataclass(frozen=True)
class NearDuplicate:
    question: Question
    other: Question
    similarity: float

    def problem(self) -> Problem:
        q, o = self.question, self.other
        return Problem(q.path, q.line, "warning",
                       f"question {q.text!r} is nearly identical to {o.text!r} of entry '{o.entry_id}' "
                       f"({o.path}:{o.line}, similarity {self.similarity:.3f}); merge the entries or reword one")


def questions_of(entries: list[Entry]) -> list[Question]:
    """Every question phrasing of every entry, with its line in the entry's file."""
    out: list[Question] = []
    for entry in entries:
        lines = _question_lines(Path(entry.path)) if entry.path else {}
        for lang, text in entry.texts.items():
            for i, q in enumerate(text.questions):
                out.append(Question(entry.id, entry.path, lines.get((lang, i), 1), lang, q))
    return out


def question_vectors(questions: list[Question], embedder: Embedder, store: IndexStore | None = None) -> np.ndarray:
    """Unit vectors of the questions: taken from the published index where the text is unchanged."""
    prefix = embedder.config.query_prefix
    keys = [Document(q.entry_id, q.language, "question", q.text).embedding_key(embedder.model_id, prefix)
            for q in questions]
    cached = _indexed_question_vectors(store, embedder) if store is not None else {}
    missing = [i for i, k in enumerate(keys) if k not in cached]
    fresh = embedder.embed_queries([questions[i].text for i in missing]) if missing else None
    dim = fresh.shape[1] if fresh is not None else len(next(iter(cached.values())))
    vectors = np.zeros((len(questions), dim), dtype=np.float32)
    for i, key in enumerate(keys):
        if key in cached:
            vectors[i] = cached[key]
    if fresh is not None:
        vectors[missing] = fresh
    return vectors


def best_other_entry_match(questions: list[Question], vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each question: the highest cosine to a question of a *different* entry, and which one."""
    entry_of = np.array([q.entry_id for q in questions])
    best = np.full(len(questions), -1.0, dtype=np.float32)
    where = np.full(len(questions), -1, dtype=np.int64)
    for start in range(0, len(questions), _BLOCK):
        sims = vectors[start:start + _BLOCK] @ vectors.T
        sims[entry_of[start:start + _BLOCK, None] == entry_of[None, :]] = -1.0
        where[start:start + _BLOCK] = sims.argmax(axis=1)
        best[start:start + _BLOCK] = sims.max(axis=1)
    return best, where


def find_near_duplicates(entries: list[Entry], embedder: Embedder, *, store: IndexStore | None = None,
                         threshold: float = DEFAULT_THRESHOLD) -> list[NearDuplicate]:
    """Pairs of questions of different entries with cosine >= threshold or the same letters and digits,
    each pair once, strongest first."""
    questions = questions_of(entries)
    if len(questions) < 2:
        return []
    vectors = question_vectors(questions, embedder, store)
    best, where = best_other_entry_match(questions, vectors)
    candidates = {(int(i), int(where[i])) for i in np.flatnonzero(best >= threshold)}
    same_text: dict[str, list[int]] = defaultdict(list)  # e5 misses some case/punctuation-only copies
    for i, q in enumerate(questions):
        same_text[_normalised(q.text)].append(i)
    candidates |= {(a, b) for group in same_text.values() for a in group for b in group
                   if questions[a].entry_id != questions[b].entry_id}
    pairs: dict[tuple[int, int], float] = {}
    for i, j in candidates:
        a, b = sorted((i, j), key=lambda k: (questions[k].path, questions[k].line, k))
        pairs[(a, b)] = float(vectors[a] @ vectors[b])
    found = [NearDuplicate(questions[a], questions[b], sim) for (a, b), sim in pairs.items()]
    return sorted(found, key=lambda d: (-d.similarity, d.question.path, d.question.line))


def near_duplicate_problems(entries: list[Entry], embedder: Embedder, *, store: IndexStore | None = None,
                            threshold: float = DEFAULT_THRESHOLD) -> list[Problem]:
    return [d.problem() for d in find_near_duplicates(entries, embedder, store=store, threshold=threshold)]


def _indexed_question_vectors(store: IndexStore, embedder: Embedder) -> dict[str, np.ndarray]:
    """Question vectors of the current build by content hash (empty if none or another model)."""
    try:
        loaded = store.load_current()
    except (IndexNotFound, IndexCorrupt):
        return {}
    model = loaded.manifest["model"]
    if model["id"] != embedder.model_id:
        return {}
    stored = loaded.index.reconstruct_n(0, loaded.index.ntotal)
    return {d.embedding_key(embedder.model_id, model["query_prefix"]): stored[i]
            for i, d in enumerate(loaded.documents) if d.kind == "question"}


def _normalised(text: str) -> str:
    """Letters and digits only, case-folded: "Visa fee?" and "visa fee" are the same question."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def _question_lines(path: Path) -> dict[tuple[str, int], int]:
    """(language, index) -> 1-based line of each question in an entry file (best effort)."""
    try:
        data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except Exception:  # the loader already reported unreadable files; lines then default to 1
        return {}
    out: dict[tuple[str, int], int] = {}
    if not isinstance(data, CommentedMap):
        return out
    for lang, block in data.items():
        questions = block.get("questions") if isinstance(block, CommentedMap) else None
        if isinstance(questions, CommentedSeq):
            for i in range(len(questions)):
                out[(str(lang), i)] = questions.lc.item(i)[0] + 1
    return out
