"""Inline button clicks: language choice, a suggested topic, 👍/👎 feedback. Every query is answered."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.telegram.context import CHOICE_KEY, state, ui_language
from bot.telegram.handlers.commands import LANGUAGE_PREFIX
from bot.telegram.relay import ask_rasa, rate_limit, relay
from bot.telegram.rendering import FEEDBACK, decode_callback, escape, without_feedback
from knowledge.languages import normalise_language
from knowledge.ui_text import say
from rasa_addons.rate_limit import Verdict

log = logging.getLogger("askvn.telegram")


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    data = query.data or ""
    if data.startswith(LANGUAGE_PREFIX):
        await _choose_language(update, context, query, data.removeprefix(LANGUAGE_PREFIX))
        return
    verdict = rate_limit(update, context)
    if verdict is not Verdict.ALLOWED:
        await query.answer(say("rate_limited", ui_language(update, context)) if verdict is Verdict.NOTIFY else None)
        return
    payload = decode_callback(data, state(context).payloads)
    if payload is None:  # e.g. a long payload remembered only before a restart
        await query.answer(say("error", ui_language(update, context)), show_alert=True)
        return
    if payload.startswith(FEEDBACK):
        await _feedback(update, context, query, payload)
        return
    await query.answer()
    await relay(update, context, query.from_user, payload)


async def _choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery,
                           code: str) -> None:
    chosen = normalise_language(code)
    if chosen is None or context.user_data is None:
        await query.answer()
        return
    context.user_data[CHOICE_KEY] = chosen
    confirmation = say("language_set", chosen)
    await query.answer(confirmation)
    if update.effective_chat is not None:
        await update.effective_chat.send_message(escape(confirmation))


async def _feedback(update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, payload: str) -> None:
    """Record the vote in Rasa, thank with a toast, and take the 👍/👎 row off the answer."""
    replies = await ask_rasa(update, context, query.from_user, payload)
    if replies is None:
        await query.answer()
        return
    thanks = next((r["text"] for r in replies if isinstance(r.get("text"), str)), None)
    await query.answer(thanks or say("feedback_thanks", ui_language(update, context)))
    message = query.message
    if message is not None and hasattr(message, "reply_markup"):
        try:
            await query.edit_message_reply_markup(without_feedback(message.reply_markup, state(context).payloads))
        except BadRequest as exc:  # e.g. "message is not modified" after a double click
            log.info("could not remove feedback buttons: %s", exc)
