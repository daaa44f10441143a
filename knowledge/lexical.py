"""BM25 over the same documents as the dense index (bm25s), plus the lexical evidence the answer
policy uses: how much of the question's vocabulary an entry actually contains.

Built in memory when a build is loaded (a few hundred ms for thousands of documents), so builds on
disk stay one format and there is nothing extra to keep in sync.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from knowledge.index.documents import Document
from knowledge.text_processing import is_bigram, tokenize

_EMPTY = "\x00"  # bm25s needs at least one token per document


@dataclass(frozen=True)
class QueryTerms:
    unique: set[str]  # the question's distinct tokens, without Vietnamese syllable bigrams
    total: float  # their summed IDF weight


class LexicalIndex:
    def __init__(self, documents: list[Document]):
        self.doc_entries = [d.entry_id for d in documents]
        # One string object per distinct token: the documents hold about a million tokens, and separate
        # copies of each took 150 MB of the action server's memory (measured 2026-12-03, 401 entries).
        shared: dict[str, str] = {}
        corpus = [[shared.setdefault(t, t) for t in tokenize(d.text, d.language)] or [_EMPTY] for d in documents]
        self.bm25 = bm25s.BM25()
        self.bm25.index(corpus, show_progress=False)
        self.entry_vocab: dict[str, set[str]] = defaultdict(set)
        df: Counter[str] = Counter()
        for entry_id, tokens in zip(self.doc_entries, corpus, strict=True):
            self.entry_vocab[entry_id].update(tokens)
            df.update(set(tokens))
        n = len(corpus)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.max_idf = math.log(1 + (n + 0.5) / 0.5)

    def entry_scores(self, tokens: list[str], k: int) -> dict[str, float]:
        """Best BM25 document score per entry, for the `k` best entries."""
        known = [t for t in tokens if t in self.idf]
        if not known:
            return {}
        scores = self.bm25.get_scores(known)
        best: dict[str, float] = {}
        for doc_id in np.argsort(-scores)[: k * 8]:
            if scores[doc_id] <= 0:
                break
            entry_id = self.doc_entries[doc_id]
            best.setdefault(entry_id, float(scores[doc_id]))
            if len(best) >= k:
                break
        return best

    def coverage(self, tokens: list[str], entry_id: str) -> float:
        """IDF-weighted share of the question's distinct tokens that the entry contains (0..1).

        Tokens the knowledge base has never seen ("asdf") weigh the most, so gibberish scores ~0.
        Vietnamese syllable bigrams help BM25 rank but are left out here: the same share of words must
        give the same coverage in every language, since the answer thresholds are shared.
        """
        return self.coverage_of(self.query_terms(tokens), entry_id)

    def query_terms(self, tokens: Sequence[str]) -> QueryTerms:
        """The part of `coverage` that depends only on the question: computed once per question rather
        than once per candidate entry (about 30 per question; 1 ms of a long question's 19, 2026-12-03)."""
        unique = {t for t in tokens if not is_bigram(t)}
        return QueryTerms(unique, sum(self.idf.get(t, self.max_idf) for t in unique))

    def coverage_of(self, terms: QueryTerms, entry_id: str) -> float:
        if not terms.unique or not terms.total:
            return 0.0
        vocab = self.entry_vocab.get(entry_id, set())
        return sum(self.idf[t] for t in terms.unique if t in vocab) / terms.total

    def knows_any(self, tokens: list[str]) -> bool:
        """Whether any token occurs anywhere in the knowledge base (gibberish has none)."""
        return any(t in self.idf for t in tokens)
