"""Load on a running assistant over REST, the way many visitors would: real questions from the dev set in
ten languages, each simulated user asking one after another with no think time, a new conversation
every `turns` questions. Prints requests/s, latency percentiles and failures; never asserts a target.

    .venv/bin/python -m benchmarks.load --url http://127.0.0.1:5005 --users 1 10 30 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from knowledge.evaluation import DEVSET_PATH
from knowledge.evaluation.devset import load_devset

# Environment for a stack under benchmark load: all the load comes from one address and a few senders, faster
# than the flood limits allow (50 messages/s per address). The benchmarks measure the servers, not the limits
# (before 2026-12-03 evening the bare-Rasa benchmark measured the limit: "50 req/s").
NO_FLOOD_LIMITS = {"ASKVN_SENDER_BURST": "1000", "ASKVN_SENDER_REFILL_S": "0.001",
                   "ASKVN_ADDRESS_BURST": "100000", "ASKVN_ADDRESS_REFILL_S": "0.00001"}


def has_outcome(replies: list[dict]) -> bool:
    """An answer of ours: it carries the askvn outcome (not an empty reply, not "temporarily unavailable")."""
    return any(isinstance(m.get("custom"), dict) and "askvn" in m["custom"] for m in replies)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    # HTTP error, timeout, or a reply that `answered` rejects: what a user would notice as not being answered
    failures: int = 0
    answered: Callable[[list[dict]], bool] = has_outcome

    def summary(self, users: int, elapsed: float) -> dict[str, float | int]:
        """The figures of one measurement: throughput, latency percentiles, messages not answered."""
        lat = sorted(self.latencies) or [0.0]
        return {"users": users, "requests": len(self.latencies), "seconds": round(elapsed, 1),
                "req_per_s": round(len(self.latencies) / elapsed, 2),
                "p50_s": round(statistics.median(lat), 3), "p95_s": round(lat[int(0.95 * (len(lat) - 1))], 3),
                "max_s": round(lat[-1], 3), "failures": self.failures}

    def record(self, started: float, replies: list[dict] | None) -> None:
        self.latencies.append(time.perf_counter() - started)
        if not self.answered(replies or []):
            self.failures += 1


def questions(seed: int = 7) -> list[tuple[str, str]]:
    """(question, language) pairs, shuffled so every language and kind is in every stretch of the run."""
    found = [(q.q, q.lang) for q in load_devset(DEVSET_PATH) if not q.context]
    random.Random(seed).shuffle(found)
    return found


async def _user(client: httpx.AsyncClient, url: str, pool: itertools.cycle, turns: int, until: float,
                tally: Tally) -> None:
    sender, asked = f"load-{uuid.uuid4().hex[:12]}", 0
    while time.perf_counter() < until:
        if asked and asked % turns == 0:
            sender = f"load-{uuid.uuid4().hex[:12]}"
        text, _lang = next(pool)
        started = time.perf_counter()
        try:
            response = await client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text})
            tally.record(started, response.json() if response.status_code == 200 else None)
        except (httpx.HTTPError, ValueError):
            tally.record(started, None)
        asked += 1


async def run_load(url: str, users: int, seconds: float, turns: int = 10,
                   answered: Callable[[list[dict]], bool] = has_outcome) -> dict[str, float | int]:
    """One measurement: `users` concurrent users for `seconds`; returns the figures."""
    pool = itertools.cycle(questions())
    tally = Tally(answered=answered)
    limits = httpx.Limits(max_connections=users + 4, max_keepalive_connections=users + 4)
    async with httpx.AsyncClient(timeout=90, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(_user(client, url, pool, turns, started + seconds, tally) for _ in range(users)))
        elapsed = time.perf_counter() - started
    return tally.summary(users, elapsed)


async def conversation_growth(url: str, messages: int) -> dict[str, float]:
    """One user, one conversation of `messages` questions: median latency of the first and last 10
    (each turn loads and stores the whole conversation, so later turns may cost more)."""
    pool = itertools.cycle(questions(seed=11))
    sender, latencies = f"long-{uuid.uuid4().hex[:12]}", []
    async with httpx.AsyncClient(timeout=90) as client:
        for _ in range(messages):
            started = time.perf_counter()
            await client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": next(pool)[0]})
            latencies.append(time.perf_counter() - started)
    first, last = statistics.median(latencies[:10]), statistics.median(latencies[-10:])
    return {"messages": messages, "first_10_median_s": round(first, 3), "last_10_median_s": round(last, 3),
            "last_over_first": round(last / first, 2)}


def run_socketio_load(url: str, origin: str, users: int, seconds: float) -> dict[str, float | int]:
    """`users` web-chat visitors on socket.io (long-polling, as the widget), each asking one question after
    another in its own session; latency is from sending to the reply's outcome message."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.web.socketio_polling import PollingClient

    pool = itertools.cycle(questions(seed=13))
    tally, until = Tally(), time.perf_counter() + seconds

    def visitor() -> None:
        client = PollingClient(url, origin)
        try:
            client.request_session(None)
            answered = 0
            while time.perf_counter() < until:
                started = time.perf_counter()
                client.emit("user_uttered", {"message": next(pool)[0], "metadata": {"channel": "web"}})
                replies = client.wait_for("bot_uttered", 10**6, timeout_s=0)  # all so far
                deadline = started + 60
                while sum("custom" in (m or {}) for m in replies) <= answered and time.perf_counter() < deadline:
                    client.wait_for("bot_uttered", len(replies) + 1, timeout_s=60)
                    replies = client.wait_for("bot_uttered", 10**6, timeout_s=0)
                got = sum("custom" in (m or {}) for m in replies)
                tally.record(started, [{"custom": {"askvn": {}}}] if got > answered else None)
                answered = got
        finally:
            client.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(users) as workers:
        list(workers.map(lambda _: visitor(), range(users)))
    elapsed = time.perf_counter() - started
    return tally.summary(users, elapsed)


def table(rows: list[dict[str, float | int]]) -> str:
    head = f"{'users':>5} {'requests':>8} {'req/s':>7} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'not answered':>12}"
    lines = [head] + [f"{r['users']:>5} {r['requests']:>8} {r['req_per_s']:>7} {r['p50_s']:>7} {r['p95_s']:>7} "
                      f"{r['max_s']:>7} {r['failures']:>12}" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--turns", type=int, default=10, help="questions per conversation")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [asyncio.run(run_load(args.url, users, args.seconds, args.turns)) for users in args.users]
    print(json.dumps(rows, indent=2) if args.json else table(rows))


if __name__ == "__main__":
    main()
