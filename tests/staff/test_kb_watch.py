"""`askvn run --watch`: saving an entry publishes it; saving a broken one publishes nothing."""

from __future__ import annotations

import queue
import threading

from bot.settings import get_settings
from bot.staff.kb_watch import is_knowledge_file, watch_forever
from knowledge.index.store import IndexStore
from tests.staff import new_entry
from tests.staff.conftest import Cli


def test_saving_an_entry_publishes_it_and_errors_never_do(published: Cli) -> None:
    store = IndexStore(published.data / "index")
    stop = threading.Event()
    outcomes: queue.Queue[str] = queue.Queue()
    watcher = threading.Thread(target=watch_forever, args=(get_settings(), stop, outcomes.put), daemon=True)
    watcher.start()
    try:
        assert outcomes.get(timeout=120) in ("unchanged", "published")  # the catch-up build at start
        original = store.current_id()
        new_entry.add_to(published.knowledge)
        assert outcomes.get(timeout=120) == "published", "the saved entry was not published"
        assert store.current_id() != original and new_entry.ENTRY_ID in store.load_current().entries
        added = store.current_id()

        broken = published.knowledge / "money" / "currency.yaml"
        broken.write_text(broken.read_text(encoding="utf-8").replace("topic: money", "topic: [money"),
                          encoding="utf-8")
        assert outcomes.get(timeout=60) == "refused"  # the watcher saw the save, built, and refused it
        assert store.current_id() == added and watcher.is_alive()
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive()


def test_only_entry_files_trigger_a_build() -> None:
    from watchfiles import Change

    assert is_knowledge_file(Change.modified, "/kb/money/cash.yaml")
    assert not is_knowledge_file(Change.modified, "/kb/money/.cash.yaml.swp")
    assert not is_knowledge_file(Change.added, "/kb/money/notes.txt")
