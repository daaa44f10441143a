"""Reading the tracker and writing replies: the glue every action shares."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.metrics import REPLIES
from knowledge.answering import Reply
from knowledge.language_detect import detect_language
from knowledge.languages import normalise_language
from knowledge.model import normalise_audience
from knowledge.vocabulary import ASK_ENTRY_INTENT, button_payload


def user_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def metadata(tracker: Tracker) -> dict[str, Any]:
    meta = tracker.latest_message.get("metadata") or {}
    return meta if isinstance(meta, dict) else {}


def channel(tracker: Tracker) -> str:
    return str(metadata(tracker).get("channel") or tracker.get_latest_input_channel() or "unknown")


def user_language(tracker: Tracker) -> str:
    """Answer language: an explicit choice wins (the channel's picker or /language, else one typed
    as "answer in French"), else detect with the channel hint and previous turn."""
    meta = metadata(tracker)
    chosen = normalise_language(meta.get("language_choice")) or normalise_language(tracker.get_slot("language_choice"))
    if chosen:
        return chosen
    previous = tracker.get_slot("language")
    text = user_text(tracker)
    if text.startswith("/"):  # a button payload carries no language of its own
        return normalise_language(previous) or normalise_language(meta.get("language")) or "en"
    return detect_language(text, hint=meta.get("language"), previous=previous)


def audience(tracker: Tracker) -> str | None:
    """Who the user is (tourist, investor, ...), when the channel says so: the web page's
    `data-audience` setting or Telegram's /investor, /tourist commands; remembered in a slot."""
    return normalise_audience(metadata(tracker).get("audience")) or normalise_audience(tracker.get_slot("audience"))


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
