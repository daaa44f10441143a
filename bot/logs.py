"""Log format shared by every Ask Vietnam process: readable text, or one JSON object per line for log
shippers (ASKVN_LOG_FORMAT=json; python-json-logger). Messages never carry user text or raw ids."""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                           rename_fields={"levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT, datefmt="%H:%M:%S"))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    for noisy in ("httpx", "sentence_transformers", "faiss", "filelock", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
