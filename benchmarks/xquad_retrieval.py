"""XQuAD retrieval benchmark: question -> paragraph with our BM25, our dense e5 and hybrid fusions.

Run from the repo root:  .venv/bin/python -m benchmarks.xquad_retrieval --data ../shared/data/xquad.jsonl.gz

Numbers describe *our* system, so every piece is the project's own: `Embedder` (NFC, e5 query/passage
prefixes), FAISS IndexFlatIP over unit vectors (cosine), `tokenize` + `LexicalIndex` (bm25s BM25 and
IDF-weighted coverage), and Searcher's candidate rule (top 20 dense ∪ top 20 BM25). Paragraphs play
the role of knowledge entries. Rows: same language (question and paragraphs in X) and X -> English
(question in X, English paragraphs), the case of a visitor asking in their language about an entry
that only exists in English. Paragraphs are split by article into a tuning half (first 120) and a
held-out half, so fusion parameters chosen on one half can be checked on the other.

Columns are method specs `name[:key=value,...]` (several separated by ';'):
  bm25, dense                     single methods
  weighted[:w=0.1]                Searcher's rule: cosine + w × coverage (w=0.1 is the product's)
  rrf[:k=60]                      reciprocal rank fusion of the top-20 dense and top-20 BM25 lists
  zscore|minmax[:w=]              (1-w)·norm(cosine) + w·norm(BM25) per query
  zconf|mmconf[:w=,p=]            the same with BM25's weight × confidence^p (see fusion.confidence)
  cosbm[:w=,p=]                   cosine + w · confidence^p · BM25 / max BM25
and any of them can take `dense=para|sent|max|mean` (paragraph, best sentence, their max or mean;
embeds sentences) and `shift=1` (X->en rows: query moved by mean(en questions) - mean(X questions),
means taken from the tuning half only). BM25 uses the product's `tokenize`, which adds Vietnamese syllable
bigrams; `--no-vi-bigrams` drops them (the earlier baseline).
Cached vectors make reruns take under a minute; the first run embeds ~19k texts (~1.5 h on 2 busy cores).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import faiss
import numpy as np

from benchmarks import fusion
from benchmarks.xquad_data import Question, VectorCache, XQuAD, load_xquad, split_sentences
from knowledge.embedding import DEFAULT_MODEL_DIR
from knowledge.embedding.embedder import Embedder, EmbeddingConfig
from knowledge.index.documents import Document
from knowledge.lexical import LexicalIndex
from knowledge.search import CANDIDATES
from knowledge.text_processing import is_bigram, tokenize

SAME = ["vi", "zh", "th", "ru", "de", "es", "en"]
DEFAULT_FUSIONS = ["weighted", "rrf", "zconf:w=0.5,p=1,dense=mean,shift=1", "cosbm:w=0.15,p=1,dense=mean,shift=1",
                   "dense:dense=mean,shift=1", "weighted:dense=max,shift=1",
                   "weighted:dense=mean,shift=1"]
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """All scores of one row as (questions × paragraphs) matrices; NaN = not a candidate/no match."""

    name: str
    gold: np.ndarray
    tune: np.ndarray  # bool per question: gold paragraph in the tuning half
    dense: dict[str, np.ndarray]  # variant ("para", "sent") -> cosine
    bm25: np.ndarray
    coverage: np.ndarray
    bm25_variants: dict[tuple[float, float], np.ndarray] = field(default_factory=dict)


def dense_matrix(queries: np.ndarray, passages: np.ndarray, owner: np.ndarray, n_paragraphs: int) -> np.ndarray:
    """Cosine of every query to every paragraph via FAISS; a paragraph split into pieces scores its best."""
    index = faiss.IndexFlatIP(passages.shape[1])
    index.add(passages)
    scores, ids = index.search(queries, passages.shape[0])
    full = np.empty_like(scores)
    np.put_along_axis(full, ids, scores, axis=1)
    out = np.full((queries.shape[0], n_paragraphs), -np.inf, dtype=np.float32)
    for column in range(passages.shape[0]):
        np.maximum(out[:, owner[column]], full[:, column], out=out[:, owner[column]])
    return out


def lexical_matrices(index: LexicalIndex, corpus: list[list[str]], queries: list[list[str]],
                     k1: float | None = None, b: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """BM25 scores (0 -> NaN: no shared term) and LexicalIndex coverage for every query × paragraph.

    `k1`/`b` rebuild bm25s with other parameters (LexicalIndex uses bm25s defaults, k1=1.5, b=0.75).
    """
    bm25 = index.bm25
    if k1 is not None and b is not None:
        bm25 = bm25s.BM25(k1=k1, b=b)
        bm25.index(corpus, show_progress=False)
    vocab = {t: i for i, t in enumerate(index.idf)}
    incidence = np.zeros((len(corpus), len(vocab)), dtype=np.float32)
    for row, tokens in enumerate(corpus):
        incidence[row, [vocab[t] for t in set(tokens)]] = 1.0
    idf = np.array(list(index.idf.values()), dtype=np.float32)
    scores = np.full((len(queries), len(corpus)), np.nan, dtype=np.float32)
    coverage = np.zeros((len(queries), len(corpus)), dtype=np.float32)
    for q, tokens in enumerate(queries):
        unique = set(tokens)
        known = [t for t in tokens if t in vocab]
        if not unique or not known:
            continue
        result = bm25.get_scores(known)
        scores[q] = np.where(result > 0, result, np.nan)
        columns = sorted({vocab[t] for t in known})
        total = sum(index.idf.get(t, index.max_idf) for t in unique)  # unknown tokens weigh max, as in coverage()
        coverage[q] = incidence[:, columns] @ idf[columns] / total
    return scores, coverage


def tokens(text: str, language: str, vi_bigrams: bool = True) -> list[str]:
    """The project's `tokenize` (with Vietnamese syllable bigrams), or without the bigrams.

    Vietnamese words are mostly two syllables ("Việt Nam", "bao lâu"); on syllables alone BM25 cannot
    tell "nam" in "Việt Nam" from "nam" (south/male/year); bigrams restore the words.
    """
    words = tokenize(text, language)
    return words if vi_bigrams else [w for w in words if not is_bigram(w)]


def language_shift(cache: VectorCache, questions: list[Question], tune: np.ndarray, source: str,
                   target: str) -> np.ndarray:
    """mean(target-language question vectors) - mean(source-language ones), over the tuning half only.

    e5 vectors carry a language component: a Vietnamese question sits nearer Vietnamese text than its
    English twin does, which costs cross-language recall. Moving the query by the difference of the
    two languages' mean question vectors removes most of it (mean-centering per language). In the
    product the means would come from the knowledge base's own question phrasings per language.
    """
    chosen = [q for q, keep in zip(questions, tune, strict=True) if keep]
    source_mean = cache.get([q.texts[source] for q in chosen], "query", source).mean(axis=0)
    target_mean = cache.get([q.texts[target] for q in chosen], "query", target).mean(axis=0)
    return (target_mean - source_mean).astype(np.float32)


def build_rows(data: XQuAD, cache: VectorCache, row_names: list[str], limit: int | None,
               sentences: bool, bm25_grid: list[tuple[float, float]], vi_bigrams: bool = True) -> list[Row]:
    """Score matrices of every row; embeddings come from (and go to) the cache."""
    questions = data.questions
    if limit:  # the first `limit` questions of the tuning half and of the held-out half
        half = len(data.pids) // 2
        questions = [q for q in questions if q.paragraph < half][:limit // 2 + limit % 2]
        questions += [q for q in data.questions if q.paragraph >= half][:limit // 2]
    gold = np.array([q.paragraph for q in questions])
    tune = gold < len(data.pids) // 2
    rows: list[Row] = []
    for name in row_names:
        qlang, _, plang = name.partition("->")
        plang = plang or qlang
        texts = [c[plang] for c in data.contexts]
        qvec = cache.get([q.texts[qlang] for q in questions], "query", qlang, verbose=True)
        pvec = cache.get(texts, "passage", plang, verbose=True)
        shifted = qvec
        if plang != qlang:  # move queries from the X-question region to the English-question region
            shifted = qvec + language_shift(cache, questions, tune, qlang, plang)
        dense: dict[str, np.ndarray] = {}
        for suffix, queries in (("", qvec), ("_shift", shifted)):
            dense["para" + suffix] = dense_matrix(queries, pvec, np.arange(len(texts)), len(texts))
            if sentences:
                pieces = [(i, s) for i, t in enumerate(texts) for s in split_sentences(t, plang)]
                svec = cache.get([s for _, s in pieces], "passage", plang, verbose=True)
                dense["sent" + suffix] = dense_matrix(queries, svec, np.array([i for i, _ in pieces]), len(texts))
        docs = [Document(pid, plang, "answer", t) for pid, t in zip(data.pids, texts, strict=True)]
        index = LexicalIndex(docs)
        corpus = [tokens(t, plang, vi_bigrams) or ["\x00"] for t in texts]
        qtokens = [tokens(q.texts[qlang], qlang, vi_bigrams) for q in questions]
        if not vi_bigrams and plang == "vi":  # LexicalIndex tokenizes with `tokenize`: rebuild it on these tokens
            index = _reindexed(index, corpus)
        bm25, coverage = lexical_matrices(index, corpus, qtokens)
        row = Row(name, gold, tune, dense, bm25, coverage)
        for k1, b in bm25_grid:
            row.bm25_variants[(k1, b)] = lexical_matrices(index, corpus, qtokens, k1, b)[0]
        rows.append(row)
    return rows


def _reindexed(index: LexicalIndex, corpus: list[list[str]]) -> LexicalIndex:
    """The same LexicalIndex (BM25 + IDF for coverage) over other tokens of the same documents."""
    docs = [Document(entry, "xx", "answer", "\x00") for entry in index.doc_entries]
    other = LexicalIndex(docs)
    other.bm25 = bm25s.BM25()
    other.bm25.index(corpus, show_progress=False)
    n = len(corpus)
    df: dict[str, int] = {}
    for words in corpus:
        for word in set(words):
            df[word] = df.get(word, 0) + 1
    other.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
    other.entry_vocab = {entry: set(words) for entry, words in zip(index.doc_entries, corpus, strict=True)}
    return other


def candidates(dense: np.ndarray, bm25: np.ndarray, depth: int = CANDIDATES) -> np.ndarray:
    """Searcher's candidate set: top `depth` by dense ∪ top `depth` BM25 matches."""
    top_dense = fusion.ranks(dense, depth)
    top_bm25 = fusion.ranks(bm25, depth)
    return ~np.isnan(top_dense) | ~np.isnan(top_bm25)


