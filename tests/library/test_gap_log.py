"""The gap log keeps rows only for its retention period, pruning at start and then hourly, never per row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from knowledge import gaps
from knowledge.gaps import GapLog


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_old_rows_go_at_start_and_then_hourly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "gaps.sqlite"
    GapLog(db).record_question(question="q", outcome="answer", language="en", channel="rest", user_id="u")
    with sqlite3.connect(db) as conn:  # a row from long ago
        conn.execute("UPDATE questions SET at = '2020-01-01T00:00:00+00:00'")
    log = GapLog(db, retention_days=30)
    log.record_question(question="q", outcome="answer", language="en", channel="rest", user_id="u")
    assert _count(db, "questions") == 1  # the old one went when this process first wrote
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE questions SET at = '2020-01-01T00:00:00+00:00'")
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    log.record_question(question="q", outcome="answer", language="en", channel="rest", user_id="u")
    assert _count(db, "questions") == 2  # within the hour: no scan per question
    monkeypatch.setattr(gaps, "PRUNE_EVERY_S", 0.0)
    log.record_question(question="q", outcome="answer", language="en", channel="rest", user_id="u")
    assert _count(db, "questions") == 2  # the hour passed: the old row went, the two recent ones stay
