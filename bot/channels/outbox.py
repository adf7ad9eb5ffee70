"""The one delivery path of leak-report notices: each recipient is reached on the channel they use.

The report service keeps notices in its database outbox, addressed to internal user ids; here each
id is resolved to `channel:user_id` and handed to that channel's `notify`. A row is marked sent only
after the channel delivered it; every failure reschedules it (the platform's wait for flood control,
exponential back-off for transient errors, a long wait for an unreachable recipient), so notices
survive outages and restarts. Nothing here logs text or user ids.

Several instances may run this at once: each due row is leased to one of them (see
bot/core/reports/outbox.py); a notice for a long-connection channel is sent only by the instance
holding that connection, the others hand it back at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Callable, Mapping

from bot.channels.base import DeliveryError, Identities, Notifier
from bot.core.chat.reply import Reply
from bot.core.reports.service import Outgoing, ReportService

log = logging.getLogger("libao.reports.outbox")


class Outbox:
    """Sends due notices through `channels`; `send_due` is one round (tests drive it with a virtual clock)."""

    def __init__(self, service: ReportService, channels: Mapping[str, Notifier], *,
                 identities: Identities | Callable[[int], str | None], batch: int = 20,
                 base_delay: float = 5.0, max_delay: float = 600.0, permanent_delay: float = 3600.0):
        self.service = service
        self.channels = dict(channels)
        self.route = identities.key if isinstance(identities, Identities) else identities
        self.batch = batch
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.permanent_delay = permanent_delay
        self.dead: set[str] = set()  # channels whose credentials were rejected

    def backoff(self, item: Outgoing) -> float:
        """Exponential back-off with a deterministic ±20 % spread (rows do not retry in lockstep)."""
        raw = min(self.max_delay, self.base_delay * 2 ** min(item.attempts, 20))
        h = hashlib.sha256(f"{item.idem_key}|{item.attempts}".encode()).digest()[0] / 255
        return raw * (0.8 + 0.4 * h)

    async def send_due(self, *, rounds: int = 5) -> int:
        """Send what is due now; returns how many were delivered. A notice becomes due only after
        the earlier ones of its report to its recipient went out, so a round that delivered
        something is followed by another (up to `rounds`)."""
        delivered = 0
        for _ in range(rounds):
            sent, stop = await self._round()
            delivered += sent
            if stop or not sent:
                break
        return delivered

    async def _round(self) -> tuple[int, bool]:
        """One batch; (delivered, stop). A channel that fails transiently gets no more notices this
        round (the rest would fail the same way); flood control stops the round and holds every
        notice back, which also survives a restart."""
        delivered = 0
        held: set[str] = set()
        for item in self.service.due_notifications(limit=self.batch):
            key = self.route(item.chat_id)
            name, _, user = (key or "").partition(":")
            channel = self.channels.get(name)
            if channel is None or name in self.dead:
                self.service.retry_later(item, delay=self.permanent_delay, error="channel not running")
                log.warning("notification %d: its recipient's channel is not running", item.row_id)
                continue
            if name in held:
                self.service.release(item)
                continue
            if not getattr(channel, "holds_connection", True):
                self.service.release(item)  # another instance holds this channel's connection
                continue
            if not self.service.may_send(item):
                continue  # this instance's lease on the row was taken over: the new holder sends it
            try:
                message_id = await channel.notify(user, Reply(item.text, item.buttons))
            except DeliveryError as exc:
                if exc.retry_after is not None:
                    wait = max(1.0, exc.retry_after)
                    self.service.retry_later(item, delay=wait, error=exc.reason, flood=True)
                    log.warning("%s: flood control, notifications paused for %.0f s", name, wait)
                    return delivered, True
                if exc.fatal:
                    self.dead.add(name)
                    log.error("%s: notifications stopped: %s", name, exc.reason)
                    self.service.retry_later(item, delay=self.permanent_delay, error=exc.reason)
                elif exc.unreachable:
                    # Keep the row and try again rarely; `report list` shows it.
                    log.error("notification %d undeliverable for now: %s", item.row_id, exc.reason)
                    self.service.retry_later(item, delay=self.permanent_delay, error=exc.reason)
                else:
                    held.add(name)
                    self.service.retry_later(item, delay=self.backoff(item), error=exc.reason)
                    log.warning("notification %d failed (%s), retrying later", item.row_id, exc.reason)
                continue
            except Exception as exc:  # any other failure of a channel: transient
                held.add(name)
                self.service.retry_later(item, delay=self.backoff(item), error=type(exc).__name__)
                log.warning("notification %d to %s failed (%s), retrying later", item.row_id, name,
                            type(exc).__name__)
                continue
            self.service.delivered(item, message_id=message_id)
            delivered += 1
        return delivered, bool(held)


async def report_loop(service: ReportService, outbox: Outbox, stop: asyncio.Event, *, tick_seconds: float = 15.0,
                      purge_seconds: float = 3600.0, housekeeping: tuple[Callable[[], object], ...] = (),
                      monotonic: Callable[[], float] = time.monotonic) -> None:
    """Fire due timers, deliver the outbox, purge past retention (and run `housekeeping` hourly)."""
    next_purge = 0.0
    while not stop.is_set():
        try:
            service.tick()
            await outbox.send_due()
            if monotonic() >= next_purge:
                service.purge()
                for job in housekeeping:
                    job()
                next_purge = monotonic() + purge_seconds
        except Exception as exc:  # keep the loop alive; the next round tries again
            log.error("report round failed: %s", type(exc).__name__)
        wake = service.next_wakeup()
        delay = tick_seconds if wake is None else min(tick_seconds, max(0.2, wake - service.clock()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
