"""Token buckets per key (a Telegram user, a REST or socket.io sender, a client address): a burst of
questions is fine, a flood gets one polite notice, then silence until tokens come back.

Used by the Telegram relay (per user) and by the Rasa server's channels (per sender and per client
address), so it is pure Python for both environments. In memory, per process: with several replicas
the limits belong in the load balancer (scale-out). (aiolimiter blocks instead of refusing, and the
polite notice needs "refused, first time" semantics, so a 30-line bucket is clearer.)
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    ALLOWED = "allowed"
    NOTIFY = "notify"  # refused; tell the user once
    SILENT = "silent"  # refused again; say nothing more until a token comes back


@dataclass
class _Bucket:
    tokens: float
    updated: float
    notified: bool = False


class RateLimiter:
    def __init__(self, burst: int, refill_s: float, *, max_users: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.refill_s, self._max_users, self._clock = burst, refill_s, max_users, clock
        self._buckets: OrderedDict[Hashable, _Bucket] = OrderedDict()

    def check(self, user_id: Hashable) -> Verdict:
        now = self._clock()
        bucket = self._buckets.get(user_id) or _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) / self.refill_s)
        bucket.updated = now
        self._buckets[user_id] = bucket
        self._buckets.move_to_end(user_id)
        while len(self._buckets) > self._max_users:  # idle users' buckets are full anyway
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.notified = False
            return Verdict.ALLOWED
        if bucket.notified:
            return Verdict.SILENT
        bucket.notified = True
        return Verdict.NOTIFY
