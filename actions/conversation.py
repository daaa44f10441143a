"""Reading the tracker and writing replies: the glue every action shares."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.metrics import REPLIES
from knowledge.answering import Reply
from knowledge.languages import normalise_language
from knowledge.model import normalise_audience
from knowledge.turn import Turn, TurnReply
from knowledge.vocabulary import ASK_ENTRY_INTENT, button_payload


def user_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def metadata(tracker: Tracker) -> dict[str, Any]:
    meta = tracker.latest_message.get("metadata") or {}
    return meta if isinstance(meta, dict) else {}


def channel(tracker: Tracker) -> str:
    return str(metadata(tracker).get("channel") or tracker.get_latest_input_channel() or "unknown")


def turn(tracker: Tracker, *, smalltalk: bool = False) -> Turn:
    """The user's turn as the library reads it: the message, the channel's language choice or hint
    (the web picker, Telegram's /language), and what the conversation remembers in slots."""
    meta = metadata(tracker)
    entry_id = next(tracker.get_latest_entity_values("entry_id"), None)
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return Turn(
        text=user_text(tracker), smalltalk=smalltalk, intent=_text(intent),
        entry_id=None if entry_id is None else str(entry_id),
        language_choice=normalise_language(_text(meta.get("language_choice")))
        or normalise_language(_text(tracker.get_slot("language_choice"))),
        language_hint=_text(meta.get("language")), previous_language=_text(tracker.get_slot("language")),
        previous_question=_text(tracker.get_slot("last_question")), audience=audience(tracker),
    )


def audience(tracker: Tracker) -> str | None:
    """Who the user is (tourist, investor, ...), when the channel says so: the web page's
    `data-audience` setting or Telegram's /investor, /tourist commands; remembered in a slot."""
    return normalise_audience(metadata(tracker).get("audience")) or normalise_audience(tracker.get_slot("audience"))


def send_turn(dispatcher: CollectingDispatcher, turn: Turn, result: TurnReply) -> list[EventType]:
    """Send the reply and remember the turn: a typed language choice, the topic follow-ups refer to
    and the audience (for knowledge-base replies)."""
    events = send(dispatcher, result.reply)
    if result.language_choice:
        events.append(SlotSet("language_choice", result.language_choice))
    if result.logged:
        events += [SlotSet("last_question", result.topic), SlotSet("audience", turn.audience)]
    return events


def send(dispatcher: CollectingDispatcher, reply: Reply) -> list[EventType]:
    """One text message (with buttons) plus the machine-readable outcome message."""
    buttons = [
        {"title": s.title, "payload": button_payload(ASK_ENTRY_INTENT, entry_id=s.entry_id)}
        for s in reply.suggestions
    ]
    dispatcher.utter_message(text=reply.text, buttons=buttons or None)
    dispatcher.utter_message(json_message=reply.outcome_message())
    REPLIES.labels(reply.outcome, reply.language).inc()
    events: list[EventType] = [SlotSet("language", reply.language)]
    if reply.entry_id:
        events.append(SlotSet("last_entry", reply.entry_id))
    return events


def _text(value: object) -> str | None:
    """A slot or metadata value as text; anything else a client sent (a number, a list) counts as absent."""
    return value if isinstance(value, str) and value else None
