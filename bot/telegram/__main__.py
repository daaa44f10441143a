"""`python -m bot.telegram`: start the Telegram bot (long polling, or a webhook server) until stopped."""

from __future__ import annotations

from bot.logs import configure_logging
from bot.telegram.app import build_application, run
from bot.telegram.settings import get_telegram_settings


def main() -> None:
    settings = get_telegram_settings()
    configure_logging(settings.log_level, settings.log_format)
    run(build_application(settings), settings)


if __name__ == "__main__":
    main()
