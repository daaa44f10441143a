"""Hybrid retrieval over one loaded build: dense (FAISS, e5) and lexical (BM25) candidates, ranked by
a fused score that the answer policy also uses as its confidence.

    score = dense + LEXICAL_WEIGHT × lexical coverage
            + PLACE_BOOST when the entry is about a place the user named
            + AUDIENCE_BOOST / (its number of audiences) when it is written for the user's audience
    dense = (1 - ANSWER_WEIGHT) × cosine of the entry's best question phrasing
            + ANSWER_WEIGHT × cosine of its best answer text

Dense similarity carries meaning across languages; lexical coverage separates real questions from
short gibberish, which e5 scores deceptively high against short keyword questions. `fusion="rrf"`
ranks by reciprocal rank fusion instead (kept for the evaluation that compares both).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from knowledge.embedding.embedder import Embedder
from knowledge.foreign_places import ForeignPlaces, foreign_places_for
from knowledge.index.documents import OFF_TOPIC, Document
from knowledge.index.store import LoadedIndex
from knowledge.lexical import LexicalIndex
from knowledge.model import Entry
from knowledge.places import Gazetteer, gazetteer_for
from knowledge.text_processing import tokenize

DOCS_PER_QUERY = 128
CANDIDATES = 20
LEXICAL_WEIGHT = 0.1
# Questions are matched mostly against the phrasings staff wrote; the answer text confirms the topic.
# Measured on the dev split (askvn eval): hit@1 .844 with the best document alone, .866 with 0.3.
ANSWER_WEIGHT = 0.3
PLACE_BOOST = 0.03  # an entry about the place the user names beats a general one on the same topic
# An investor asking "which visa?" gets the investor visa before the tourist e-visa. Split over the
# entry's audiences: an entry written only for investors gains the most, one written for all the least.
AUDIENCE_BOOST = 0.03
RRF_K = 60
QUERY_CACHE = 64
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
        self.lexical = LexicalIndex([d for d in loaded.documents if d.entry_id != OFF_TOPIC])
        self._vectors = loaded.index.reconstruct_n(0, loaded.index.ntotal) if loaded.index.ntotal else None
        self._question_rows: dict[str, list[int]] = defaultdict(list)
        self._answer_rows: dict[str, list[int]] = defaultdict(list)
        for row, doc in enumerate(loaded.documents):
            (self._answer_rows if doc.kind == "answer" else self._question_rows)[doc.entry_id].append(row)
        self._off_topic_rows = self._question_rows.pop(OFF_TOPIC, [])
        self._query_vectors: dict[str, np.ndarray] = {}

    @property
    def build_id(self) -> str:
        return self.loaded.build_id

    @cached_property
    def gazetteer(self) -> Gazetteer:
        """Places in Vietnam, from this build's places file."""
        return gazetteer_for(self.loaded.scope.places)

    @cached_property
    def foreign_places(self) -> ForeignPlaces:
        """Places outside Vietnam, from this build's foreign.yaml."""
        return foreign_places_for(self.loaded.scope.foreign)

    def mentions_vietnam(self, text: str) -> bool:
        """The text names Vietnam or a place in it (this build's gazetteer)."""
        return bool(self.gazetteer.find(text))

    def search(self, query: str, k: int = 5, *, language: str = "en", fusion: Fusion = "weighted",
               places: AbstractSet[str] | None = None, audience: str | None = None) -> list[Hit]:
        """The `k` best entries for `query` (written in `language`), favouring entries about `places`
        and, when the channel or user said who they are, entries for that `audience`."""
        if not query.strip() or self._vectors is None:
            return []
        vector = self._embed(query)
        tokens = tokenize(query, language)
        dense = self._dense_candidates(vector)
        lexical = self.lexical.entry_scores(tokens, CANDIDATES)
        hits = [self._hit(entry_id, vector, tokens, places or set(), audience)
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

    def off_topic_similarity(self, query: str) -> float | None:
        """Cosine of `query` to the nearest off-topic example (knowledge/off_topic.py), None without any."""
        if not self._off_topic_rows or self._vectors is None or not query.strip():
            return None
        return float(np.max(self._vectors[self._off_topic_rows] @ self._embed(query)))

    def _embed(self, query: str) -> np.ndarray:
        """The query's vector; the last few are kept, since the answer policy asks about the same text twice."""
        vector = self._query_vectors.get(query)
        if vector is None:
            vector = self.embedder.embed_queries([query])[0]
            if len(self._query_vectors) >= QUERY_CACHE:
                self._query_vectors.pop(next(iter(self._query_vectors)))
            self._query_vectors[query] = vector
        return vector

    def _dense_candidates(self, vector: np.ndarray) -> dict[str, float]:
        n = min(DOCS_PER_QUERY, self.loaded.index.ntotal)
        scores, ids = self.loaded.index.search(vector.reshape(1, -1), n)
        best: dict[str, float] = {}
        for score, doc_id in zip(scores[0], ids[0], strict=True):
            entry_id = self.loaded.documents[doc_id].entry_id if doc_id >= 0 else OFF_TOPIC
            if entry_id != OFF_TOPIC:
                best.setdefault(entry_id, float(score))
            if len(best) >= CANDIDATES:
                break
        return best

    def _hit(self, entry_id: str, vector: np.ndarray, tokens: list[str], places: AbstractSet[str],
             audience: str | None) -> Hit:
        """Exact dense score (best question phrasing blended with the answer), lexical coverage, place and
        audience match of one candidate."""
        assert self._vectors is not None
        rows = self._question_rows[entry_id] or self._answer_rows[entry_id]
        sims = self._vectors[rows] @ vector
        best = int(np.argmax(sims))
        dense = float(sims[best])
        answer_rows = self._answer_rows[entry_id]
        if answer_rows:
            dense = (1 - ANSWER_WEIGHT) * dense + ANSWER_WEIGHT * float(np.max(self._vectors[answer_rows] @ vector))
        lexical = self.lexical.coverage(tokens, entry_id)
        entry = self.loaded.entries[entry_id]
        boost = PLACE_BOOST if set(places) & set(entry.places) else 0.0
        if audience and audience in entry.audience:
            boost += AUDIENCE_BOOST / len(entry.audience)
        return Hit(entry, dense + LEXICAL_WEIGHT * lexical + boost, dense, lexical, self.loaded.documents[rows[best]])


def _rrf(*rankings: list[str]) -> dict[str, float]:
    fused: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, entry_id in enumerate(ranking):
            fused[entry_id] += 1.0 / (RRF_K + rank + 1)
    return fused
