"""Rasa's REST channel with its input checked before NLU runs (loaded by the Rasa server from credentials.yml).

Same URL and reply format as Rasa's own `rest` channel (`POST /webhooks/rest/webhook` with
`{"sender", "message", "metadata"}`, answered with a JSON list of bot messages), but:

- a body that is not a JSON object, lacks a string `message` or a `sender`, or has metadata of the wrong
  type gets 400 with `{"error": "..."}` instead of a 500 with a traceback or an empty 200;
- a body over ASKVN_MAX_BODY_BYTES gets 413; a sender or client address sending faster than its token
  bucket allows gets 429 with a polite `error` in the user's language;
- the text is bounded and cleaned and the metadata reduced to the keys channels send
  (`rasa_addons/input_guard.py`), so no message can make NLU exhaust memory;
- `input_channel` is always `rest` (a client cannot pose as another channel), and a sender id reserved
  for the Telegram relay (`tg-…`) is refused (403) without the run's channel token (ASKVN_CHANNEL_TOKEN);
- when the action server is down, hung or failing, the reply is "temporarily unavailable" in the user's
  language within ASKVN_REPLY_TIMEOUT_S, never an empty list (`rasa_addons/reply_guard.py`);
- streaming (`?stream=true`) is not offered: no client of ours uses it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_addons import action_response_check
from rasa_addons.input_guard import (
    CHANNEL_TOKEN_HEADER,
    InputRejected,
    Limits,
    check_reserved_sender,
    guard_message,
    parse_body,
)
from rasa_addons.rate_limit import RateLimiter, Verdict
from rasa_addons.reply_guard import channel_text, handle_or_apologise, reply_timeout_s, unavailable_text

logger = logging.getLogger(__name__)
action_response_check.install()  # Rasa loads this channel at start: its response check, built once


class AskvnRestInput(RestInput):
    """`POST /webhooks/rest/webhook`, refusing malformed and oversized input with a clear 4xx."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> AskvnRestInput:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        limits = Limits.from_env()
        timeout_s = reply_timeout_s()
        channel_token = os.environ.get("ASKVN_CHANNEL_TOKEN") or None
        senders = RateLimiter(limits.sender_burst, limits.sender_refill_s)
        addresses = RateLimiter(limits.address_burst, limits.address_refill_s)
        webhook = Blueprint("askvn_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                message = guard_message(parse_body(request.body or b"", limits), limits)
                relay = check_reserved_sender(message.sender, request.headers.get(CHANNEL_TOKEN_HEADER),
                                              channel_token)
            except InputRejected as exc:
                return response.json({"error": str(exc)}, status=exc.status)
            # The Telegram relay speaks for many users from one address and limits each user itself.
            if senders.check(message.sender) is not Verdict.ALLOWED or (
                    not relay and addresses.check(request.remote_addr or request.ip) is not Verdict.ALLOWED):
                return response.json({"error": channel_text("rate_limited", message.metadata)}, status=429)
            collector = CollectingOutputChannel()

            async def apologise() -> None:
                await collector.send_text_message(message.sender, unavailable_text(message.metadata))

            handling = on_new_message(UserMessage(message.text, collector, message.sender,
                                                  input_channel=self.name(), metadata=message.metadata))
            await handle_or_apologise(handling, lambda: bool(collector.messages), apologise, timeout_s)
            return response.json(collector.messages)

        return webhook
