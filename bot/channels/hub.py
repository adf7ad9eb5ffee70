"""Several channels in one process: they share the assistant, the database and the leak-report
service; report notices go to each recipient on the channel they use, whatever channel the
reporter used. Telegram delivers its own users' notices (positive ids); the hub delivers the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Mapping

from bot.channels.gateway import Card, Channel
from bot.core.reports.service import Outgoing, ReportService
from bot.storage.channels import ChannelStore

log = logging.getLogger("libao.channels.hub")


class ChannelHub:
    """Runs `channels` until stopped, plus the report timers and the notices for their users."""

    def __init__(self, channels: Mapping[str, Channel], store: ChannelStore, *, reports: ReportService | None = None,
                 tick_seconds: float = 15.0, base_delay: float = 5.0, max_delay: float = 600.0):
        self.channels = dict(channels)
        self.store = store
        self.reports = reports
        self.tick_seconds = tick_seconds
        self.base_delay = base_delay
        self.max_delay = max_delay

    async def run(self, stop: asyncio.Event) -> None:
        tasks = [asyncio.create_task(ch.run(stop), name=f"libao:{name}") for name, ch in self.channels.items()]
        for ch in self.channels.values():
            tasks.append(asyncio.create_task(_resume_when_connected(ch, stop)))
        if self.reports is not None:
            tasks.append(asyncio.create_task(self._report_loop(stop), name="libao:reports"))
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    def backoff(self, item: Outgoing) -> float:
        """Exponential back-off with a deterministic ±20 % spread per notice."""
        raw = min(self.max_delay, self.base_delay * 2 ** min(item.attempts, 20))
        h = hashlib.sha256(f"{item.idem_key}|{item.attempts}".encode()).digest()[0] / 255
        return raw * (0.8 + 0.4 * h)

    async def deliver_due(self) -> int:
        """Send the due notices addressed to users of these channels; returns how many went out."""
        assert self.reports is not None
        sent = 0
        for item in self.reports.due_notifications(limit=50):
            key = self.store.user_key(item.chat_id)
            if key is None:
                continue  # a Telegram user: the Telegram channel's sender has it
            name, _, user = key.partition(":")
            channel = self.channels.get(name)
            if channel is None:
                self.reports.retry_later(item, delay=self.max_delay, error="channel not running")
                continue
            card = Card(item.text, tuple((b.label, b.data) for row in item.buttons for b in row))
            try:
                await channel.notify(user, card)
            except Exception as exc:
                log.warning("notice %d to %s failed (%s), retrying later", item.row_id, name, type(exc).__name__)
                self.reports.retry_later(item, delay=self.backoff(item), error=type(exc).__name__)
                continue
            self.reports.delivered(item, message_id=None)
            sent += 1
        return sent

    async def _report_loop(self, stop: asyncio.Event) -> None:
        assert self.reports is not None
        next_purge = 0.0
        while not stop.is_set():
            try:
                self.reports.tick()
                await self.deliver_due()
                if time.monotonic() >= next_purge:
                    self.reports.purge()
                    self.store.purge_inbox()
                    next_purge = time.monotonic() + 3600
            except Exception as exc:  # keep the loop alive; the next round tries again
                log.error("report round failed: %s", type(exc).__name__)
            wake = self.reports.next_wakeup()
            delay = self.tick_seconds if wake is None else min(self.tick_seconds,
                                                               max(0.2, wake - self.reports.clock()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)


async def _resume_when_connected(channel: Channel, stop: asyncio.Event) -> None:
    """Once a channel is connected, answer the presses a killed predecessor left unanswered."""
    connected = getattr(channel, "connected", None)
    resume = getattr(channel, "resume", None)
    if connected is None or resume is None:
        return
    await connected.wait()
    try:
        await resume()
    except Exception as exc:
        log.warning("%s: resuming unanswered presses failed: %s", channel.name, type(exc).__name__)
