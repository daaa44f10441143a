"""The whole assistant over Rasa's REST channel: real Rasa server, real action server, real index."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.processes.retention import prune_tracker
from tests.stack import API_TOKEN, Stack

pytestmark = pytest.mark.integration


def outcome(messages: list[dict[str, Any]]) -> dict[str, Any]:
    found = [m["custom"]["askvn"] for m in messages if isinstance(m.get("custom"), dict) and "askvn" in m["custom"]]
    assert len(found) == 1, messages
    return found[0]


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages if m.get("text"))


def test_english_visa_question_gets_the_curated_answer_with_source(stack: Stack) -> None:
    messages = stack.ask("Do I need a visa to visit Vietnam?", sender="en-user")
    result = outcome(messages)
    assert result["outcome"] == "answer" and result["entry_id"] == "e-visa" and result["language"] == "en"
    assert "https://evisa.gov.vn/" in text_of(messages)
    assert result["sources"] == [{"url": "https://evisa.gov.vn/", "name": result["sources"][0]["name"]}]


def test_korean_question_is_answered_in_korean(stack: Stack) -> None:
    messages = stack.ask("베트남에 가려면 비자가 필요한가요?", sender="ko-user")
    result = outcome(messages)
    assert result["outcome"] == "answer" and result["language"] == "ko" and result["answer_language"] == "ko"
    assert "전자비자" in text_of(messages)


def test_french_question_with_english_only_answer_says_so(stack: Stack) -> None:
    messages = stack.ask("Qu'est-ce que le Têt et comment cela affecte-t-il les voyages ?", sender="fr-user")
    result = outcome(messages)
    assert result["outcome"] == "answer" and result["entry_id"] == "tet-holiday"
    assert result["language"] == "fr" and result["answer_language"] == "en"
    body = text_of(messages)
    assert "Français" in body.splitlines()[0] and "Lunar New Year" in body


def test_nonsense_gets_the_honest_fallback_with_topic_buttons(stack: Stack) -> None:
    messages = stack.ask("asdf qwerty", sender="lost-user")
    result = outcome(messages)
    assert result["outcome"] == "no_answer" and result["entry_id"] is None
    buttons = [b for m in messages for b in m.get("buttons", [])]
    assert len(buttons) == 3

    # Clicking a suggestion answers that entry.
    follow = stack.ask(buttons[0]["payload"], sender="lost-user")
    assert outcome(follow)["outcome"] == "answer"
    assert outcome(follow)["entry_id"] == result["suggestions"][0]["entry_id"]


def test_greeting_is_small_talk_in_the_users_language(stack: Stack) -> None:
    result = outcome(stack.ask("xin chào", sender="vi-user"))
    assert result["outcome"] == "smalltalk" and result["language"] == "vi"


def test_conversations_are_stored_in_the_sqlite_tracker_readable_by_the_service_user_only(stack: Stack) -> None:
    stack.ask("What currency is used in Vietnam?", sender="persisted-user")
    db = sqlite3.connect(stack.data_dir / "rasa-tracker.sqlite")
    count = db.execute("SELECT COUNT(*) FROM events WHERE sender_id = 'persisted-user'").fetchone()[0]
    assert count >= 3
    for name in ("rasa-tracker.sqlite", "gaps.sqlite"):
        assert (stack.data_dir / name).stat().st_mode & 0o077 == 0, f"{name} is readable by other users"
    assert stack.data_dir.stat().st_mode & 0o077 == 0



def test_a_follow_up_is_answered_in_the_context_of_the_previous_question(stack: Stack) -> None:
    assert outcome(stack.ask("Do I need a visa to visit Vietnam?", sender="follow-user"))["entry_id"] == "e-visa"
    # Alone, "and how long can I stay?" matches nothing well enough; after the visa question it is about visas.
    follow = outcome(stack.ask("and how long can I stay?", sender="follow-user"))
    assert follow["outcome"] == "answer" and follow["entry_id"] == "e-visa"
    # A follow-up that names its own topic changes the topic.
    assert outcome(stack.ask("what about the money there?", sender="follow-user"))["entry_id"] == "currency"


def test_a_typed_language_request_changes_the_answer_language(stack: Stack) -> None:
    switched = outcome(stack.ask("please answer in Korean", sender="switch-user"))
    assert switched["outcome"] == "language_changed" and switched["language"] == "ko"
    result = outcome(stack.ask("Do I need a visa to visit Vietnam?", sender="switch-user"))
    assert result["language"] == "ko" and result["answer_language"] == "ko"


def test_a_long_conversation_keeps_its_language_and_context_and_stores_every_turn_once(stack: Stack) -> None:
    """Rasa loads only a conversation's recent turns (rasa_addons/recent_tracker_store.py): a language
    chosen 13 turns ago still holds, a follow-up still has its context, and no turn is lost or doubled."""
    sender = "long-conversation-user"
    assert outcome(stack.ask("please answer in Korean", sender=sender))["language"] == "ko"
    for turn in range(12):  # about 100 events, more than the store loads
        if turn >= 8:
            time.sleep(2.1)  # the per-conversation rate limit: a burst of 10, then one message per 2 s
        stack.ask("What is the currency of Vietnam?", sender=sender)
    time.sleep(2.1)
    result = outcome(stack.ask("Do I need a visa to visit Vietnam?", sender=sender))
    assert result["entry_id"] == "e-visa" and result["answer_language"] == "ko"
    time.sleep(2.1)
    follow = outcome(stack.ask("and how long can I stay?", sender=sender))
    assert follow["entry_id"] == "e-visa" and follow["language"] == "ko"
    with sqlite3.connect(stack.data_dir / "rasa-tracker.sqlite") as db:
        users = db.execute("SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                           (sender,)).fetchone()[0]
        stored = db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]
    assert users == 15 and stored > 2 * 60  # the store loaded at most 60 of them per turn


def test_a_question_about_another_country_is_declined_politely(stack: Stack) -> None:
    messages = stack.ask("Do Americans need a visa for Thailand?", sender="elsewhere-user")
    assert outcome(messages)["outcome"] == "out_of_scope" and "Vietnam" in text_of(messages)
    assert outcome(stack.ask("Do Americans need a visa for Vietnam?", sender="elsewhere-user"))["entry_id"] == "e-visa"


def test_conversations_idle_past_the_retention_period_are_deleted(stack: Stack, tmp_path: Path) -> None:
    """On a copy of the real tracker database (Rasa's own schema): an idle conversation goes whole,
    a recent one stays."""
    stack.ask("What currency is used in Vietnam?", sender="old-visitor")
    stack.ask("What currency is used in Vietnam?", sender="recent-visitor")
    copy = tmp_path / "tracker.sqlite"
    # SQLite's backup API: the tracker is in write-ahead-log mode, so recent turns may be only in its -wal file
    with sqlite3.connect(stack.data_dir / "rasa-tracker.sqlite") as live, sqlite3.connect(copy) as target:
        live.backup(target)
    with sqlite3.connect(copy) as db:
        db.execute("UPDATE events SET timestamp = timestamp - 40 * 86400 WHERE sender_id = 'old-visitor'")
    assert prune_tracker(copy, days=30) >= 1
    with sqlite3.connect(copy) as db:
        senders = {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
    assert "old-visitor" not in senders and "recent-visitor" in senders


def test_operators_see_readiness_and_metrics_of_the_action_server(stack: Stack) -> None:
    actions = f"http://127.0.0.1:{stack.ports['action']}"
    ready = httpx.get(f"{actions}/ready", timeout=10)
    assert ready.status_code == 200 and ready.json()["status"] == "ready" and ready.json()["entries"] > 0
    stack.ask("Wie lange dauert die Bearbeitung eines E-Visums?", sender="metrics-user")
    metrics = httpx.get(f"{actions}/metrics", timeout=10).text
    assert re.search(r'askvn_replies_total\{language="de",outcome="[a-z_]+"\} [1-9]', metrics)
    assert f'build_id="{ready.json()["build"]}"' in metrics and "askvn_answer_seconds_count" in metrics
    assert 'askvn_http_responses_total{route="/webhook",status="200"}' in metrics


def test_an_action_server_error_does_not_echo_the_conversation(stack: Stack) -> None:
    actions = f"http://127.0.0.1:{stack.ports['action']}"
    secret = "my passport number is C1234567"
    call = {"next_action": "action_answer_question", "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": "private-visitor", "latest_message": secret, "slots": {}, "events": []}}
    failed = httpx.post(f"{actions}/webhook", json=call, timeout=30)
    assert failed.status_code == 500
    assert secret not in failed.text and "private-visitor" not in failed.text
    assert secret not in stack.log.read_text(errors="replace")


def test_rasas_http_api_needs_the_token_which_no_command_line_shows(stack: Stack) -> None:
    assert httpx.get(f"{stack.rasa_url}/status", timeout=10).status_code == 401
    assert httpx.get(f"{stack.rasa_url}/status", params={"token": API_TOKEN}, timeout=10).status_code == 200
    shown = [_command_line(p) for p in Path("/proc").iterdir() if p.name.isdigit()]
    assert any(b"rasa_addons.run_rasa" in c for c in shown)
    assert not any(API_TOKEN.encode() in c for c in shown)


def _command_line(proc: Path) -> bytes:
    try:
        return proc.joinpath("cmdline").read_bytes()
    except OSError:  # the process ended meanwhile
        return b""
