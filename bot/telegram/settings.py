"""The bot process's one settings object: the shared settings plus what only the Telegram bot needs.

A subclass (rather than a second object) keeps "one settings object per process" true while the
Telegram-only fields stay out of the shared module. Environment names: `ASKVN_TELEGRAM_*`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator

from bot.settings import Settings

# Telegram accepts 1-256 characters from this set for setWebhook's secret_token.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramSettings(Settings):
    telegram_mode: Literal["polling", "webhook"] = Field("polling", description="How updates arrive")
    telegram_webhook_url: str | None = Field(None, description="Public HTTPS URL Telegram posts updates to")
    telegram_webhook_secret: SecretStr | None = Field(None, description="X-Telegram-Bot-Api-Secret-Token value")
    telegram_webhook_listen: str = Field("127.0.0.1", description="Interface the webhook server binds")
    telegram_webhook_port: int = Field(8443, description="Port the webhook server binds (behind a TLS proxy)")
    # A local Bot API server (or the test stand-in) replaces these.
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    telegram_rasa_timeout_s: float = Field(30.0, description="How long to wait for Rasa before 'unavailable'")
    # Per-user token bucket: `burst` messages at once, then one every `refill_s` seconds.
    telegram_user_burst: int = Field(5, ge=1)
    telegram_user_refill_s: float = Field(3.0, gt=0)
    telegram_concurrency: int = Field(8, ge=1, description="Updates handled at the same time")

    @model_validator(mode="after")
    def _webhook_needs_url_and_secret(self) -> TelegramSettings:
        if self.telegram_mode != "webhook":
            return self
        if not self.telegram_webhook_url or not self.telegram_webhook_url.startswith("https://"):
            raise ValueError("ASKVN_TELEGRAM_WEBHOOK_URL must be an https:// URL in webhook mode")
        secret = self.telegram_webhook_secret.get_secret_value() if self.telegram_webhook_secret else ""
        if not SECRET_PATTERN.fullmatch(secret):
            raise ValueError("ASKVN_TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ - "
                             "in webhook mode")
        return self

    @property
    def webhook_path(self) -> str:
        """The path the local webhook server serves: the public URL's path (a reverse proxy forwards it)."""
        return urlsplit(self.telegram_webhook_url or "").path.strip("/")


@lru_cache(maxsize=1)
def get_telegram_settings() -> TelegramSettings:
    """The bot process's settings, read once."""
    return TelegramSettings()
