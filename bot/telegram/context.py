"""What every handler shares: the app's state, the user's language, the metadata Rasa receives."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Update, User
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram.rasa_client import RasaClient
from bot.telegram.rendering import PayloadTable
from bot.telegram.settings import TelegramSettings
from knowledge.languages import FALLBACK_LANGUAGE, normalise_language
from rasa_addons.rate_limit import RateLimiter

STATE_KEY = "askvn"
CHOICE_KEY = "language_choice"  # in user_data: only a cache of what Rasa's tracker receives
LOADED_KEY = "language_choice_loaded"
AUDIENCE_KEY = "audience"  # in user_data, from /investor or /tourist; Rasa's `audience` slot remembers it too
TYPING_REFRESH_S = 4.5  # Telegram shows "typing…" for 5 s


@dataclass
class BotState:
    settings: TelegramSettings
    limiter: RateLimiter
    payloads: PayloadTable = field(default_factory=PayloadTable)
    rasa_client: RasaClient | None = None  # created in post_init, closed in post_shutdown

    def sender_id(self, user: User) -> str:
        return pseudonymous_sender(user.id, self.settings)

    @property
    def rasa(self) -> RasaClient:
        if self.rasa_client is None:
            raise RuntimeError("the Rasa client exists only between post_init and post_shutdown")
        return self.rasa_client


def pseudonymous_sender(telegram_user_id: int, settings: TelegramSettings) -> str:
    """The user's conversation id in Rasa: `tg-` and a keyed hash of the Telegram user id, so the tracker
    store, Rasa's logs and the gap log never hold the real id (which identifies a person).

    Keyed with ASKVN_PSEUDONYM_KEY when set, else with the bot token: stable across restarts, and
    unknown to anyone who can read the stored conversations."""
    key = settings.pseudonym_key or settings.telegram_bot_token
    secret = key.get_secret_value().encode() if key else b""
    digest = hmac.new(secret, f"telegram-user:{telegram_user_id}".encode(), hashlib.sha256).hexdigest()
    return "tg-" + digest[:24]


def state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    found = context.bot_data[STATE_KEY]
    assert isinstance(found, BotState)
    return found


def chosen_language(context: ContextTypes.DEFAULT_TYPE) -> str | None:
    data = context.user_data
    return normalise_language(data.get(CHOICE_KEY)) if data is not None else None


async def load_choice(context: ContextTypes.DEFAULT_TYPE, user: User | None) -> None:
    """Fill the cache from Rasa's tracker once per user and process (e.g. after a restart).

    Possible only when Rasa's HTTP API is on (ASKVN_RASA_API_TOKEN); otherwise a restart forgets the choice.
    """
    data, st = context.user_data, state(context)
    if user is None or data is None or data.get(LOADED_KEY):
        return
    data[LOADED_KEY] = True
    if CHOICE_KEY in data or st.settings.rasa_api_token is None or st.rasa_client is None:
        return
    choice = await st.rasa_client.language_choice(st.sender_id(user), st.settings.rasa_api_token.get_secret_value())
    if choice and CHOICE_KEY not in data:
        data[CHOICE_KEY] = choice


def ui_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The language for fixed texts: the user's choice, else their Telegram app language, else English."""
    user = update.effective_user
    return (chosen_language(context) or normalise_language(user.language_code if user else None)
            or FALLBACK_LANGUAGE)


def rasa_metadata(user: User, context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
    """Sent with every message, so the choice lives in Rasa's tracker, not in a second store."""
    meta: dict[str, Any] = {"channel": "telegram", "language": user.language_code}
    choice = chosen_language(context)
    if choice:
        meta["language_choice"] = choice
    audience = context.user_data.get(AUDIENCE_KEY) if context.user_data is not None else None
    if audience:
        meta["audience"] = audience
    return meta


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int, thread_id: int | None = None) -> AsyncIterator[None]:
    """Show "typing…" while Rasa thinks, refreshed until the block ends; failures here never matter."""

    async def refresh() -> None:
        while True:
            await asyncio.sleep(TYPING_REFRESH_S)
            with contextlib.suppress(TelegramError):
                await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)

    with contextlib.suppress(TelegramError):
        await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
    task = asyncio.create_task(refresh())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