def parse_spec(spec: str) -> tuple[str, dict[str, str]]:
    """'zconf:w=0.4,p=1,dense=sent' -> ('zconf', {'w': '0.4', 'p': '1', 'dense': 'sent'})."""
    name, _, rest = spec.partition(":")
    params = dict(part.split("=", 1) for part in rest.split(",") if part)
    return name, params


def dense_variant(row: Row, which: str, shift: bool = False) -> np.ndarray:
    """'para' (whole paragraph), 'sent' (best sentence) or 'max'/'mean' of the two; `shift`: language-shifted."""
    suffix = "_shift" if shift else ""
    if which + suffix in row.dense:
        return row.dense[which + suffix]
    para, sent = row.dense["para" + suffix], row.dense["sent" + suffix]
    return np.maximum(para, sent) if which == "max" else fusion.passage_cosine(para, sent)


def scores_for(row: Row, spec: str) -> np.ndarray:
    """Ranking scores (higher = better, -inf = not retrieved) of one method on one row."""
    name, p = parse_spec(spec)
    dense = dense_variant(row, p.get("dense", "para"), p.get("shift", "0") == "1")
    bm25 = row.bm25_variants.get((float(p.get("k1", 0)), float(p.get("b", 0))), row.bm25)
    if name == "bm25":
        return np.where(np.isnan(bm25), -np.inf, bm25)
    if name == "dense":
        return dense.copy()
    mask = candidates(dense, bm25)
    d = np.where(mask, dense, np.nan)
    lex = np.where(mask, bm25, np.nan)
    if name == "weighted":
        return fusion.weighted(d, np.where(mask, row.coverage, np.nan), float(p.get("w", 0.1)))
    if name == "rrf":
        return np.where(mask, fusion.rrf(d, lex, float(p.get("k", fusion.RRF_K))), -np.inf)
    if name in {"zscore", "minmax", "zconf", "mmconf"}:
        method = "minmax" if name.startswith("m") else "zscore"
        power = float(p.get("p", 1.0 if name.endswith("conf") else 0.0))
        return fusion.normalised_sum(d, lex, float(p.get("w", 0.3)), method, np.where(mask, row.coverage, np.nan),
                                     power)
    if name == "cosbm":
        return fusion.cosine_plus_bm25(d, lex, np.where(mask, row.coverage, np.nan), float(p.get("w", 0.1)),
                                       float(p.get("p", 1.0)))
    raise SystemExit(f"unknown method {spec!r}")


