"""The last line of defence: log, apologise in the user's language, keep running."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram.context import ui_language
from bot.telegram.rendering import escape
from knowledge.ui_text import say

log = logging.getLogger("askvn.telegram")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not isinstance(update, Update):  # e.g. a failed getUpdates: PTB retries by itself
        log.warning("Telegram error outside an update: %s", context.error)
        return
    log.error("handling update %s failed", update.update_id, exc_info=context.error)
    with contextlib.suppress(TelegramError):
        if update.callback_query is not None:
            await update.callback_query.answer()
    with contextlib.suppress(TelegramError):
        if update.effective_chat is not None:
            await update.effective_chat.send_message(escape(say("error", ui_language(update, context))))
