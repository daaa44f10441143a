"""Plain text → Rasa. In groups only when the bot is mentioned or replied to."""

from __future__ import annotations

import re

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.telegram.context import ui_language
from bot.telegram.relay import rate_limit, relay
from bot.telegram.rendering import escape
from knowledge.ui_text import say
from rasa_addons.rate_limit import Verdict


def addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The question for the bot, without the @mention; None when a group message isn't for us."""
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text
    mention = f"@{bot_username}".lower()
    entities = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    for entity, value in entities.items():
        by_name = entity.type == MessageEntity.MENTION and value.lower() == mention
        by_user = entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot_id
        if by_name or by_user:
            return re.sub(re.escape(value), " ", text, count=1).strip()
    return None


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or user.is_bot:
        return
    text = addressed_text(message, context.bot.username, context.bot.id)
    if text is None:
        return
    group = message.chat.type != ChatType.PRIVATE
    verdict = rate_limit(update, context)
    if verdict is not Verdict.ALLOWED:
        if verdict is Verdict.NOTIFY:
            await message.reply_text(escape(say("rate_limited", ui_language(update, context))), do_quote=group)
        return
    text = text.lstrip("/").strip()  # a leading slash would make Rasa read the text as an intent
    if not text:
        await message.reply_text(escape(say("help", ui_language(update, context))), do_quote=group)
        return
    await relay(update, context, user, text, reply_to=message if group else None)
