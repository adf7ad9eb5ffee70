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
    telegram = await _start_telegram(config, assistant, store, reports, channel_store) \
        if config.file.telegram.enabled else None
    try:
        await hub.run(stop)
    finally:
        if telegram is not None:
            await _stop_telegram(telegram)


async def _start_telegram(config: Config, assistant: Assistant, store: Any, reports: ReportService | None,
                          channel_store: ChannelStore) -> Any:
    from bot.channels.telegram.app import ALLOWED_UPDATES, background_jobs, build_application

    jobs = background_jobs(config, store, reports=reports,
                           elsewhere=lambda chat_id: channel_store.user_key(chat_id) is not None)
    app = build_application(config, assistant, store=store, jobs=jobs)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=config.telegram.poll_interval, timeout=config.telegram.poll_timeout,
                                    allowed_updates=ALLOWED_UPDATES)
    jobs.start(app)
    return app


async def _stop_telegram(app: Any) -> None:
    await app.bot_data["libao"]["jobs"].stop()
    if app.updater is not None:
        await app.updater.stop()
    await app.stop()
    await app.shutdown()
