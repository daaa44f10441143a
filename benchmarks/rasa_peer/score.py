"""Score the peer's predictions against the evaluation set.

Metrics match what we report for our own system: hit@1 on in-scope questions (the prediction is the
expected entry or one of its accepted alternatives), and on questions the knowledge base cannot answer
(`out_of_scope`, `not_covered`) the share that got an answer anyway, which for a Rasa FAQ bot is nearly
all of them. Because the ResponseSelector has no abstention threshold, `abstention` simulates one on its
confidence: the threshold is chosen on the `dev` split and then reported on `heldout`, as a fair
best case for Rasa.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from knowledge.evaluation.devset import DevQuestion as Question

Prediction = dict[str, Any]
# Fine steps at the low end: spread over 264 labels, the selector's confidences are mostly below 0.2.
THRESHOLDS = tuple(round(0.01 * i, 2) for i in range(20)) + tuple(round(0.05 * i, 2) for i in range(4, 20))


def load_predictions(path: Path) -> dict[str, Prediction]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {row["id"]: row for row in rows}


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: it is a latency, report an observed value)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def latency(values: list[float]) -> dict[str, float]:
    if not values:
        return {"mean": math.nan, "p50": math.nan, "p95": math.nan}
    return {"mean": round(sum(values) / len(values), 2), "p50": round(percentile(values, 50), 2),
            "p95": round(percentile(values, 95), 2)}


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def group_metrics(pairs: list[tuple[Question, Prediction]], answer: Callable[[Prediction], str | None]
                  ) -> dict[str, Any]:
    """hit@1 on in-scope, answered rate on the rest, latency; `answer` picks the entry the bot would give."""
    inside = [(q, p) for q, p in pairs if q.should_answer]
    outside = [(q, p) for q, p in pairs if not q.should_answer]
    hits = sum(answer(p) in q.acceptable for q, p in inside)
    answered = sum(answer(p) is not None for _, p in outside)
    return {"n": len(pairs), "in_scope": len(inside), "hit1": _rate(hits, len(inside)),
            "out_of_scope": len(outside), "answered_wrongly": _rate(answered, len(outside)),
            "latency_ms": latency([float(p["ms"]) for _, p in pairs])}


def _groups(pairs: list[tuple[Question, Prediction]]) -> dict[str, list[tuple[Question, Prediction]]]:
    keys: dict[str, Callable[[Question], str | None]] = {
        "lang": lambda q: q.lang, "split": lambda q: q.split, "kind": lambda q: q.kind, "style": lambda q: q.style}
    groups: dict[str, list[tuple[Question, Prediction]]] = {"all": pairs}
    for name, key in keys.items():
        for q, p in pairs:
            value = key(q)
            if value:
                groups.setdefault(f"{name}:{value}", []).append((q, p))
    return groups


def summarize(pairs: list[tuple[Question, Prediction]], answer: Callable[[Prediction], str | None]
              ) -> dict[str, Any]:
    return {name: group_metrics(group, answer) for name, group in _groups(pairs).items()}


def at_threshold(threshold: float, field: str = "predicted_entry") -> Callable[[Prediction], str | None]:
    """The answer a bot would give if it abstained below `threshold` selector confidence."""
    return lambda p: p[field] if p[field] is not None and p["confidence"] >= threshold else None


def decision_accuracy(pairs: Iterable[tuple[Question, Prediction]], answer: Callable[[Prediction], str | None]
                      ) -> float:
    """Share of questions handled right: the right entry when in scope, no answer when not."""
    items = list(pairs)
    right = sum(answer(p) in q.acceptable if q.should_answer else answer(p) is None for q, p in items)
    return right / len(items) if items else math.nan


def abstention(pairs: list[tuple[Question, Prediction]], tune_split: str = "dev", test_split: str = "heldout"
               ) -> dict[str, Any]:
    """Sweep a confidence threshold; pick it on `tune_split` by decision accuracy, report it on `test_split`."""
    tune = [(q, p) for q, p in pairs if q.split == tune_split] or pairs
    test = [(q, p) for q, p in pairs if q.split == test_split]
    sweep = []
    for t in THRESHOLDS:
        answer = at_threshold(t)
        m = group_metrics(tune, answer)
        sweep.append({"threshold": t, "hit1": m["hit1"], "answered_wrongly": m["answered_wrongly"],
                      "decision_accuracy": round(decision_accuracy(tune, answer), 4)})
    best = max(sweep, key=lambda row: (row["decision_accuracy"], -row["threshold"]))
    chosen = at_threshold(best["threshold"])
    result: dict[str, Any] = {"tuned_on": tune_split, "sweep": sweep, "threshold": best["threshold"],
                              "tuned": group_metrics(tune, chosen)}
    if test:
        result["test"] = {"split": test_split, **group_metrics(test, chosen),
                          "decision_accuracy": round(decision_accuracy(test, chosen), 4)}
    return result


def score(questions: list[Question], predictions: dict[str, Prediction]) -> dict[str, Any]:
    """Everything `run.py` reports: deployed behaviour, the selector alone, and simulated abstention."""
    missing = [q.id for q in questions if q.id not in predictions]
    if missing:
        raise ValueError(f"{len(missing)} questions have no prediction, e.g. {missing[:3]}")
    pairs = [(q, predictions[q.id]) for q in questions]
    return {
        "deployed": summarize(pairs, lambda p: p["predicted_entry"]),
        "selector_only": summarize(pairs, lambda p: p["selector_entry"]),
        "decision_accuracy": round(decision_accuracy(pairs, lambda p: p["predicted_entry"]), 4),
        "abstention": abstention(pairs),
    }
