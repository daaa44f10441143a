"""The knowledge-gap log: questions the assistant could not answer outright, and answer feedback.

Staff read it (via `askvn report`) to decide which entries to write next. User ids are stored only as
keyed hashes (pseudonyms), and old rows are deleted after the retention period.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

PRUNE_EVERY_S = 3600
SCHEMA = """
CREATE TABLE IF NOT EXISTS gaps (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    language TEXT NOT NULL,
    channel TEXT NOT NULL,
    user_pseudonym TEXT NOT NULL,
    question TEXT NOT NULL,
    candidates TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    language TEXT NOT NULL,
    channel TEXT NOT NULL,
    user_pseudonym TEXT NOT NULL,
    entry_id TEXT,
    score REAL
);
CREATE INDEX IF NOT EXISTS questions_at ON questions (at);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    value TEXT NOT NULL CHECK (value IN ('up', 'down')),
    language TEXT NOT NULL,
    channel TEXT NOT NULL,
    user_pseudonym TEXT NOT NULL
);
"""
GAP_OUTCOMES = ("clarify", "no_answer", "out_of_scope")  # outcomes whose question text staff should read


class GapLog:
    def __init__(self, path: Path, *, key: bytes | None = None, retention_days: int = 180):
        self.path = path
        self._key = key or secrets.token_bytes(32)  # per-process key: pseudonyms not linkable later
        self.retention = timedelta(days=retention_days)
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._pruned_at: float | None = None

    def pseudonym(self, user_id: str) -> str:
        return hmac.new(self._key, user_id.encode(), hashlib.sha256).hexdigest()[:20]

    def record_question(self, *, question: str, outcome: str, language: str, channel: str, user_id: str,
                        entry_id: str | None = None, score: float | None = None,
                        candidates: list[tuple[str, float]] | None = None) -> None:
        """Every question's outcome (no text: answer rates need only counts); gaps also get their text."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO questions (at, outcome, language, channel, user_pseudonym, entry_id, score)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_now(), outcome, language, channel, self.pseudonym(user_id), entry_id, score),
            )
        if outcome in GAP_OUTCOMES and (candidates or score):
            self.record_gap(question=question, outcome=outcome, language=language, channel=channel,
                            user_id=user_id, candidates=candidates or [])

    def record_gap(self, *, question: str, outcome: str, language: str, channel: str, user_id: str,
                   candidates: list[tuple[str, float]]) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO gaps (at, outcome, language, channel, user_pseudonym, question, candidates)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_now(), outcome, language, channel, self.pseudonym(user_id), question[:2000],
                 json.dumps(candidates)),
            )

    def record_feedback(self, *, entry_id: str, value: str, language: str, channel: str, user_id: str) -> None:
        """One vote per user and entry: a second click replaces the first, so nobody can stuff the count."""
        with self._connect() as db:
            db.execute("DELETE FROM feedback WHERE entry_id = ? AND user_pseudonym = ?",
                       (entry_id, self.pseudonym(user_id)))
            db.execute(
                "INSERT INTO feedback (at, entry_id, value, language, channel, user_pseudonym)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (_now(), entry_id, value, language, channel, self.pseudonym(user_id)),
            )

    def gaps(self) -> list[dict[str, object]]:
        with self._connect() as db:
            rows = db.cursor()
            rows.row_factory = sqlite3.Row
            return [dict(row) for row in rows.execute("SELECT * FROM gaps ORDER BY id")]

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """The log's one connection, in a transaction that commits on success and rolls back on error.

        The connection stays open: closing the last connection to a write-ahead-log database checkpoints
        it, and opening and closing one per question was 13 % of the action server's CPU under load
        (py-spy, 2026-12-03). The lock makes the threads that answer questions take turns.
        """
        with self._lock:
            db = self._db or self._open()
            try:
                yield db
                if self._pruned_at is None or time.monotonic() - self._pruned_at > PRUNE_EVERY_S:
                    self._pruned_at = time.monotonic()  # retention: at start, then hourly (not per row)
                    cutoff = (datetime.now(UTC) - self.retention).isoformat()
                    db.execute("DELETE FROM gaps WHERE at < ?", (cutoff,))
                    db.execute("DELETE FROM feedback WHERE at < ?", (cutoff,))
                    db.execute("DELETE FROM questions WHERE at < ?", (cutoff,))
                db.commit()
            except BaseException:
                db.rollback()
                raise

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10, check_same_thread=False)  # threads take turns (the lock)
        # Write-ahead log (kept in the file) and no fsync per row: a crash of the machine may lose the last
        # rows of this analytics log, never corrupt it; each question costs far less.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        self._db = db
        return db


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
