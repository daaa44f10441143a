"""The bot against the REAL stack (`askvn run`: Rasa + action server over the fixture knowledge base)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable

import pytest

from bot.telegram.context import pseudonymous_sender
from bot.telegram.rasa_client import latest_language_choice
from bot.telegram.rendering import escape
from knowledge.ui_text import say
from tests.stack import Stack
from tests.telegram.conftest import RunningBot, user
from tests.telegram.standin import BOT, Call

pytestmark = pytest.mark.integration
BotFactory = Callable[..., RunningBot]


def keyboard(call: Call) -> list[list[dict[str, str]]]:
    return list((call.params.get("reply_markup") or {}).get("inline_keyboard") or [])


def ask(bot: RunningBot, uid: int, text: str, language: str = "en") -> tuple[Call, float]:
    """Send a private message; the bot's (last) reply and the seconds from update to sendMessage."""
    before = len(bot.sent_to(uid))
    pushed = time.monotonic()
    bot.api.send_update(bot.api.message(user(uid, language), text))
    reply = bot.replies(uid, after=before)[-1]
    print(f"\n{text[:40]!r}: update → sendMessage {(reply.at - pushed) * 1000:.0f} ms")
    return reply, reply.at - pushed


def test_visa_question_gets_the_answer_with_source_and_votes_work(stack: Stack, bot_factory: BotFactory) -> None:
    bot = bot_factory(stack.rasa_url)
    reply, _ = ask(bot, 201, "Do I need a visa to visit Vietnam?")
    assert "https://evisa.gov.vn/" in reply.params["text"] and reply.params["parse_mode"] == "HTML"
    votes = keyboard(reply)[-1]
    assert [b["text"] for b in votes] == ["👍", "👎"]
    assert [b["callback_data"] for b in votes] == ["f:u:e-visa", "f:d:e-visa"]
    assert bot.api.calls_of("sendChatAction", 201)

    bot.api.click(user(201), reply, votes[0]["callback_data"])
    (edit,) = bot.api.wait_for(lambda: bot.api.calls_of("editMessageReplyMarkup"))
    assert edit.params["message_id"] == reply.result["message_id"]
    assert (edit.params.get("reply_markup") or {}).get("inline_keyboard", []) == keyboard(reply)[:-1]  # topics stay
    (answered,) = bot.api.calls_of("answerCallbackQuery")
    assert answered.params["text"] == say("feedback_thanks", "en")
    db = sqlite3.connect(stack.data_dir / "gaps.sqlite")
    assert ("e-visa", "up", "telegram") in db.execute("SELECT entry_id, value, channel FROM feedback").fetchall()


def test_nonsense_gets_the_honest_fallback_and_a_topic_click_answers(stack: Stack, bot_factory: BotFactory) -> None:
    bot = bot_factory(stack.rasa_url)
    reply, _ = ask(bot, 202, "asdf qwerty")
    topics = [row[0] for row in keyboard(reply)]
    assert len(topics) == 3 and all(t["callback_data"].startswith("e:") for t in topics)
    bot.api.click(user(202), reply, topics[0]["callback_data"])
    answer = bot.replies(202, after=1)[0]
    assert bot.api.wait_for(lambda: bot.api.calls_of("answerCallbackQuery"))
    entry_id = topics[0]["callback_data"].removeprefix("e:")
    assert keyboard(answer)[-1][0]["callback_data"] == f"f:u:{entry_id}"  # an answer, with votes


def test_markup_in_the_question_is_harmless(stack: Stack, bot_factory: BotFactory) -> None:
    bot = bot_factory(stack.rasa_url)
    ask(bot, 203, "<b>visa</b> & <i>fees</i> </pre> &amp; <a href='x'>?")
    refused = [c for c in bot.api.calls if c.method == "sendMessage" and c.error]
    assert not refused  # the stand-in refuses malformed HTML exactly as Telegram does


def test_chosen_language_reaches_rasas_tracker(stack: Stack, bot_factory: BotFactory) -> None:
    bot = bot_factory(stack.rasa_url)
    bot.api.send_update(bot.api.message(user(204, "en"), "/language"))
    menu = bot.replies(204)[0]
    bot.api.click(user(204, "en"), menu, "l:ko")
    assert bot.replies(204, after=1)[0].params["text"] == escape(say("language_set", "ko"))
    reply, _ = ask(bot, 204, "Do I need a visa to visit Vietnam?")
    assert "전자비자" in reply.params["text"]
    db = sqlite3.connect(stack.data_dir / "rasa-tracker.sqlite")
    sender = pseudonymous_sender(204, bot.settings)
    assert sender.startswith("tg-") and sender != "tg-204"  # the tracker never holds the Telegram user id
    events = [json.loads(row[0]) for row in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))]
    # What the bot reads back after a restart (through Rasa's API, when it is enabled) is in the tracker:
    assert latest_language_choice(events) == "ko"
    assert latest_language_choice(events[:1]) is None


def test_a_typed_language_request_sticks_for_later_questions(stack: Stack, bot_factory: BotFactory) -> None:
    bot = bot_factory(stack.rasa_url)
    reply, _ = ask(bot, 206, "answer in Korean please")
    assert reply.params["text"] == escape(say("language_changed", "ko"))
    reply, _ = ask(bot, 206, "Do I need a visa to visit Vietnam?")
    assert "전자비자" in reply.params["text"]


def test_investor_command_reaches_rasa_as_the_audience(stack: Stack, bot_factory: BotFactory) -> None:
    bot = bot_factory(stack.rasa_url)
    bot.api.send_update(bot.api.message(user(207, "de"), "/investor"))
    assert bot.replies(207)[0].params["text"] == escape(say("audience_investor", "de"))
    ask(bot, 207, "Brauche ich ein Visum für Vietnam?", language="de")
    db = sqlite3.connect(stack.data_dir / "rasa-tracker.sqlite")
    sender = pseudonymous_sender(207, bot.settings)
    assert sender.startswith("tg-") and sender != "tg-207"
    events = [json.loads(row[0]) for row in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))]
    audience = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == "audience"]
    assert audience == ["investor"]


def test_group_question_with_mention_is_answered_in_thread(stack: Stack, bot_factory: BotFactory) -> None:
    bot = bot_factory(stack.rasa_url)
    group = {"id": -600, "type": "group", "title": "Travellers"}
    mention = f"@{BOT['username']}"
    question = bot.api.message(user(205, "en"), f"{mention} what currency is used in Vietnam?", chat=group,
                               entities=[{"type": "mention", "offset": 0, "length": len(mention)}])
    bot.api.send_update(question)
    (reply,) = bot.replies(-600)
    assert reply.params["reply_parameters"]["message_id"] == question["message_id"]
    assert keyboard(reply)[-1][0]["callback_data"] == "f:u:currency"
