"""Custom actions: each reads the tracker, calls one knowledge function and replies.

Embedding, searching and SQLite writes run on a worker thread (`asyncio.to_thread`): the action server
serves every request on one event loop, which must stay free for other visitors and health checks.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import conversation as conv
from actions.metrics import ANSWER_SECONDS
from actions.runtime import gap_log, knowledge_service, policy
from knowledge.answering import Reply, answer_entry, answer_in_context
from knowledge.language_request import requested_language
from knowledge.message_kind import is_about_the_assistant, is_brief, looks_like_question
from knowledge.ui_text import say

log = logging.getLogger(__name__)
SMALLTALK_INTENTS = {"greet", "goodbye", "thank", "bot_challenge"}


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        language = conv.user_language(tracker)
        searcher = knowledge_service().searcher()
        entry_id = next(tracker.get_latest_entity_values("entry_id"), None)
        if entry_id:  # a suggestion button; the entry may have been removed since it was shown
            entry = searcher.loaded.entries.get(str(entry_id))
            reply = (answer_entry(entry, language, catalogue=searcher.loaded.entries) if entry
                     else Reply("no_answer", language, say("no_answer", language)))
            return conv.send(dispatcher, reply)
        switched = _switch_language(dispatcher, conv.user_text(tracker))
        if switched is not None:
            return switched
        reply = await _answer(tracker, language)
        return await _send_answer(dispatcher, tracker, reply)


class ActionSmalltalk(Action):
    def name(self) -> str:
        return "action_smalltalk"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        switched = _switch_language(dispatcher, conv.user_text(tracker))  # "English please" may look like thanks
        if switched is not None:
            return switched
        language = conv.user_language(tracker)
        text = conv.user_text(tracker)
        # NLU reads characters for zh/ja/ko/th and sometimes takes a real question for small talk
        # ("夜遅くに着いても安全ですか?" as "are you a bot?"): a question gets the knowledge base's reply,
        # whatever it is; a brief greeting or thanks gets small talk even when an entry matches it.
        about_us = is_about_the_assistant(text)  # "are you a bot?" is small talk, however it is phrased
        if looks_like_question(text, language) and not about_us:
            return await _send_answer(dispatcher, tracker, await _answer(tracker, language, as_follow_up=False))
        if not is_brief(text) and not about_us:
            reply = await _answer(tracker, language, as_follow_up=False)  # "thanks" must not repeat the last answer
            if reply.confident:
                return await _send_answer(dispatcher, tracker, reply)
        intent = (tracker.latest_message.get("intent") or {}).get("name", "greet")
        key = intent if intent in SMALLTALK_INTENTS else "greet"
        return conv.send(dispatcher, Reply("smalltalk", language, say(key, language)))


async def _answer(tracker: Tracker, language: str, *, as_follow_up: bool = True) -> Reply:
    """The knowledge base's reply to the user's message, as a follow-up of the previous question if it is one."""
    previous = tracker.get_slot("last_question") if as_follow_up else None
    text, audience = conv.user_text(tracker), conv.audience(tracker)

    def find() -> Reply:
        with ANSWER_SECONDS.time():
            return answer_in_context(text, language, knowledge_service().searcher(), policy(),
                                     previous=previous, audience=audience)

    return await asyncio.to_thread(find)


async def _send_answer(dispatcher: CollectingDispatcher, tracker: Tracker, reply: Reply) -> list[EventType]:
    """Send it, log it for the gap report, and remember the topic (follow-ups keep the previous one)."""
    await asyncio.to_thread(_record_gap, tracker, reply)
    topic_question = tracker.get_slot("last_question") if reply.followup_of else conv.user_text(tracker)
    return [*conv.send(dispatcher, reply), SlotSet("last_question", topic_question),
            SlotSet("audience", conv.audience(tracker))]


def _switch_language(dispatcher: CollectingDispatcher, text: str) -> list[EventType] | None:
    """A typed "answer in French": confirm in French and keep it as the conversation's choice."""
    switch_to = requested_language(text)
    if not switch_to:
        return None
    reply = Reply("language_changed", switch_to, say("language_changed", switch_to))
    return [*conv.send(dispatcher, reply), SlotSet("language_choice", switch_to)]


def _record_gap(tracker: Tracker, reply: Reply) -> None:
    """Log the outcome for the staff report; the gap log keeps the text only of unanswered questions."""
    gap_log().record_question(
        question=conv.user_text(tracker), outcome=reply.outcome, language=reply.language,
        channel=conv.channel(tracker), user_id=tracker.sender_id, entry_id=reply.entry_id, score=reply.score,
        candidates=list(reply.candidates),
    )


class ActionFeedback(Action):
    """👍/👎 on an answer: stored for the staff report, acknowledged in the user's language."""

    def name(self) -> str:
        return "action_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        language = conv.user_language(tracker)
        entry_id = next(tracker.get_latest_entity_values("entry_id"), None)
        value = next(tracker.get_latest_entity_values("value"), None)
        known = entry_id is not None and str(entry_id) in knowledge_service().searcher().loaded.entries
        if known and value in ("up", "down"):  # votes only for entries that exist
            await asyncio.to_thread(gap_log().record_feedback, entry_id=str(entry_id), value=str(value),
                                    language=language, channel=conv.channel(tracker), user_id=tracker.sender_id)
        dispatcher.utter_message(text=say("feedback_thanks", language))
        return []
