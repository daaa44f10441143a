"""What a channel lets through to Rasa: checked, bounded and cleaned before NLU runs.

Rasa's NLU memory grows with the square of a message's token count (one 100 kB message drove the Rasa
server to 23 GB and the kernel killed it), so the limits must hold in the input channels, not in the
action server that only sees the message after NLU. Every channel (REST, socket.io, and Telegram, which
posts to REST) calls `guard_message`.

Pure Python with no Rasa import, so the Rasa server's channels and the tests in the app's environment
share it.

Limits (environment variables, read when the channel is created):
- ASKVN_MAX_MESSAGE_CHARS (default 1000): longer text is cut to this many characters plus one, so the
  answering action still sees that it was too long and says so politely in the user's language, while
  NLU only ever reads a bounded text.
- ASKVN_MAX_BODY_BYTES (default 16384): a larger request body is refused (413).
- metadata: only the keys in METADATA_KEYS, each a short string; anything else is dropped or refused.
"""

from __future__ import annotations

import hmac
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

# The metadata channels send (web widget, Telegram relay): see web/src/chat.js, bot/telegram/context.py.
METADATA_KEYS = ("language", "language_choice", "channel", "audience")
MAX_METADATA_VALUE_CHARS = 35  # "zh-Hant-TW", "investor", BCP-47 tags with a region
MAX_SENDER_CHARS = 128
# Sender ids our own relays use; only a request carrying the channel token may speak as one of them, so
# nobody can post to REST as a Telegram user and read or change that user's conversation.
RESERVED_SENDER_PREFIXES = ("tg-",)
CHANNEL_TOKEN_HEADER = "x-askvn-channel-token"
# C0/C1 control characters except tab and newline; they carry no meaning in a question.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class InputRejected(ValueError):
    """The request cannot be turned into a user message; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Limits:
    max_message_chars: int = 1000
    max_body_bytes: int = 16384
    # Token buckets: per sender (a conversation) and per client address; a burst, then one token per refill.
    sender_burst: int = 10
    sender_refill_s: float = 2.0
    address_burst: int = 200  # generous: many visitors share one address behind a NAT or mobile carrier
    address_refill_s: float = 0.02

    @classmethod
    def from_env(cls) -> Limits:
        return cls(max_message_chars=_int_env("ASKVN_MAX_MESSAGE_CHARS", cls.max_message_chars),
                   max_body_bytes=_int_env("ASKVN_MAX_BODY_BYTES", cls.max_body_bytes),
                   sender_burst=_int_env("ASKVN_SENDER_BURST", cls.sender_burst),
                   sender_refill_s=_float_env("ASKVN_SENDER_REFILL_S", cls.sender_refill_s),
                   address_burst=_int_env("ASKVN_ADDRESS_BURST", cls.address_burst),
                   address_refill_s=_float_env("ASKVN_ADDRESS_REFILL_S", cls.address_refill_s))


@dataclass(frozen=True)
class GuardedMessage:
    sender: str
    text: str
    metadata: dict[str, str]


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


def _float_env(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "").strip() or default)
    except ValueError:
        return default
    return value if value > 0 else default


def clean_text(text: str, limits: Limits) -> str:
    """NFC, no lone surrogates or control characters, at most max_message_chars + 1 characters."""
    if len(text) > 8 * limits.max_message_chars:  # cut first: normalising a megabyte costs time for nothing
        text = text[: 8 * limits.max_message_chars]
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate becomes "?"
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return text[: limits.max_message_chars + 1]


def clean_metadata(raw: object, *, strict: bool) -> dict[str, str]:
    """The allowed metadata keys with short string values.

    strict (REST, where a client can be told): a non-object or a non-string value is refused. Lenient
    (socket.io, whose widget cannot show an error): such metadata is dropped and the message still
    gets its answer.
    """
    if isinstance(raw, str) and not strict:  # socket.io clients may send metadata as a JSON string
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        if strict:
            raise InputRejected("'metadata' must be a JSON object")
        return {}
    cleaned: dict[str, str] = {}
    for key in METADATA_KEYS:
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > MAX_METADATA_VALUE_CHARS:
            if strict:
                raise InputRejected(f"metadata '{key}' must be a string of at most "
                                    f"{MAX_METADATA_VALUE_CHARS} characters")
            continue
        cleaned[key] = clean_text(value, Limits(max_message_chars=MAX_METADATA_VALUE_CHARS))
    return cleaned


def guard_sender(raw: object) -> str:
    """A conversation id: a non-empty string (or number) of bounded length, without control characters."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise InputRejected("'sender' is required: a string naming the conversation")
    sender = _CONTROL.sub("", str(raw).encode("utf-8", "replace").decode("utf-8")).strip()
    if not sender:
        raise InputRejected("'sender' is required: a string naming the conversation")
    if len(sender) > MAX_SENDER_CHARS:
        raise InputRejected(f"'sender' is longer than {MAX_SENDER_CHARS} characters")
    return sender


def guard_message(body: object, limits: Limits) -> GuardedMessage:
    """A request body `{"sender", "message", "metadata"}` as a bounded, clean user message."""
    if not isinstance(body, dict):
        raise InputRejected('the body must be a JSON object: {"sender": "...", "message": "..."}')
    message = body.get("message")
    if not isinstance(message, str):
        raise InputRejected("'message' is required and must be a string")
    return GuardedMessage(sender=guard_sender(body.get("sender")), text=clean_text(message, limits),
                          metadata=clean_metadata(body.get("metadata"), strict=True))


def check_reserved_sender(sender: str, presented: str | None, expected: str | None) -> bool:
    """Refuse (403) a reserved sender id unless the request carries the channel token; True when the
    request proved to come from our own relay."""
    relay = bool(expected and presented and hmac.compare_digest(presented.encode(), expected.encode()))
    if sender.lower().startswith(RESERVED_SENDER_PREFIXES) and not relay:
        raise InputRejected("this sender id is reserved for the assistant's own channels", status=403)
    return relay


def parse_body(raw: bytes, limits: Limits) -> Any:
    """The JSON of a request body, refused when too large or not JSON."""
    if len(raw) > limits.max_body_bytes:
        raise InputRejected(f"the request body is larger than {limits.max_body_bytes} bytes", status=413)
    if not raw.strip():
        raise InputRejected('the body is empty; send {"sender": "...", "message": "..."}')
    try:
        return json.loads(raw.decode("utf-8", "replace"))
    except ValueError as exc:
        raise InputRejected(f"the body is not valid JSON ({exc.msg})") from None
