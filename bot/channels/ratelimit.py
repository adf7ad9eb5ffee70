"""The per-user rate limit every channel applies to what a user sends (messages and button presses)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Literal

from bot.config import RateLimitConfig

_MAX_TRACKED = 50_000

Verdict = Literal["ok", "warn", "drop"]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


class RateLimiter:
    """Per-user token bucket. The first message over the limit gets one polite warning ("warn");
    the rest of the flood is dropped silently ("drop") until the bucket refills."""

    def __init__(self, config: RateLimitConfig, *, clock: Callable[[], float] = time.monotonic):
        self.capacity = float(config.burst)
        self.rate = config.per_minute / 60.0
        self.clock = clock
        self._buckets: OrderedDict[Hashable, _Bucket] = OrderedDict()

    def check(self, user_id: Hashable) -> Verdict:
        """`user_id`: whatever names one user on the channel (a Telegram id, "wecom:u1")."""
        now = self.clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(self.capacity, now)
            while len(self._buckets) > _MAX_TRACKED:
                self._buckets.popitem(last=False)
        self._buckets.move_to_end(user_id)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"
