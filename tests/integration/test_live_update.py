"""Publishing a new index while visitors are asking: no failed or half-answered request, and the new
entry is served within seconds (the action server hot-reloads `CURRENT`)."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from knowledge.embedding.embedder import Embedder
from knowledge.index.builder import build_and_publish
from knowledge.loader import load_valid_knowledge
from knowledge.scope_files import ScopeFiles
from tests.conftest import FIXTURE_KB, ROOT
from tests.stack import Stack, publishing
from tests.staff import new_entry

pytestmark = pytest.mark.integration
STEADY = [("Do I need a visa to visit Vietnam?", "e-visa"), ("What currency is used in Vietnam?", "currency")]


def ask(stack: Stack, message: str, sender: str) -> dict[str, Any]:
    """One request; returns what a visitor got (raises on any HTTP failure)."""
    messages = stack.ask(message, sender=sender)
    outcomes = [m["custom"]["askvn"] for m in messages if isinstance(m.get("custom"), dict) and "askvn" in m["custom"]]
    text = "\n".join(m["text"] for m in messages if m.get("text"))
    return {"outcomes": outcomes, "text": text}


def test_publish_under_load_serves_the_new_entry_without_failures(stack: Stack, kb_copy: Path,
                                                                   embedder: Embedder) -> None:
    before = ask(stack, new_entry.QUESTION, "before")["outcomes"][0]
    assert before.get("entry_id") != new_entry.ENTRY_ID

    new_entry.add_to(kb_copy)
    failures: list[str] = []
    replies: list[tuple[str, dict[str, Any]]] = []
    stop = threading.Event()

    def keep_asking(worker: int) -> None:
        n = 0
        while not stop.is_set():
            question, _ = STEADY[(n + worker) % len(STEADY)]
            n += 1
            try:
                replies.append((question, ask(stack, question, f"load-{worker}-{n}")))
            except (httpx.HTTPError, KeyError, ValueError) as exc:
                failures.append(f"{question}: {exc!r}")

    workers = [threading.Thread(target=keep_asking, args=(i,), daemon=True) for i in range(2)]
    for w in workers:
        w.start()
    time.sleep(3)
    with publishing(stack) as store:
        old_build = store.current_id()
        build_started = time.monotonic()
        result = build_and_publish(load_valid_knowledge(kb_copy), embedder, store)
        published_at = time.monotonic()
        assert result.published and store.current_id() != old_build
        try:
            served_after = _seconds_until_served(stack, published_at, within_s=60)
            time.sleep(2)  # keep the load running across the switch
        finally:
            stop.set()
            for w in workers:
                w.join(timeout=120)

    assert failures == []
    assert len(replies) >= 4, "the load generator hardly ran"
    for question, reply in replies:  # every reply complete: one outcome, the right entry, and its text
        expected = dict(STEADY)[question]
        assert len(reply["outcomes"]) == 1, reply
        assert reply["outcomes"][0]["outcome"] == "answer" and reply["outcomes"][0]["entry_id"] == expected, reply
        assert reply["text"].strip(), reply
    assert served_after is not None, "the new entry was not served within 60 s of publishing"
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "live_update.json").write_text(json.dumps({
        "publish_to_served_s": round(served_after, 2),
        "build_start_to_served_s": round(published_at + served_after - build_started, 2),
        "requests_during_switch": len(replies), "failures": 0,
        "build_seconds": round(result.seconds, 2), "embedded": result.embedded, "reused": result.reused,
        "index_check_interval_s": float(os.environ.get("ASKVN_INDEX_CHECK_INTERVAL_S", 2)),
    }, indent=2), encoding="utf-8")


def _seconds_until_served(stack: Stack, published_at: float, *, within_s: float) -> float | None:
    """Seconds from publishing until the new entry's question gets the new entry's answer (None: not in time)."""
    probes = 0
    while time.monotonic() - published_at < within_s:
        probes += 1
        reply = ask(stack, new_entry.QUESTION, f"probe-{probes}")
        if reply["outcomes"] and reply["outcomes"][0].get("entry_id") == new_entry.ENTRY_ID:
            assert reply["outcomes"][0]["outcome"] == "answer" and new_entry.ANSWER_MARKER in reply["text"]
            return time.monotonic() - published_at
        time.sleep(0.2)
    return None


def test_an_edited_foreign_places_file_changes_the_running_servers_answer(stack: Stack, tmp_path: Path,
                                                                        embedder: Embedder) -> None:
    """Staff add a foreign place to foreign.yaml and publish: the running server, without a restart,
    now declines questions about it as out of scope."""
    question = "What currency is used in Zanzibar?"
    before = ask(stack, question, "zanzibar-before")["outcomes"][0]
    assert before["outcome"] != "out_of_scope"
    foreign = tmp_path / "foreign.yaml"
    shutil.copyfile(ScopeFiles().foreign, foreign)
    foreign.write_text(foreign.read_text(encoding="utf-8") + "  - names:\n      en: [Zanzibar]\n", encoding="utf-8")
    with publishing(stack) as store:
        result = build_and_publish(load_valid_knowledge(FIXTURE_KB), embedder, store, scope=ScopeFiles(foreign=foreign))
        assert result.published
        deadline, after = time.monotonic() + 60, before
        while time.monotonic() < deadline and after["outcome"] != "out_of_scope":
            time.sleep(0.5)
            after = ask(stack, question, f"zanzibar-{time.monotonic():.0f}")["outcomes"][0]
        assert after["outcome"] == "out_of_scope", after
