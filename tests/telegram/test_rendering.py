"""The pure parts: escaping, the 4096 limit, compact callback data, the per-user bucket, the command menu."""

from __future__ import annotations

import json
from typing import Any

from bot.telegram.handlers.commands import menu_commands
from bot.telegram.rendering import (
    MAX_CALLBACK_BYTES,
    PayloadTable,
    decode_callback,
    encode_callback,
    parse_payload,
    render,
    split_text,
    without_feedback,
)
from knowledge.languages import LANGUAGES
from rasa_addons.rate_limit import RateLimiter, Verdict
from tests.conftest import FIXTURE_KB
from tests.telegram.standin import check_html


def test_user_and_knowledge_text_is_escaped_into_valid_html() -> None:
    replies = [{"text": "Fees <b>25 USD</b> & up, see <https://evisa.gov.vn/?a=1&b=2>"}]
    (out,) = render(replies, PayloadTable())
    assert "&lt;b&gt;25 USD&lt;/b&gt; &amp; up" in out.html
    check_html(out.html)  # Telegram's rules, as the stand-in enforces them


def test_long_answers_are_split_under_the_limit_and_lose_nothing() -> None:
    real_text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(FIXTURE_KB.rglob("*.yaml")))
    text = (real_text + " & <tag> 🇻🇳 ") * 4  # escaping and surrogate pairs make the escaped text longer
    pho = [{"title": "Pho", "payload": '/ask_entry{"entry_id": "pho"}'}]
    replies: list[dict[str, Any]] = [{"text": text, "buttons": pho},
                                     {"custom": {"askvn": {"outcome": "answer", "entry_id": "e-visa"}}}]
    out = render(replies, PayloadTable())
    assert len(out) >= 3
    for message in out:
        assert 0 < check_html(message.html) <= 4096
    assert all(not m.keyboard for m in out[:-1]) and len(out[-1].keyboard) == 2  # topic row + 👍/👎 row
    assert "".join(split_text(text)).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_callback_data_stays_within_64_bytes_and_round_trips() -> None:
    table = PayloadTable()
    for entry_id in ("e-visa", "x" * 80, "thủ-tục-" * 10, "tết"):
        for payload in ('/ask_entry' + json.dumps({"entry_id": entry_id}),
                        '/feedback' + json.dumps({"entry_id": entry_id, "value": "down"})):
            data = encode_callback(payload, table)
            assert len(data.encode()) <= MAX_CALLBACK_BYTES
            decoded = decode_callback(data, table)
            assert decoded is not None and parse_payload(decoded) == parse_payload(payload)
    assert encode_callback('/ask_entry{"entry_id": "pho"}', table) == "e:pho"
    assert decode_callback("h:unknown", PayloadTable()) is None  # e.g. after a restart: handled politely


def test_voting_removes_only_the_feedback_row() -> None:
    table = PayloadTable()
    related = [{"title": "Related", "payload": '/ask_entry{"entry_id": "pho"}'}]
    replies: list[dict[str, Any]] = [{"text": "Answer", "buttons": related},
                                     {"custom": {"askvn": {"outcome": "answer", "entry_id": "e-visa"}}}]
    (out,) = render(replies, table)
    left = without_feedback(out.reply_markup, table)
    assert left is not None and [[b.text for b in row] for row in left.inline_keyboard] == [["Related"]]
    (plain,) = render([{"text": "A"}, {"custom": {"askvn": {"outcome": "answer", "entry_id": "x"}}}], table)
    assert without_feedback(plain.reply_markup, table) is None


def test_per_user_bucket_refuses_politely_once_then_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(burst=2, refill_s=10, clock=lambda: now[0])
    assert [limiter.check(1) for _ in range(4)] == [Verdict.ALLOWED, Verdict.ALLOWED, Verdict.NOTIFY, Verdict.SILENT]
    assert limiter.check(2) is Verdict.ALLOWED  # other users are unaffected
    now[0] = 10.0
    assert limiter.check(1) is Verdict.ALLOWED


def test_command_menu_is_localised_in_every_language() -> None:
    for language in LANGUAGES:
        commands = menu_commands(language)
        assert [c.command for c in commands] == ["investor", "tourist", "language", "about", "help"], language
    assert menu_commands("ko")[2].description == "언어 선택"
