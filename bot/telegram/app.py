"""Building the python-telegram-bot Application: handlers, defaults, rate limiting, start and stop hooks."""

from __future__ import annotations

import logging
import signal
from collections.abc import Sequence

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot.telegram.context import STATE_KEY, BotState
from bot.telegram.handlers import callbacks, commands, errors, messages
from bot.telegram.rasa_client import RasaClient
from bot.telegram.settings import TelegramSettings
from knowledge.languages import FALLBACK_LANGUAGE, LANGUAGES
from rasa_addons.rate_limit import RateLimiter

log = logging.getLogger("askvn.telegram")

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)


def build_application(settings: TelegramSettings) -> Application:
    """The whole bot, not yet started; `__main__` picks polling or webhook."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    app = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_api_file_url)
        # Every text we send is HTML-escaped, so HTML is always the parse mode; answers cite long URLs.
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(AIORateLimiter(max_retries=2))
        .concurrent_updates(settings.telegram_concurrency)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data[STATE_KEY] = BotState(
        settings, RateLimiter(settings.telegram_user_burst, settings.telegram_user_refill_s))
    for name, callback in (("start", commands.start), ("help", commands.help_command),
                           ("about", commands.about), ("language", commands.language),
                           ("investor", commands.investor), ("tourist", commands.tourist)):
        app.add_handler(CommandHandler(name, callback))
    chats = filters.ChatType.PRIVATE | filters.ChatType.GROUPS
    app.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, commands.unknown_command))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & chats, messages.on_text))
    app.add_handler(CallbackQueryHandler(callbacks.on_callback))
    app.add_error_handler(errors.on_error)
    return app


async def _post_init(app: Application) -> None:
    state: BotState = app.bot_data[STATE_KEY]
    token = state.settings.channel_token.get_secret_value() if state.settings.channel_token else None
    state.rasa_client = RasaClient(state.settings.rasa_url, state.settings.telegram_rasa_timeout_s, token)
    await register_commands(app)
    log.info("Telegram bot @%s ready; Rasa at %s", app.bot.username, state.settings.rasa_url)


async def _post_shutdown(app: Application) -> None:
    state: BotState = app.bot_data[STATE_KEY]
    if state.rasa_client is not None:
        await state.rasa_client.aclose()
        state.rasa_client = None


async def register_commands(app: Application) -> None:
    """The command menu in each of our languages (Telegram picks by the user's app language)."""
    try:
        await app.bot.set_my_commands(commands.menu_commands(FALLBACK_LANGUAGE))
        for language in LANGUAGES:
            await app.bot.set_my_commands(commands.menu_commands(language), language_code=language)
    except TelegramError as exc:  # a menu is nice to have; answering questions is not blocked by it
        log.warning("could not register the command menu: %s", exc)


def run(app: Application, settings: TelegramSettings,
        stop_signals: Sequence[int] | None = STOP_SIGNALS) -> None:
    """Block until stopped: long polling by default, or a webhook server that checks Telegram's secret token.

    `stop_signals=None` lets tests run the same code in a thread (signal handlers need the main thread).
    """
    if settings.telegram_mode == "webhook":
        assert settings.telegram_webhook_secret is not None  # checked by the settings validator
        log.info("webhook mode: listening on %s:%s/%s for %s", settings.telegram_webhook_listen,
                 settings.telegram_webhook_port, settings.webhook_path, settings.telegram_webhook_url)
        app.run_webhook(listen=settings.telegram_webhook_listen, port=settings.telegram_webhook_port,
                        url_path=settings.webhook_path, webhook_url=settings.telegram_webhook_url,
                        secret_token=settings.telegram_webhook_secret.get_secret_value(),
                        allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3, stop_signals=stop_signals)
    else:
        log.info("long-polling mode (no public URL needed)")
        app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3, stop_signals=stop_signals)
