"""`python -m bot.web`: serve the demo page and the widget with uvicorn on settings.host:web_port."""

from __future__ import annotations

import uvicorn

from bot.logs import configure_logging
from bot.settings import get_settings
from bot.web.app import create_app


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.web_port, log_level=settings.log_level.lower(),
                access_log=False, server_header=False, h11_max_incomplete_event_size=16 * 1024,
                limit_concurrency=200, timeout_keep_alive=5)


if __name__ == "__main__":
    main()
