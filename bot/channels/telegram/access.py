"""Who may talk to the bot: allowlist, staff-group membership, roles (the per-user limit is
bot/channels/ratelimit.py, shared by every channel)."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from telegram import Bot, ChatMember
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.config import AccessConfig, Role

log = logging.getLogger(__name__)

_MEMBER_STATUSES = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}
_MAX_TRACKED = 50_000


class MembershipUnknown(Exception):
    """The staff-group membership could not be checked (network trouble, Telegram error): the
    user is neither admitted nor told they are not allowed."""


class AccessControl:
    """Decides a user's role: the configured lists first, then membership of the staff group
    (cached for `membership_cache_seconds`). None means "not allowed"; a membership check that
    could not be made raises `MembershipUnknown` (cached briefly, like an answer)."""

    def __init__(self, config: AccessConfig, *, clock: Callable[[], float] = time.monotonic):
        self.config = config
        self.clock = clock
        self._members: OrderedDict[int, tuple[bool | None, float]] = OrderedDict()
        self._refused: OrderedDict[tuple[str, int], float] = OrderedDict()
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
            if cached[0] is None:
                raise MembershipUnknown
            return cached[0]
        assert self.config.staff_group_id is not None
        ttl: float = self.config.membership_cache_seconds
        is_member: bool | None
        try:
            member = await bot.get_chat_member(self.config.staff_group_id, user_id)
            is_member = member.status in _MEMBER_STATUSES or (
                member.status == ChatMember.RESTRICTED and bool(getattr(member, "is_member", False)))
        except (BadRequest, Forbidden):  # not in the group / bot not in the group
            is_member = False
        except TelegramError as exc:  # network trouble: neither admit nor refuse; ask again soon
            log.warning("staff-group membership check failed: %s", type(exc).__name__)
            is_member, ttl = None, min(ttl, 30)
        self._members[user_id] = (is_member, now + ttl)
        self._members.move_to_end(user_id)
        while len(self._members) > _MAX_TRACKED:
            self._members.popitem(last=False)
        if is_member is None:
            raise MembershipUnknown
        return is_member

    def refusal_due(self, user_id: int, *, kind: str = "refused") -> bool:
        """Whether a user kept out should be told (again) why (`kind`: "refused" or "unverified"):
        once per `refusal_interval` seconds for a refusal, once a minute for "try again later"."""
        shown = self._refused.get((kind, user_id))
        interval = self.refusal_interval if kind == "refused" else 60.0
        return shown is None or self.clock() - shown >= interval

    def refusal_shown(self, user_id: int, *, kind: str = "refused") -> None:
        """The notice reached the user (Telegram accepted the message): silence for a while."""
        self._refused[(kind, user_id)] = self.clock()
        self._refused.move_to_end((kind, user_id))
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
