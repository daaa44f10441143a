"""Rasa replies → Telegram messages: HTML escaping, the 4096 limit, inline keyboards, callback data.

Everything here is pure (no network), so the tricky parts are tested without a bot.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from knowledge.vocabulary import ASK_ENTRY_INTENT, FEEDBACK_INTENT, button_payload

MAX_MESSAGE_LENGTH = 4096  # Telegram's limit, counted in UTF-16 code units
MAX_CALLBACK_BYTES = 64
PAYLOAD_TABLE_SIZE = 10_000

ASK_ENTRY = button_payload(ASK_ENTRY_INTENT)
FEEDBACK = button_payload(FEEDBACK_INTENT)
THUMBS = {"up": "👍", "down": "👎"}
_PAYLOAD_RE = re.compile(r"(/[a-z_]+)(\{.*\})", re.DOTALL)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split raw text so each chunk, once HTML-escaped, fits `limit`; prefer paragraph, line, word breaks.

    Measuring the escaped form matters: `&` becomes `&amp;`, so raw length alone can overflow.
    """
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_len(html.escape(rest, quote=False)) <= limit:
            chunks.append(rest)
            break
        cut = _longest_fitting_prefix(rest, limit)
        window = rest[:cut]
        for sep in ("\n\n", "\n", " "):
            at = window.rfind(sep)
            if at > cut // 2:
                cut = at
                break
        chunk, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if chunk:
            chunks.append(chunk)
    return chunks or [""]


def _longest_fitting_prefix(text: str, limit: int) -> int:
    """Binary search for the longest prefix whose escaped UTF-16 length fits (never splits a surrogate pair)."""
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if utf16_len(html.escape(text[:mid], quote=False)) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def escape(text: str) -> str:
    """Text from users or the knowledge base, safe inside a parse_mode=HTML message."""
    return html.escape(text, quote=False)


class PayloadTable:
    """Rasa button payloads too long for 64-byte callback data, keyed by a short hash (bounded, LRU).

    Entries are lost on restart; a click on such an old button gets a polite "try again".
    """

    def __init__(self, size: int = PAYLOAD_TABLE_SIZE) -> None:
        self._size = size
        self._items: OrderedDict[str, str] = OrderedDict()

    def put(self, payload: str) -> str:
        key = hashlib.sha256(payload.encode()).hexdigest()[:20]
        self._items[key] = payload
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> str | None:
        return self._items.get(key)


def parse_payload(payload: str) -> tuple[str, dict[str, Any]] | None:
    """`/intent{"k": "v"}` → ("/intent", {...}); None for anything else."""
    match = _PAYLOAD_RE.fullmatch(payload.strip())
    if not match:
        return None
    try:
        values = json.loads(match.group(2))
    except json.JSONDecodeError:
        return None
    return (match.group(1), values) if isinstance(values, dict) else None


def feedback_payload(entry_id: str, value: str) -> str:
    return button_payload(FEEDBACK_INTENT, entry_id=entry_id, value=value)


def encode_callback(payload: str, table: PayloadTable) -> str:
    """Compact callback data for a Rasa payload: `e:<entry>`, `f:u|d:<entry>`, else `h:<hash>` via the table."""
    parsed = parse_payload(payload)
    data: str | None = None
    if parsed and parsed[0] == ASK_ENTRY and isinstance(parsed[1].get("entry_id"), str):
        data = "e:" + parsed[1]["entry_id"]
    elif parsed and parsed[0] == FEEDBACK and parsed[1].get("value") in THUMBS:
        data = f"f:{parsed[1]['value'][0]}:{parsed[1].get('entry_id')}"
    if data is not None and len(data.encode()) <= MAX_CALLBACK_BYTES:
        return data
    return "h:" + table.put(payload)


def decode_callback(data: str, table: PayloadTable) -> str | None:
    """The Rasa payload behind callback data; None when unknown (e.g. a hashed payload from before a restart)."""
    kind, _, rest = data.partition(":")
    if kind == "e" and rest:
        return button_payload(ASK_ENTRY_INTENT, entry_id=rest)
    if kind == "f":
        value, _, entry_id = rest.partition(":")
        full = {"u": "up", "d": "down"}.get(value)
        return feedback_payload(entry_id, full) if full and entry_id else None
    if kind == "h":
        return table.get(rest)
    return None


def is_feedback(data: str, table: PayloadTable) -> bool:
    payload = decode_callback(data, table)
    return payload is not None and payload.startswith(FEEDBACK)


@dataclass
class Outgoing:
    """One Telegram message to send: HTML text (escaped) and an optional inline keyboard."""

    html: str
    keyboard: list[list[InlineKeyboardButton]] = field(default_factory=list)

    @property
    def reply_markup(self) -> InlineKeyboardMarkup | None:
        return InlineKeyboardMarkup(self.keyboard) if self.keyboard else None


def outcome_of(replies: list[dict[str, Any]]) -> dict[str, Any]:
    """The `askvn` custom message (outcome, entry id, sources…), or {} when Rasa sent none."""
    for reply in replies:
        custom = reply.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("askvn"), dict):
            return dict(custom["askvn"])
    return {}


def render(replies: list[dict[str, Any]], table: PayloadTable) -> list[Outgoing]:
    """Rasa's reply list → messages; buttons become inline keyboards, answers get 👍/👎."""
    outgoing: list[Outgoing] = []
    for reply in replies:
        text = reply.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        chunks = [Outgoing(escape(chunk)) for chunk in split_text(text)]
        chunks[-1].keyboard = [
            [InlineKeyboardButton(str(b.get("title") or "?"),
                                  callback_data=encode_callback(str(b.get("payload") or ""), table))]
            for b in reply.get("buttons") or [] if isinstance(b, dict)
        ]
        outgoing.extend(chunks)
    outcome = outcome_of(replies)
    entry_id = outcome.get("entry_id")
    if outgoing and outcome.get("outcome") == "answer" and isinstance(entry_id, str):
        outgoing[-1].keyboard.append([
            InlineKeyboardButton(icon, callback_data=encode_callback(feedback_payload(entry_id, value), table))
            for value, icon in THUMBS.items()
        ])
    return outgoing


def without_feedback(markup: InlineKeyboardMarkup | None, table: PayloadTable) -> InlineKeyboardMarkup | None:
    """The keyboard after a vote: topic buttons stay, the 👍/👎 row goes (None when nothing is left)."""
    if markup is None:
        return None
    rows = [
        list(row) for row in markup.inline_keyboard
        if not any(isinstance(b.callback_data, str) and is_feedback(b.callback_data, table) for b in row)
    ]
    return InlineKeyboardMarkup(rows) if rows else None
