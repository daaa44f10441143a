"""A local stand-in for Telegram's Bot API: scripted updates in, every call recorded, HTML checked like Telegram.

Runs a stdlib ThreadingHTTPServer on 127.0.0.1 (no extra packages). python-telegram-bot is pointed at it with
`base_url`; it behaves like the real API where the bot relies on it: long-polling getUpdates, message ids,
`can't parse entities` for malformed HTML, `message is too long` above 4096 characters.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
                "pre", "blockquote", "tg-emoji"}
ENTITIES = {"lt", "gt", "amp", "quot"}
JSON_FIELDS = {"chat_id", "reply_markup", "commands", "scope", "offset", "limit", "timeout", "allowed_updates",
               "message_id", "reply_parameters", "link_preview_options", "show_alert", "drop_pending_updates",
               "max_connections", "message_thread_id", "cache_time"}
BOT: dict[str, Any] = {"id": 4242, "is_bot": True, "first_name": "Ask Vietnam", "username": "AskVietnamTestBot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


class _HTMLCheck(HTMLParser):
    """Telegram's HTML rules: known tags, properly nested, every bare `<` and `&` escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.visible = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: Unsupported start tag \"{tag}\"")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: Unexpected end tag \"{tag}\"")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or "&" in data:
            raise ApiError(400, "Bad Request: can't parse entities: Unsupported start tag or unescaped character")
        self.visible += len(data.encode("utf-16-le")) // 2

    def handle_entityref(self, name: str) -> None:
        if name not in ENTITIES:
            raise ApiError(400, f"Bad Request: can't parse entities: Unknown entity \"&{name};\"")
        self.visible += 1

    def handle_charref(self, name: str) -> None:
        self.visible += 1

    def unknown_decl(self, data: str) -> None:
        raise ApiError(400, "Bad Request: can't parse entities: unexpected declaration")

    def handle_comment(self, data: str) -> None:
        raise ApiError(400, "Bad Request: can't parse entities: unexpected comment")


def check_html(text: str) -> int:
    """Visible length of a parse_mode=HTML text; ApiError where Telegram would refuse it."""
    parser = _HTMLCheck()
    parser.feed(text)
    parser.close()
    if parser.rawdata:  # e.g. a lone "<b" at the end never became a tag
        raise ApiError(400, "Bad Request: can't parse entities: unfinished tag")
    if parser.stack:
        raise ApiError(400, f"Bad Request: can't parse entities: Can't find end tag \"{parser.stack[-1]}\"")
    return parser.visible


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    result: Any = None
    error: str | None = None


class TelegramStandIn:
    def __init__(self, token: str = "123456:TEST-token") -> None:
        self.token = token
        self.calls: list[Call] = []
        self._lock = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._chats: dict[int, dict[str, Any]] = {}
        self._failures: dict[str, int] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle -------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def start(self) -> TelegramStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            self._lock.notify_all()
        self._server.shutdown()
        self._server.server_close()

    # --- scripting -------------------------------------------------------------------------------
    def fail_next(self, method: str, times: int = 1) -> None:
        """The next `times` calls of `method` fail with a 400, as Telegram's errors do."""
        self._failures[method] = times

    def make_update(self, body: dict[str, Any]) -> dict[str, Any]:
        """An update with its id, not queued for getUpdates (for posting to a webhook)."""
        with self._lock:
            update = {"update_id": next(self._update_ids), **body}
            for part in ("message", "callback_query"):
                body = update.get(part) or {}
                chat = body.get("chat") or (body.get("message") or {}).get("chat")
                if chat:
                    self._chats[chat["id"]] = chat
        return update

    def push(self, body: dict[str, Any]) -> dict[str, Any]:
        update = self.make_update(body)
        with self._lock:
            self._updates.append(update)
            self._lock.notify_all()
        return update

    def message(self, user: dict[str, Any], text: str, *, chat: dict[str, Any] | None = None,
                entities: list[dict[str, Any]] | None = None, reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        """A user's text message (private chat unless `chat` is given); commands get their bot_command entity."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()), "from": user, "text": text,
            "chat": chat or {"id": user["id"], "type": "private", "first_name": user["first_name"]},
        }
        if entities is None and text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    def send_update(self, message: dict[str, Any]) -> dict[str, Any]:
        return self.push({"message": message})

    def click(self, user: dict[str, Any], sent: Call, data: str) -> dict[str, Any]:
        """A callback query: `user` pressed the button with `data` under the message the bot sent."""
        return self.push({"callback_query": {"id": f"cq{next(self._update_ids)}", "from": user,
                                             "chat_instance": "ci", "data": data, "message": sent.result}})

    # --- inspection ------------------------------------------------------------------------------
    def calls_of(self, method: str, chat_id: int | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.error is None
                    and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            found = predicate()
            if found:
                return found
            assert time.monotonic() < deadline, f"timed out; calls so far: {[(c.method, c.params) for c in self.calls]}"
            time.sleep(0.05)

    # --- the API ---------------------------------------------------------------------------------
    def _call(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getUpdates":
            return self._get_updates(params)
        call = Call(method, params, time.monotonic())
        try:
            if self._failures.get(method):
                self._failures[method] -= 1
                raise ApiError(400, "Bad Request: scripted failure")
            call.result = self._answer(method, params)
            return call.result
        except ApiError as exc:
            call.error = exc.description
            raise
        finally:
            with self._lock:
                self.calls.append(call)

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method in ("sendChatAction", "answerCallbackQuery", "setWebhook", "deleteWebhook", "setMyCommands"):
            if method == "setMyCommands":
                assert all(1 <= len(c["description"]) <= 256 for c in params["commands"]), params
            return True
        if method == "sendMessage":
            text = str(params.get("text", ""))
            visible = check_html(text) if params.get("parse_mode") == "HTML" else len(text.encode("utf-16-le")) // 2
            if not 1 <= visible <= 4096:
                raise ApiError(400, "Bad Request: message is too long" if visible else "Bad Request: text is empty")
            return self._message(params, text)
        if method == "editMessageReplyMarkup":
            edited = self._message(params, "")
            edited["message_id"] = params["message_id"]
            return edited
        raise ApiError(404, "Not Found")

    def _message(self, params: dict[str, Any], text: str) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()), "from": BOT,
                                   "chat": self._chats.get(chat_id, {"id": chat_id, "type": "private"}), "text": text}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 2.0)
        with self._lock:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._lock.wait(deadline - time.monotonic())
            return list(self._updates)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                prefix = f"/bot{standin.token}/"
                if not self.path.startswith(prefix):
                    self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                try:
                    result = standin._call(self.path.removeprefix(prefix), _params(self.headers, body))
                    self._reply(200, {"ok": True, "result": result})
                except ApiError as exc:
                    self._reply(exc.code, {"ok": False, "error_code": exc.code, "description": exc.description})

            do_GET = do_POST

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client gave up (shutdown)
                    self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
                pass

        return Handler


def _params(headers: Any, body: str) -> dict[str, Any]:
    if not body:
        return {}
    if headers.get("Content-Type", "").startswith("application/json"):
        return dict(json.loads(body))
    params: dict[str, Any] = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    for key in JSON_FIELDS & params.keys():
        params[key] = json.loads(params[key])
    return params
