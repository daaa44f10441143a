"""Start and stop a real `askvn run` stack (action server + Rasa, and whatever channels it runs)
on free ports, for tests that talk to the assistant the way users do."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from knowledge.index.store import IndexStore

ROOT = Path(__file__).resolve().parent.parent
CHANNEL_TOKEN = "stack-channel-token"  # the test stack's ASKVN_CHANNEL_TOKEN, which the Telegram tests' bot presents
API_TOKEN = "stack-rasa-api-token-1f3e"  # ASKVN_RASA_API_TOKEN: Rasa's HTTP API is on in the test stack


def child_pids(parent: int) -> list[int]:
    """Processes whose parent is `parent` (from /proc)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(proc.name))
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_ports(count: int) -> int:
    """The first of `count` consecutive free ports (a cluster's replicas listen after its public port)."""
    while True:
        first = free_port()
        if first + count < 65536 and all(_free(first + i) for i in range(1, count)):
            return first


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class Stack:
    rasa_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path
    ports: dict[str, int] = field(default_factory=dict)

    @property
    def web_url(self) -> str:
        """The web chat's demo page (bot/web)."""
        return f"http://127.0.0.1:{self.ports['web']}"

    @property
    def partner_url(self) -> str:
        """Another site allowed to embed the widget (nothing listens there until a test serves it)."""
        return f"http://127.0.0.1:{self.ports['partner']}"

    def ask(self, message: str, sender: str = "tester", metadata: dict[str, object] | None = None) -> list[dict]:
        body: dict[str, object] = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return list(response.json())


def launch(data_dir: Path, command: tuple[str, ...] = ("run",),
           **extra_env: str) -> tuple[subprocess.Popen[bytes], Path, dict[str, int]]:
    """Start `askvn run` (or `command`) with its data in `data_dir` on free ports, its output in
    data_dir/stack.log; returns at once (the process, the log, the ports)."""
    ports = {"rasa": free_ports(4), "action": free_ports(4), "web": free_port(), "partner": free_port()}
    # The demo page, and a "partner site" that tests serve themselves to embed the widget from elsewhere.
    web_origins = (f"http://127.0.0.1:{ports['web']} http://localhost:{ports['web']} "
                   f"http://127.0.0.1:{ports['partner']}")
    env = dict(os.environ, ASKVN_DATA_DIR=str(data_dir), ASKVN_RASA_PORT=str(ports["rasa"]),
               ASKVN_ACTION_PORT=str(ports["action"]), ASKVN_WEB_PORT=str(ports["web"]),
               ASKVN_CORS_ORIGINS=web_origins, ASKVN_CHANNEL_TOKEN=CHANNEL_TOKEN,
               ASKVN_RASA_API_TOKEN=API_TOKEN)
    env.update(extra_env)
    log = data_dir / "stack.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", *command], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    return proc, log, ports


@contextmanager
def running_stack(data_dir: Path, command: tuple[str, ...] = ("run",), ready_s: float = 300,
                  **extra_env: str) -> Iterator[Stack]:
    """`askvn run` (or `command`, e.g. `cluster run`) with its data in `data_dir` (which must hold an index),
    once it says it is running; stopped with Ctrl-C, which must end every process cleanly with exit code 0
    (unless a test killed the supervisor itself). Rasa's and the actions' public ports are followed by
    free ports for replicas."""
    proc, log, ports = launch(data_dir, command, **extra_env)
    deadline = time.monotonic() + ready_s
    while "Ask Vietnam is running" not in log.read_text(errors="replace"):
        assert proc.poll() is None, f"askvn run exited early:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"stack not ready in {ready_s:.0f} s:\n{log.read_text()[-3000:]}"
        time.sleep(1)
    try:
        yield Stack(f"http://127.0.0.1:{ports['rasa']}", data_dir, proc, log, ports)
    finally:
        killed = proc.poll() == -signal.SIGKILL
        if not killed:
            proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
    if killed:
        return
    output = log.read_text(errors="replace")
    assert code == 0, f"askvn {' '.join(command)} exited {code} on Ctrl-C:\n{output[-3000:]}"
    assert "stopping rasa" in output and "stopping actions" in output


def wait_until_serving(stack: Stack, build_id: str, timeout_s: float = 60) -> None:
    """Until the action server answers from `build_id`: a question makes it look at CURRENT (it reloads
    in the background), its /ready endpoint says which build it serves."""
    deadline = time.monotonic() + timeout_s
    while True:
        stack.ask("Do I need a visa?", sender=f"reload-probe-{time.monotonic():.1f}")
        ready = httpx.get(f"http://127.0.0.1:{stack.ports['action']}/ready", timeout=10).json()
        if ready.get("build") == build_id:
            return
        assert time.monotonic() < deadline, f"still serving {ready} {timeout_s:.0f} s after publishing {build_id}"
        time.sleep(0.3)


@contextmanager
def publishing(stack: Stack) -> Iterator[IndexStore]:
    """For a test that publishes builds to the shared stack: its index store; afterwards the build that
    was current is published again and served before the next test runs."""
    store = IndexStore(stack.data_dir / "index")
    original = store.current_id()
    assert original is not None
    try:
        yield store
    finally:
        store.publish(original, action="rollback")
        wait_until_serving(stack, original)


@contextmanager
def serving_index(stack: Stack, index_dir: Path) -> Iterator[str]:
    """The stack serves a copy of the build that is current in `index_dir` (e.g. the real published
    knowledge base), hot-swapped in and out like a staff publish; yields its build id."""
    source = IndexStore(index_dir)
    build_id = source.current_id()
    assert build_id is not None, f"no published build in {index_dir}"
    with publishing(stack) as store:
        if not (store.builds / build_id).exists():
            shutil.copytree(source.builds / build_id, store.builds / build_id)
        store.publish(build_id)
        wait_until_serving(stack, build_id)
        yield build_id
