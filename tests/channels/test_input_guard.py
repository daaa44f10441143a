"""What the channels let through to Rasa (rasa_addons/input_guard.py): pure functions, property-tested."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rasa_addons.input_guard import (
    METADATA_KEYS,
    InputRejected,
    Limits,
    check_reserved_sender,
    clean_metadata,
    clean_text,
    guard_message,
    parse_body,
)

LIMITS = Limits(max_message_chars=50, max_body_bytes=2000)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@given(st.text())
def test_clean_text_is_bounded_valid_utf8_without_control_characters(text: str) -> None:
    cleaned = clean_text(text, LIMITS)
    assert len(cleaned) <= LIMITS.max_message_chars + 1
    cleaned.encode("utf-8")  # no lone surrogates left
    assert not any(ord(c) < 32 and c not in "\t\n" for c in cleaned)


def test_a_long_message_is_cut_to_one_past_the_limit_so_the_action_can_say_it_was_too_long() -> None:
    assert len(clean_text("visa " * 1000, LIMITS)) == LIMITS.max_message_chars + 1
    assert clean_text("Do I need a visa?", LIMITS) == "Do I need a visa?"


def test_lone_surrogates_and_control_characters_are_replaced() -> None:
    assert clean_text("visa\ud800 ok\x00\x07", LIMITS) == "visa? ok"


@given(JSON_VALUES)
@settings(max_examples=300)
def test_any_json_body_is_either_a_clean_message_or_a_clear_rejection(body: Any) -> None:
    try:
        message = guard_message(body, LIMITS)
    except InputRejected as exc:
        assert exc.status == 400 and str(exc)
        return
    assert isinstance(body, dict) and isinstance(body["message"], str)
    assert message.sender and len(message.text) <= LIMITS.max_message_chars + 1
    assert set(message.metadata) <= set(METADATA_KEYS)


@given(st.binary(max_size=3000))
def test_any_bytes_parse_or_are_refused_with_4xx(raw: bytes) -> None:
    try:
        parse_body(raw, LIMITS)
    except InputRejected as exc:
        assert exc.status in (400, 413)


@pytest.mark.parametrize("body, reason", [
    ([], "JSON object"), ("hello", "JSON object"), ({"sender": "a"}, "'message'"),
    ({"sender": "a", "message": None}, "'message'"), ({"sender": "a", "message": 5}, "'message'"),
    ({"message": "hi"}, "'sender'"), ({"sender": "", "message": "hi"}, "'sender'"),
    ({"sender": "a" * 500, "message": "hi"}, "'sender'"),
    ({"sender": "a", "message": "hi", "metadata": [1]}, "'metadata'"),
    ({"sender": "a", "message": "hi", "metadata": {"language_choice": 7}}, "language_choice"),
])
def test_wrong_types_are_refused_with_a_message_that_names_the_field(body: Any, reason: str) -> None:
    with pytest.raises(InputRejected, match=reason):
        guard_message(body, LIMITS)


def test_metadata_keeps_only_known_keys_and_is_lenient_on_socketio() -> None:
    meta = {"language_choice": "fr", "audience": "investor", "blob": "x" * 900_000, "channel": "web"}
    assert clean_metadata(meta, strict=True) == {"language_choice": "fr", "audience": "investor", "channel": "web"}
    assert clean_metadata(json.dumps(meta), strict=False)["language_choice"] == "fr"
    assert clean_metadata("not json", strict=False) == {}
    assert clean_metadata([1, 2], strict=False) == {}


def test_oversized_and_empty_bodies_are_refused() -> None:
    with pytest.raises(InputRejected) as too_big:
        parse_body(b"{" + b" " * 3000 + b"}", LIMITS)
    assert too_big.value.status == 413
    with pytest.raises(InputRejected, match="empty"):
        parse_body(b"", LIMITS)


def test_reserved_senders_need_the_channel_token() -> None:
    check_reserved_sender("web-visitor", None, "secret")  # not reserved: nothing to prove
    check_reserved_sender("tg-42", "secret", "secret")
    for presented, expected in ((None, "secret"), ("guess", "secret"), ("secret", None)):
        with pytest.raises(InputRejected) as refused:
            check_reserved_sender("tg-42", presented, expected)
        assert refused.value.status == 403
