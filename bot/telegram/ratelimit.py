"""A per-user token bucket: a burst of questions is fine, a flood gets one polite notice.

Telegram's own flood limits are handled by PTB's AIORateLimiter on the way out; this protects Rasa
and the action server from one user. (aiolimiter is installed, but it blocks instead of refusing,
and the polite notice needs "refused, first time" semantics, so a 30-line bucket is clearer.)
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
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


class UserRateLimiter:
    def __init__(self, burst: int, refill_s: float, *, max_users: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.refill_s, self._max_users, self._clock = burst, refill_s, max_users, clock
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def check(self, user_id: int) -> Verdict:
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
