"""Hybrid retrieval over one loaded build: dense (FAISS, e5) and lexical (BM25) candidates, ranked by
a fused score that the answer policy also uses as its confidence. The fusion's weights are part of the
policy (knowledge/policy.py, `ScoreWeights`), because the thresholds are calibrated on this score.

Dense similarity carries meaning across languages; lexical coverage separates real questions from
short gibberish, which e5 scores deceptively high against short keyword questions. (Other fusions, RRF
among them, were measured and not adopted: benchmarks/fusion.py.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property

import faiss
import numpy as np

from knowledge.analysis import Message
from knowledge.embedding.embedder import Embedder
from knowledge.foreign_places import ForeignPlaces, foreign_places_for
from knowledge.index.documents import OFF_TOPIC, Document
from knowledge.index.store import LoadedIndex
from knowledge.lexical import LexicalIndex, QueryTerms
from knowledge.model import Entry
from knowledge.places import Gazetteer, gazetteer_for
from knowledge.policy import SCORE_WEIGHTS, ScoreWeights

DOCS_PER_QUERY = 128
CANDIDATES = 20


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float  # fused confidence (ScoreWeights)
    dense: float
    lexical: float
    matched: Document


def stored_vectors(index: faiss.Index) -> np.ndarray | None:
    """The index's vectors as an array; for a flat index (what builds make) a view of its own storage, not
    a second copy (20 MB for the 13,000 documents of 401 entries)."""
    if not index.ntotal:
        return None
    if isinstance(index, faiss.IndexFlat):
        return faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d).reshape(index.ntotal, index.d)
    return index.reconstruct_n(0, index.ntotal)


class Searcher:
    def __init__(self, loaded: LoadedIndex, embedder: Embedder, weights: ScoreWeights = SCORE_WEIGHTS):
        self.loaded = loaded
        self.embedder = embedder
        self.weights = weights
        self.lexical = LexicalIndex([d for d in loaded.documents if d.entry_id != OFF_TOPIC])
        self._vectors = stored_vectors(loaded.index)
        self._question_rows: dict[str, list[int]] = defaultdict(list)
        self._answer_rows: dict[str, list[int]] = defaultdict(list)
        for row, doc in enumerate(loaded.documents):
            (self._answer_rows if doc.kind == "answer" else self._question_rows)[doc.entry_id].append(row)
        self._off_topic_rows = self._question_rows.pop(OFF_TOPIC, [])

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

    def analyse(self, text: str, language: str = "en") -> Message:
        """`text` as a Message read against this build (each analysis is computed once, on first use)."""
        return Message(text, language, self)

    def search(self, query: str | Message, k: int = 5, *, language: str = "en",
               places: AbstractSet[str] | None = None, audience: str | None = None) -> list[Hit]:
        """The `k` best entries for `query` (written in `language` when it is plain text), favouring
        entries about `places` and, when the channel or user said who they are, entries for that
        `audience`."""
        message = query if isinstance(query, Message) else self.analyse(query, language)
        if not message.text or self._vectors is None:
            return []
        dense = self._dense_candidates(message.vector)
        lexical = self.lexical.entry_scores(list(message.tokens), CANDIDATES)
        terms = self.lexical.query_terms(message.tokens)
        hits = [self._hit(entry_id, message, terms, places or set(), audience)
                for entry_id in dict.fromkeys([*dense, *lexical])]
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]

    def off_topic_similarity(self, query: str | Message) -> float | None:
        """Cosine of `query` to the nearest off-topic example (knowledge/off_topic.py), None without any."""
        message = query if isinstance(query, Message) else self.analyse(query)
        if not self._off_topic_rows or self._vectors is None or not message.text:
            return None
        return float(np.max(self._vectors[self._off_topic_rows] @ message.vector))

    def _dense_candidates(self, vector: np.ndarray) -> dict[str, float]:
        n = min(DOCS_PER_QUERY, self.loaded.index.ntotal)
        # One question is searched on one thread: FAISS's OpenMP threads would only fight ONNX Runtime's,
        # still spinning after the embedding. OpenMP keeps this setting per thread, and questions are
        # answered on worker threads, so it is set here, where the search runs (measured 2026-12-03 on
        # 2 cores: a search on a worker thread 2.2 -> 1.5 ms alone, 15 % of the server's CPU under load).
        faiss.omp_set_num_threads(1)
        scores, ids = self.loaded.index.search(vector.reshape(1, -1), n)
        best: dict[str, float] = {}
        for score, doc_id in zip(scores[0], ids[0], strict=True):
            entry_id = self.loaded.documents[doc_id].entry_id if doc_id >= 0 else OFF_TOPIC
            if entry_id != OFF_TOPIC:
                best.setdefault(entry_id, float(score))
            if len(best) >= CANDIDATES:
                break
        return best

    def _hit(self, entry_id: str, message: Message, terms: QueryTerms, places: AbstractSet[str],
             audience: str | None) -> Hit:
        """Exact dense score (best question phrasing blended with the answer), lexical coverage, place and
        audience match of one candidate."""
        assert self._vectors is not None
        vector, weights = message.vector, self.weights
        rows = self._question_rows[entry_id] or self._answer_rows[entry_id]
        sims = self._vectors[rows] @ vector
        best = int(np.argmax(sims))
        dense = float(sims[best])
        answer_rows = self._answer_rows[entry_id]
        if answer_rows:
            best_answer = float(np.max(self._vectors[answer_rows] @ vector))
            dense = (1 - weights.answer) * dense + weights.answer * best_answer
        lexical = self.lexical.coverage_of(terms, entry_id)
        entry = self.loaded.entries[entry_id]
        boost = weights.place_boost if set(places) & set(entry.places) else 0.0
        if audience and audience in entry.audience:
            boost += weights.audience_boost / len(entry.audience)
        score = dense + weights.lexical * lexical + boost
        return Hit(entry, score, dense, lexical, self.loaded.documents[rows[best]])

