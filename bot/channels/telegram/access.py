"""Who may talk to the bot (allowlist, staff-group membership, roles) and how fast (per-user limit)."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from telegram import Bot, ChatMember
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.config import AccessConfig, RateLimitConfig, Role

log = logging.getLogger(__name__)

_MEMBER_STATUSES = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}
_MAX_TRACKED = 50_000


class AccessControl:
    """Decides a user's role: the configured lists first, then membership of the staff group
    (cached for `membership_cache_seconds`). None means "not allowed"."""

    def __init__(self, config: AccessConfig, *, clock: Callable[[], float] = time.monotonic):
        self.config = config
        self.clock = clock
        self._members: OrderedDict[int, tuple[bool, float]] = OrderedDict()
        self._refused: OrderedDict[int, float] = OrderedDict()
        self.refusal_interval = 3600.0

    async def role(self, bot: Bot, user_id: int) -> Role | None:
        static = self.config.role_of(user_id)
        if static is not None:
            return static
        if self.config.staff_group_id is not None and await self._is_member(bot, user_id):
            return "staff"
        return None

    async def _is_member(self, bot: Bot, user_id: int) -> bool:
        now = self.clock()
        cached = self._members.get(user_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        assert self.config.staff_group_id is not None
        ttl: float = self.config.membership_cache_seconds
        try:
            member = await bot.get_chat_member(self.config.staff_group_id, user_id)
            is_member = member.status in _MEMBER_STATUSES or (
                member.status == ChatMember.RESTRICTED and bool(getattr(member, "is_member", False)))
        except (BadRequest, Forbidden):  # not in the group / bot not in the group
            is_member = False
        except TelegramError as exc:  # network trouble: refuse now, ask again soon
            log.warning("staff-group membership check failed: %s", type(exc).__name__)
            is_member, ttl = False, min(ttl, 30)
        self._members[user_id] = (is_member, now + ttl)
        self._members.move_to_end(user_id)
        while len(self._members) > _MAX_TRACKED:
            self._members.popitem(last=False)
        return is_member

    def refusal_due(self, user_id: int) -> bool:
        """Whether a refused user should be told (again): once per `refusal_interval` seconds."""
        shown = self._refused.get(user_id)
        return shown is None or self.clock() - shown >= self.refusal_interval

    def refusal_shown(self, user_id: int) -> None:
        """The refusal reached the user (Telegram accepted the message): silence for a while."""
        self._refused[user_id] = self.clock()
        self._refused.move_to_end(user_id)
        while len(self._refused) > _MAX_TRACKED:
            self._refused.popitem(last=False)


class AdmittedUpdates:
    """Ids of the recent updates the gate let through (bounded): the error handler asks it, so an
    error in an update the gate did not admit is never answered as if it had been."""

    def __init__(self, size: int = 10_000):
        self.size = size
        self._ids: OrderedDict[int, None] = OrderedDict()

    def add(self, update_id: int) -> None:
        self._ids[update_id] = None
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)

    def __contains__(self, update_id: object) -> bool:
        return update_id in self._ids


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
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def check(self, user_id: int) -> Verdict:
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
