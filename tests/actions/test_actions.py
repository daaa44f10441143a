"""The custom actions, driven with tracker fixtures exactly as the Rasa server would call them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.actions import ActionAnswerQuestion, ActionFeedback, ActionSmalltalk
from bot import settings as settings_module
from knowledge.embedding.embedder import Embedder


@pytest.fixture(autouse=True)
def action_runtime(fixture_index_dir: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch,
                   tmp_path: Path) -> Iterator[Path]:
    """Point the action server's settings at the fixture index and a fresh gap log."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "index").symlink_to(fixture_index_dir)
    monkeypatch.setenv("ASKVN_DATA_DIR", str(data_dir))
    settings_module.get_settings.cache_clear()
    runtime.configure(settings_module.get_settings())
    runtime.knowledge_service().embedder = embedder
    yield data_dir
    settings_module.get_settings.cache_clear()
    runtime.configure(settings_module.get_settings())


def tracker(text: str, *, intent: str = "ask_question", entities: list[dict[str, Any]] | None = None,
            metadata: dict[str, Any] | None = None, language: str | None = None,
            slots: dict[str, Any] | None = None) -> Tracker:
    return Tracker(
        sender_id="visitor-42",
        slots={"language": language, "last_entry": None, **(slots or {})},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9},
                        "entities": entities or [], "metadata": metadata or {}},
        events=[], paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen",
    )


async def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return dispatcher.messages, events


def outcome(messages: list[dict[str, Any]]) -> dict[str, Any]:
    customs = [m["custom"]["askvn"] for m in messages if m.get("custom")]
    assert len(customs) == 1, messages
    return customs[0]


async def test_question_is_answered_with_source_and_outcome() -> None:
    messages, events = await run(ActionAnswerQuestion(), tracker("Do I need a visa to visit Vietnam?"))
    result = outcome(messages)
    assert result["outcome"] == "answer" and result["entry_id"] == "e-visa" and result["language"] == "en"
    assert result["sources"][0]["url"] == "https://evisa.gov.vn/"
    assert "https://evisa.gov.vn/" in messages[0]["text"]
    assert {"event": "slot", "name": "language", "value": "en", "timestamp": None} in events


async def test_question_in_korean_is_answered_in_korean() -> None:
    messages, _ = await run(ActionAnswerQuestion(), tracker("베트남 여행 가는데 비자 필요해요?"))
    result = outcome(messages)
    assert result["outcome"] == "answer" and result["answer_language"] == "ko"
    assert "전자비자" in messages[0]["text"]


async def test_channel_language_choice_wins_over_detection() -> None:
    t = tracker("Do I need a visa to visit Vietnam?", metadata={"language_choice": "fr"})
    messages, _ = await run(ActionAnswerQuestion(), t)
    assert outcome(messages)["language"] == "fr" and "e-visa" in messages[0]["text"].lower()


@pytest.mark.parametrize(("request_text", "language"), [("answer in French please", "fr"), ("用中文回答", "zh"),
                                                        ("trả lời bằng tiếng Anh", "en")])
async def test_a_typed_language_request_switches_and_sticks(request_text: str, language: str) -> None:
    messages, events = await run(ActionAnswerQuestion(), tracker(request_text))
    assert outcome(messages)["outcome"] == "language_changed" and outcome(messages)["language"] == language
    assert {"event": "slot", "name": "language_choice", "value": language, "timestamp": None} in events
    later = tracker("베트남 여행 가는데 비자 필요해요?", slots={"language_choice": language})
    messages, _ = await run(ActionAnswerQuestion(), later)
    assert outcome(messages)["entry_id"] == "e-visa" and outcome(messages)["language"] == language


async def test_a_question_mentioning_a_language_is_answered_not_a_switch() -> None:
    messages, _ = await run(ActionAnswerQuestion(), tracker("Do people in Vietnam speak English?"))
    assert outcome(messages)["outcome"] != "language_changed" and outcome(messages)["language"] == "en"


async def test_the_channels_audience_is_remembered() -> None:
    _, events = await run(ActionAnswerQuestion(), tracker("Do I need a visa?", metadata={"audience": "Investor"}))
    assert {"event": "slot", "name": "audience", "value": "investor", "timestamp": None} in events
    _, events = await run(ActionAnswerQuestion(), tracker("Do I need a visa?", slots={"audience": "investor"}))
    assert {"event": "slot", "name": "audience", "value": "investor", "timestamp": None} in events
    _, events = await run(ActionAnswerQuestion(), tracker("Do I need a visa?", metadata={"audience": "<b>"}))
    assert {"event": "slot", "name": "audience", "value": None, "timestamp": None} in events


async def test_unknown_question_is_declined_offered_topics_and_logged(action_runtime: Path) -> None:
    messages, _ = await run(ActionAnswerQuestion(), tracker("asdf qwerty"))
    result = outcome(messages)
    assert result["outcome"] == "no_answer" and result["entry_id"] is None
    buttons = messages[0]["buttons"]
    assert len(buttons) == 3 and all(b["payload"].startswith("/ask_entry{") for b in buttons)
    rows = sqlite3.connect(action_runtime / "gaps.sqlite").execute(
        "SELECT question, outcome, user_pseudonym, candidates FROM gaps").fetchall()
    assert len(rows) == 1 and rows[0][0] == "asdf qwerty" and rows[0][1] == "no_answer"
    assert "visitor-42" not in rows[0][2] and len(json.loads(rows[0][3])) >= 3


