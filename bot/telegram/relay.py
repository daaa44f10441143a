"""One turn: user text (or a button's payload) → Rasa → rendered Telegram messages."""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram import Message, ReplyParameters, Update, User
from telegram.ext import ContextTypes

from bot.telegram.context import CHOICE_KEY, load_choice, rasa_metadata, state, typing, ui_language
from bot.telegram.rasa_client import RasaUnavailable
from bot.telegram.rendering import escape, outcome_of, render
from knowledge.languages import normalise_language
from knowledge.ui_text import say
from rasa_addons.rate_limit import Verdict

log = logging.getLogger("askvn.telegram")


async def ask_rasa(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, message: str,
                   reply_to: Message | None = None) -> list[dict[str, Any]] | None:
    """Rasa's replies, or None after telling the user Rasa is unavailable."""
    chat = update.effective_chat
    assert chat is not None
    thread_id = _thread_of(update.effective_message)
    started = time.perf_counter()
    await load_choice(context, user)
    try:
        async with typing(context.bot, chat.id, thread_id):
            st = state(context)
            replies = await st.rasa.send(st.sender_id(user), message, rasa_metadata(user, context))
    except RasaUnavailable:
        replies = []
    log.debug("Rasa answered in %.0f ms", (time.perf_counter() - started) * 1000)
    _remember_typed_language_choice(context, replies)
    if not replies:
        await chat.send_message(escape(say("unavailable", ui_language(update, context))),
                                reply_parameters=_quote(reply_to), message_thread_id=thread_id)
        return None
    return replies


async def relay(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, message: str,
                reply_to: Message | None = None) -> None:
    """Send `message` to Rasa as `user` and post every reply in the update's chat."""
    replies = await ask_rasa(update, context, user, message, reply_to)
    if replies is None:
        return
    chat = update.effective_chat
    assert chat is not None
    thread_id = _thread_of(update.effective_message)
    for n, out in enumerate(render(replies, state(context).payloads)):
        await chat.send_message(out.html, reply_markup=out.reply_markup,
                                reply_parameters=_quote(reply_to) if n == 0 else None,
                                message_thread_id=thread_id)


def _remember_typed_language_choice(context: ContextTypes.DEFAULT_TYPE, replies: list[dict[str, Any]]) -> None:
    """After "answer in French" Rasa confirms with outcome language_changed: keep it like a /language choice."""
    outcome = outcome_of(replies)
    chosen = normalise_language(outcome.get("language")) if outcome.get("outcome") == "language_changed" else None
    if chosen and context.user_data is not None:
        context.user_data[CHOICE_KEY] = chosen


def rate_limit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Verdict:
    user = update.effective_user
    return state(context).limiter.check(user.id) if user else Verdict.ALLOWED


def _quote(message: Message | None) -> ReplyParameters | None:
    """In groups the answer quotes the question, so everyone sees which one it answers."""
    return ReplyParameters(message.message_id, allow_sending_without_reply=True) if message is not None else None


def _thread_of(message: Message | None) -> int | None:
    return message.message_thread_id if message is not None and message.is_topic_message else None
