"""`python -m bot.telegram`: start the Telegram bot (long polling, or a webhook server) until stopped."""

from __future__ import annotations

import logging

from bot.logs import configure_logging
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.settings import get_telegram_settings

log = logging.getLogger("askvn.telegram")


def main() -> None:
    settings = get_telegram_settings()
    configure_logging(settings.log_level)
    app = build_application(settings)
    if settings.telegram_mode == "webhook":
        assert settings.telegram_webhook_secret is not None  # checked by the settings validator
        log.info("webhook mode: listening on %s:%s/%s for %s", settings.telegram_webhook_listen,
                 settings.telegram_webhook_port, settings.webhook_path, settings.telegram_webhook_url)
        app.run_webhook(listen=settings.telegram_webhook_listen, port=settings.telegram_webhook_port,
                        url_path=settings.webhook_path, webhook_url=settings.telegram_webhook_url,
                        secret_token=settings.telegram_webhook_secret.get_secret_value(),
                        allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3)
    else:
        log.info("long-polling mode (no public URL needed)")
        app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3)


if __name__ == "__main__":
    main()
