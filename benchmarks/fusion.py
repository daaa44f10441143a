"""Fusion rules for hybrid retrieval, written so the lead can move them into knowledge/search.py.

Every fusion takes per-candidate scores as arrays whose last axis is the candidate set of one query
(1-D for one query as in `Searcher.search`, 2-D for a batch as in the benchmark). Non-candidates are
marked with NaN in the input arrays and get -inf back, so any ranking sorts them last.

What the XQuAD benchmark (benchmarks/xquad_retrieval.py, xquad_tune.py) found:
- No fusion rule beats the current `weighted` (cosine + 0.1 × coverage) by more than noise. RRF (any k)
  is worse, most of all cross-language (BM25 ranks are noise there and RRF weighs them like dense).
  z-score/min-max sums, BM25-confidence-scaled sums (`normalised_sum` with power, `cosine_plus_bm25`)
  tie with `weighted` (coverage is already small when BM25 is unreliable, so `weighted` self-scales).
- The gains come from the *inputs* of the fusion: the dense score of a passage as the mean of the
  paragraph cosine and its best sentence's cosine (`passage_cosine`), queries shifted into the
  document's language (`language_means` + `shifted_dense`), and Vietnamese syllable bigrams for BM25.
"""

from __future__ import annotations

import numpy as np

RRF_K = 60


def _masked(values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), -np.inf, values)


def weighted(dense: np.ndarray, coverage: np.ndarray, weight: float = 0.1) -> np.ndarray:
    """The current rule in knowledge/search.py: cosine + weight × IDF-weighted lexical coverage."""
    return _masked(dense + weight * np.nan_to_num(coverage))


def ranks(scores: np.ndarray, depth: int = 20) -> np.ndarray:
    """0-based rank of each candidate within its own list, NaN outside the top `depth` or when ≤ 0/NaN.

    Mirrors Searcher: each list contributes only its own top `depth` (CANDIDATES) to RRF.
    """
    filled = np.where(np.isnan(scores), -np.inf, scores)
    order = np.argsort(-filled, axis=-1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(scores.shape[-1]), axis=-1)
    keep = (rank < depth) & np.isfinite(filled)
    return np.where(keep, rank, np.nan).astype(float)


def rrf(dense: np.ndarray, bm25: np.ndarray, k: float = RRF_K, depth: int = 20) -> np.ndarray:
    """Reciprocal rank fusion: Σ 1 / (k + rank + 1) over the lists a candidate is in."""
    fused = np.nan_to_num(1.0 / (k + ranks(dense, depth) + 1)) + np.nan_to_num(1.0 / (k + ranks(bm25, depth) + 1))
    candidate = ~(np.isnan(dense) & np.isnan(bm25))
    return np.where(candidate, fused, -np.inf)