async def test_suggestion_button_answers_that_entry_in_the_conversation_language() -> None:
    t = tracker('/ask_entry{"entry_id": "tet-holiday"}', intent="ask_entry",
                entities=[{"entity": "entry_id", "value": "tet-holiday"}], language="de")
    messages, _ = await run(ActionAnswerQuestion(), t)
    result = outcome(messages)
    assert result["entry_id"] == "tet-holiday" and result["language"] == "de"
    assert result["answer_language"] == "en" and "Deutsch" in messages[0]["text"]


async def test_smalltalk_replies_in_the_users_language() -> None:
    messages, _ = await run(ActionSmalltalk(), tracker("Xin chào bạn, mình muốn hỏi chút", intent="greet"))
    assert outcome(messages)["outcome"] == "smalltalk"
    assert outcome(messages)["language"] == "vi"
    assert messages[0]["text"] and messages[0]["text"] != messages[-1].get("text")


@pytest.mark.parametrize("greeting", ["hello", "thanks a lot", "xin chào", "감사합니다"])
async def test_small_talk_after_a_question_stays_small_talk(greeting: str) -> None:
    t = tracker(greeting, intent="greet", slots={"last_question": "Do I need a visa to visit Vietnam?"})
    messages, _ = await run(ActionSmalltalk(), t)
    assert outcome(messages)["outcome"] == "smalltalk"


async def test_a_question_nlu_took_for_small_talk_is_answered() -> None:
    messages, _ = await run(ActionSmalltalk(), tracker("베트남 여행 가는데 비자 필요해요?", intent="goodbye"))
    assert outcome(messages)["outcome"] == "answer" and outcome(messages)["entry_id"] == "e-visa"


async def test_feedback_is_recorded(action_runtime: Path) -> None:
    t = tracker('/feedback{"entry_id": "pho", "value": "down"}', intent="feedback", language="en",
                entities=[{"entity": "entry_id", "value": "pho"}, {"entity": "value", "value": "down"}])
    messages, _ = await run(ActionFeedback(), t)
    assert messages[0]["text"]
    rows = sqlite3.connect(action_runtime / "gaps.sqlite").execute("SELECT entry_id, value FROM feedback").fetchall()
    assert rows == [("pho", "down")]


async def test_feedback_counts_once_per_user_and_only_for_real_entries(action_runtime: Path) -> None:
    def vote(entry_id: str, value: str) -> Tracker:
        return tracker(f'/feedback{{"entry_id": "{entry_id}", "value": "{value}"}}', intent="feedback", language="en",
                       entities=[{"entity": "entry_id", "value": entry_id}, {"entity": "value", "value": value}])

    for t in (vote("pho", "up"), vote("pho", "up"), vote("pho", "down"), vote("no-such-entry", "up")):
        messages, _ = await run(ActionFeedback(), t)
        assert messages[0]["text"]  # always thanked, never an error
    rows = sqlite3.connect(action_runtime / "gaps.sqlite").execute("SELECT entry_id, value FROM feedback").fetchall()
    assert rows == [("pho", "down")]  # the user's last word on pho; the made-up entry is not stored


@pytest.mark.parametrize("text, intent", [
    ("夜遅くに着いても安全ですか?", "bot_challenge"),
    ("女性の一人旅でも大丈夫ですか", "bot_challenge"),
    ("大阪の人口は?", "bot_challenge"),
    ("越南签证能停留多长时间", "goodbye"),
    ("하롱베이 가기 좋은 계절은 언제인가요", "thank"),
    ("เที่ยวเวียดนามต้องใช้วีซ่าไหม", "greet"),
])
async def test_a_question_is_never_answered_with_small_talk(text: str, intent: str) -> None:
    """Questions NLU took for small talk (typed the way people type them) get the knowledge base's reply."""
    messages, _ = await run(ActionSmalltalk(), tracker(text, intent=intent))
    assert outcome(messages)["outcome"] in ("answer", "clarify", "no_answer", "out_of_scope")


@pytest.mark.parametrize("text, intent", [
    ("hello", "greet"), ("bonjour", "greet"), ("thanks", "thank"), ("ありがとう", "thank"), ("谢谢", "thank"),
    ("ขอบคุณครับ", "thank"), ("xin chào", "greet"), ("are you a bot?", "bot_challenge"),
    ("bạn là người thật không?", "bot_challenge"),
])
async def test_small_talk_is_small_talk_even_when_an_entry_matches_it(text: str, intent: str) -> None:
    messages, _ = await run(ActionSmalltalk(), tracker(text, intent=intent))
    assert outcome(messages)["outcome"] == "smalltalk"


@pytest.mark.parametrize("text", ["이 챗봇 한국어 되는 거죠?", "그럼 네덜란드 사람은요?"])
async def test_a_question_that_merely_mentions_a_bot_or_people_is_a_question(text: str) -> None:
    messages, _ = await run(ActionSmalltalk(), tracker(text, intent="bot_challenge"))
    assert outcome(messages)["outcome"] != "smalltalk"
