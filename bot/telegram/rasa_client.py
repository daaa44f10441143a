"""The one way the bot talks to Rasa: its REST channel, over an httpx.AsyncClient owned by the app."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx

log = logging.getLogger("askvn.telegram.rasa")


class RasaUnavailable(Exception):
    """Rasa could not be reached or did not answer properly; the user gets the `unavailable` text."""


class RasaClient:
    def __init__(self, base_url: str, timeout_s: float, channel_token: str | None = None) -> None:
        # The token proves to Rasa's REST channel that a `tg-…` sender really comes from this relay.
        headers = {"X-Askvn-Channel-Token": channel_token} if channel_token else {}
        self._client = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(timeout_s, connect=5.0),
                                         headers=headers)

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """POST /webhooks/rest/webhook; Rasa answers with the list of bot messages for this turn."""
        body = {"sender": sender, "message": message, "metadata": metadata}
        try:
            response = await self._client.post("/webhooks/rest/webhook", json=body)
            response.raise_for_status()
            replies = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("Rasa unavailable: %s: %s", type(exc).__name__, exc)
            raise RasaUnavailable(str(exc)) from exc
        if not isinstance(replies, list):
            raise RasaUnavailable(f"unexpected reply from Rasa: {type(replies).__name__}")
        return [r for r in replies if isinstance(r, dict)]

    async def language_choice(self, sender: str, api_token: str) -> str | None:
        """The latest `language_choice` in `sender`'s tracker (needs Rasa's HTTP API); None when unknown."""
        try:
            response = await self._client.get(f"/conversations/{quote(sender, safe='')}/tracker",
                                              params={"token": api_token, "include_events": "ALL"})
            response.raise_for_status()
            tracker = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.info("could not read the tracker for the language choice: %s", type(exc).__name__)
            return None
        return latest_language_choice(tracker.get("events") if isinstance(tracker, dict) else None)

    async def aclose(self) -> None:
        await self._client.aclose()


def latest_language_choice(events: object) -> str | None:
    """The metadata `language_choice` of the most recent user event that carried one."""
    for event in reversed(events if isinstance(events, list) else []):
        meta = event.get("metadata") if isinstance(event, dict) and event.get("event") == "user" else None
        if isinstance(meta, dict) and isinstance(meta.get("language_choice"), str):
            return str(meta["language_choice"])
    return None
