"""Scoring one evaluation run: per language and overall, the figures the README table shows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import median
from typing import Any

from knowledge.evaluation.devset import DevQuestion


@dataclass(frozen=True)
class Outcome:
    """What the system did with one dev question."""

    question: DevQuestion
    outcome: str              # answer | clarify | no_answer | out_of_scope | smalltalk
    entry_id: str | None      # the entry answered with (outcome answer)
    ranking: tuple[str, ...]  # entry ids best first (empty when only the outcome is known)
    suggestions: tuple[str, ...]  # the buttons shown with the reply
    ms: float
    alternatives: tuple[str, ...] = ()  # an answer offered as likely: its runners-up


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    """Per-language and overall metrics."""
    by_lang: dict[str, list[Outcome]] = defaultdict(list)
    for item in outcomes:
        by_lang[item.question.lang].append(item)
    report = {lang: _metrics(items) for lang, items in sorted(by_lang.items())}
    report["all"] = _metrics(outcomes)
    return report


def by_split(outcomes: list[Outcome]) -> dict[str, Any]:
    """summarise() for each split of the dev set (dev, heldout) and for all questions."""
    splits = sorted({o.question.split for o in outcomes})
    result = {split: summarise([o for o in outcomes if o.question.split == split]) for split in splits}
    result["all"] = summarise(outcomes)
    return result


def _metrics(items: list[Outcome]) -> dict[str, Any]:
    inscope = [o for o in items if o.question.should_answer]
    decline = [o for o in items if not o.question.should_answer]
    answered = [o for o in items if o.outcome == "answer"]
    confident = [o for o in answered if not o.alternatives]
    right = [o for o in answered if o.entry_id in o.question.acceptable]
    # Within one click: the answer is right, or the right entry is one of the buttons shown with it.
    resolved = [o for o in inscope if (o.outcome == "answer" and o.entry_id in o.question.acceptable)
                or (o.outcome in ("answer", "clarify") and o.question.acceptable & set(o.suggestions))]
    ranked = [o for o in inscope if o.ranking]
    ms = sorted(o.ms for o in items)
    return {
        "questions": len(items),
        "in_scope": len(inscope),
        "should_decline": len(decline),
        "hit_at_1": _ratio(sum(1 for o in ranked if o.ranking[0] in o.question.acceptable), len(ranked)),
        "mrr_at_10": _ratio(sum(_rr(o) for o in ranked), len(ranked)),
        "answer_rate": _ratio(len(answered), len(items)),
        "clarify_rate": _ratio(sum(1 for o in items if o.outcome == "clarify"), len(items)),
        "abstain_rate": _ratio(sum(1 for o in items if o.outcome in ("no_answer", "out_of_scope")), len(items)),
        "answer_precision": _ratio(len(right), len(answered)),
        "confident_answer_precision": _ratio(sum(1 for o in confident if o.entry_id in o.question.acceptable),
                                             len(confident)),
        "likely_rate": _ratio(len(answered) - len(confident), len(items)),
        "smalltalk_misroutes": sum(1 for o in inscope if o.outcome == "smalltalk"),
        # "first reply correct": the first reply is the right answer
        "correct_answers_in_scope": _ratio(sum(1 for o in right if o.question.should_answer), len(inscope)),
        "resolved_in_scope": _ratio(len(resolved), len(inscope)),
        "declined_out_of_scope": _ratio(sum(1 for o in decline if o.outcome != "answer"), len(decline)),
        "latency_ms_p50": round(median(ms), 1) if ms else None,
        "latency_ms_p95": round(ms[int(0.95 * (len(ms) - 1))], 1) if ms else None,
    }


def _rr(item: Outcome) -> float:
    for rank, entry_id in enumerate(item.ranking[:10], start=1):
        if entry_id in item.question.acceptable:
            return 1.0 / rank
    return 0.0


def _ratio(num: float, den: int) -> float | None:
    return round(num / den, 4) if den else None
