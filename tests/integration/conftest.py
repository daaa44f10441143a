"""A real running stack (`askvn run`: action server + Rasa server) on free ports, over the fixture index."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    rasa_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path
    web_url: str = ""  # the web chat's demo page (bot/web), e.g. http://127.0.0.1:PORT

    def ask(self, message: str, sender: str = "tester", metadata: dict[str, object] | None = None) -> list[dict]:
        body: dict[str, object] = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return list(response.json())


RUNNING_STACK = pytest.StashKey[Stack]()


@pytest.fixture(scope="session")
def stack(fixture_index_dir: Path, tmp_path_factory: pytest.TempPathFactory,
          request: pytest.FixtureRequest) -> Iterator[Stack]:
    # tests/web imports this fixture into its own conftest; both then share the one running stack.
    running = request.config.stash.get(RUNNING_STACK, None)
    if running is not None:
        yield running
        return
    data_dir = tmp_path_factory.mktemp("stack-data")
    (data_dir / "index").symlink_to(fixture_index_dir)
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    env = dict(os.environ, ASKVN_DATA_DIR=str(data_dir), ASKVN_RASA_PORT=str(rasa_port),
               ASKVN_ACTION_PORT=str(action_port), ASKVN_WEB_PORT=str(web_port),
               ASKVN_CORS_ORIGINS=f"http://127.0.0.1:{web_port} http://localhost:{web_port}")
    log = data_dir / "stack.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{rasa_port}"
    deadline = time.monotonic() + 300
    while True:
        assert proc.poll() is None, f"askvn run exited early:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"stack not ready in 300 s:\n{log.read_text()[-3000:]}"
        if "Ask Vietnam is running" in log.read_text(errors="replace"):
            break
        time.sleep(1)
    stack = Stack(url, data_dir, proc, log, web_url=f"http://127.0.0.1:{web_port}")
    request.config.stash[RUNNING_STACK] = stack
    yield stack
    del request.config.stash[RUNNING_STACK]
    # Ctrl-C must stop every process cleanly, with exit code 0 (checked on every run of the stack).
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=60)
    output = log.read_text(errors="replace")
    assert code == 0, f"askvn run exited {code} on Ctrl-C:\n{output[-3000:]}"
    assert "stopping rasa" in output and "stopping actions" in output
