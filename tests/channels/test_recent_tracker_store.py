"""rasa_addons/recent_tracker_store.py: a long conversation is loaded as its recent turns plus the latest
value of every slot, and saving stores each new event exactly once. Run in the Rasa server's own
environment on a real SQLite database, with Rasa's own tracker and event classes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import ROOT

SCRIPT = r"""
import asyncio, json, sqlite3, sys
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_addons.recent_tracker_store import RecentTrackerStore

db, turns = sys.argv[1], int(sys.argv[2])
domain = Domain.load("domain.yml")
store = RecentTrackerStore(domain=domain, dialect="sqlite", db=db, recent_events=60)

def turn(tracker, i):
    tracker.update(UserUttered(f"question {i}", {"name": "question", "confidence": 1.0}))
    tracker.update(SlotSet("last_question", f"question {i}"))
    tracker.update(ActionExecuted("action_answer_question"))
    tracker.update(BotUttered(f"answer {i}"))
    tracker.update(ActionExecuted("action_listen"))

async def main():
    tracker = DialogueStateTracker("visitor", domain.slots)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
                  SlotSet("language_choice", "fr"), SlotSet("audience", "investor")):
        tracker.update(event)
    for i in range(turns):
        turn(tracker, i)
    await store.save(tracker)
    loaded = await store.retrieve("visitor")
    seen = {"loaded": len(loaded.events), "language_choice": loaded.get_slot("language_choice"),
            "audience": loaded.get_slot("audience"), "last_question": loaded.get_slot("last_question"),
            "latest": loaded.latest_message.text}
    turn(loaded, turns)
    await store.save(loaded)
    await store.save(loaded)  # Rasa may save the same tracker twice in one turn
    again = await store.retrieve("visitor")
    full = await store.retrieve_full_tracker("visitor")
    seen["latest_after_save"] = again.latest_message.text
    seen["user_texts"] = [e.text for e in full.events if isinstance(e, UserUttered)]
    seen["rows"] = sqlite3.connect(db).execute("SELECT count(*) FROM events").fetchone()[0]
    print(json.dumps(seen))

asyncio.run(main())
"""


def _run(tmp_path: Path, turns: int) -> dict[str, object]:
    result = subprocess.run([str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", SCRIPT,
                             str(tmp_path / "tracker.sqlite"), str(turns)], cwd=ROOT, capture_output=True,
                            text=True, timeout=180, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_long_conversation_loads_its_recent_turns_and_every_slot(tmp_path: Path) -> None:
    seen = _run(tmp_path, turns=100)  # 505 events
    assert int(seen["loaded"]) <= 60 + 5  # the window and one event per slot set before it
    assert seen["language_choice"] == "fr" and seen["audience"] == "investor"  # set in the first turn
    assert seen["last_question"] == "question 99" and seen["latest"] == "question 99"
    assert seen["latest_after_save"] == "question 100"
    assert seen["user_texts"] == [f"question {i}" for i in range(101)]  # each stored once, in order
    assert seen["rows"] == 5 + 101 * 5


def test_a_short_conversation_is_loaded_whole(tmp_path: Path) -> None:
    seen = _run(tmp_path, turns=3)
    assert seen["loaded"] == 4 + 3 * 5  # as Rasa's store: action_session_start comes before SessionStarted
    assert seen["user_texts"] == [f"question {i}" for i in range(4)] and seen["rows"] == 5 + 4 * 5
