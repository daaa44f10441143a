"""Grid search of fusion rules on the XQuAD tuning half, reported on the held-out half too.

Run from the repo root (after `benchmarks.xquad_retrieval` has filled the embedding cache):
    .venv/bin/python -m benchmarks.xquad_tune --data ../shared/data/xquad.jsonl.gz

The objective is the mean hit@1 over all rows on the tuning half (articles 0-23). The held-out half
(articles 24-47) is only reported, never used to choose, so its numbers estimate how a chosen rule
generalises. Also printed per config: the worst margin of the hybrid over the better single method.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np

from benchmarks.xquad_data import VectorCache, load_xquad
from benchmarks.xquad_retrieval import ROOT, SAME, Row, build_rows, metrics, scores_for
from knowledge.embedding import DEFAULT_MODEL_DIR
from knowledge.embedding.embedder import Embedder, EmbeddingConfig

BM25_GRID = [(k1, b) for k1 in (0.9, 1.2, 1.5, 2.0) for b in (0.5, 0.75, 0.9)]


def grid(dense_variants: list[str]) -> list[str]:
    """Every config tried, as `scores_for` specs (`shift=1`: language-shifted queries on X->en rows)."""
    specs: list[str] = [f"bm25:k1={k1},b={b}" for k1, b in BM25_GRID]
    for d, shift in itertools.product(dense_variants, ("0", "1")):
        v = f"dense={d},shift={shift}"
        specs.append(f"dense:{v}")
        specs += [f"weighted:w={w},{v}" for w in (0.05, 0.1, 0.2, 0.3, 0.5)]
        specs += [f"rrf:k={k},{v}" for k in (1, 5, 20, 60)]
        specs += [f"zscore:w={w},{v}" for w in (0.1, 0.2, 0.3, 0.4)]
        for w, p in itertools.product((0.4, 0.5, 0.6, 0.7), (0.5, 1, 2)):
            specs.append(f"zconf:w={w},p={p},{v}")
        for w, p in itertools.product((0.1, 0.15, 0.2, 0.3), (0, 1, 2)):
            specs.append(f"cosbm:w={w},p={p},{v}")
    return specs


def score(rows: list[Row], spec: str) -> dict[str, np.ndarray]:
    """{'tune'|'held': array rows × (hit@1, MRR@10)}."""
    out: dict[str, list[tuple[float, float]]] = {"tune": [], "held": []}
    for row in rows:
        scores, dense = scores_for(row, spec), row.dense["para"]
        for part, sel in (("tune", row.tune), ("held", ~row.tune)):
            out[part].append(metrics(scores[sel], dense[sel], row.gold[sel]))
    return {part: np.array(values) for part, values in out.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "xquad.jsonl.gz")
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    parser.add_argument("--languages", default=",".join(SAME))
    parser.add_argument("--sentences", action="store_true", help="also try sentence-level dense variants")
    parser.add_argument("--no-vi-bigrams", action="store_true", help="BM25 on Vietnamese syllables only")
    parser.add_argument("--top", type=int, default=5, help="configs shown per family")
    parser.add_argument("--extra", default="", help="';'-separated extra specs to evaluate")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    languages = args.languages.split(",")
    names = languages + [f"{x}->en" for x in languages if x != "en"]
    cache = VectorCache(Embedder(EmbeddingConfig(args.model)), ROOT / ".cache" / "xquad")
    rows = build_rows(load_xquad(args.data), cache, names, None, args.sentences, BM25_GRID, not args.no_vi_bigrams)
    variants = ["para", "sent", "max", "mean"] if args.sentences else ["para"]
    specs = grid(variants) + [s for s in args.extra.split(";") if s]
    results = {spec: score(rows, spec) for spec in specs}
    best_single = np.maximum(score(rows, "bm25")["tune"], results["dense:dense=para,shift=0"]["tune"])
    same = np.array(["->" not in n for n in names])
    print(f"rows: {' '.join(names)}  ({time.perf_counter() - began:.0f}s)")
    families: dict[str, list[str]] = {}
    for spec in specs:
        families.setdefault(spec.split(":")[0], []).append(spec)
    for family, members in families.items():
        ranked = sorted(members, key=lambda s: -results[s]["tune"][:, 0].mean())
        print(f"\n-- {family}: mean hit@1 tune / held [same-language tune / held; X->en tune / held]; "
              "worst margin over max(bm25, dense) on tune; per-row held hit@1")
        for spec in ranked[: args.top]:
            tune, held = results[spec]["tune"], results[spec]["held"]
            margin = (tune[:, 0] - best_single[:, 0]).min()
            per_row = " ".join(f"{n}={h:.3f}" for n, h in zip(names, held[:, 0], strict=True))
            split = (f"[{tune[same, 0].mean():.3f} / {held[same, 0].mean():.3f}; "
                     f"{tune[~same, 0].mean():.3f} / {held[~same, 0].mean():.3f}]") if (~same).any() else ""
            print(f"{spec:<42} {tune[:, 0].mean():.3f} / {held[:, 0].mean():.3f} {split} margin {margin:+.3f}  "
                  f"{per_row}")


if __name__ == "__main__":
    main()
