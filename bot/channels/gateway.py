"""What the long-connection channels (WeCom, DingTalk) share: the access gate, each message claimed
once (a redelivery of a handled message is not answered again) and answered at least once, the
call into the one assistant, and the rendering of a reply as text + card buttons.

An adapter turns a platform event into an `Incoming` and calls `Gateway.handle` with the function
that hands a `Card` to the platform; it never decides anything itself. Both implement
bot.channels.base.Channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import random
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.channels.ratelimit import RateLimiter
from bot.config import ChannelAccessConfig
from bot.core.chat.assistant import Assistant
from bot.core.chat.reply import Reply, Role, Sender
from bot.core.phrases.messages import t
from bot.storage.channels import ChannelStore

log = logging.getLogger("libao.channels")

COPY_PREFIX = "cp:"  # a "复制话术" button: the tap sends the phrase alone, ready to copy
MAX_BUTTONS = 6  # WeCom button_interaction cards hold at most six buttons


@dataclass(frozen=True, slots=True)
class Incoming:
    """A user's text or button press on a channel. `key` is the platform's message id."""

    channel: str
    user: str
    key: str
    text: str = ""
    tap: str | None = None
    departments: tuple[str, ...] = ()
    name: str = ""

    @property
    def who(self) -> str:
        return f"{self.channel}:{self.user}"


@dataclass(frozen=True, slots=True)
class Card:
    """A reply as card-based channels show it: text, then buttons (label, key); `edit` replaces
    the card whose button was pressed; `toast` acknowledges the press."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    edit: bool = False
    toast: str | None = None


class ChannelAccess:
    """Roles from config; refuses anybody not listed, by user id or by department (fails closed)."""

    def __init__(self, config: ChannelAccessConfig):
        self.config = config

    def role(self, user: str, departments: tuple[str, ...] = ()) -> Role | None:
        try:
            return self.config.role_of(user, departments)
        except Exception as exc:  # a broken rule refuses rather than admits
            log.error("access check failed: %s", type(exc).__name__)
            return None


@dataclass(slots=True)
class Copies:
    """Phrases behind "复制话术" buttons (bounded; an unknown one gets the polite 'expired')."""

    limit: int = 5000
    items: OrderedDict[str, str] = field(default_factory=OrderedDict)

    def put(self, text: str) -> str:
        key = COPY_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:16]
        self.items[key] = text
        self.items.move_to_end(key)
        while len(self.items) > self.limit:
            self.items.popitem(last=False)
        return key

    def get(self, key: str) -> str | None:
        return self.items.get(key)


Send = Callable[[Card], Awaitable[None]]  # hands one card to the platform; raises when it was not taken


def render(reply: Reply, copies: Copies) -> Card:
    """One rendering path for card channels: data buttons stay, copy buttons become "复制话术"
    presses, inline-mode buttons (no such thing here) are left out."""
    buttons: list[tuple[str, str]] = []
    for row in reply.buttons:
        for b in row:
            if b.data:
                buttons.append((b.label, b.data))
            elif b.copy_text:
                buttons.append((t("channel.copy_label"), copies.put(b.copy_text)))
    return Card(reply.text, tuple(buttons[:MAX_BUTTONS]), edit=reply.edit, toast=reply.toast)


class Gateway:
    """Gate (access, then the per-user rate limit), exactly-once and the assistant, shared by the
    channels of one process."""

    def __init__(self, assistant: Assistant, store: ChannelStore, access: dict[str, ChannelAccess], *, owner: str,
                 limiter: RateLimiter):
        self.assistant = assistant
        self.store = store
        self.access = access
        self.owner = owner
        self.limiter = limiter
        self.copies = Copies()
        self._refused: set[str] = set()

    async def handle(self, inc: Incoming, send: Send) -> bool:
        """Answer `inc` through `send` (see `respond`); False when it was already handled (a redelivery)."""
        if not self.accept(inc):
            return False
        await self.respond(inc, send)
        return True

    def accept(self, inc: Incoming) -> bool:
        """Claim `inc` (False: a redelivery of something handled or being handled). A press keeps
        its button data until answered, so one acknowledged before a crash is answered after it."""
        tap = json.dumps({"user": inc.user, "tap": inc.tap, "departments": list(inc.departments)}) if inc.tap else None
        if self.store.claim(self._key(inc), owner=self.owner, tap=tap):
            return True
        log.info("%s: duplicate delivery ignored", inc.channel)
        return False

    async def respond(self, inc: Incoming, send: Send) -> None:
        """Answer an accepted `inc`: every card handed to `send`, and only then marked handled.

        At least once: a process killed before the mark leaves its claim to the next one (the
        platform's redelivery, or `resume` for a press, answers again), and the message id is the
        idempotency key of the report service (`update_key`), so a step applied before the kill is
        not applied twice; a replay gets the conversation's current question. A send that fails
        gives the claim back for the same reason."""
        key = self._key(inc)
        try:
            for card in await self._answer(inc):
                await send(card)
        except BaseException:
            self.store.release(key, owner=self.owner)
            raise
        self.store.done(key)

    @staticmethod
    def _key(inc: Incoming) -> str:
        return f"{inc.channel}:{inc.key}"

    async def _answer(self, inc: Incoming) -> list[Card]:
        gate = self.access.get(inc.channel)
        role = gate.role(inc.user, inc.departments) if gate is not None else None
        if role is None:
            if inc.who in self._refused:
                return []
            self._refused.add(inc.who)
            log.info("%s: refused a user who is not allowed", inc.channel)
            return [Card(t("access.refused"))]
        verdict = self.limiter.check(inc.who)
        if verdict != "ok":  # one polite notice, then silence until the bucket refills
            log.info("%s: a user over the rate limit", inc.channel)
            return [Card(t("bot.rate_limited"))] if verdict == "warn" else []
        user_id = self.store.user_id(inc.who)
        sender = Sender(user_id=user_id, role=role, first_name=inc.name, username=inc.who, chat_id=user_id,
                        private=True, update_key=self._key(inc))
        try:
            reply = await self._dispatch(sender, inc)
        except Exception as exc:  # the user gets a clear message; nothing they sent reaches the log
            log.error("%s: handling failed: %s", inc.channel, type(exc).__name__)
            reply = Reply(t("bot.error"))
        return [render(reply, self.copies)]

    async def _dispatch(self, sender: Sender, inc: Incoming) -> Reply:
        if inc.tap is not None:
            if inc.tap.startswith(COPY_PREFIX):
                text = self.copies.get(inc.tap)
                return Reply(text) if text is not None else self.assistant.expired()
            return self.assistant.tap(sender, inc.tap)
        text = inc.text.strip()
        if text.startswith("/") and len(text) > 1:
            name, _, args = text[1:].partition(" ")
            return self.assistant.command(sender, name, args)
        # Matching runs in a worker thread: the event loop keeps serving other users meanwhile.
        return await self.assistant.text_async(sender, inc.text)

    def resume(self, channel: str) -> list[Incoming]:
        """Presses on `channel` acknowledged by a process that died (or failed to send) before
        answering them, now accepted by this one: answer each with `respond`."""
        return [Incoming(channel=channel, user=row["user"], key=row["key"].split(":", 1)[1], tap=row["tap"],
                         departments=tuple(row.get("departments", ())))
                for row in self.store.orphaned_taps(f"{channel}:", owner=self.owner)]


