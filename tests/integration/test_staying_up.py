"""The assistant stays up: a killed action server is restarted and questions are answered again; a killed
supervisor leaves no orphan processes. The first two pause and kill the shared stack's action server and
leave it answering again; the last starts and kills its own supervisor."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from bot.settings import Settings
from tests.stack import ROOT, Stack, child_pids, launch

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


def test_a_paused_action_server_gets_a_polite_reply_within_seconds(stack: Stack) -> None:
    """On the shared stack: the action server is stopped (SIGSTOP) and resumed."""
    limit = Settings().reply_timeout_s
    assert _answered(stack, "paused-before")
    pid = _action_server_pid(stack)
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        messages = _ask(stack, "paused-during")
        waited = time.monotonic() - started
    finally:
        os.kill(pid, signal.SIGCONT)
    assert "temporarily unavailable" in str(messages[0]["text"]) and waited < limit + 3, (waited, messages)
    _answered_again_within(stack, 60, "paused-after")


def test_a_killed_action_server_comes_back(stack: Stack) -> None:
    """On the shared stack: the supervisor restarts it and the next tests find it answering."""
    assert _answered(stack, "before")
    first = _action_server_pid(stack)
    os.kill(first, signal.SIGKILL)
    recovered_after = _answered_again_within(stack, 180, "during")
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "action_server_kill_recovery.json").write_text(
        json.dumps({"answers_again_after_s": round(recovered_after, 1)}))
    assert _action_server_pid(stack) != first
    assert "restarting actions" in stack.log.read_text()


def test_a_killed_supervisor_leaves_no_orphans(fixture_index_dir: Path, tmp_path: Path) -> None:
    """Its own `askvn run`, killed with SIGKILL as soon as the action server and Rasa have started (every
    child is tied to the supervisor the same way when it is started, ready or not)."""
    (tmp_path / "index").symlink_to(fixture_index_dir)
    supervisor, log, _ = launch(tmp_path)
    try:
        deadline = time.monotonic() + 120
        while len(children := child_pids(supervisor.pid)) < 2:
            assert supervisor.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"Rasa not started in 120 s:\n{log.read_text()[-3000:]}"
            time.sleep(0.2)
    finally:
        supervisor.kill()  # the supervisor dies without a chance to clean up
        supervisor.wait(timeout=10)
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.5)
    orphans = {pid: _cmdline(pid) for pid in children if _alive(pid)}
    for pid in orphans:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)  # leave nothing behind for the next tests, even when this one fails
    assert not orphans, f"children outlived the supervisor: {orphans}"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return "?"


def _answered_again_within(stack: Stack, seconds: float, sender: str) -> float:
    """Seconds until a question gets its real answer again (fails after `seconds`)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if _answered(stack, f"{sender}-{time.monotonic():.0f}"):
            return time.monotonic() - started
        time.sleep(1)
    raise AssertionError(f"no answer within {seconds:.0f} s:\n{stack.log.read_text()[-3000:]}")
