"""Throughput of the embedded default against the scale-out layout with 1 and 2 replicas of each, on this
machine, with the real published index (var/index, built by `make setup`). Prints figures; asserts nothing.

    make bench            # or: .venv/bin/python -m benchmarks.replicas --users 1 10 30 --seconds 20

Each layout is started as users start it (`askvn run`, `askvn cluster run`) on free ports, warmed up,
loaded by benchmarks/load.py, and stopped; memory is the resident size of each process after the load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.load import NO_FLOOD_LIMITS, conversation_growth, run_load, run_socketio_load, table
from tests.stack import child_pids, free_port, running_stack

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS: list[tuple[str, tuple[str, ...], dict[str, str]]] = [
    ("embedded: 1 Rasa + 1 action server, SQLite tracker, in-memory locks", ("run",), {}),
    ("cluster: 1 Rasa + 1 action server behind nginx, PostgreSQL + Redis", ("cluster", "run"),
     {"ASKVN_RASA_REPLICAS": "1", "ASKVN_ACTION_REPLICAS": "1"}),
    ("cluster: 2 Rasa + 2 action servers behind nginx, PostgreSQL + Redis", ("cluster", "run"),
     {"ASKVN_RASA_REPLICAS": "2", "ASKVN_ACTION_REPLICAS": "2"}),
]


def processes(root_pid: int) -> dict[str, dict[str, float]]:
    """Every process under the supervisor, summed by kind: resident and private (anonymous) MB, and CPU
    seconds used so far."""
    found: dict[str, dict[str, float]] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    pending = list(child_pids(root_pid))
    while pending:
        pid = pending.pop()
        pending += child_pids(pid)
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
            status = {line.split(":")[0]: line.split()[1] for line in lines if line.startswith(("VmRSS:", "RssAnon:"))}
            rss_kb, private_kb = int(status["VmRSS"]), int(status["RssAnon"])
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, KeyError):
            continue
        name = _process_name([a.decode(errors="replace") for a in args if a])
        entry = found.setdefault(name, {"rss_mb": 0.0, "private_mb": 0.0, "cpu_s": 0.0})
        entry["rss_mb"] += rss_kb // 1024
        entry["private_mb"] += private_kb // 1024  # not file-backed: mapped model weights are shared, evictable
        entry["cpu_s"] += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return found


def cpu_ms_per_message(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]],
                       messages: int) -> dict[str, float]:
    return {name: round((after[name]["cpu_s"] - before.get(name, {"cpu_s": 0.0})["cpu_s"]) * 1000 / messages, 1)
            for name in after if messages}


def _process_name(args: list[str]) -> str:
    joined = " ".join(args)
    for marker, name in (("bot.processes.action_server", "action server"), ("rasa_addons.run_rasa", "rasa"),
                         ("nginx", "nginx"), ("redis-server", "redis"), ("postgres", "postgres"),
                         ("bot.web", "web page")):
        if marker in joined:
            return name
    return args[0] if args else "?"


def measure(name: str, command: tuple[str, ...], env: dict[str, str], users: list[int], seconds: float) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="askvn-bench-data-"))
    cluster_dir = Path(tempfile.mkdtemp(prefix="askvn-bench-cluster-"))
    (data_dir / "index").symlink_to(ROOT / "var" / "index")
    extra = dict(env, **NO_FLOOD_LIMITS, ASKVN_CLUSTER_DIR=str(cluster_dir), ASKVN_REDIS_PORT=str(free_port()),
                 ASKVN_POSTGRES_PORT=str(free_port()))
    try:
        started = time.perf_counter()
        with running_stack(data_dir, command, ready_s=900, **extra) as stack:
            first = asyncio.run(run_load(stack.rasa_url, 1, 0.1))  # one question: the first answer
            cold_start_s = round(time.perf_counter() - started, 1)
            asyncio.run(run_load(stack.rasa_url, 4, 10))  # warm-up: caches, connections, lazy imports
            after_warm_up = processes(stack.process.pid)
            rows = []
            for n in users:
                before = processes(stack.process.pid)
                row = asyncio.run(run_load(stack.rasa_url, n, seconds))
                row["cpu_ms_per_message"] = cpu_ms_per_message(before, processes(stack.process.pid),
                                                               int(row["requests"]))
                rows.append(row)
            socketio = [run_socketio_load(stack.rasa_url, stack.web_url, n, seconds) for n in users]
            one_conversation = [asyncio.run(run_load(stack.rasa_url, n, seconds, turns=10**9)) for n in users]
            growth = asyncio.run(conversation_growth(stack.rasa_url, 360))
            after_load = processes(stack.process.pid)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(cluster_dir, ignore_errors=True)
    memory = {name: int(v["rss_mb"]) for name, v in after_load.items()}
    return {"layout": name, "cold_start_to_first_answer_s": cold_start_s, "first_answer_ok": first["failures"] == 0,
            "load": rows, "socketio": socketio, "one_conversation_per_user": one_conversation,
            "conversation_growth": growth,
            "memory_mb_after_warm_up": {n: int(v["rss_mb"]) for n, v in after_warm_up.items()},
            "memory_mb": memory,
            "private_memory_mb_after_warm_up": {n: int(v["private_mb"]) for n, v in after_warm_up.items()},
            "private_memory_mb": {n: int(v["private_mb"]) for n, v in after_load.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description="Throughput: embedded vs 1 vs 2 replicas of each.")
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--layouts", type=int, nargs="+", default=list(range(len(LAYOUTS))),
                        help="which layouts (0 embedded, 1 cluster 1+1, 2 cluster 2+2)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    results = []
    for index in args.layouts:
        name, command, env = LAYOUTS[index]
        result = measure(name, command, env, args.users, args.seconds)
        results.append(result)
        print(f"\n## {name}\ncold start to first answer: {result['cold_start_to_first_answer_s']} s\n"
              f"{table(result['load'])}\nCPU ms per message: {[r['cpu_ms_per_message'] for r in result['load']]}\n"
              f"web chat (socket.io):\n{table(result['socketio'])}\n"
              f"each user keeping one conversation:\n{table(result['one_conversation_per_user'])}\n"
              f"one conversation growing: {result['conversation_growth']}\n"
              f"memory (MB, resident) after warm-up {result['memory_mb_after_warm_up']}, "
              f"after load {result['memory_mb']}; private after load {result['private_memory_mb']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
