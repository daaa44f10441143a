"""Bad input over REST against the real stack: a polite reply or a clear 4xx, never a 500, an empty 200 or
a crash, and no message can make Rasa's NLU exhaust memory (the limits hold before NLU runs)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from knowledge.ui_text import say
from tests.stack import CHANNEL_TOKEN, ROOT, Stack

pytestmark = pytest.mark.integration

REPLY, REFUSED, FORBIDDEN, TOO_BIG = "reply", 400, 403, 413
OK_META = {"channel": "web"}
# (kind, raw body, what the user must get). Bodies are bytes so that broken JSON can be sent as is.
PROBES: list[tuple[str, bytes, object]] = [
    ("empty body", b"", REFUSED),
    ("whitespace body", b"   \n", REFUSED),
    ("JSON array", b"[]", REFUSED),
    ("JSON string", b'"hello"', REFUSED),
    ("JSON number", b"42", REFUSED),
    ("JSON null", b"null", REFUSED),
    ("not JSON", b"message=hello", REFUSED),
    ("truncated JSON", b'{"sender": "x", "message": "hi', REFUSED),
    ("invalid UTF-8", b'{"sender": "x", "message": "\xff\xfe"}', REPLY),
    ("no message", b'{"sender": "p1"}', REFUSED),
    ("null message", b'{"sender": "p1", "message": null}', REFUSED),
    ("number message", b'{"sender": "p1", "message": 12}', REFUSED),
    ("list message", b'{"sender": "p1", "message": ["visa"]}', REFUSED),
    ("object message", b'{"sender": "p1", "message": {"text": "visa"}}', REFUSED),
    ("no sender", b'{"message": "Do I need a visa?"}', REFUSED),
    ("empty sender", b'{"sender": "", "message": "Do I need a visa?"}', REFUSED),
    ("null sender", b'{"sender": null, "message": "Do I need a visa?"}', REFUSED),
    ("list sender", b'{"sender": ["a"], "message": "Do I need a visa?"}', REFUSED),
    ("huge sender", json.dumps({"sender": "s" * 5000, "message": "visa"}).encode(), REFUSED),
    ("metadata list", b'{"sender": "p2", "message": "visa", "metadata": [1]}', REFUSED),
    ("metadata string", b'{"sender": "p2", "message": "visa", "metadata": "{}"}', REFUSED),
    ("metadata number", b'{"sender": "p2", "message": "visa", "metadata": 3}', REFUSED),
    ("language_choice not a string", b'{"sender": "p2", "message": "visa", "metadata": {"language_choice": 5}}',
     REFUSED),
    ("900 kB metadata", json.dumps({"sender": "p3", "message": "visa", "metadata": {"x": "m" * 900_000}}).encode(),
     TOO_BIG),
    ("1 MB message", json.dumps({"sender": "p3", "message": "visa " * 200_000}).encode(), TOO_BIG),
    ("nested metadata", json.dumps({"sender": "p3", "message": "visa", "metadata": {"a": [[[[{}]]]]}}).encode(),
     REPLY),
    ("unknown metadata keys", json.dumps({"sender": "p4", "message": "Do I need a visa?",
                                          "metadata": {"evil": "x", "channel": "web"}}).encode(), REPLY),
    ("unknown audience", json.dumps({"sender": "p4", "message": "visa", "metadata": {"audience": "root"}}).encode(),
     REPLY),
    ("unknown language_choice", json.dumps({"sender": "p4", "message": "visa",
                                            "metadata": {"language_choice": "xx"}}).encode(), REPLY),
    ("spoofed input_channel", json.dumps({"sender": "p4", "message": "visa", "input_channel": "telegram"}).encode(),
     REPLY),
    ("lone surrogate", b'{"sender": "p5", "message": "visa \\ud800 Vietnam"}', REPLY),
    ("control characters", json.dumps({"sender": "p5", "message": "visa\x00\x07\x1b[31m"}).encode(), REPLY),
    ("zero-width characters", json.dumps({"sender": "p5", "message": "vi\u200bsa\u200d?"}).encode(), REPLY),
    ("only spaces", json.dumps({"sender": "p5", "message": "     "}).encode(), REPLY),
    ("empty message", json.dumps({"sender": "p5", "message": ""}).encode(), REPLY),
    ("emoji only", json.dumps({"sender": "p6", "message": "🇻🇳🛂❓"}).encode(), REPLY),
    ("HTML and script", json.dumps({"sender": "p6", "message": "<script>alert(1)</script><b>visa</b>"}).encode(),
     REPLY),
    ("SQL injection", json.dumps({"sender": "p6", "message": "visa'; DROP TABLE events; --"}).encode(), REPLY),
    ("Arabic text", json.dumps({"sender": "p6", "message": "هل أحتاج إلى تأشيرة لفيتنام؟"}).encode(), REPLY),
    ("5,000 characters of English", json.dumps({"sender": "p7", "message": "visa " * 1000}).encode(), REPLY),
    ("2,000 Chinese characters", json.dumps({"sender": "p7", "message": "签证" * 1000}, ensure_ascii=False).encode(),
     REPLY),
    ("button payload for a missing entry", json.dumps({"sender": "p8",
                                                       "message": '/ask_entry{"entry_id": "no-such"}'}).encode(),
     REPLY),
    ("broken button payload", json.dumps({"sender": "p8", "message": '/ask_entry{"entry_id": '}).encode(), REPLY),
    ("feedback for a missing entry",
     json.dumps({"sender": "p8", "message": '/feedback{"entry_id": "no-such", "value": "up"}'}).encode(), REPLY),
    ("numeric sender", b'{"sender": 12345, "message": "Do I need a visa?"}', REPLY),
    ("sender posing as a Telegram user", b'{"sender": "tg-424242", "message": "Do I need a visa?"}', FORBIDDEN),
    ("Telegram namespace in capitals", b'{"sender": "TG-424242", "message": "Do I need a visa?"}', FORBIDDEN),
    ("text/plain content type", b'{"sender": "p9", "message": "Do I need a visa?"}', REPLY),
]


def _post(stack: Stack, body: bytes, content_type: str = "application/json") -> httpx.Response:
    return httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", content=body,
                      headers={"content-type": content_type}, timeout=60)


@pytest.mark.parametrize("kind, body, expected", PROBES, ids=[p[0] for p in PROBES])
def test_bad_input_gets_a_polite_reply_or_a_clear_4xx(stack: Stack, kind: str, body: bytes, expected: object) -> None:
    response = _post(stack, body, "text/plain" if kind.startswith("text/plain") else "application/json")
    if expected == REPLY:
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()
        texts = [m["text"] for m in messages if m.get("text")]
        assert texts, f"empty reply to {kind!r}"
        assert not any("Traceback" in t or "Error" in t for t in texts)
    elif expected == TOO_BIG:  # refused by the server's body limit before any channel code runs
        assert response.status_code == TOO_BIG, response.text[:300]
        assert "Traceback" not in response.text
    else:
        assert response.status_code == expected, response.text[:300]
        error = response.json()["error"]
        assert isinstance(error, str) and error and "Traceback" not in error


def test_the_telegram_relay_with_the_channel_token_may_use_its_senders(stack: Stack) -> None:
    response = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=60,
                          json={"sender": "tg-424242", "message": "Do I need a visa to visit Vietnam?"},
                          headers={"X-Askvn-Channel-Token": CHANNEL_TOKEN})
    assert response.status_code == 200 and any("custom" in m for m in response.json())
    forged = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=60,
                        json={"sender": "tg-424242", "message": "hi"}, headers={"X-Askvn-Channel-Token": "guess"})
    assert forged.status_code == 403


def test_too_long_message_is_answered_politely_in_the_users_language(stack: Stack) -> None:
    messages = stack.ask("Tôi cần visa không? " * 100, sender="long-vi")
    custom = [m["custom"]["askvn"] for m in messages if "custom" in m]
    assert custom and custom[0]["outcome"] == "no_answer" and custom[0]["language"] == "vi"
    assert "1000" in messages[0]["text"]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _rasa_pid(stack: Stack) -> int:
    port = str(stack.ports["rasa"])
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"rasa_addons.run_rasa" in cmd and port.encode() in cmd:
                return int(proc.name)
    raise AssertionError("Rasa server process not found")


def test_huge_and_parallel_long_messages_leave_rasa_under_a_memory_bound_and_answering(stack: Stack) -> None:
    """Before the limits, one 100 kB message drove Rasa to 23 GB; now NLU never reads more than 1,001 characters."""
    pid = _rasa_pid(stack)
    before = _rss_mb(pid)
    huge = json.dumps({"sender": "mem-0", "message": "签证" * 500_000}, ensure_ascii=False).encode()
    assert _post(stack, huge).status_code == TOO_BIG

    def ask_long(i: int) -> int:
        body = json.dumps({"sender": f"mem-{i}", "message": "Việt Nam visa " * 3_500}, ensure_ascii=False).encode()
        return _post(stack, body[:50_000] if len(body) > 50_000 else body).status_code

    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(ask_long, range(1, 11)))
    assert set(codes) <= {200, TOO_BIG}
    # Long but under the body limit: answered ("too long"), each read by NLU only up to the character limit.
    with ThreadPoolExecutor(10) as pool:
        replies = list(pool.map(lambda i: stack.ask("Is the tap water safe? " * 600, sender=f"mem-long-{i}"),
                                range(10)))
    assert all(any(m.get("text") for m in r) for r in replies)
    after = _rss_mb(pid)
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "rasa_memory_under_long_messages.json").write_text(json.dumps(
        {"rasa_rss_mb_before": round(before), "rasa_rss_mb_after": round(after)}))
    assert after < before + 500, f"Rasa grew from {before:.0f} MB to {after:.0f} MB"
    assert any("custom" in m for m in stack.ask("Do I need a visa to visit Vietnam?", sender="mem-after"))


def test_a_flooding_sender_is_slowed_down_politely_and_others_are_not(stack: Stack) -> None:
    codes, errors = [], []
    for i in range(16):
        response = _post(stack, json.dumps({"sender": "flooder", "message": f"visa {i}",
                                            "metadata": {"language": "fr"}}).encode())
        codes.append(response.status_code)
        if response.status_code == 429:
            errors.append(response.json()["error"])
    assert codes[:5] == [200] * 5 and codes.count(429) >= 2, codes
    assert errors[0] == say("rate_limited", "fr")  # in the visitor's language
    assert _post(stack, json.dumps({"sender": "calm-visitor", "message": "visa"}).encode()).status_code == 200
