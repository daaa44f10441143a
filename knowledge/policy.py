"""The answer policy in one place: how a candidate entry is scored, the thresholds on that score, and the
ordered rules that turn a message and its candidates into a verdict.

The thresholds only mean something for the weights they were calibrated with, so both live here: change
a weight and you must re-run `askvn eval --calibrate` (tests/library/test_policy.py fails until the
calibrated-with record below is updated). Each index build records the weights in its manifest and a
server refuses a build scored with other weights (knowledge/service.py).

This module has no heavy imports: settings load it in every process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from knowledge.analysis import Message


@dataclass(frozen=True)
class ScoreWeights:
    """How knowledge/search.py fuses the evidence for one entry into its score:

        score = dense + lexical × lexical coverage
                + place_boost when the entry is about a place the user named
                + audience_boost / (its number of audiences) when it is written for the user's audience
        dense = (1 - answer) × cosine of the entry's best question phrasing + answer × cosine of its answer
    """

    lexical: float = 0.1
    # Questions are matched mostly against the phrasings staff wrote; the answer text confirms the topic.
    # Measured on the dev split (askvn eval): hit@1 .844 with the best document alone, .866 with 0.3.
    answer: float = 0.3
    place_boost: float = 0.03  # an entry about the place the user names beats a general one on the same topic
    # An investor asking "which visa?" gets the investor visa before the tourist e-visa. Split over the
    # entry's audiences: an entry written only for investors gains the most, one written for all the least.
    audience_boost: float = 0.03

    def as_record(self) -> dict[str, float]:
        """The form stored in an index manifest and compared at load."""
        return asdict(self)


SCORE_WEIGHTS = ScoreWeights()
# The weights the default thresholds of Policy were calibrated with (on the dev split of the dev set).
THRESHOLDS_CALIBRATED_WITH = ScoreWeights(lexical=0.1, answer=0.3, place_boost=0.03, audience_boost=0.03)


@dataclass(frozen=True)
class Policy:
    """Thresholds on the fused score (deployments may override them through settings)."""

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


# What the policy decides; "likely" is sent as outcome "answer" with `alternatives`.
Decision = Literal["answer", "likely", "clarify", "no_answer"]
Verdict = Literal["answer", "likely", "clarify", "no_answer", "out_of_scope"]
SENTENCE_TOKENS = 3  # a message with this many tokens is a real sentence, not a keyword or a typo


class Scored(Protocol):
    """What the rules read of a candidate (knowledge.search.Hit)."""

    @property
    def score(self) -> float: ...

    @property
    def dense(self) -> float: ...


def judge(message: Message, hits: Sequence[Scored], policy: Policy) -> Verdict:
    """The ordered rules; the first that applies decides.

    1. It names a place outside Vietnam and none inside ("visa for Thailand?"): out of scope.
    2. It is made of known words, names no place in Vietnam, and an off-topic example (a recipe, code,
       football scores) is nearer than any entry: out of scope.
    3. The scores decide (see `decide`), except that a message with no word the knowledge base knows and
       no place is never answered: dense similarity alone is unreliable for it ("asdf qwerty" scores
       like a real question), so it gets the honest no-answer with topics (it may be a typo).
    4. Nothing matched well, and it is a real sentence naming no place in Vietnam: out of scope.
    5. Otherwise: no answer (with the closest topics).
    """
    if message.about_elsewhere:
        return "out_of_scope"
    if not message.gibberish and _nearer_to_off_topic(message, hits, policy):
        return "out_of_scope"
    decision = decide(hits, policy)
    if decision != "no_answer" and message.gibberish:
        decision = "no_answer"
    if decision != "no_answer":
        return decision
    weak = not hits or hits[0].score < policy.out_of_scope_threshold
    if weak and len(message.tokens) >= SENTENCE_TOKENS and not message.names_vietnam:
        return "out_of_scope"
    return "no_answer"


def decide(hits: Sequence[Scored], policy: Policy) -> Decision:
    """answer when one entry clearly wins; likely (answer, with the runners-up as buttons) when the top
    entry leads but not clearly; clarify when a few are close and none leads; otherwise no_answer."""
    if not hits or hits[0].score < policy.clarify_threshold:
        return "no_answer"
    top = hits[0].score
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    clear_winner = top - runner_up >= policy.clarify_margin or runner_up < policy.clarify_threshold
    if top >= policy.answer_threshold and clear_winner:
        return "answer"
    if top >= policy.likely_threshold and top - runner_up >= policy.likely_margin:
        return "likely"
    return "clarify"


def _nearer_to_off_topic(message: Message, hits: Sequence[Scored], policy: Policy) -> bool:
    if policy.off_topic_margin is None or message.names_vietnam:
        return False
    nearest = message.off_topic_similarity
    return nearest is not None and (not hits or nearest >= hits[0].dense + policy.off_topic_margin)


# Cosine similarity above which two entries' question phrasings count as the same question (a warning
# in `askvn kb validate`; measured on the knowledge base, see knowledge/near_duplicates.py).
NEAR_DUPLICATE_THRESHOLD = 0.99
