"""`askvn run --watch`: rebuild and publish the index whenever a knowledge file is saved.

Runs as its own supervised process so a slow build never blocks the servers; they pick up each publish
through the usual hot reload. A save with errors is reported (file and line) and the last good index
keeps serving, exactly as with `askvn kb build`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from watchfiles import Change, watch

from bot.logs import configure_logging
from bot.settings import Settings, get_settings
from bot.staff import kb_commands
from knowledge.errors import AskVnError, ValidationFailed

log = logging.getLogger("askvn.watch")


def is_knowledge_file(change: Change, path: str) -> bool:
    """Only entry files matter; editors' swap and backup files are ignored."""
    return path.endswith(".yaml") and not Path(path).name.startswith((".", "#"))


Outcome = Literal["published", "unchanged", "refused"]


def rebuild(settings: Settings) -> Outcome:
    """One build; never raises, so one bad save does not end the watcher."""
    try:
        result = kb_commands.build(settings)
    except ValidationFailed as exc:
        for problem in exc.problems:
            if problem.severity == "error":
                log.error("%s", problem)
        log.error("not published: %s; still serving the previous index", exc)
        return "refused"
    except AskVnError as exc:
        log.error("not published: %s", exc)
        return "refused"
    if not result.published:
        return "unchanged"
    log.info("published %s (%d embedded, %d reused, %.1fs)", result.build_id, result.embedded,
             result.reused, result.seconds)
    return "published"


def watch_forever(settings: Settings, stop: threading.Event | None = None,
                  on_rebuild: Callable[[Outcome], None] | None = None) -> None:
    """Build now, then after every batch of saves (1.5 s debounce) until `stop` is set or Ctrl-C.
    `on_rebuild` hears each build's outcome (tests wait on it instead of sleeping)."""
    log.info("watching %s for changes", settings.knowledge_dir)
    report = on_rebuild or (lambda _outcome: None)
    report(rebuild(settings))  # catch up with edits made while nothing was watching
    for _changes in watch(settings.knowledge_dir, watch_filter=is_knowledge_file, debounce=1500,
                          stop_event=stop, raise_interrupt=False):
        report(rebuild(settings))


if __name__ == "__main__":
    configure_logging(get_settings().log_level, get_settings().log_format)
    watch_forever(get_settings())
