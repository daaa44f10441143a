"""The knowledge library alone, in one process (no Rasa, no HTTP): what a question costs the action server,
what an index build costs staff, and how search scales. Prints figures and writes them as JSON; asserts
nothing (speed targets live here, never in tests).

    .venv/bin/python -m benchmarks.retrieval --json benchmarks/results/retrieval.json

- answer: the whole reply path per question (analysis, embedding, search, policy) over every dev-set
  question (765, ten languages), after one warm-up pass; p50/p95/p99 in ms.
- search: retrieval alone (embedding + FAISS + BM25 + fusion) for the same questions.
- build: a full build into an empty store (every document embedded), then a rebuild after one entry
  changed (only its documents embedded; the rest reused by content hash).
- scale: FAISS flat inner-product search, top 128, over 100,000 random unit vectors (one per synthetic
  entry) plus the real ones, p95 in ms.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from bot.settings import get_settings
from knowledge.answering import answer_in_context
from knowledge.embedding.embedder import Embedder
from knowledge.evaluation import DEVSET_PATH
from knowledge.evaluation.devset import load_devset
from knowledge.index.builder import build_and_publish
from knowledge.index.store import IndexStore
from knowledge.language_detect import detect_language
from knowledge.loader import load_valid_knowledge
from knowledge.service import KnowledgeService


def percentiles(samples_s: list[float]) -> dict[str, float]:
    ms = np.array(samples_s) * 1000
    return {"n": len(ms), "p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p95_ms": round(float(np.percentile(ms, 95)), 2), "p99_ms": round(float(np.percentile(ms, 99)), 2)}


def per_question() -> dict[str, dict[str, float]]:
    settings = get_settings()
    service = KnowledgeService(settings.index_dir, settings.embedding())
    searcher, policy = service.searcher(), settings.policy()
    questions = [(q.q, detect_language(q.q)) for q in load_devset(DEVSET_PATH)]
    for text, language in questions:  # warm-up: lazy loads, allocator, caches of the language detector
        answer_in_context(text, language, searcher, policy)
    answer, search = [], []
    for text, language in questions:  # each call analyses (and embeds) its message afresh
        started = time.perf_counter()
        searcher.search(text, 10, language=language)
        search.append(time.perf_counter() - started)
        started = time.perf_counter()
        answer_in_context(text, language, searcher, policy)
        answer.append(time.perf_counter() - started)
    return {"answer": percentiles(answer), "search": percentiles(search),
            "backend": {"embedding": service.embedder.backend}}  # type: ignore[dict-item]


def builds() -> dict[str, float | int]:
    settings = get_settings()
    embedder = Embedder(settings.embedding())
    work = Path(tempfile.mkdtemp(prefix="askvn-bench-build-"))
    try:
        kb = work / "entries"
        shutil.copytree(settings.knowledge_dir, kb)
        store = IndexStore(work / "index")
        started = time.perf_counter()
        full = build_and_publish(load_valid_knowledge(kb), embedder, store)
        full_s = time.perf_counter() - started
        changed = next(kb.rglob("*.yaml"))
        changed.write_text(changed.read_text(encoding="utf-8").replace(
            "questions:\n", "questions:\n    - benchmark rephrasing of this entry's question\n", 1), encoding="utf-8")
        started = time.perf_counter()
        one = build_and_publish(load_valid_knowledge(kb), embedder, store)
        one_s = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"full_s": round(full_s, 1), "full_embedded": full.embedded, "one_entry_s": round(one_s, 1),
            "one_entry_embedded": one.embedded}


def scale(entries: int = 100_000, dimension: int = 384, queries: int = 500) -> dict[str, float]:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((entries, dimension), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = faiss.IndexFlatIP(dimension)
    index.add(vectors)
    probes = vectors[rng.integers(0, entries, queries)] + 0.05 * rng.standard_normal((queries, dimension),
                                                                                      dtype=np.float32)
    times = []
    for probe in probes:
        started = time.perf_counter()
        index.search(probe[None, :], 128)
        times.append(time.perf_counter() - started)
    return {"entries": entries, **percentiles(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--parts", nargs="+", choices=list(PARTS), default=list(PARTS),
                        help="measure only these; the other parts of an existing --json file are kept")
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    measured_at = datetime.now(UTC).isoformat(timespec="minutes")
    result = {part: {**PARTS[part](), "measured_at": measured_at} for part in args.parts}
    print(json.dumps(result, indent=2))
    if args.json:
        kept = json.loads(args.json.read_text()) if args.json.is_file() else {}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**kept, **result}, indent=2) + "\n")


PARTS = {"per_question": per_question, "build": builds, "scale_100k": scale}


if __name__ == "__main__":
    main()
