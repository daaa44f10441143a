"""`askvn eval`: the dev set through retrieval (library) and, with --rest, through the full conversation.

Exits non-zero when a figure falls below its floor in tests/eval/thresholds.yaml, so CI guards
against regressions in answer quality.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import yaml

from bot.settings import PROJECT_ROOT, Settings
from knowledge.evaluation.devset import DevQuestion, load_devset
from knowledge.evaluation.metrics import Outcome, by_split, summarise

__all__ = ["DEVSET", "check_thresholds", "evaluate", "run_rest", "summarise", "table"]
from knowledge.evaluation.runner import CachingSearcher, calibrate, run_library
from knowledge.policy import SCORE_WEIGHTS
from knowledge.service import KnowledgeService

DEVSET = PROJECT_ROOT / "tests" / "eval" / "devset.yaml"
THRESHOLDS = PROJECT_ROOT / "tests" / "eval" / "thresholds.yaml"


def evaluate(settings: Settings, *, devset: Path = DEVSET, rest_url: str | None = None,
             do_calibrate: bool = False) -> dict[str, Any]:
    questions = load_devset(devset)
    service = KnowledgeService(settings.index_dir, settings.embedding())
    searcher = CachingSearcher(service.searcher())
    policy = settings.policy()
    report: dict[str, Any] = {
        "devset": str(devset), "build": searcher.inner.build_id,
        "policy": {"answer_threshold": policy.answer_threshold, "clarify_threshold": policy.clarify_threshold,
                   "clarify_margin": policy.clarify_margin, "likely_threshold": policy.likely_threshold,
                   "likely_margin": policy.likely_margin, "score_weights": SCORE_WEIGHTS.as_record()},
        "library": by_split(run_library(questions, searcher, policy)),
    }
    if do_calibrate:
        dev = [q for q in questions if q.split == "dev"]
        tuned, summary = calibrate(dev, searcher, policy)
        report["calibrated_on_dev"] = {"answer_threshold": tuned.answer_threshold,
                                       "clarify_threshold": tuned.clarify_threshold,
                                       "clarify_margin": tuned.clarify_margin,
                                       "likely_threshold": tuned.likely_threshold,
                                       "likely_margin": tuned.likely_margin, "dev_summary": summary}
    if rest_url:
        report["conversation"] = by_split(run_rest(questions, rest_url))
    report["failures"] = check_thresholds(report)
    return report


def run_rest(questions: list[DevQuestion], rest_url: str) -> list[Outcome]:
    """Each question in a fresh conversation (its context turns first), through Rasa's REST channel."""
    outcomes = []
    with httpx.Client(base_url=rest_url, timeout=60) as client:
        for q in questions:
            sender = f"eval-{uuid.uuid4().hex[:12]}"
            for turn in q.context:
                client.post("/webhooks/rest/webhook", json={"sender": sender, "message": turn}).raise_for_status()
            started = time.perf_counter()
            response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": q.q})
            ms = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            found = [m["custom"]["askvn"] for m in response.json() if isinstance(m.get("custom"), dict)]
            info = found[0] if found else {"outcome": "none", "entry_id": None, "suggestions": []}
            suggestions = tuple(s["entry_id"] for s in info.get("suggestions") or [])
            ranking = tuple(e for e in (info.get("entry_id"), *suggestions) if e)
            alternatives = tuple(s["entry_id"] for s in info.get("alternatives") or [])
            outcomes.append(Outcome(q, info["outcome"], info.get("entry_id"), ranking, suggestions, ms, alternatives))
    return outcomes


def check_thresholds(report: dict[str, Any], path: Path = THRESHOLDS) -> list[str]:
    """Every floor in thresholds.yaml that the report misses, as readable lines.

    Fails closed: a missing or empty floors file, or a floor whose metric the report lacks, is a failure.
    Only a whole section this run did not measure (the conversation figures without --rest) is skipped.
    """
    if not path.exists():
        return [f"{path}: the floors file is missing, so answer quality cannot be checked"]
    floors = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(floors, dict) or not floors:
        return [f"{path}: no floors defined"]
    failures = []
    for section, splits in floors.items():
        if section not in report:
            continue
        for split, metrics in (splits or {}).items():
            for metric, floor in (metrics or {}).items():
                value = report[section].get(split, {}).get("all", {}).get(metric)
                if not isinstance(value, (int, float)):
                    failures.append(f"{section}/{split}: {metric} is missing from the report (floor {floor})")
                elif value < floor:
                    failures.append(f"{section}/{split}: {metric} = {value:.3f} < {floor}")
    return failures


def table(report: dict[str, Any], section: str = "library", split: str = "all") -> str:
    data = report[section][split]
    cols = ("questions", "hit_at_1", "mrr_at_10", "correct_answers_in_scope", "resolved_in_scope",
            "answer_precision", "declined_out_of_scope", "answer_rate", "likely_rate", "clarify_rate",
            "abstain_rate", "smalltalk_misroutes", "latency_ms_p50")
    short = ("n", "hit@1", "mrr@10", "1st right", "1 click", "precision", "declined", "answer", "w/ alts",
             "clarify", "abstain", "smalltalk", "p50 ms")
    lines = [f"{section} / {split}", f"{'lang':<5}" + "".join(f"{c:>10}" for c in short)]
    for lang, row in data.items():
        lines.append(f"{lang:<5}" + "".join(f"{_cell(row.get(c)):>10}" for c in cols))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value <= 1:
        return f"{value:.3f}"
    return str(value)
