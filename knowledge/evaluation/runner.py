"""Run the dev set through the library (retrieval + answer policy) and calibrate the policy.

Search results are cached per query, so trying thousands of threshold combinations replays only the
policy, which is pure and fast.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Set as AbstractSet
from dataclasses import replace
from typing import Any

import numpy as np

from knowledge.analysis import Message
from knowledge.answering import answer_in_context
from knowledge.evaluation.devset import DevQuestion
from knowledge.evaluation.metrics import Outcome, summarise
from knowledge.followups import contextual_query
from knowledge.language_detect import detect_language
from knowledge.policy import Policy
from knowledge.search import Hit, Searcher


class CachingSearcher:
    """A Searcher whose analyses and results are memoised, for replaying the policy with other thresholds."""

    def __init__(self, searcher: Searcher):
        self.inner = searcher
        self.loaded = searcher.loaded
        self.gazetteer = searcher.gazetteer
        self._messages: dict[tuple[str, str], Message] = {}
        self._cache: dict[tuple[Any, ...], list[Hit]] = {}
        self.ms: dict[str, float] = {}

    def analyse(self, text: str, language: str = "en") -> Message:
        key = (text, language)
        if key not in self._messages:
            self._messages[key] = self.inner.analyse(text, language)
        return self._messages[key]

    def search(self, query: str | Message, k: int = 5, *, language: str = "en",
               places: AbstractSet[str] | None = None, audience: str | None = None) -> list[Hit]:
        message = query if isinstance(query, Message) else self.analyse(query, language)
        key = (message.text, message.language, k, frozenset(places or ()), audience)
        if key not in self._cache:
            started = time.perf_counter()
            self._cache[key] = self.inner.search(message, k, places=places, audience=audience)
            self.ms[message.text] = self.ms.get(message.text, 0.0) + (time.perf_counter() - started) * 1000
        return self._cache[key]


def detect_languages(questions: list[DevQuestion]) -> list[str]:
    """The answer language the assistant would pick for each question (previous turn as context)."""
    found = []
    for q in questions:
        previous = q.context[-1] if q.context else None
        found.append(detect_language(q.q, previous=detect_language(previous) if previous else None))
    return found


def run_library(questions: list[DevQuestion], searcher: CachingSearcher, policy: Policy,
                languages: list[str] | None = None) -> list[Outcome]:
    languages = languages or detect_languages(questions)
    outcomes = []
    for q, language in zip(questions, languages, strict=True):
        previous = q.context[-1] if q.context else None
        started = time.perf_counter()
        reply = answer_in_context(q.q, language, searcher, policy, previous=previous)  # type: ignore[arg-type]
        ms = (time.perf_counter() - started) * 1000
        query = (contextual_query(q.q, previous) if reply.followup_of else None) or q.q
        ranking = tuple(h.entry.id for h in searcher.search(query, 10, language=language))
        outcomes.append(Outcome(q, reply.outcome, reply.entry_id, ranking,
                                tuple(s.entry_id for s in reply.suggestions), ms,
                                tuple(s.entry_id for s in reply.alternatives)))
    return outcomes


def calibrate(questions: list[DevQuestion], searcher: CachingSearcher, base: Policy, *,
              min_precision: float = 0.95, min_declined: float = 0.9) -> tuple[Policy, dict[str, Any]]:
    """The thresholds that resolve the most in-scope questions while keeping answer precision and
    out-of-scope declines above the floors (ties: more correct outright answers)."""
    best: tuple[tuple[float, float], Policy, dict[str, Any]] | None = None
    languages = detect_languages(questions)
    grid = itertools.product(np.arange(0.84, 0.96, 0.005), np.arange(0.80, 0.92, 0.005), (0.0, 0.015, 0.03, 0.05))
    for answer_t, clarify_t, margin in grid:
        if clarify_t > answer_t:
            continue
        policy = replace(base, answer_threshold=round(float(answer_t), 3),
                         clarify_threshold=round(float(clarify_t), 3), clarify_margin=margin)
        summary = summarise(run_library(questions, searcher, policy, languages))["all"]
        if (summary["answer_precision"] or 0) < min_precision or (summary["declined_out_of_scope"] or 0) < min_declined:
            continue
        score = (summary["resolved_in_scope"] or 0.0, summary["correct_answers_in_scope"] or 0.0)
        if best is None or score > best[0]:
            best = (score, policy, summary)
    if best is None:
        return base, summarise(run_library(questions, searcher, base, languages))["all"]
    return calibrate_likely(questions, searcher, best[1], best[2], languages, min_precision=min_precision,
                            min_declined=min_declined)


def calibrate_likely(questions: list[DevQuestion], searcher: CachingSearcher, base: Policy,
                     base_summary: dict[str, Any], languages: list[str], *, min_precision: float,
                     min_declined: float) -> tuple[Policy, dict[str, Any]]:
    """Answer first: the likely tier (answer with alternatives) that makes the first reply right most
    often, keeping precision and declines above the floors and resolving as many within one click."""
    best = (base_summary["correct_answers_in_scope"] or 0.0, base, base_summary)
    floor_resolved = (base_summary["resolved_in_scope"] or 0.0) - 0.005
    grid = itertools.product(np.arange(base.clarify_threshold, base.answer_threshold + 0.001, 0.005),
                             (0.01, 0.015, 0.02, 0.025, 0.03))
    for likely_t, margin in grid:
        policy = replace(base, likely_threshold=round(float(likely_t), 3), likely_margin=margin)
        summary = summarise(run_library(questions, searcher, policy, languages))["all"]
        if ((summary["answer_precision"] or 0) < min_precision or (summary["declined_out_of_scope"] or 0) < min_declined
                or (summary["resolved_in_scope"] or 0) < floor_resolved):
            continue
        if (summary["correct_answers_in_scope"] or 0.0) > best[0]:
            best = (summary["correct_answers_in_scope"] or 0.0, policy, summary)
    return best[1], best[2]
