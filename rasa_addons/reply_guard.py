"""Every message gets a reply: when the action server is down, hung or failing, the channels say
"temporarily unavailable, please try again" in the user's language instead of staying silent.

Rasa waits up to five minutes for a custom action and answers nothing when one fails, so the web chat
showed "typing…" for minutes and REST returned an empty list. The channels (rasa_addons/rest_channel.py,
rasa_addons/socketio_channel.py) run Rasa's handling of a message under `ASKVN_REPLY_TIMEOUT_S`
(default 8 s: on two cores under load, normal replies reach about 3 s at the 95th percentile) and
apologise when it times out, fails, or produced no message. Rasa's lock on the conversation is released
when the handling is cancelled; the next message is handled normally once the action server is back.

The texts are the `unavailable` (and `rate_limited`) messages of knowledge/messages/messages.yaml
(read with PyYAML, which the Rasa server's environment has).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)
MESSAGES = Path(__file__).resolve().parent.parent / "knowledge" / "messages" / "messages.yaml"
DEFAULT_TIMEOUT_S = 8.0


def reply_timeout_s() -> float:
    try:
        return max(0.5, float(os.environ.get("ASKVN_REPLY_TIMEOUT_S", DEFAULT_TIMEOUT_S)))
    except ValueError:
        return DEFAULT_TIMEOUT_S


@lru_cache(maxsize=1)
def _texts() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))
    return {str(key): {str(lang): str(text) for lang, text in texts.items()} for key, texts in data.items()}


def channel_text(key: str, metadata: dict[str, Any]) -> str:
    """A fixed text (`unavailable`, `rate_limited`) in the language the channel chose or hinted
    (English when it said nothing)."""
    texts = _texts()[key]
    for field in ("language_choice", "language"):
        code = str(metadata.get(field) or "").lower().replace("_", "-").split("-")[0]
        if code in texts:
            return texts[code]
    return texts["en"]


def unavailable_text(metadata: dict[str, Any]) -> str:
    return channel_text("unavailable", metadata)


async def handle_or_apologise(handle: Awaitable[Any], replied: Callable[[], bool],
                              apologise: Callable[[], Awaitable[None]], timeout_s: float) -> bool:
    """Await Rasa's handling of one message; if it fails, times out or sends nothing, apologise.
    Returns True when the user got the apology."""
    try:
        await asyncio.wait_for(handle, timeout=timeout_s)
    except TimeoutError:
        logger.error("no reply within %.1f s (action server slow or down); the user is told to retry", timeout_s)
    except Exception:  # the edge: whatever failed inside Rasa, the user hears something
        logger.exception("handling a message failed; the user is told to retry")
    if replied():
        return False
    await apologise()
    return True
