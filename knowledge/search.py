"""Hybrid retrieval over one loaded build: dense (FAISS, e5) and lexical (BM25) candidates, ranked by
a fused score that the answer policy also uses as its confidence.

    score = dense cosine of the entry's best document + LEXICAL_WEIGHT × lexical coverage

Dense similarity carries meaning across languages; lexical coverage separates real questions from
short gibberish, which e5 scores deceptively high against short keyword questions. `fusion="rrf"`
ranks by reciprocal rank fusion instead (kept for the evaluation that compares both).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Literal

import numpy as np

from knowledge.embedding.embedder import Embedder
from knowledge.index.documents import Document
from knowledge.index.store import LoadedIndex
from knowledge.lexical import LexicalIndex
from knowledge.model import Entry
from knowledge.text_processing import tokenize

DOCS_PER_QUERY = 128
CANDIDATES = 20
LEXICAL_WEIGHT = 0.1
PLACE_BOOST = 0.03  # an entry about the place the user names beats a general one on the same topic
RRF_K = 60
Fusion = Literal["weighted", "rrf", "dense", "lexical"]


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float  # fused confidence: dense + LEXICAL_WEIGHT * lexical
    dense: float
    lexical: float
    matched: Document


class Searcher:
    def __init__(self, loaded: LoadedIndex, embedder: Embedder):
        self.loaded = loaded
        self.embedder = embedder
        self.lexical = LexicalIndex(loaded.documents)
        self._vectors = loaded.index.reconstruct_n(0, loaded.index.ntotal) if loaded.index.ntotal else None
        self._entry_rows: dict[str, list[int]] = defaultdict(list)
        for row, doc in enumerate(loaded.documents):
            self._entry_rows[doc.entry_id].append(row)

    @property
    def build_id(self) -> str:
        return self.loaded.build_id

    def search(self, query: str, k: int = 5, *, language: str = "en", fusion: Fusion = "weighted",
               places: AbstractSet[str] | None = None) -> list[Hit]:
        """The `k` best entries for `query` (written in `language`), favouring entries about `places`."""
        if not query.strip() or self._vectors is None:
            return []
        vector = self.embedder.embed_queries([query])[0]
        tokens = tokenize(query, language)
        dense = self._dense_candidates(vector)
        lexical = self.lexical.entry_scores(tokens, CANDIDATES)
        hits = [self._hit(entry_id, vector, tokens, places or set())
                for entry_id in dict.fromkeys([*dense, *lexical])]
        if fusion == "rrf":
            ranks = _rrf(list(dense), list(lexical))
            hits.sort(key=lambda h: ranks.get(h.entry.id, 0.0), reverse=True)
        elif fusion == "dense":
            hits.sort(key=lambda h: h.dense, reverse=True)
        elif fusion == "lexical":
            hits = [h for h in hits if h.entry.id in lexical]
            hits.sort(key=lambda h: lexical[h.entry.id], reverse=True)
        else:
            hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]

    def _dense_candidates(self, vector: np.ndarray) -> dict[str, float]:
        n = min(DOCS_PER_QUERY, self.loaded.index.ntotal)
        scores, ids = self.loaded.index.search(vector.reshape(1, -1), n)
        best: dict[str, float] = {}
        for score, doc_id in zip(scores[0], ids[0], strict=True):
            if doc_id >= 0:
                best.setdefault(self.loaded.documents[doc_id].entry_id, float(score))
            if len(best) >= CANDIDATES:
                break
        return best

    def _hit(self, entry_id: str, vector: np.ndarray, tokens: list[str], places: AbstractSet[str]) -> Hit:
        """Exact dense score (best document of the entry), lexical coverage and place match of one candidate."""
        assert self._vectors is not None
        rows = self._entry_rows[entry_id]
        sims = self._vectors[rows] @ vector
        best = int(np.argmax(sims))
        dense = float(sims[best])
        lexical = self.lexical.coverage(tokens, entry_id)
        entry = self.loaded.entries[entry_id]
        boost = PLACE_BOOST if set(places) & set(entry.places) else 0.0
        return Hit(entry, dense + LEXICAL_WEIGHT * lexical + boost, dense, lexical, self.loaded.documents[rows[best]])


def _rrf(*rankings: list[str]) -> dict[str, float]:
    fused: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, entry_id in enumerate(ranking):
            fused[entry_id] += 1.0 / (RRF_K + rank + 1)
    return fused
