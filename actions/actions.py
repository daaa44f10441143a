"""Custom actions: each reads the tracker into a `Turn`, calls the library once and replies.

The decision itself (answer language, language switch, suggestion button, question or small talk, the
answer) is `knowledge.turn.respond`. It and the gap-log write run on a worker thread
(`asyncio.to_thread`): the action server serves every request on one event loop, which must stay free
for other visitors and health checks.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import conversation as conv
from actions.metrics import ANSWER_SECONDS
from actions.runtime import gap_log, knowledge_service, policy
from knowledge.turn import Turn, TurnReply, answer_language, respond
from knowledge.ui_text import say

log = logging.getLogger(__name__)


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        return await _respond(dispatcher, tracker, conv.turn(tracker))


class ActionSmalltalk(Action):
    """NLU took the message for small talk; the library still answers it if it is really a question."""

    def name(self) -> str:
        return "action_smalltalk"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        return await _respond(dispatcher, tracker, conv.turn(tracker, smalltalk=True))


async def _respond(dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn) -> list[EventType]:
    def reply_and_log() -> TurnReply:
        with ANSWER_SECONDS.time():
            result = respond(turn, knowledge_service().searcher(), policy())
        if result.logged:  # for the staff report; the gap log keeps the text only of unanswered questions
            reply = result.reply
            gap_log().record_question(
                question=turn.text, outcome=reply.outcome, language=reply.language, channel=conv.channel(tracker),
                user_id=tracker.sender_id, entry_id=reply.entry_id, score=reply.score,
                candidates=list(reply.candidates))
        return result

    return conv.send_turn(dispatcher, turn, await asyncio.to_thread(reply_and_log))


class ActionFeedback(Action):
    """👍/👎 on an answer: stored for the staff report, acknowledged in the user's language."""

    def name(self) -> str:
        return "action_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        language = answer_language(conv.turn(tracker))
        entry_id = next(tracker.get_latest_entity_values("entry_id"), None)
        value = next(tracker.get_latest_entity_values("value"), None)
        known = entry_id is not None and str(entry_id) in knowledge_service().searcher().loaded.entries
        if known and value in ("up", "down"):  # votes only for entries that exist
            await asyncio.to_thread(gap_log().record_feedback, entry_id=str(entry_id), value=str(value),
                                    language=language, channel=conv.channel(tracker), user_id=tracker.sender_id)
        dispatcher.utter_message(text=say("feedback_thanks", language))
        return []
