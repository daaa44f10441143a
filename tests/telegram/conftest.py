"""The bot under test: the real Application and `run()`, in a thread, against the Bot API stand-in."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from telegram.ext import Application

from bot.telegram.app import build_application, run
from bot.telegram.settings import TelegramSettings
from tests.stack import CHANNEL_TOKEN, free_port
from tests.telegram.standin import Call, TelegramStandIn


def user(uid: int, language: str | None = "en", name: str = "Visitor") -> dict[str, Any]:
    found: dict[str, Any] = {"id": uid, "is_bot": False, "first_name": name}
    if language:
        found["language_code"] = language
    return found


@dataclass
class RunningBot:
    api: TelegramStandIn
    app: Application
    settings: TelegramSettings
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    errors: list[BaseException] = field(default_factory=list)

    def sent_to(self, chat_id: int) -> list[Call]:
        return self.api.calls_of("sendMessage", chat_id)

    def replies(self, chat_id: int, count: int = 1, after: int = 0, timeout: float = 90.0) -> list[Call]:
        """Wait until the bot has sent `count` more messages to `chat_id` (beyond the first `after`)."""
        return list(self.api.wait_for(lambda: len(self.sent_to(chat_id)) >= after + count
                                      and self.sent_to(chat_id)[after:], timeout))

    def stop(self) -> None:
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
        assert not self.thread.is_alive(), "the bot did not stop within 30 s"


def bot_settings(api: TelegramStandIn, rasa_url: str, **overrides: Any) -> TelegramSettings:
    parts = urlsplit(rasa_url)
    values: dict[str, Any] = dict(
        TELEGRAM_BOT_TOKEN=api.token, host=parts.hostname, rasa_port=parts.port,
        telegram_api_url=api.base_url, telegram_api_file_url=api.base_url.replace("/bot", "/file/bot"),
        telegram_rasa_timeout_s=60.0, telegram_mode="polling", channel_token=CHANNEL_TOKEN,
    )
    values.update(overrides)
    return TelegramSettings(**values)


def start_bot(api: TelegramStandIn, settings: TelegramSettings) -> RunningBot:
    app = build_application(settings)
    loop = asyncio.new_event_loop()
    errors: list[BaseException] = []

    def target() -> None:
        asyncio.set_event_loop(loop)
        try:
            run(app, settings, stop_signals=None)
        except BaseException as exc:  # surfaced by the waiting test
            errors.append(exc)

    thread = threading.Thread(target=target, name="telegram-bot", daemon=True)
    bot = RunningBot(api, app, settings, loop, thread, errors)
    thread.start()
    api.wait_for(lambda: app.running or errors or not thread.is_alive(), timeout=30)
    assert app.running, f"bot did not start: {errors}"
    return bot


@pytest.fixture()
def telegram_api() -> Iterator[TelegramStandIn]:
    api = TelegramStandIn().start()
    yield api
    api.stop()


@pytest.fixture()
def closed_rasa_url() -> str:
    """A port nothing listens on: Rasa is down."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture()
def bot_factory(telegram_api: TelegramStandIn) -> Iterator[Callable[..., RunningBot]]:
    started: list[RunningBot] = []

    def make(rasa_url: str, **overrides: Any) -> RunningBot:
        bot = start_bot(telegram_api, bot_settings(telegram_api, rasa_url, **overrides))
        started.append(bot)
        return bot

    yield make
    for bot in started:
        bot.stop()
