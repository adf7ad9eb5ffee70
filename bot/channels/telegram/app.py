"""Building and running the Telegram application: one Assistant, handlers, error handler, jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram import Bot, BotCommand, BotCommandScope, BotCommandScopeChat, Update
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot.channels.base import TELEGRAM
from bot.channels.ratelimit import RateLimiter
from bot.channels.telegram.access import AccessControl
from bot.channels.telegram.errors import make_error_handler
from bot.channels.telegram.handlers import Handlers, menu_commands, register_handlers
from bot.channels.telegram.outbox import TelegramNotifier
from bot.config import Config
from bot.core.chat.assistant import Assistant
from bot.core.chat.reply import Reply

if TYPE_CHECKING:
    from bot.storage.channels import ChannelStore

log = logging.getLogger(__name__)

# The update types the bot asks Telegram for.
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]


@dataclass(slots=True)
class BackgroundJobs:
    """Long-running tasks started after the bot connected and cancelled when it stops.

    Not PTB's JobQueue: that needs APScheduler, and the report job sleeps until the next due timer
    or notification (`ReportService.next_wakeup`) rather than on a fixed interval."""

    factories: list[Callable[[Application], Coroutine[Any, Any, None]]] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self, app: Application) -> None:
        for factory in self.factories:
            self.tasks.append(asyncio.create_task(factory(app), name=f"libao:{factory.__name__}"))

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.tasks.clear()


def build_application(config: Config, assistant: Assistant, *, store: Any | None = None,
                      request: BaseRequest | None = None, clock: Callable[[], float] = time.monotonic,
                      jobs: BackgroundJobs | None = None) -> Application:
    """The Telegram application for `assistant`. `request` replaces the HTTP layer (tests);
    `config.telegram.base_url` points it at another Bot API server (the e2e emulator)."""
    builder: ApplicationBuilder = Application.builder().token(config.token.get_secret_value())
    if config.telegram.base_url:
        base = config.telegram.base_url.rstrip("/")
        builder = builder.base_url(base + "/bot" if not base.endswith("/bot") else base)
        builder = builder.base_file_url((base[:-4] if base.endswith("/bot") else base) + "/file/bot")
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    jobs = jobs if jobs is not None else BackgroundJobs()

    async def post_init(app: Application) -> None:
        # The command menus (everyone's, then each officer's and admin's own chat); a failure here
        # must not keep the bot from answering.
        menus: list[tuple[list[BotCommand], BotCommandScope | None]] = [(menu_commands(), None)]
        menus += [(menu_commands(*roles), BotCommandScopeChat(uid)) for uid, roles in _role_chats(config)]
        for commands, scope in menus:
            try:
                await app.bot.set_my_commands(commands, scope=scope)
            except Exception as exc:
                log.warning("setMyCommands failed: %s", type(exc).__name__)
        jobs.start(app)
        log.info("libao bot @%s is up", app.bot.username)

    async def post_stop(app: Application) -> None:
        await jobs.stop()

    builder = (builder.concurrent_updates(config.telegram.concurrent_updates)
               .post_init(post_init).post_stop(post_stop))
    app = builder.build()
    handlers = Handlers(assistant, AccessControl(config.access, clock=clock),
                        RateLimiter(config.rate_limit, clock=clock))
    register_handlers(app, handlers)
    app.add_error_handler(make_error_handler(config.access.admin_chat_id,
                                             admitted=handlers.admitted.__contains__))
    app.bot_data["libao"] = {"handlers": handlers, "jobs": jobs}
    return app


def _role_chats(config: Config) -> list[tuple[int, tuple[str, ...]]]:
    """(user id, roles) of everyone with commands beyond staff's: officers (access and report
    recipients) and admins."""
    reports = config.file.reports
    officers = {*config.access.officers, *reports.officers, *reports.deputy, *reports.head}
    admins = set(config.access.admins)
    return [(uid, tuple(r for r, members in (("officer", officers), ("admin", admins)) if uid in members))
            for uid in sorted(officers | admins)]


def api_method_names() -> frozenset[str]:
    """The Bot API's method names (sendMessage, getChatMember, …): safe to show in log lines."""
    return frozenset(n for n in dir(Bot) if n[:1].islower() and any(ch.isupper() for ch in n))


class TelegramChannel:
    """The Telegram bot as a channel (bot.channels.base.Channel): long polling or a webhook in the
    shared event loop, and notices sent as messages."""

    name = TELEGRAM

    def __init__(self, app: Application, config: Config, *, leases: ChannelStore | None = None):
        self.app = app
        self.config = config
        self.connected = asyncio.Event()
        self.notifier = TelegramNotifier(app.bot)
        # Long polling allows one getUpdates consumer per bot: with several instances on one
        # database, the holder of this lease polls and the others stand by.
        self.leases = leases

    async def run(self, stop: asyncio.Event) -> None:
        app, tg = self.app, self.config.telegram
        async with app:  # initialize / shutdown; InvalidToken surfaces here
            await app.start()
            if app.post_init is not None:
                await app.post_init(app)
            assert app.updater is not None
            try:
                if tg.mode == "webhook":
                    assert tg.webhook is not None
                    hook = tg.webhook
                    secret = hook.secret_token.get_secret_value() if hook.secret_token else None
                    await app.updater.start_webhook(
                        listen=hook.listen, port=hook.port, url_path=hook.path,
                        webhook_url=hook.url.rstrip("/") + "/" + hook.path.lstrip("/"),
                        secret_token=secret, allowed_updates=ALLOWED_UPDATES)
                    self.connected.set()
                    await stop.wait()
                elif self.leases is None:
                    await self._poll(stop)
                else:
                    await self._poll_as_leader(stop, self.leases)
            finally:
                self.connected.clear()
                if app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)

    @property
    def holds_connection(self) -> bool:
        """Whether this instance polls (or serves the webhook): only then does it send notices."""
        return self.connected.is_set()

    async def _poll(self, stop: asyncio.Event, lost: asyncio.Event | None = None) -> None:
        tg, updater = self.config.telegram, self.app.updater
        assert updater is not None
        await updater.start_polling(poll_interval=tg.poll_interval, timeout=tg.poll_timeout,
                                    allowed_updates=ALLOWED_UPDATES)
        self.connected.set()
        waiters = [asyncio.ensure_future(stop.wait())] + ([asyncio.ensure_future(lost.wait())] if lost else [])
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            self.connected.clear()
            if updater.running:
                await updater.stop()

    async def _poll_as_leader(self, stop: asyncio.Event, leases: ChannelStore) -> None:
        """Poll while this instance holds the bot's lease; when another took it, stand by again."""
        from bot.channels.gateway import hold_lease, renew_lease
        from bot.storage.channels import process_owner

        name, owner = f"telegram:{self.app.bot.id}", process_owner()
        ttl = self.config.file.channels.lease_seconds
        while not stop.is_set():
            await hold_lease(leases, name, owner=owner, ttl=ttl, stop=stop)
            if stop.is_set():
                break
            lost = asyncio.Event()
            renewer = asyncio.create_task(renew_lease(leases, name, owner=owner, ttl=ttl, lost=lost))
            log.info("telegram long polling: this instance leads")
            try:
                await self._poll(stop, lost)
            finally:
                renewer.cancel()
                leases.release_lease(name, owner=owner)

    async def notify(self, user: str, reply: Reply) -> int | None:
        return await self.notifier.notify(user, reply)
