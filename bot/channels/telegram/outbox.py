"""Telegram's side of the one outbox (bot/channels/outbox.py): a notice sent as a message, and
Telegram's errors told apart for the outbox's retry rules (retry_after for flood control, blocked
or unknown chats as unreachable, a rejected token as fatal, the rest transient). Nothing here logs
text, chat ids or user ids (the payload filter of bot/logs.py covers PTB's own records).
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta
from typing import Any

from telegram import Bot
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

from bot.channels.base import TELEGRAM, DeliveryError, Identities
from bot.channels.outbox import Outbox
from bot.channels.telegram.render import keyboard, split_text
from bot.core.chat.reply import Reply
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


class TelegramNotifier:
    """`notify` of the Telegram channel over a Bot: the reply as messages, the buttons under the last."""

    name = TELEGRAM

    def __init__(self, bot: Bot):
        self.bot = bot

    async def notify(self, user: str, reply: Reply) -> int | None:
        chunks, markup = split_text(reply.text), keyboard(reply.buttons)
        message_id = None
        try:
            for i, chunk in enumerate(chunks):
                message = await self.bot.send_message(int(user), chunk,
                                                      reply_markup=markup if i == len(chunks) - 1 else None)
                message_id = getattr(message, "message_id", None)
        except RetryAfter as exc:
            raise DeliveryError("RetryAfter", retry_after=_retry_seconds(exc)) from None
        except TimedOut as exc:
            cause = type(exc.__cause__).__name__ if exc.__cause__ else ""
            if cause not in _SAFE_TIMEOUTS:
                log.warning("ambiguous time-out (%s), will resend", cause)
            raise DeliveryError(f"TimedOut {cause}".strip()) from None
        except (BadRequest, Forbidden, ChatMigrated) as exc:
            # Blocked the bot, never started it, chat gone: kept and retried rarely.
            raise DeliveryError(type(exc).__name__, unreachable=True) from None
        except InvalidToken:
            raise DeliveryError("InvalidToken", fatal=True) from None
        except (NetworkError, TelegramError) as exc:
            raise DeliveryError(type(exc).__name__) from None
        return message_id


class OutboxSender(Outbox):
    """The outbox with Telegram as the only channel (every recipient is a Telegram user)."""

    def __init__(self, *, bot: Bot, service: ReportService, **options: Any):
        super().__init__(service, {TELEGRAM: TelegramNotifier(bot)}, identities=Identities(None), **options)
