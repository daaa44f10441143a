"""`askvn eval`: the dev set through retrieval (library) and, with --rest, through the full conversation.

Exits non-zero when a figure falls below its floor (knowledge/evaluation/floors.yaml), so CI guards
against regressions in answer quality. The data, runner, metrics and floors are knowledge/evaluation;
this module adds the REST runner, the command's report and its table.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bot.settings import Settings
from knowledge.errors import DevsetInvalid
from knowledge.evaluation import DEVSET_PATH
from knowledge.evaluation.devset import DevQuestion, devset_problems, load_devset
from knowledge.evaluation.floors import missed_floors
from knowledge.evaluation.metrics import Outcome, by_split
from knowledge.evaluation.runner import CachingSearcher, calibrate, run_library
from knowledge.policy import SCORE_WEIGHTS
from knowledge.service import KnowledgeService


def evaluate(settings: Settings, *, devset: Path = DEVSET_PATH, rest_url: str | None = None,
             do_calibrate: bool = False) -> dict[str, Any]:
    service = KnowledgeService(settings.index_dir, settings.embedding())
    searcher = CachingSearcher(service.searcher())
    problems = devset_problems(devset, searcher.loaded.entries.keys())
    if problems:
        raise DevsetInvalid(problems)
    questions = load_devset(devset)
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
    report["failures"] = missed_floors(report)
    return report


def run_rest(questions: list[DevQuestion], rest_url: str, *, concurrent: int = 1) -> list[Outcome]:
    """Each question in a fresh conversation (its context turns first), through Rasa's REST channel.
    `concurrent` conversations at a time (1 keeps the latency figures those of one visitor)."""
    with httpx.Client(base_url=rest_url, timeout=60) as client, ThreadPoolExecutor(concurrent) as pool:
        return list(pool.map(lambda q: _ask_rest(client, q), questions))


def _ask_rest(client: httpx.Client, q: DevQuestion) -> Outcome:
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
    return Outcome(q, info["outcome"], info.get("entry_id"), ranking, suggestions, ms, alternatives)


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
