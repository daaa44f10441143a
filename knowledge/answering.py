"""Decide what to say to a question: answer, ask which of a few entries was meant, or say honestly
that the knowledge base has no good answer (and offer the closest topics). Questions that are not about
Vietnam are declined as out of scope: they name another country, resemble an off-topic example more
than any entry, or are real sentences that match nothing and name no place in Vietnam.

A confident wrong answer about visas is worse than "I don't know, here is the official page", so the
thresholds are deliberately conservative. The scoring, the thresholds and the ordered rules are the
policy (knowledge/policy.py); this module analyses the message once, searches, and words the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from knowledge.analysis import Message
from knowledge.followups import contextual_query, focus_places
from knowledge.model import Entry, Source
from knowledge.policy import Policy, judge
from knowledge.search import Hit, Searcher
from knowledge.ui_text import say

Outcome = Literal["answer", "clarify", "no_answer", "out_of_scope", "smalltalk", "language_changed"]
SUGGESTIONS = 3


@dataclass(frozen=True)
class Suggestion:
    entry_id: str
    title: str


@dataclass(frozen=True)
class Reply:
    """Everything a channel needs to show one reply, and the machine-readable outcome."""

    outcome: Outcome
    language: str
    text: str
    entry_id: str | None = None
    score: float | None = None
    sources: tuple[Source, ...] = ()
    reviewed: str | None = None
    answer_language: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    candidates: tuple[tuple[str, float], ...] = field(default=(), repr=False)
    followup_of: str | None = None  # the previous question, when this was answered as its follow-up
    alternatives: tuple[Suggestion, ...] = ()  # an answer that is likely, not certain: the close runners-up

    @property
    def confident(self) -> bool:
        """An answer whose entry clearly won (no alternatives offered)."""
        return self.outcome == "answer" and not self.alternatives

    def outcome_message(self) -> dict[str, Any]:
        """The `{"askvn": …}` custom message channels, analytics and tests rely on."""
        return {"askvn": {
            "outcome": self.outcome,
            "entry_id": self.entry_id,
            "score": None if self.score is None else round(self.score, 4),
            "language": self.language,
            "answer_language": self.answer_language,
            "reviewed": self.reviewed,
            "sources": [{"url": s.url, "name": s.name} for s in self.sources],
            "suggestions": [{"entry_id": s.entry_id, "title": s.title} for s in self.suggestions],
            "alternatives": [{"entry_id": s.entry_id, "title": s.title} for s in self.alternatives],
        }}


def answer_in_context(question: str, language: str, searcher: Searcher, policy: Policy,
                      previous: str | None = None, audience: str | None = None) -> Reply:
    """The reply to a message that may be a follow-up of the previous question.

    A message that is answered confidently on its own brings its own topic ("what about the money
    there?" after a visa question), so it wins; otherwise a short or "and …" message is searched together
    with the previous question. (On the dev split's follow-ups both orders score the same.)
    """
    message = searcher.analyse(question, language)
    places = focus_places(message, previous, searcher.gazetteer)
    alone = reply_to(message, searcher, policy, places=places, audience=audience)
    query = contextual_query(question, previous)
    if query is None or alone.confident:
        return alone
    in_context = answer_question(query, language, searcher, policy, places=places, audience=audience)
    return replace(in_context, candidates=alone.candidates or in_context.candidates, followup_of=previous)


def answer_question(question: str, language: str, searcher: Searcher, policy: Policy, *,
                    places: AbstractSet[str] | None = None, audience: str | None = None) -> Reply:
    """The reply to a free-text question in `language`."""
    return reply_to(searcher.analyse(question, language), searcher, policy, places=places, audience=audience)


def reply_to(message: Message, searcher: Searcher, policy: Policy, *,
             places: AbstractSet[str] | None = None, audience: str | None = None) -> Reply:
    """The reply to an analysed message: the policy's verdict on its best entries, in words."""
    language = message.language
    if not message.text:
        return Reply("no_answer", language, say("empty_message", language))
    if len(message.text) > policy.max_chars:
        return Reply("no_answer", language, say("too_long", language, max_chars=policy.max_chars))
    hits = searcher.search(message, k=SUGGESTIONS + 2, places=places, audience=audience)
    candidates = tuple((h.entry.id, round(h.score, 4)) for h in hits)
    top = hits[0].score if hits else None
    verdict = judge(message, hits, policy)
    if verdict == "out_of_scope":
        return Reply("out_of_scope", language, say("out_of_scope", language), score=top, candidates=candidates)
    if verdict in ("answer", "likely"):
        reply = answer_entry(hits[0].entry, language, score=hits[0].score, catalogue=searcher.loaded.entries)
        if verdict == "likely":
            reply = _with_alternatives(reply, hits, language)
        return replace(reply, candidates=candidates)
    suggestions = tuple(Suggestion(h.entry.id, h.entry.title_in(language)) for h in hits[:SUGGESTIONS])
    if verdict == "clarify":
        return Reply("clarify", language, say("clarify", language), score=top,
                     suggestions=suggestions, candidates=candidates)
    body = say("no_answer", language)
    if suggestions:
        body += "\n" + say("closest_topics", language)
    return Reply("no_answer", language, body, score=top, suggestions=suggestions, candidates=candidates)


def _with_alternatives(reply: Reply, hits: list[Hit], language: str) -> Reply:
    """The likely answer, with the close runners-up first among its buttons (then its related entries)."""
    alternatives = tuple(Suggestion(h.entry.id, h.entry.title_in(language)) for h in hits[1:SUGGESTIONS])
    shown = {s.entry_id for s in alternatives} | {reply.entry_id}
    buttons = alternatives + tuple(s for s in reply.suggestions if s.entry_id not in shown)
    return replace(reply, alternatives=alternatives, suggestions=buttons[:SUGGESTIONS])


def answer_entry(entry: Entry, language: str, *, score: float | None = None,
                 catalogue: Mapping[str, Entry] | None = None) -> Reply:
    """The curated answer of one entry, in `language` when it has one, else English with a note."""
    used, text = entry.answer_in(language)
    parts = []
    if used != language:
        parts.append(say("answer_in_english_note", language))
    parts.append((text.answer or "").strip())
    for source in entry.sources[:2]:
        parts.append(f"{say('source_label', language)}: {source.name} — {source.url}")
    parts.append(f"{say('reviewed_label', language)}: {entry.reviewed.isoformat()}")
    catalogue = catalogue or {}
    related = tuple(Suggestion(rid, catalogue[rid].title_in(language))
                    for rid in entry.related if rid in catalogue)[:SUGGESTIONS]
    return Reply("answer", language, "\n".join(parts), entry_id=entry.id, score=score,
                 sources=entry.sources, reviewed=entry.reviewed.isoformat(), answer_language=used,
                 suggestions=related)
