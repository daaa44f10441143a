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
import shutil
import tempfile
from pathlib import Path

from benchmarks.load import run_load, table
from tests.stack import child_pids, free_port, running_stack

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS: list[tuple[str, tuple[str, ...], dict[str, str]]] = [
    ("embedded: 1 Rasa + 1 action server, SQLite tracker, in-memory locks", ("run",), {}),
    ("cluster: 1 Rasa + 1 action server behind nginx, PostgreSQL + Redis", ("cluster", "run"),
     {"ASKVN_RASA_REPLICAS": "1", "ASKVN_ACTION_REPLICAS": "1"}),
    ("cluster: 2 Rasa + 2 action servers behind nginx, PostgreSQL + Redis", ("cluster", "run"),
     {"ASKVN_RASA_REPLICAS": "2", "ASKVN_ACTION_REPLICAS": "2"}),
]


def memory_mb(root_pid: int) -> dict[str, int]:
    """Resident memory of every process under the supervisor, by command, in MB."""
    found: dict[str, int] = {}
    pending = list(child_pids(root_pid))
    while pending:
        pid = pending.pop()
        pending += child_pids(pid)
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            rss_kb = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                          if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
        name = _process_name([a.decode(errors="replace") for a in args if a])
        found[name] = found.get(name, 0) + rss_kb // 1024
    return found


def _process_name(args: list[str]) -> str:
    joined = " ".join(args)
    for marker, name in (("bot.action_server", "action server"), ("rasa_addons.run_rasa", "rasa"),
                         ("nginx", "nginx"), ("redis-server", "redis"), ("postgres", "postgres"),
                         ("bot.web", "web page")):
        if marker in joined:
            return name
    return args[0] if args else "?"


def measure(name: str, command: tuple[str, ...], env: dict[str, str], users: list[int], seconds: float) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="askvn-bench-data-"))
    cluster_dir = Path(tempfile.mkdtemp(prefix="askvn-bench-cluster-"))
    (data_dir / "index").symlink_to(ROOT / "var" / "index")
    extra = dict(env, ASKVN_CLUSTER_DIR=str(cluster_dir), ASKVN_REDIS_PORT=str(free_port()),
                 ASKVN_POSTGRES_PORT=str(free_port()), ASKVN_SENDER_BURST="20")
    try:
        with running_stack(data_dir, command, ready_s=900, **extra) as stack:
            asyncio.run(run_load(stack.rasa_url, 4, 10))  # warm-up: caches, connections, lazy imports
            rows = [asyncio.run(run_load(stack.rasa_url, n, seconds)) for n in users]
            memory = memory_mb(stack.process.pid)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(cluster_dir, ignore_errors=True)
    return {"layout": name, "load": rows, "memory_mb": memory}


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
        print(f"\n## {name}\n{table(result['load'])}\nmemory (MB, resident): {result['memory_mb']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