def metrics(scores: np.ndarray, dense: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    """hit@1 and MRR@10; ties are broken by dense cosine, as Searcher's stable sort does."""
    idx = np.arange(len(gold))
    target, target_dense = scores[idx, gold][:, None], dense[idx, gold][:, None]
    above = (scores > target) | ((scores == target) & (dense > target_dense))
    rank = np.where(np.isfinite(target[:, 0]), above.sum(axis=1), 10**6)
    return float((rank == 0).mean()), float(np.where(rank < 10, 1.0 / (rank + 1), 0.0).mean())


def evaluate(rows: list[Row], methods: list[str]) -> dict[str, dict[str, dict[str, list[float]]]]:
    """{row: {method: {"all"|"tune"|"held": [hit@1, MRR@10]}}}."""
    out: dict[str, dict[str, dict[str, list[float]]]] = {}
    for row in rows:
        out[row.name] = {}
        for method in methods:
            scores, dense = scores_for(row, method), row.dense["para"]
            parts = {"all": np.ones_like(row.tune), "tune": row.tune, "held": ~row.tune}
            out[row.name][method] = {
                part: list(metrics(scores[sel], dense[sel], row.gold[sel])) for part, sel in parts.items() if sel.any()
            }
    return out


def print_table(results: dict[str, dict[str, dict[str, list[float]]]], methods: list[str]) -> None:
    """One block per split; each cell is hit@1 / MRR@10. Long method specs get short labels and a legend."""
    labels = [m if len(m) <= 12 else f"h{i}" for i, m in enumerate(methods)]
    for label, method in zip(labels, methods, strict=True):
        if label != method:
            print(f"{label} = {method}")
    width = 14
    for part, title in (("all", "all questions"), ("tune", "tuning half"), ("held", "held-out half")):
        print(f"\n== {title}: hit@1 / MRR@10 ==")
        print(f"{'row':<8}" + "".join(f"{m:>{width}}" for m in labels))
        for name, by_method in results.items():
            cells = [by_method[m].get(part) for m in methods]
            print(f"{name:<8}" + "".join(f"{c[0]:>{width - 6}.3f}/{c[1]:.3f}" if c else f"{'-':>{width}}"
                                         for c in cells))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "xquad.jsonl.gz")
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    parser.add_argument("--languages", default=",".join(SAME), help="comma-separated question languages")
    parser.add_argument("--no-cross", action="store_true", help="skip the X->en rows")
    parser.add_argument("--rows", help="explicit rows instead of --languages, e.g. 'vi,zh,vi->en'")
    parser.add_argument("--limit", type=int, help="questions per language (half tuning, half held-out)")
    parser.add_argument("--fusion", default=";".join(DEFAULT_FUSIONS),
                        help="hybrid columns separated by ';', e.g. 'weighted;rrf:k=20;zconf:w=0.4,p=1,dense=max'")
    parser.add_argument("--sentences", action="store_true", help="also embed sentences (dense=sent|max|mean)")
    parser.add_argument("--no-vi-bigrams", action="store_true", help="BM25 on Vietnamese syllables only")
    parser.add_argument("--json", type=Path, help="write results here")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "xquad")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    languages = [lang.strip() for lang in args.languages.split(",") if lang.strip()]
    row_names = languages + ([] if args.no_cross else [f"{x}->en" for x in languages if x != "en"])
    if args.rows:
        row_names = [r.strip() for r in args.rows.split(",") if r.strip()]
    sep = ";" if ";" in args.fusion else ","
    fusions = [f for f in args.fusion.split(sep) if f]
    if sep == "," and any("=" in f for f in fusions):
        raise SystemExit("use ';' between fusions when they carry parameters")
    methods = ["bm25", "dense", *fusions]
    sentences = args.sentences or any("dense=" in f for f in fusions)
    data = load_xquad(args.data)
    cache = VectorCache(Embedder(EmbeddingConfig(args.model)), args.cache)
    rows = build_rows(data, cache, row_names, args.limit, sentences, [], not args.no_vi_bigrams)
    scored = time.perf_counter()
    results = evaluate(rows, methods)
    total = time.perf_counter() - began
    print_table(results, methods)
    print(f"\nquestions per row: {len(rows[0].gold)}; paragraphs: {len(data.pids)}; "
          f"embedded {cache.texts_embedded} texts in {cache.seconds_embedding:.1f}s; "
          f"scoring {total - (scored - began):.1f}s; total {total:.1f}s")
    if args.json:
        args.json.write_text(json.dumps({"model": cache.embedder.model_id, "methods": methods, "results": results,
                                         "seconds": round(total, 1)}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
