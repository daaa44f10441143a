"""A minimal socket.io client over HTTP long-polling (engine.io 4), speaking to Rasa as the widget does.

The Python socket.io client is not in the app's environment; the protocol over polling is a few lines:
packets are text, several per response separated by \\x1e; "2" is a ping (answer "3"), "40" connects
the namespace, `42[event, data]` is an event.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx


class PollingClient:
    def __init__(self, rasa_url: str, origin: str) -> None:
        self.client = httpx.Client(base_url=rasa_url, headers={"origin": origin}, timeout=40)
        self.query = {"EIO": "4", "transport": "polling"}
        self.query["sid"] = json.loads(self.client.get("/socket.io/", params=self.query).text[1:])["sid"]
        self._post("40")
        self.events: list[tuple[str, Any]] = []
        self._poll()  # the namespace's connect acknowledgement

    def _post(self, packet: str) -> None:
        self.client.post("/socket.io/", params=self.query, content=packet).raise_for_status()

    def _poll(self, timeout_s: float | None = None) -> None:
        """One long poll: the server holds it until it has packets or sends a ping (25 s)."""
        for packet in self.client.get("/socket.io/", params=self.query, timeout=timeout_s or 40).text.split("\x1e"):
            if packet == "2":
                self._post("3")
            elif packet.startswith("42"):
                event, *data = json.loads(packet[2:])
                self.events.append((event, data[0] if data else None))

    def emit(self, event: str, data: object) -> None:
        self._post("42" + json.dumps([event, data]))

    def wait_for(self, event: str, count: int = 1, timeout_s: float = 60) -> list[Any]:
        """The data of the first `count` events named `event` (fewer if none came within timeout_s).

        A poll cut short by the timeout leaves the connection unusable: waiting for nothing is a client's last act.
        """
        deadline = time.monotonic() + timeout_s
        while sum(e == event for e, _ in self.events) < count and time.monotonic() < deadline:
            try:
                self._poll(timeout_s=max(0.1, deadline - time.monotonic()))
            except httpx.ReadTimeout:
                break
        return [d for e, d in self.events if e == event][:count]

    def request_session(self, offered: str | None) -> str:
        before = len([e for e, _ in self.events if e == "session_confirm"])
        self.emit("session_request", {"session_id": offered})
        return str(self.wait_for("session_confirm", before + 1)[-1])

    def close(self) -> None:
        self.client.close()
