"""Entry point of the action server process: load model and index first, then serve rasa_sdk.

Starting it this way (rather than `rasa_sdk --actions actions`) means the health check only turns
green once the knowledge base can answer, and the first visitor does not pay for loading the model.
"""

from __future__ import annotations

import logging
import os

from rasa_sdk.endpoint import run
from rasa_sdk.executor import ActionExecutor

from actions.runtime import configure, knowledge_service, warm_up
from bot.logs import configure_logging
from bot.settings import get_settings

log = logging.getLogger("askvn.action_server")


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    configure(settings)
    warm_up()
    log.info("knowledge base loaded (build %s)", knowledge_service().searcher().build_id)
    os.environ.setdefault("SANIC_HOST", settings.host)
    executor = ActionExecutor()
    executor.register_package("actions")
    run(executor, port=settings.action_port, cors_origins=[])


if __name__ == "__main__":
    main()
