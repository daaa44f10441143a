"""One user turn in, one reply out: the whole decision a custom action used to make in five trips
between the actions and this library (answer language, a typed language switch, a suggestion button,
question-or-small-talk, the answer itself).

The actions read a `Turn` from the tracker, call `respond` once on a worker thread, and turn the
`TurnReply` into messages and slot events. Everything here is channel- and Rasa-free, so each rule is
tested without a tracker.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.answering import Reply, answer_entry, answer_in_context
from knowledge.language_detect import detect_language
from knowledge.language_request import requested_language
from knowledge.languages import normalise_language
from knowledge.message_kind import is_about_the_assistant, is_brief, looks_like_question
from knowledge.policy import Policy
from knowledge.search import Searcher
from knowledge.ui_text import say

SMALLTALK_KEYS = frozenset({"greet", "goodbye", "thank", "bot_challenge"})  # NLU intents with their own texts


@dataclass(frozen=True)
class Turn:
    """What one user message brings, as the channel and the conversation so far give it."""

    text: str
    smalltalk: bool = False  # NLU took it for small talk (its intent is `intent`)
    intent: str | None = None
    entry_id: str | None = None  # a suggestion button was pressed
    language_choice: str | None = None  # the channel's picker, /language, or an earlier "answer in French"
    language_hint: str | None = None  # the browser's or Telegram's language: a hint, not a choice
    previous_language: str | None = None
    previous_question: str | None = None  # the topic a follow-up ("and for children?") refers to
    audience: str | None = None


@dataclass(frozen=True)
class TurnReply:
    """The reply, and what the conversation should remember of this turn."""

    reply: Reply
    language_choice: str | None = None  # set when the user typed "answer in French"
    topic: str | None = None  # the question follow-ups will refer to, when this turn answered one
    logged: bool = False  # a knowledge-base reply, which the gap log records for staff


def respond(turn: Turn, searcher: Searcher, policy: Policy) -> TurnReply:
    """The reply to one turn. Order matters: a button names its entry; a typed language request beats
    everything; then a question (however NLU classified it) gets the knowledge base's reply, and only a
    brief greeting or thanks, or a question about the assistant itself, gets small talk."""
    language = answer_language(turn)
    if turn.entry_id:  # the entry may have been removed since its button was shown
        entry = searcher.loaded.entries.get(turn.entry_id)
        return TurnReply(answer_entry(entry, language, catalogue=searcher.loaded.entries) if entry
                         else Reply("no_answer", language, say("no_answer", language)))
    switch_to = requested_language(turn.text)
    if switch_to:
        return TurnReply(Reply("language_changed", switch_to, say("language_changed", switch_to)),
                         language_choice=switch_to)
    if not turn.smalltalk:
        return _answered(turn, language, searcher, policy, previous=turn.previous_question)
    # NLU reads characters for zh/ja/ko/th and sometimes takes a real question for small talk.
    about_us = is_about_the_assistant(turn.text)  # "are you a bot?" is small talk, however it is phrased
    if looks_like_question(turn.text, language) and not about_us:
        return _answered(turn, language, searcher, policy, previous=None)
    if not is_brief(turn.text) and not about_us:  # "thanks" must not repeat the last answer: no follow-up
        answered = _answered(turn, language, searcher, policy, previous=None)
        if answered.reply.confident:
            return answered
    key = turn.intent if turn.intent in SMALLTALK_KEYS else "greet"
    return TurnReply(Reply("smalltalk", language, say(key, language)))


def answer_language(turn: Turn) -> str:
    """An explicit choice wins; a button payload keeps the conversation's language; otherwise the
    message's own language, detected with the channel's hint and the previous turn's language."""
    chosen = normalise_language(turn.language_choice)
    if chosen:
        return chosen
    if turn.text.startswith("/"):  # a button payload carries no language of its own
        return normalise_language(turn.previous_language) or normalise_language(turn.language_hint) or "en"
    return detect_language(turn.text, hint=turn.language_hint, previous=turn.previous_language)


def _answered(turn: Turn, language: str, searcher: Searcher, policy: Policy, *, previous: str | None) -> TurnReply:
    reply = answer_in_context(turn.text, language, searcher, policy, previous=previous, audience=turn.audience)
    topic = turn.previous_question if reply.followup_of else turn.text  # a follow-up keeps the earlier topic
    return TurnReply(reply, topic=topic, logged=True)
