"""The peer's predictions scored by `knowledge.evaluation.metrics`, the code `askvn eval` uses for our system.

Same metric definitions and the same `{split: {lang: metrics, "all": metrics}}` shape as the `library`
section of `askvn eval --json`, so the README table can put both systems side by side without
re-deriving anything. `hit_at_1`/`mrr_at_10` come from the selector's ranking (whatever DIET routed);
`correct_answers_in_scope`, `answer_precision` and `declined_out_of_scope` from what the bot would say.
"""

from __future__ import annotations

from typing import Any

from knowledge.evaluation.devset import DevQuestion
from knowledge.evaluation.metrics import Outcome, by_split

__all__ = ["COLUMNS", "by_split", "outcomes", "table"]  # by_split re-exported for run.py

COLUMNS = (("hit_at_1", "hit@1"), ("mrr_at_10", "mrr@10"), ("correct_answers_in_scope", "correct"),
           ("answer_precision", "precision"), ("declined_out_of_scope", "declined"), ("latency_ms_p50", "p50 ms"),
           ("latency_ms_p95", "p95 ms"))


def outcomes(questions: list[DevQuestion], predictions: list[dict[str, Any]], threshold: float | None = None
             ) -> list[Outcome]:
    """One Outcome per question. Without a threshold the bot answers whenever DIET says `faq`
    (otherwise it replies with small talk); with one it declines below that selector confidence."""
    result = []
    for question, p in zip(questions, predictions, strict=True):
        entry = p["predicted_entry"]
        if entry is None:
            outcome = "smalltalk"
        elif threshold is not None and p["confidence"] < threshold:
            outcome, entry = "no_answer", None
        else:
            outcome = "answer"
        result.append(Outcome(question, outcome, entry, tuple(p.get("ranking") or ()), (), float(p["ms"])))
    return result


def table(section: dict[str, Any], title: str) -> str:
    """Per-language rows of one split, in `askvn eval`'s column names."""
    lines = [title, f"{'lang':<5}" + "".join(f"{short:>10}" for _, short in COLUMNS)]
    for lang, row in section.items():
        cells = ["-" if row.get(key) is None else f"{row[key]:.3f}" if key[:7] != "latency" else f"{row[key]:.1f}"
                 for key, _ in COLUMNS]
        lines.append(f"{lang:<5}" + "".join(f"{c:>10}" for c in cells))
    return "\n".join(lines)
