"""`askvn run --watch`: saving an entry publishes it; saving a broken one publishes nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from bot.kb_watch import is_knowledge_file, watch_forever
from bot.settings import get_settings
from knowledge.index.store import IndexStore
from tests.staff import new_entry
from tests.staff.conftest import Cli


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_saving_an_entry_publishes_it_and_errors_never_do(published: Cli) -> None:
    store = IndexStore(published.data / "index")
    original = store.current_id()
    stop = threading.Event()
    watcher = threading.Thread(target=watch_forever, args=(get_settings(), stop), daemon=True)
    watcher.start()
    try:
        time.sleep(2)
        new_entry.add_to(published.knowledge)
        assert wait_for(lambda: store.current_id() != original, 120), "the saved entry was not published"
        assert new_entry.ENTRY_ID in store.load_current().entries
        added = store.current_id()

        broken = published.knowledge / "money" / "currency.yaml"
        broken.write_text(broken.read_text(encoding="utf-8").replace("topic: money", "topic: [money"),
                          encoding="utf-8")
        time.sleep(6)  # debounce + a build attempt
        assert store.current_id() == added
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive()


def test_only_entry_files_trigger_a_build() -> None:
    from watchfiles import Change

    assert is_knowledge_file(Change.modified, "/kb/money/cash.yaml")
    assert not is_knowledge_file(Change.modified, "/kb/money/.cash.yaml.swp")
    assert not is_knowledge_file(Change.added, "/kb/money/notes.txt")
