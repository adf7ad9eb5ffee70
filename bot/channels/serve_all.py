"""`serve` with WeCom and/or DingTalk configured: every configured channel in one asyncio loop,
Telegram included (driven by python-telegram-bot's own start/stop rather than run_polling)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from bot.channels.gateway import Channel, ChannelAccess, Gateway
from bot.channels.hub import ChannelHub
from bot.config import Config
from bot.core.chat.assistant import Assistant
from bot.core.reports.service import ReportService
from bot.storage.channels import ChannelStore, process_owner

log = logging.getLogger("libao.channels")


def build_channels(config: Config, gateway: Gateway, store: ChannelStore) -> dict[str, Channel]:
    """The WeCom/DingTalk channels configured under `channels:`."""
    cfg = config.file.channels
    out: dict[str, Channel] = {}
    if cfg.wecom is not None:
        from bot.channels.wecom.adapter import WeComChannel

        out["wecom"] = WeComChannel(cfg.wecom, gateway, store, lease_seconds=cfg.lease_seconds)
    if cfg.dingtalk is not None:
        from bot.channels.dingtalk.adapter import DingTalkChannel

        out["dingtalk"] = DingTalkChannel(cfg.dingtalk, gateway, store, lease_seconds=cfg.lease_seconds)
    return out


async def serve_all(config: Config, assistant: Assistant, *, store: Any, channel_store: ChannelStore,
                    reports: ReportService | None) -> None:
    """Run until SIGINT/SIGTERM."""
    cfg = config.file.channels
    sections = (("wecom", cfg.wecom), ("dingtalk", cfg.dingtalk))
    access = {name: ChannelAccess(section.access) for name, section in sections if section is not None}
    gateway = Gateway(assistant, channel_store, access, owner=process_owner())
    hub = ChannelHub(build_channels(config, gateway, channel_store), channel_store, reports=reports,
                     tick_seconds=config.file.reports.tick_seconds)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    telegram = await _start_telegram(config, assistant, store, reports, channel_store, stop) \
        if config.file.telegram.enabled else None
    try:
        await hub.run(stop)
    finally:
        if telegram is not None:
            await _stop_telegram(telegram)


async def _start_telegram(config: Config, assistant: Assistant, store: Any, reports: ReportService | None,
                          channel_store: ChannelStore, stop: asyncio.Event) -> Any:
    from bot.channels.telegram.app import background_jobs, build_application

    jobs = background_jobs(config, store, reports=reports,
                           elsewhere=lambda chat_id: channel_store.user_key(chat_id) is not None)
    app = build_application(config, assistant, store=store, jobs=jobs)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)  # command menu and background jobs, as run_polling does
    await app.start()
    app.bot_data["libao"]["poller"] = asyncio.create_task(
        _poll_as_leader(app, config, channel_store, stop), name="libao:telegram-polling")
    return app


async def _poll_as_leader(app: Any, config: Config, channel_store: ChannelStore, stop: asyncio.Event) -> None:
    """Long polling by whichever instance holds the bot's lease (Telegram allows one getUpdates
    consumer per bot); the others wait and take over within a lease wait interval when it dies.
    Every instance still answers its own updates' follow-ups and sends leased notifications."""
    from bot.channels.gateway import hold_lease, renew_lease
    from bot.channels.telegram.app import ALLOWED_UPDATES

    name = f"telegram:{app.bot.id}"
    owner = process_owner()
    ttl = config.file.channels.lease_seconds
    updater = app.updater
    assert updater is not None
    while not stop.is_set():
        await hold_lease(channel_store, name, owner=owner, ttl=ttl, stop=stop)
        if stop.is_set():
            break
        lost = asyncio.Event()
        renewer = asyncio.create_task(renew_lease(channel_store, name, owner=owner, ttl=ttl, lost=lost))
        log.info("telegram long polling: this instance leads")
        try:
            await updater.start_polling(poll_interval=config.telegram.poll_interval,
                                        timeout=config.telegram.poll_timeout, allowed_updates=ALLOWED_UPDATES)
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(lost.wait())]
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
        finally:
            renewer.cancel()
            if updater.running:
                await updater.stop()
            channel_store.release_lease(name, owner=owner)


async def _stop_telegram(app: Any) -> None:
    poller = app.bot_data["libao"].get("poller")
    if poller is not None:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(poller, timeout=15)
    await app.bot_data["libao"]["jobs"].stop()
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    await app.stop()
    await app.shutdown()