@dataclass(slots=True)
class Backoff:
    """Reconnect delays: exponential from `base` to `cap`, with full jitter so that many bots
    (or a bot and its restarted twin) do not hammer the server in step."""

    base: float = 1.0
    cap: float = 60.0
    attempt: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next(self) -> float:
        self.attempt += 1
        ceiling = min(self.cap, self.base * 2 ** min(self.attempt - 1, 16))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self.attempt = 0


async def hold_lease(store: ChannelStore, name: str, *, owner: str, ttl: float, stop: asyncio.Event,
                     on_wait: Callable[[], Awaitable[None]] | None = None) -> None:
    """Wait until this process holds lease `name` (another live process may have the bot)."""
    warned = False
    while not stop.is_set():
        if store.acquire_lease(name, owner=owner, ttl=ttl):
            return
        if not warned:
            log.warning("%s is held by another process; waiting", name)
            warned = True
        if on_wait is not None:
            await on_wait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(0.2, ttl / 4))


async def renew_lease(store: ChannelStore, name: str, *, owner: str, ttl: float, lost: asyncio.Event) -> None:
    """Keep the lease fresh; set `lost` if another process took it (then the caller disconnects)."""
    while True:
        await asyncio.sleep(ttl / 3)
        if not store.acquire_lease(name, owner=owner, ttl=ttl):
            log.error("%s was taken by another process; disconnecting", name)
            lost.set()
            return




class LongConnection:
    """What the WeCom and DingTalk channels share: one process per bot (the lease), reconnection
    with back-off, presses a killed predecessor left unanswered, and notices rendered as cards.
    A subclass sets `name`, `lease_name`, and implements `_session` and `send_card`."""

    name: str

    def __init__(self, gateway: Gateway, store: ChannelStore, *, lease_seconds: float = 30.0,
                 backoff: Backoff | None = None):
        self.gateway = gateway
        self.store = store
        self.lease_seconds = lease_seconds
        self.backoff = backoff or Backoff()
        self.connected = asyncio.Event()

    @property
    def lease_name(self) -> str:
        raise NotImplementedError

    @property
    def holds_connection(self) -> bool:
        """Whether this instance holds the bot's connection (only its holder can send notices)."""
        return self.connected.is_set()

    def _prepare(self) -> None:
        """Once the lease is held, before the first connection."""

    async def _session(self, stop: asyncio.Event, lost: asyncio.Event) -> str:
        """One connection until it ends; returns how it ended (for the log)."""
        raise NotImplementedError

    async def send_card(self, user: str, card: Card) -> None:
        raise NotImplementedError

    async def run(self, stop: asyncio.Event) -> None:
        """Hold the connection while this instance has the bot's lease; after losing it to another
        instance (which connects instead), stand by and take over again when that one dies."""
        while not stop.is_set():
            await self._lead(stop)

    async def _lead(self, stop: asyncio.Event) -> None:
        owner = self.gateway.owner
        await hold_lease(self.store, self.lease_name, owner=owner, ttl=self.lease_seconds, stop=stop)
        if stop.is_set():
            return
        lost = asyncio.Event()
        renewer = asyncio.create_task(renew_lease(self.store, self.lease_name, owner=owner,
                                                  ttl=self.lease_seconds, lost=lost))
        self._prepare()
        try:
            while not stop.is_set() and not lost.is_set():
                ended = await self._session(stop, lost)
                if stop.is_set() or lost.is_set():
                    break
                delay = self.backoff.next()
                log.warning("%s connection %s; reconnecting in %.1f s", self.name, ended, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
        finally:
            renewer.cancel()
            self.store.release_lease(self.lease_name, owner=owner)

    async def resume(self) -> None:
        """Answer presses a killed predecessor acknowledged but never answered."""
        for inc in self.gateway.resume(self.name):
            await self.gateway.respond(inc, functools.partial(self.send_card, inc.user))

    async def notify(self, user: str, reply: Reply) -> int | None:
        """A notice (officer or reporter) for `user`, rendered as every card of this channel is."""
        await self.send_card(user, render(reply, self.gateway.copies))
        return None
