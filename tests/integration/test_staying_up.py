"""The assistant stays up: a killed action server is restarted and questions are answered again; a killed
supervisor leaves no orphan processes. Its own stack, because these tests kill its processes."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.stack import ROOT, Stack, child_pids, running_stack

pytestmark = pytest.mark.integration


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _action_server_pid(stack: Stack) -> int:
    for pid in child_pids(stack.process.pid):
        if b"bot.processes.action_server" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
    raise AssertionError("action server not found among the supervisor's children")


def _ask(stack: Stack, sender: str) -> list[dict[str, object]]:
    reply = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                       json={"sender": sender, "message": "Do I need a visa to visit Vietnam?",
                             "metadata": {"language": "en"}}, timeout=30)
    assert reply.status_code == 200, reply.text
    messages = list(reply.json())
    assert any(m.get("text") for m in messages), "a message got no reply at all"
    return messages


def _answered(stack: Stack, sender: str) -> bool:
    """True for the real answer; a polite 'temporarily unavailable' is False (never silence)."""
    return any("custom" in m for m in _ask(stack, sender))


def test_a_paused_action_server_gets_a_polite_reply_within_seconds(fixture_index_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "index").symlink_to(fixture_index_dir)
    with running_stack(tmp_path, ASKVN_REPLY_TIMEOUT_S="4") as stack:
        assert _answered(stack, "paused-before")
        pid = _action_server_pid(stack)
        os.kill(pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            messages = _ask(stack, "paused-during")
            waited = time.monotonic() - started
        finally:
            os.kill(pid, signal.SIGCONT)
        assert "temporarily unavailable" in str(messages[0]["text"]) and waited < 7, (waited, messages)
        deadline = time.monotonic() + 60
        while not _answered(stack, f"paused-after-{time.monotonic():.0f}") and time.monotonic() < deadline:
            time.sleep(1)
        assert _answered(stack, "paused-after"), "answers did not come back after the pause"


def test_a_killed_action_server_comes_back_and_a_killed_supervisor_leaves_no_orphans(
        fixture_index_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "index").symlink_to(fixture_index_dir)
    with running_stack(tmp_path) as stack:
        assert _answered(stack, "before")
        first = _action_server_pid(stack)
        os.kill(first, signal.SIGKILL)
        deadline, recovered_after = time.monotonic() + 180, None
        started = time.monotonic()
        while time.monotonic() < deadline:
            if _answered(stack, f"during-{int(time.monotonic())}"):
                recovered_after = time.monotonic() - started
                break
            time.sleep(1)
        assert recovered_after is not None, stack.log.read_text()[-3000:]
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        (ROOT / "test-artifacts" / "action_server_kill_recovery.json").write_text(
            json.dumps({"answers_again_after_s": round(recovered_after, 1)}))
        assert _action_server_pid(stack) != first
        assert "restarting actions" in stack.log.read_text()

        children = child_pids(stack.process.pid)
        assert len(children) >= 3  # action server, Rasa, web page
        stack.process.kill()  # the supervisor dies without a chance to clean up
        stack.process.wait(timeout=10)
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not [pid for pid in children if _alive(pid)], "children outlived the supervisor"
