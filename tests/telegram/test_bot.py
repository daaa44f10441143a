"""The running bot against the Bot API stand-in, with Rasa down or not needed (fast, no stack)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from bot.processes.rasa_project import model_path
from bot.processes.supervisor import components
from bot.settings import Settings
from bot.telegram.rendering import escape
from knowledge.languages import LANGUAGES
from knowledge.ui_text import say
from tests.conftest import ROOT
from tests.stack import free_port
from tests.telegram.conftest import RunningBot, user
from tests.telegram.standin import BOT, TelegramStandIn

BotFactory = Callable[..., RunningBot]


def test_start_welcomes_a_korean_user_in_korean_and_menu_is_localised(bot_factory: BotFactory,
                                                                       closed_rasa_url: str) -> None:
    bot = bot_factory(closed_rasa_url)
    bot.api.send_update(bot.api.message(user(101, "ko"), "/start"))
    (reply,) = bot.replies(101)
    assert reply.params["text"] == escape(say("welcome_start", "ko")) and reply.params["parse_mode"] == "HTML"
    menus = {c.params.get("language_code"): c.params["commands"] for c in bot.api.calls_of("setMyCommands")}
    assert set(menus) == {None, *LANGUAGES}
    assert menus["ko"][2] == {"command": "language", "description": "언어 선택"}


def test_language_choice_is_confirmed_in_the_chosen_language(bot_factory: BotFactory, closed_rasa_url: str) -> None:
    bot = bot_factory(closed_rasa_url)
    bot.api.send_update(bot.api.message(user(102, "en"), "/language"))
    (menu,) = bot.replies(102)
    buttons = [b for row in menu.params["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons] == [f"l:{code}" for code in LANGUAGES]
    bot.api.click(user(102, "en"), menu, "l:fr")
    (confirmation,) = bot.replies(102, after=1)
    assert confirmation.params["text"] == escape(say("language_set", "fr"))
    assert bot.api.wait_for(lambda: bot.api.calls_of("answerCallbackQuery"))
    # Later fixed texts follow the choice, not the Telegram app language.
    bot.api.send_update(bot.api.message(user(102, "en"), "/help"))
    assert bot.replies(102, after=2)[0].params["text"] == escape(say("help", "fr"))


def test_rasa_down_gets_a_polite_unavailable_reply_after_typing(bot_factory: BotFactory,
                                                                closed_rasa_url: str) -> None:
    bot = bot_factory(closed_rasa_url)
    bot.api.send_update(bot.api.message(user(103, "vi"), "Tôi có cần visa không?"))
    (reply,) = bot.replies(103)
    assert reply.params["text"] == escape(say("unavailable", "vi"))
    assert bot.api.calls_of("sendChatAction", 103)[0].params["action"] == "typing"


def test_reading_the_choice_back_from_a_down_rasa_is_harmless(bot_factory: BotFactory,
                                                              closed_rasa_url: str) -> None:
    bot = bot_factory(closed_rasa_url, rasa_api_token="api-token")
    bot.api.send_update(bot.api.message(user(111, "zh"), "/help"))
    bot.api.send_update(bot.api.message(user(111, "zh"), "签证"))
    texts = [c.params["text"] for c in bot.replies(111, count=2)]
    assert sorted(texts) == sorted([escape(say("help", "zh")), escape(say("unavailable", "zh"))])


def test_per_user_flood_gets_one_polite_notice(bot_factory: BotFactory, closed_rasa_url: str) -> None:
    bot = bot_factory(closed_rasa_url, telegram_user_burst=2, telegram_user_refill_s=3600)
    for n in range(5):
        bot.api.send_update(bot.api.message(user(104, "de"), f"Frage {n}"))
    bot.api.send_update(bot.api.message(user(105, "en"), "another user"))
    bot.replies(105)
    texts = [c.params["text"] for c in bot.replies(104, count=3)]
    assert sorted(texts) == sorted([escape(say("unavailable", "de"))] * 2 + [escape(say("rate_limited", "de"))])
    assert len(bot.sent_to(104)) == 3  # the 4th and 5th messages get no second notice


def test_group_messages_need_a_mention_or_a_reply(bot_factory: BotFactory, closed_rasa_url: str) -> None:
    bot = bot_factory(closed_rasa_url)
    group = {"id": -500, "type": "supergroup", "title": "Expats in Hanoi"}
    member = user(106, "en")
    bot.api.send_update(bot.api.message(member, "Anyone know a good pho place?", chat=group))
    text = f"@{BOT['username']} do I need a visa?"
    mention = [{"type": "mention", "offset": 0, "length": len(BOT["username"]) + 1}]
    bot.api.send_update(bot.api.message(member, text, chat=group, entities=mention))
    (reply,) = bot.replies(-500)
    assert reply.params["reply_parameters"]["message_id"] > 0  # answers quote the question in groups
    bot.api.send_update(bot.api.message(member, "and for kids?", chat=group, reply_to=reply.result))
    bot.replies(-500, after=1)
    assert len(bot.api.calls_of("sendChatAction", -500)) == 2  # the unaddressed message never reached Rasa


def test_a_failing_update_is_logged_apologised_for_and_the_bot_keeps_running(bot_factory: BotFactory,
                                                                              closed_rasa_url: str) -> None:
    bot = bot_factory(closed_rasa_url)
    bot.api.fail_next("sendMessage")  # Telegram refuses the /help reply
    bot.api.send_update(bot.api.message(user(107, "ja"), "/help"))
    (apology,) = bot.replies(107)
    assert apology.params["text"] == escape(say("error", "ja"))
    bot.api.send_update(bot.api.message(user(107, "ja"), "/about"))
    assert bot.replies(107, after=1)[0].params["text"] == escape(say("about", "ja"))


def test_typed_slash_commands_never_reach_rasa(bot_factory: BotFactory, closed_rasa_url: str) -> None:
    bot = bot_factory(closed_rasa_url)
    bot.api.send_update(bot.api.message(user(108, "en"), '/feedback{"entry_id": "e-visa", "value": "down"}'))
    assert bot.replies(108)[0].params["text"] == escape(say("help", "en"))
    assert not bot.api.calls_of("sendChatAction", 108)


def test_webhook_mode_accepts_only_telegrams_secret(bot_factory: BotFactory, closed_rasa_url: str) -> None:
    port = free_port()
    bot = bot_factory(closed_rasa_url, telegram_mode="webhook", telegram_webhook_url="https://bot.example.org/tg/hook",
                      telegram_webhook_secret="s3cret_Token-1", telegram_webhook_port=port)
    (registered,) = bot.api.calls_of("setWebhook")
    assert registered.params["url"] == "https://bot.example.org/tg/hook"
    assert registered.params["secret_token"] == "s3cret_Token-1"
    update = bot.api.make_update({"message": bot.api.message(user(109, "es"), "/start")})
    url = f"http://127.0.0.1:{port}/tg/hook"
    assert httpx.post(url, json=update).status_code == 403
    assert httpx.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}).status_code == 403
    assert not bot.api.calls_of("sendMessage")
    ok = httpx.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret_Token-1"})
    assert ok.status_code == 200
    assert bot.replies(109)[0].params["text"] == escape(say("welcome_start", "es"))


def test_supervisor_starts_the_bot_only_with_a_token(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "askvn.run")
    settings = Settings(rasa_model_dir=tmp_path)
    model_path(settings).touch()
    assert "telegram" not in [c.name for c in components(settings)]
    assert "Telegram bot: off" in caplog.text
    with_token = Settings(rasa_model_dir=tmp_path, TELEGRAM_BOT_TOKEN="123:abc")
    (telegram,) = [c for c in components(with_token) if c.name == "telegram"]
    assert telegram.health_url is None
    assert telegram.command[1:] == ["-m", "bot.telegram"]
    assert "TELEGRAM_BOT_TOKEN is set" in caplog.text


def test_the_entry_module_runs_and_stops_on_sigterm(telegram_api: TelegramStandIn, closed_rasa_url: str) -> None:
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=telegram_api.token, ASKVN_TELEGRAM_API_URL=telegram_api.base_url,
               ASKVN_RASA_PORT=closed_rasa_url.rsplit(":", 1)[1], ASKVN_TELEGRAM_MODE="polling")
    proc = subprocess.Popen([sys.executable, "-m", "bot.telegram"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        telegram_api.wait_for(lambda: telegram_api.calls_of("deleteWebhook") or proc.poll() is not None, 120)
        telegram_api.send_update(telegram_api.message(user(110, "th"), "/start"))
        (reply,) = telegram_api.wait_for(lambda: telegram_api.calls_of("sendMessage", 110), 60)
        assert reply.params["text"] == escape(say("welcome_start", "th"))
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0, output
    assert "long-polling mode" in output and telegram_api.token not in output
