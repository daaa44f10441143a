"""Conversations are kept only as long as needed: the retention job for Rasa's tracker store.

Rasa's SQL tracker store keeps every event of every conversation (raw text, metadata, sender ids)
forever. `askvn run` deletes, at start and then every few hours, the conversations whose last event is
older than ASKVN_TRACKER_RETENTION_DAYS (default 30), as the gap log already does for its rows.
Whole conversations go, so no tracker is left without its beginning.
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import time
from pathlib import Path

from bot.processes import rasa_project
from bot.processes.child_tie import tied_to_this_process
from bot.settings import Settings

log = logging.getLogger("askvn.retention")
EVERY_S = 6 * 3600


def prune_tracker(db: Path, days: int, *, now: float | None = None) -> int:
    """Delete conversations idle for more than `days` days; returns how many were deleted."""
    if not db.exists():
        return 0
    cutoff = (now or time.time()) - days * 86400
    with sqlite3.connect(db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "events" not in tables:
            return 0
        stale = [row[0] for row in conn.execute(
            "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < ?", (cutoff,))]
        conn.executemany("DELETE FROM events WHERE sender_id = ?", [(sender,) for sender in stale])
    if stale:
        log.info("tracker retention: deleted %d conversations idle for over %d days", len(stale), days)
    return len(stale)


def prune_conversations(settings: Settings) -> int:
    """Retention for the configured tracker store: SQLite here; PostgreSQL (ASKVN_STORES=shared) in the Rasa
    server's environment, which has the driver (rasa_addons/tracker_retention.py). Returns how many went."""
    if settings.stores == "embedded":
        return prune_tracker(settings.tracker_db, settings.tracker_retention_days)
    result = subprocess.run([str(settings.rasa_venv / "bin" / "python"), "-m", "rasa_addons.tracker_retention",
                             str(settings.tracker_retention_days)],
                            env=rasa_project.rasa_env(settings), capture_output=True, text=True, check=False,
                            preexec_fn=tied_to_this_process())
    if result.returncode != 0:
        log.error("tracker retention failed: %s", result.stderr.strip()[-300:])
        return 0
    deleted = int(result.stdout.strip() or 0)
    if deleted:
        log.info("tracker retention: deleted %d conversations idle for over %d days", deleted,
                 settings.tracker_retention_days)
    return deleted
