"""Delivery of leak-report notifications from the database outbox to Telegram.

A row is marked sent only after Telegram answered ok; every failure reschedules it (Telegram's
retry_after for flood control, exponential back-off for 5xx and time-outs), so notifications
survive outages and restarts. Nothing here logs text, chat ids or user ids.

Also here: the per-update context the report service needs from Telegram (update id for
replay protection, chat id and type), and the background job for the bot's jobs hook.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application

from bot.core.reports.outbox import Outgoing
from bot.core.reports.service import ReportService

log = logging.getLogger("libao.reports.outbox")

# Time-outs before the request left us: certainly not delivered. Any other time-out is ambiguous
# (Telegram may have delivered it); we still resend, because a lost report is worse than a repeat.
_SAFE_TIMEOUTS = frozenset({"ConnectTimeout", "PoolTimeout", "ConnectError"})


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns about int vs timedelta; both are handled
        warnings.simplefilter("ignore")
        value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _markup(item: Outgoing) -> InlineKeyboardMarkup | None:
    rows = [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in item.buttons if row]
    return InlineKeyboardMarkup(rows) if rows else None


class OutboxSender:
    """Sends due notifications; `send_due` is one round (tests drive it with a virtual clock)."""

    def __init__(self, *, bot: Bot, service: ReportService, batch: int = 20,
                 base_delay: float = 5.0, max_delay: float = 600.0, permanent_delay: float = 3600.0):
        self.bot = bot
        self.service = service
        self.batch = batch
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.permanent_delay = permanent_delay

    def backoff(self, item: Outgoing) -> float:
        """Exponential back-off with a deterministic ±20 % spread (rows do not retry in lockstep)."""
        raw = min(self.max_delay, self.base_delay * 2 ** min(item.attempts, 20))
        h = hashlib.sha256(f"{item.idem_key}|{item.attempts}".encode()).digest()[0] / 255
        return raw * (0.8 + 0.4 * h)

    async def send_due(self, *, rounds: int = 5) -> int:
        """Send what is due now; returns how many were delivered. A notification becomes due only
        after the earlier ones of its report to its recipient went out, so a round that delivered
        something is followed by another (up to `rounds`)."""
        delivered = 0
        for _ in range(rounds):
            sent, stop = await self._round()
            delivered += sent
            if stop or not sent:
                break
        return delivered

    async def _round(self) -> tuple[int, bool]:
        """One batch; (delivered, stop). Stops at the first flood-control or network error
        (everything else would fail the same way)."""
        delivered = 0
        for item in self.service.due_notifications(limit=self.batch):
            try:
                message = await self.bot.send_message(item.chat_id, item.text, reply_markup=_markup(item))
            except RetryAfter as exc:
                wait = max(1.0, _retry_seconds(exc))
                self.service.retry_later(item, delay=wait, error="RetryAfter", flood=True)
                log.warning("flood control: notifications paused for %.0f s", wait)
                return delivered, True
            except TimedOut as exc:
                cause = type(exc.__cause__).__name__ if exc.__cause__ else ""
                if cause not in _SAFE_TIMEOUTS:
                    log.warning("notification %d: ambiguous time-out (%s), will resend", item.row_id, cause)
                self.service.retry_later(item, delay=self.backoff(item), error=f"TimedOut {cause}".strip())
                return delivered, True
            except (BadRequest, Forbidden, ChatMigrated) as exc:
                # The recipient cannot be reached (blocked the bot, never started it, chat gone):
                # keep the row and try again rarely; it is listed by `report list`.
                log.error("notification %d undeliverable for now: %s", item.row_id, type(exc).__name__)
                self.service.retry_later(item, delay=self.permanent_delay, error=type(exc).__name__)
                continue
            except InvalidToken:
                raise
            except (NetworkError, TelegramError) as exc:
                self.service.retry_later(item, delay=self.backoff(item), error=type(exc).__name__)
                log.warning("notification %d failed (%s), retrying later", item.row_id, type(exc).__name__)
                return delivered, True
            self.service.delivered(item, message_id=getattr(message, "message_id", None))
            delivered += 1
        return delivered, False


def report_job(service: ReportService, *, tick_seconds: float = 15.0, purge_seconds: float = 3600.0,
               monotonic: Callable[[], float] = time.monotonic,
               ) -> Callable[[Application], Coroutine[Any, Any, None]]:
    """The bot's background job: fire due timers, deliver the outbox, purge past retention."""

    async def leak_reports(app: Application) -> None:
        sender = OutboxSender(bot=app.bot, service=service)
        next_purge = 0.0
        while True:
            try:
                service.tick()
                await sender.send_due()
                if monotonic() >= next_purge:
                    service.purge()
                    next_purge = monotonic() + purge_seconds
            except InvalidToken:
                log.error("report notifications stopped: the bot token was rejected")
                return
            except Exception as exc:  # keep the loop alive; the next round tries again
                log.error("report job round failed: %s", type(exc).__name__)
            wake = service.next_wakeup()
            delay = tick_seconds if wake is None else min(tick_seconds, max(0.5, wake - service.clock()))
            await asyncio.sleep(delay)

    return leak_reports
