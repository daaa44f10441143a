"""A SQL tracker store that loads only a conversation's recent turns (endpoints.yml names it).

Rasa's SQLTrackerStore loads every event of the current session on each message, replays them, and Rasa
ships all of them to the action server: a conversation's 360th message took 5.5x as long as its first
(benchmarks/replicas.py, 2026-12-03). Nothing in this assistant looks further back than the last few
turns: the rules see the last turn, the actions the previous question, and slot values are carried by
their latest SlotSet. So `retrieve` loads the latest value of each slot set earlier in the session plus
the last `recent_events` events, starting at a turn boundary, and `save` appends only the events added
since that load. The database still holds every event (the retention job deletes idle conversations);
Rasa's HTTP API (`retrieve_full_tracker`) still reads them all.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

RECENT_EVENTS = 60  # about six turns of this assistant (user, slots, action, bot messages, listen)
_LOADED = "_askvn_events_loaded"  # set on a retrieved tracker: how many of its events are stored already


class RecentTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, recent_events: int = RECENT_EVENTS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recent_events = max(10, int(recent_events))
        if self.engine.dialect.name == "sqlite":
            self._keep_sqlite_connections_open()

    def _keep_sqlite_connections_open(self) -> None:
        """SQLAlchemy 1.4 opens and closes a SQLite connection for every session (NullPool), and closing
        the last connection to a write-ahead-log database checkpoints it; each commit also waited for an
        fsync. Together 13 % of Rasa's CPU under load (py-spy, 2026-12-03). A pool keeps connections open,
        and synchronous=NORMAL, safe with the write-ahead log, makes a power cut lose at most the last
        turns, never corrupt the file. PostgreSQL already has Rasa's own pool."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=4, max_overflow=8,
                                       connect_args={"check_same_thread": False})

        @sa.event.listens_for(self.engine, "connect")
        def _per_connection(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            rows = self._recent_rows(session, sender_id)
            if not rows or not self.domain:
                return None
            events = [json.loads(row.data) for row in rows]
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        tracker.__dict__[_LOADED] = len(tracker.events)
        return tracker

    def _recent_rows(self, session: Any, sender_id: str) -> list[Any]:
        """The latest session's events if there are few; else each slot's latest earlier value and the
        last `recent_events` events from the first `action_listen` among them."""
        table = self.SQLEvent
        in_session = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).order_by(None)
        recent = in_session.order_by(table.id.desc()).limit(self.recent_events + 1).all()[::-1]
        if len(recent) <= self.recent_events:
            return recent  # the whole session
        recent = recent[1:]
        start = next((i for i, row in enumerate(recent)
                      if row.type_name == "action" and row.action_name == "action_listen"), 0)
        window = recent[start:]
        latest_per_slot = (in_session.filter(table.type_name == SlotSet.type_name, table.id < window[0].id)
                           .group_by(table.action_name)  # a slot event's action_name column is the slot's name
                           .with_entities(sa.func.max(table.id)).all())
        slots = session.query(table).filter(table.id.in_([row_id for (row_id,) in latest_per_slot]))
        return slots.order_by(table.id).all() + window

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        if _LOADED in tracker.__dict__:  # the processor may save the same tracker again this turn
            tracker.__dict__[_LOADED] = len(tracker.events)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Any]:
        """The events not stored yet: those after the ones `retrieve` loaded (Rasa's own count of stored
        events in the session would not match a tracker holding only the recent ones)."""
        loaded = tracker.__dict__.get(_LOADED)
        if loaded is None:  # a tracker this store did not load (a new conversation)
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, loaded, len(tracker.events))
