"""The one error handler: log (no user content), apologise to the user, tell the admin chat."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.core.phrases.messages import t

log = logging.getLogger("bot.channels.telegram.errors")
_PACKAGE_ROOT = Path(__file__).resolve().parents[3]


def where(error: BaseException) -> str:
    """file:line of the innermost frame in libao's own code (or the innermost frame at all)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    own = [f for f in frames if "/bot/" in f.filename.replace("\\", "/")] or frames
    frame = own[-1]
    path = Path(frame.filename)
    try:
        path = path.resolve().relative_to(_PACKAGE_ROOT)
    except ValueError:
        path = Path(path.name)
    return f"{path}:{frame.lineno} in {frame.name}"


ErrorHandler = Callable[[object, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def make_error_handler(admin_chat_id: int | None, *,
                       admitted: Callable[[int], bool] = lambda update_id: True) -> ErrorHandler:
    """The application's error handler (registered once in build_application). An error in an
    update the gate did not admit ends its processing silently: no apology, no later handler."""

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        if error is None:
            return
        update_id = update.update_id if isinstance(update, Update) else None
        # The exception's own text can quote user input: log only its type and where it happened.
        log.error("error handling update %s: %s at %s", update_id, type(error).__name__, where(error))
        log.debug("traceback", exc_info=error)
        if isinstance(update, Update) and not admitted(update.update_id):
            raise ApplicationHandlerStop
        # The admin chat first, so that the apology says only what has happened.
        told_admin = False
        if admin_chat_id is not None:
            try:
                await context.bot.send_message(admin_chat_id, t(
                    "bot.error_admin", update_id=update_id if update_id is not None else "-",
                    kind=type(error).__name__, where=where(error)))
                told_admin = True
            except Exception as exc:
                log.warning("could not notify the admin chat: %s", type(exc).__name__)
        if isinstance(update, Update):
            try:
                if update.callback_query is not None:
                    await update.callback_query.answer()
                if update.effective_chat is not None and update.inline_query is None:
                    await context.bot.send_message(update.effective_chat.id,
                                                   t("bot.error" if told_admin else "bot.error_unreported"))
            except Exception as exc:  # the user may have blocked the bot, the network may be down
                log.warning("could not apologise for update %s: %s", update_id, type(exc).__name__)

    return on_error
