"""The scale-out layout (`askvn cluster run`): Redis, PostgreSQL, two Rasa replicas, two action servers and
nginx, all real, on loopback. A conversation continues on any replica, a crashed replica costs no user
turn, and a published build reaches every action server. Needs Debian's redis-server, postgresql and nginx
(`make cluster-deps`, which `make test` runs): without them these tests fail, they do not skip."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from knowledge.embedding.embedder import Embedder
from knowledge.index.builder import build_and_publish
from knowledge.index.store import IndexStore
from knowledge.loader import load_valid_knowledge
from tests.stack import ROOT, Stack, child_pids, free_port, running_stack
from tests.staff import new_entry

pytestmark = pytest.mark.integration
STEADY = [("Do I need a visa to visit Vietnam?", "e-visa"), ("What currency is used in Vietnam?", "currency")]


@pytest.fixture(scope="module")
def cluster_dir() -> Iterator[Path]:
    # Outside pytest's private tmp folder: the postgres user must be able to reach its data folder.
    folder = Path(tempfile.mkdtemp(prefix="askvn-cluster-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster(fixture_index_dir: Path, cluster_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("cluster-data")
    shutil.copytree(fixture_index_dir, data_dir / "index")  # a copy: this module publishes a new build
    postgres_port = free_port()
    with running_stack(data_dir, ("cluster", "run"), ready_s=600, ASKVN_CLUSTER_DIR=str(cluster_dir),
                       ASKVN_REDIS_PORT=str(free_port()), ASKVN_POSTGRES_PORT=str(postgres_port),
                       ASKVN_SENDER_BURST="40") as stack:  # the long conversation below asks without pauses
        stack.ports["postgres"] = postgres_port
        yield stack


def replica_url(stack: Stack, n: int) -> str:
    return f"http://127.0.0.1:{stack.ports['rasa'] + n}"


def outcome_of(url: str, message: str, sender: str) -> dict[str, Any]:
    response = httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60)
    response.raise_for_status()
    found = [m["custom"]["askvn"] for m in response.json() if isinstance(m.get("custom"), dict)]
    assert len(found) == 1, response.json()
    return dict(found[0])


def test_a_conversation_continues_on_another_replica(cluster: Stack, cluster_dir: Path) -> None:
    one, two = replica_url(cluster, 1), replica_url(cluster, 2)
    question = "Do I need a visa to visit Vietnam?"
    assert outcome_of(one, question, "xrep-control")["language"] == "en"  # a new conversation: English
    # The language a visitor asked for on one replica holds on the other, both ways.
    assert outcome_of(two, "please answer in Korean", "xrep-lang")["outcome"] == "language_changed"
    answer = outcome_of(one, question, "xrep-lang")
    assert answer["language"] == "ko" and answer["entry_id"] == "e-visa"
    assert outcome_of(one, "please answer in German", "xrep-lang")["outcome"] == "language_changed"
    assert outcome_of(two, question, "xrep-lang")["language"] == "de"
    # Two turns on one replica and two on the other: one conversation, and it includes every turn.
    assert outcome_of(two, "What currency is used in Vietnam?", "xrep-lang")["entry_id"] == "currency"
    # A long conversation through nginx: Rasa sends all of it to the actions with every turn (tens of kB).
    for turn in range(25):
        question, entry = STEADY[turn % 2]
        assert outcome_of(cluster.rasa_url, question, "xrep-long")["entry_id"] == entry, f"turn {turn + 1}"

    # The conversations are in PostgreSQL (the tracker store every replica shares).
    query = "SELECT COUNT(DISTINCT sender_id) FROM events WHERE sender_id LIKE 'xrep-%'"
    assert _psql(cluster, cluster_dir, query) == "3"  # control, lang, long
    query = "SELECT COUNT(*) FROM events WHERE sender_id = 'xrep-lang' AND type_name = 'user'"
    assert _psql(cluster, cluster_dir, query) == "5"


def test_killing_a_rasa_replica_and_an_action_server_under_load_loses_no_turn(cluster: Stack) -> None:
    asked: list[tuple[str, str, dict[str, Any] | None, int]] = []  # question, sender, outcome, retries
    errors: list[str] = []

    def visitor(worker: int) -> None:
        for n in range(14):
            question, _ = STEADY[(n + worker) % 2]
            sender, result, retries = f"kill-{worker}-{n // 3}", None, 0
            while result is None and retries <= 3:  # what the web chat does: try again after a failure
                try:
                    result = outcome_of(cluster.rasa_url, question, sender)
                except (httpx.HTTPError, AssertionError) as exc:
                    errors.append(repr(exc))
                    retries += 1
                    time.sleep(1)
            asked.append((question, sender, result, retries))

    workers = [threading.Thread(target=visitor, args=(i,)) for i in range(4)]
    for worker in workers:
        worker.start()
    while len(asked) < 8:
        time.sleep(0.1)
    rasa_two = _replica_pid(cluster, "--port", str(cluster.ports["rasa"] + 2))
    actions_one = _replica_pid(cluster, "ASKVN_ACTION_PORT", str(cluster.ports["action"] + 1))
    os.kill(rasa_two, signal.SIGKILL)
    os.kill(actions_one, signal.SIGKILL)
    killed_at = len(asked)
    for worker in workers:
        worker.join(timeout=300)

    assert len(asked) == 56 and killed_at < 48, "the kill did not happen in the middle of the load"
    lost = [(q, s) for q, s, result, _ in asked if result is None]
    assert lost == [], f"turns lost: {lost}; errors: {errors[:5]}"
    wrong = [(q, result) for q, _, result, _ in asked if result and result.get("entry_id") != dict(STEADY)[q]]
    assert wrong == []
    back_after = _wait_until_all_replicas_answer(cluster)
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "cluster_kill.json").write_text(json.dumps({
        "turns": len(asked), "killed_after_turns": killed_at, "turns_lost": len(lost),
        "turns_answered_after_a_retry": sum(1 for *_, retries in asked if retries),
        "client_retries": sum(retries for *_, retries in asked),
        "replicas_all_healthy_again_after_s": round(back_after, 1)}, indent=2), encoding="utf-8")


def test_a_published_build_reaches_every_action_server(cluster: Stack, kb_copy: Path, embedder: Embedder) -> None:
    _wait_until_all_replicas_answer(cluster)
    ports = [cluster.ports["action"] + 1, cluster.ports["action"] + 2]
    assert all(_answered_entry(port, new_entry.QUESTION) != new_entry.ENTRY_ID for port in ports)
    new_entry.add_to(kb_copy)
    result = build_and_publish(load_valid_knowledge(kb_copy), embedder, IndexStore(cluster.data_dir / "index"))
    assert result.published
    deadline, serving = time.monotonic() + 60, set()
    while time.monotonic() < deadline and len(serving) < len(ports):
        serving |= {port for port in ports if _answered_entry(port, new_entry.QUESTION) == new_entry.ENTRY_ID}
        time.sleep(0.5)
    assert serving == set(ports), "not every action server switched to the new build within 60 s"
    # ...and visitors get it through Rasa, whichever replicas handle them.
    for n in range(4):
        assert outcome_of(cluster.rasa_url, new_entry.QUESTION, f"after-publish-{n}")["entry_id"] == new_entry.ENTRY_ID


def _answered_entry(action_port: int, question: str) -> str | None:
    """Ask one action server directly, as Rasa would (rasa_sdk's webhook), which entry answers `question`."""
    tracker = {"sender_id": "probe", "slots": {}, "events": [], "paused": False, "followup_action": None,
               "active_loop": {}, "latest_action_name": "action_listen",
               "latest_message": {"text": question, "intent": {"name": "ask_question", "confidence": 0.9},
                                  "entities": [], "metadata": {}}}
    body = {"next_action": "action_answer_question", "sender_id": "probe", "tracker": tracker, "domain": {}}
    response = httpx.post(f"http://127.0.0.1:{action_port}/webhook", json=body, timeout=30)
    response.raise_for_status()
    customs = [r["custom"]["askvn"] for r in response.json()["responses"]
               if isinstance(r.get("custom"), dict) and "askvn" in r["custom"]]
    assert len(customs) == 1, response.json()
    return customs[0].get("entry_id")


def _replica_pid(stack: Stack, marker: str, port: str) -> int:
    """The supervisor's child serving `port` (Rasa: on its command line; actions: in its environment)."""
    for pid in child_pids(stack.process.pid):
        proc = Path(f"/proc/{pid}")
        try:
            args = proc.joinpath("cmdline").read_bytes().split(b"\0")
            env = proc.joinpath("environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if marker.encode() in args and port.encode() in args[args.index(marker.encode()) + 1:][:1]:
            return pid
        if f"{marker}={port}".encode() in env and b"bot.processes.action_server" in args:
            return pid
    raise AssertionError(f"no replica with {marker} {port} among the supervisor's children")


def _wait_until_all_replicas_answer(stack: Stack, timeout_s: float = 240) -> float:
    """After a kill, the supervisor restarts the replica; wait until every one is healthy again (seconds)."""
    urls = [f"{replica_url(stack, n)}/webhooks/rest/" for n in (1, 2)]
    urls += [f"http://127.0.0.1:{stack.ports['action'] + n}/health" for n in (1, 2)]
    started = time.monotonic()
    while time.monotonic() < started + timeout_s:
        try:
            if all(httpx.get(url, timeout=2).status_code == 200 for url in urls):
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError(f"replicas not all back within {timeout_s:.0f} s")


def _psql(stack: Stack, cluster_dir: Path, query: str) -> str:
    secrets = dict(line.split("=", 1) for line in (cluster_dir / "secrets.env").read_text().split())
    env = dict(os.environ, PGPASSWORD=secrets["ASKVN_POSTGRES_PASSWORD"])
    result = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(stack.ports["postgres"]), "-U", "askvn",
                             "-d", "askvn", "-tAc", query], env=env, capture_output=True, text=True, check=True)
    return result.stdout.strip()

