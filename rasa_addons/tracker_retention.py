"""Tracker retention for the shared PostgreSQL tracker store (`askvn cluster run`; ASKVN_STORES=shared).

The same rule as bot/processes/retention.py for the embedded SQLite store: whole conversations whose last event is
older than N days are deleted. Runs in the Rasa server's environment, which has SQLAlchemy and the
PostgreSQL driver:  python -m rasa_addons.tracker_retention DAYS   (connection from ASKVN_POSTGRES_*).
"""

from __future__ import annotations

import os
import sys
import time

import sqlalchemy as sa


def prune(engine: sa.engine.Engine, days: int, now: float | None = None) -> int:
    """Delete conversations idle for more than `days` days; returns how many."""
    cutoff = (now or time.time()) - days * 86400
    with engine.begin() as conn:
        if not sa.inspect(conn).has_table("events"):
            return 0
        stale = [row[0] for row in conn.execute(sa.text(
            "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"), {"cutoff": cutoff})]
        for sender in stale:
            conn.execute(sa.text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender})
    return len(stale)


def main() -> None:
    url = sa.engine.URL.create(
        "postgresql", username=os.environ["ASKVN_POSTGRES_USER"], password=os.environ["ASKVN_POSTGRES_PASSWORD"],
        host=os.environ["ASKVN_POSTGRES_HOST"], port=int(os.environ["ASKVN_POSTGRES_PORT"]),
        database=os.environ["ASKVN_POSTGRES_DB"])
    print(prune(sa.create_engine(url), int(sys.argv[1])))  # how many; the caller logs it


if __name__ == "__main__":
    main()
