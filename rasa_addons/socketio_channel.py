"""Rasa's socket.io channel, fixed for the web chat (loaded by the Rasa server from credentials.yml).

Rasa 3.6's own `socketio` channel has three problems for us, all seen against the running server:

- `send_custom_json` calls `sio.emit(event, **json_message)`, so our outcome message
  `{"askvn": {...}}` raises `TypeError: emit() got an unexpected keyword argument 'askvn'` and the
  reply is cut off. Here a custom message is emitted as `{"custom": {...}}`, like the REST channel.
- Text is split on blank lines into several `bot_uttered` events, with the buttons on the last one.
  One answer is one message here: `{"text": ..., "quick_replies": [{"content_type", "title", "payload"}]}`.
- Socket.io origins are not checked at all (`cors_allowed_origins=[]`, so `--cors` only covers the
  polling responses). Here a connection whose `Origin` is not allowed is refused.
- Any client could name any session id, and so read and write another visitor's conversation. Here
  session ids are minted and signed by the server (rasa_addons/session_tokens.py), and a message is
  handled as the session its connection was given, whatever `session_id` it names.

The websocket transport of Sanic 21.12 fails on Python 3.11 ("Passing coroutines is forbidden"), so
the widget uses HTTP long-polling; that is what the socket.io protocol falls back to anyway.

Real payloads (`bot_uttered`), one per bot message, in order:
    {"text": "An e-visa ...\\n\\nSource: ... — https://evisa.gov.vn/\\nReviewed: 2026-11-26"}
    {"text": "Did you mean ...?", "quick_replies": [{"content_type": "text", "title": "Pho",
                                                     "payload": "/ask_entry{\\"entry_id\\": \\"pho\\"}"}]}
    {"custom": {"askvn": {"outcome": "answer", "entry_id": "e-visa", "sources": [...], ...}}}
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from rasa_addons import action_response_check
from rasa_addons.input_guard import Limits, clean_metadata, clean_text
from rasa_addons.rate_limit import RateLimiter, Verdict
from rasa_addons.reply_guard import channel_text, handle_or_apologise, reply_timeout_s, unavailable_text
from rasa_addons.session_tokens import SessionTokens

logger = logging.getLogger(__name__)
action_response_check.install()  # Rasa loads this channel at start: its response check, built once


class AskvnSocketIOOutput(OutputChannel):
    """Sends each bot message as exactly one `bot_uttered` event to the session's room."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        self.sio = sio
        self.bot_message_evt = bot_message_evt
        self.sent = 0  # messages emitted, so the channel knows whether the user got any reply

    async def _send(self, room: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await self.sio.emit(self.bot_message_evt, message, room=room)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, {"text": text.strip()})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        quick = [{"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons]
        await self._send(recipient_id, {"text": text.strip(), "quick_replies": quick})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send(recipient_id, {"custom": json_message})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(recipient_id, {"attachment": {"type": "image", "payload": {"src": image}}})


def allowed_origins(configured: str | list[str] | None, argv: list[str] | None = None) -> list[str] | None:
    """Origins allowed to connect; None means any ("*").

    From the credentials' `cors_origins` if given, else the `--cors` values of this Rasa process's
    command line (`askvn run` builds them from the setting `cors_origins`), else ASKVN_CORS_ORIGINS.
    """
    raw: str | list[str] | None = configured
    args = sys.argv if argv is None else argv
    if raw is None and "--cors" in args:
        following = args[args.index("--cors") + 1:]
        raw = list(itertools.takewhile(lambda a: not a.startswith("-"), following))
    if raw is None:
        raw = os.environ.get("ASKVN_CORS_ORIGINS", "")
    origins = raw.split() if isinstance(raw, str) else [str(o) for o in raw]
    origins = [o.rstrip("/") for o in origins if o]
    return None if not origins or "*" in origins else origins


class AskvnSocketIOInput(SocketIOInput):
    """Rasa's socket.io input, with the output above and an origin check on connect."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> AskvnSocketIOInput:
        credentials = credentials or {}
        channel = cls(
            credentials.get("user_message_evt", "user_uttered"), credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"), credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"), None, "HS256", credentials.get("metadata_key", "metadata"),
        )
        channel.origins = allowed_origins(credentials.get("cors_origins"))
        return channel

    origins: list[str] | None = None

    def get_output_channel(self) -> OutputChannel | None:
        return AskvnSocketIOOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # CORS headers come from Rasa's --cors (Sanic-CORS); engine.io must not add a second set.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        namespace = self.namespace
        limits = Limits.from_env()
        timeout_s = reply_timeout_s()
        senders = RateLimiter(limits.sender_burst, limits.sender_refill_s)
        addresses = RateLimiter(limits.address_burst, limits.address_refill_s)
        tokens = SessionTokens.from_env()
        session_of: dict[str, str] = {}  # connection sid -> the session it was given

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any] | None = None) -> bool:
            origin = str(environ.get("HTTP_ORIGIN") or "").rstrip("/")
            if self.origins is not None and origin and origin not in self.origins:
                logger.warning("socket.io connection refused from origin %r", origin)
                return False
            return True

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: str, *_: Any) -> None:
            session_of.pop(sid, None)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            data = data if isinstance(data, dict) else {}
            offered = str(data.get("session_id") or "")[:128]
            session_id = offered if tokens.is_valid(offered) else tokens.issue()  # never one the client chose
            previous = session_of.get(sid)
            if previous and previous != session_id:
                await sio.leave_room(sid, previous)
            session_of[sid] = session_id
            if self.session_persistence:
                await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: dict[str, Any]) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                sender_id = session_of.get(sid, "")
                if not sender_id:
                    logger.warning("socket.io message before session_request ignored")
                    return
            else:
                sender_id = sid
            # Bounded and cleaned before NLU (rasa_addons/input_guard.py); bad metadata is dropped, not fatal.
            text = data.get("message")
            text = clean_text(text if isinstance(text, str) else "", limits)
            metadata = clean_metadata(data.get(self.metadata_key), strict=False)
            output = AskvnSocketIOOutput(sio, self.bot_message_evt)
            address = str((sio.get_environ(sid, namespace=namespace) or {}).get("REMOTE_ADDR") or sid)
            verdicts = (senders.check(sender_id), addresses.check(address))
            if any(v is not Verdict.ALLOWED for v in verdicts):
                if Verdict.NOTIFY in verdicts:  # tell the visitor once, then drop quietly until tokens return
                    await output.send_text_message(sender_id, channel_text("rate_limited", metadata))
                return

            async def apologise() -> None:
                await output.send_text_message(sender_id, unavailable_text(metadata))

            handling = on_new_message(UserMessage(text, output, sender_id, input_channel=self.name(),
                                                  metadata=metadata))
            await handle_or_apologise(handling, lambda: output.sent > 0, apologise, timeout_s)

        return blueprint
