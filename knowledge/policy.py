"""The answer policy's thresholds, in a module with no heavy imports (settings load it in every process).

Scores are the fused retrieval score of knowledge/search.py; the defaults are calibrated on the dev
split of tests/eval/devset.yaml (`askvn eval --calibrate`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    answer_threshold: float = 0.89
    clarify_threshold: float = 0.88
    clarify_margin: float = 0.03
    # Answer first: a top entry this good, leading the runner-up by at least likely_margin, is answered
    # with the close alternatives as buttons instead of asking "which one do you mean?".
    likely_threshold: float = 0.88
    likely_margin: float = 0.02
    out_of_scope_threshold: float = 0.80  # below this, with no Vietnamese place named: not about Vietnam
    max_chars: int = 1000
    # Out of scope when an off-topic example (scope/off_topic.yaml) is this much nearer (cosine) than the
    # best entry; None turns the check off.
    off_topic_margin: float | None = 0.02


# Cosine similarity above which two entries' question phrasings count as the same question (a warning
# in `askvn kb validate`; measured on the knowledge base, see knowledge/near_duplicates.py).
NEAR_DUPLICATE_THRESHOLD = 0.99