def normalise(scores: np.ndarray, method: str = "zscore") -> np.ndarray:
    """Per-query min-max (0..1) or z-score over the candidates; NaN stays NaN.

    Missing BM25 scores (a candidate BM25 never matched) count as 0 before normalising: a document
    without any query term is genuinely the lowest lexical evidence.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "minmax":
            low = np.nanmin(scores, axis=-1, keepdims=True)
            high = np.nanmax(scores, axis=-1, keepdims=True)
            out = (scores - low) / np.where(high > low, high - low, 1.0)
        else:
            mean = np.nanmean(scores, axis=-1, keepdims=True)
            std = np.nanstd(scores, axis=-1, keepdims=True)
            out = (scores - mean) / np.where(std > 0, std, 1.0)
    return out


def confidence(bm25: np.ndarray, coverage: np.ndarray) -> np.ndarray:
    """How much to trust BM25 for this query (0..1, one value per query, keepdims).

    The IDF-weighted coverage of the question by BM25's best candidate: near 1 when one document
    contains the question's distinctive words (same language), near 0 when only a name or number
    matches (question in Vietnamese against English passages), 0 when BM25 found nothing.
    """
    filled = np.where(np.isnan(bm25), -np.inf, bm25)
    top = np.argmax(filled, axis=-1)[..., None]
    conf = np.take_along_axis(np.nan_to_num(coverage), top, axis=-1)
    return np.where(np.isfinite(np.take_along_axis(filled, top, axis=-1)), conf, 0.0)


def normalised_sum(dense: np.ndarray, bm25: np.ndarray, weight: float = 0.5, method: str = "zscore",
                   coverage: np.ndarray | None = None, power: float = 0.0) -> np.ndarray:
    """(1 - weight) · norm(dense) + weight · c^power · norm(bm25), over one query's candidates.

    With `coverage` and `power` > 0, BM25's share shrinks with `confidence` (c) so that cross-language
    queries, where BM25 is noise, fall back to dense.
    """
    candidate = ~np.isnan(dense) | ~np.isnan(bm25)
    lexical = np.where(candidate, np.nan_to_num(bm25), np.nan)
    semantic = np.where(candidate, np.nan_to_num(dense, nan=np.nanmin(dense, axis=-1, keepdims=True)), np.nan)
    scale = 1.0 if coverage is None or power == 0 else confidence(bm25, coverage) ** power
    fused = (1 - weight) * normalise(semantic, method) + weight * scale * normalise(lexical, method)
    return np.where(candidate, np.nan_to_num(fused), -np.inf)


def cosine_plus_bm25(dense: np.ndarray, bm25: np.ndarray, coverage: np.ndarray, weight: float = 0.1,
                     power: float = 1.0) -> np.ndarray:
    """dense cosine + weight · c^power · bm25 / max(bm25), c = `confidence`, over one query's candidates.

    Like the current rule it stays on the cosine scale (the answer policy's thresholds keep their
    meaning up to a shift of at most `weight`), but the lexical term is BM25 relative to the query's
    best BM25 match (term frequency and length aware) instead of plain coverage, scaled down when BM25
    is unsure of itself.
    """
    candidate = ~np.isnan(dense) | ~np.isnan(bm25)
    lexical = np.nan_to_num(bm25)
    top = lexical.max(axis=-1, keepdims=True)
    relative = lexical / np.where(top > 0, top, 1.0)
    scale = confidence(bm25, coverage) ** power
    semantic = np.nan_to_num(dense, nan=-1.0)
    return np.where(candidate, semantic + weight * scale * relative, -np.inf)


def language_means(vectors: np.ndarray, languages: list[str]) -> dict[str, np.ndarray]:
    """Mean query-embedding per language, e.g. over the knowledge base's question documents.

    e5 vectors of one language share a component: a Vietnamese question lies nearer Vietnamese text than
    its English translation does. The difference of two languages' means estimates that offset.
    """
    labels = np.array(languages)
    return {lang: vectors[labels == lang].mean(axis=0) for lang in sorted(set(languages))}


def shifted_dense(vector: np.ndarray, query_language: str, doc_vectors: np.ndarray, doc_languages: list[str],
                  means: dict[str, np.ndarray]) -> np.ndarray:
    """Cosine after moving the query into each document's language: (q - μ_query + μ_doc) · d.

    Same-language documents keep their exact cosine (shift 0), so thresholds tuned on them keep their
    meaning; documents in another language are compared as if the question had been asked in theirs.
    A language without a mean (no questions in it yet) is not shifted.
    """
    origin = means.get(query_language)
    scores = doc_vectors @ vector
    if origin is None:
        return scores
    shift = np.stack([means[lang] - origin if lang in means else np.zeros_like(origin) for lang in doc_languages])
    return scores + np.einsum("nd,nd->n", shift, doc_vectors)


def passage_cosine(paragraph: np.ndarray, best_sentence: np.ndarray) -> np.ndarray:
    """Dense score of a long passage: mean of its whole-text cosine and its best sentence's cosine.

    A question usually targets one sentence; the whole-passage vector dilutes it (and e5 truncates at
    512 tokens), while a sentence alone loses the passage's topic. The mean keeps both.
    """
    return (paragraph + best_sentence) / 2
