"""Log format shared by every Ask Vietnam process."""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for noisy in ("httpx", "sentence_transformers", "faiss", "filelock", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
