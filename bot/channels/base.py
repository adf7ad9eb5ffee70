"""The channel interface: what Telegram, WeCom, DingTalk, the web page and the console each implement.

A channel receives a user's text or button press, admits the user by its own identity
(`channel:user_id`, e.g. `telegram:123`, `wecom:zhangsan`, `web:li.si`), hands the input to the one
assistant and renders the `Reply` it gets back; `notify` sends a proactive message (officer notices,
reporter updates) to one of its users. The one outbox (bot/channels/outbox.py) calls `notify` on the
channel each recipient uses, whatever channel the report came from.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from bot.core.chat.reply import Reply
from bot.storage.channels import ChannelStore

TELEGRAM = "telegram"


class DeliveryError(Exception):
    """A notice was not delivered. `retry_after`: the platform asked to wait (flood control);
    `unreachable`: this recipient cannot be reached for now (blocked the bot, left); `fatal`: the
    channel cannot send at all (credentials rejected). Otherwise a transient failure: back off."""

    def __init__(self, reason: str, *, retry_after: float | None = None, unreachable: bool = False,
                 fatal: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.unreachable = unreachable
        self.fatal = fatal


class Notifier(Protocol):
    """What the outbox needs of a channel: its name and `notify`."""

    name: str

    async def notify(self, user: str, reply: Reply) -> int | None:
        """Deliver `reply` to `user` (the part after `channel:`); the platform's message id if it
        has one. Raises DeliveryError (or any exception: treated as transient)."""
        ...


class Channel(Notifier, Protocol):
    """A running channel: serves its users until `stop` is set and reaches one of them by id."""

    async def run(self, stop: asyncio.Event) -> None: ...


class Identities:
    """`channel:user_id` <-> the integer id the assistant and the report service use: Telegram keeps
    its own (positive) user ids; every other channel's users get ids issued by the storage layer
    (negative, so the two never collide)."""

    def __init__(self, store: ChannelStore | None):
        self.store = store
        self._ids: dict[str, int] = {}  # issued ids never change: no database round trip per message

    def user_id(self, key: str) -> int:
        channel, _, user = key.partition(":")
        if channel == TELEGRAM:
            return int(user)
        if key not in self._ids:
            if self.store is None:
                raise LookupError("no identity store for non-Telegram users")
            if len(self._ids) > 100_000:
                self._ids.clear()
            self._ids[key] = self.store.user_id(key)
        return self._ids[key]

    def key(self, user_id: int) -> str | None:
        """`channel:user_id` of an internal id; None when no channel issued it."""
        if user_id > 0:
            return f"{TELEGRAM}:{user_id}"
        return self.store.user_key(user_id) if self.store is not None else None
