"""Publishing from the command line: a broken knowledge base never replaces a good index; rollback works."""

from __future__ import annotations

import json

from knowledge.index.store import IndexStore
from tests.staff import new_entry
from tests.staff.conftest import Cli


def test_build_publishes_then_a_broken_kb_is_refused_and_rollback_restores(published: Cli) -> None:
    store = IndexStore(published.data / "index")
    original = store.current_id()
    assert original

    new_entry.add_to(published.knowledge)
    code, output = published("kb", "build")
    assert code == 0 and "published" in output, output
    added = store.current_id()
    assert added != original and new_entry.ENTRY_ID in store.load_current().entries
    assert "reused" in output and int(output.split(" reused")[0].split()[-1]) > 0  # unchanged texts not re-embedded

    broken = published.knowledge / "money" / "currency.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("audience: [", "audience: [\n  bad: ["),
                      encoding="utf-8")
    pointer_before = store.pointer.read_bytes()
    code, output = published("kb", "build", "--force")
    assert code == 1 and "error(s) in the knowledge files" in output
    assert "currency.yaml:" in output  # the problem is named with its file and line
    assert store.pointer.read_bytes() == pointer_before and store.current_id() == added
    assert store.list_builds() == sorted([original, added])  # nothing half-built left behind

    code, output = published("kb", "rollback")
    assert code == 0 and original in output
    assert store.current_id() == original and new_entry.ENTRY_ID not in store.load_current().entries
    history = [json.loads(line) for line in store.history.read_text(encoding="utf-8").splitlines()]
    assert history[-1] == {**history[-1], "action": "rollback", "build": original}


def test_rollback_without_a_previous_build_fails_cleanly(cli: Cli) -> None:
    code, output = cli("kb", "rollback")
    assert code == 1 and "no previous build" in output and "Traceback" not in output
