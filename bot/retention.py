"""Conversations are kept only as long as needed: the retention job for Rasa's tracker store.

Rasa's SQL tracker store keeps every event of every conversation (raw text, metadata, sender ids)
forever. `askvn run` deletes, at start and then every few hours, the conversations whose last event is
older than ASKVN_TRACKER_RETENTION_DAYS (default 30), as the gap log already does for its rows.
Whole conversations go, so no tracker is left without its beginning.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

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
