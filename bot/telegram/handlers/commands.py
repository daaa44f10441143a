"""/start, /help, /about, /language, /investor, /tourist: fixed texts in the user's language, no Rasa
round trip needed."""

from __future__ import annotations

import re

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.telegram.context import AUDIENCE_KEY, load_choice, ui_language
from bot.telegram.rendering import escape
from knowledge.languages import LANGUAGES, NATIVE_NAMES
from knowledge.ui_text import say

LANGUAGE_PREFIX = "l:"
# The menu lists the commands the help text lists, described by the help text's own lines
# ("/language – choose your language"), so translators keep one text per language.
_HELP_LINE = re.compile(r"^/(\w+)\s+[–-]\s+(.+)$", re.MULTILINE)


def menu_commands(language: str) -> list[BotCommand]:
    return [BotCommand(name, text.strip()[:256]) for name, text in _HELP_LINE.findall(say("help", language))]


def language_keyboard() -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(NATIVE_NAMES[code], callback_data=LANGUAGE_PREFIX + code) for code in LANGUAGES]
    return InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)])


async def _reply(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    if update.effective_message is not None:
        await load_choice(context, update.effective_user)
        await update.effective_message.reply_text(escape(say(key, ui_language(update, context))), do_quote=False)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, context, "welcome_start")


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, context, "help")


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, context, "about")


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await load_choice(context, update.effective_user)
        await update.effective_message.reply_text(escape(say("choose_language", ui_language(update, context))),
                                                  reply_markup=language_keyboard(), do_quote=False)


async def investor(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _set_audience(update, context, "investor")


async def tourist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _set_audience(update, context, "tourist")


async def _set_audience(update: Update, context: ContextTypes.DEFAULT_TYPE, audience: str) -> None:
    """Sent to Rasa as metadata with every later message; entries for this audience rank first."""
    if context.user_data is not None:
        context.user_data[AUDIENCE_KEY] = audience
    await _reply(update, context, f"audience_{audience}")


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed `/something` never reaches Rasa, where it would be read as an intent payload."""
    await _reply(update, context, "help")
