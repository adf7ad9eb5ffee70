"""Every configured channel in one process and one event loop: they share the assistant, the
database, the leak-report service with its escalation timers, and the one outbox, which delivers
each notice on the channel its recipient uses, whatever channel the reporter used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from bot.channels.base import Channel, Identities
from bot.channels.outbox import Outbox, report_loop
from bot.channels.ratelimit import RateLimiter
from bot.config import Config, PrivacyConfig
from bot.core.chat.assistant import Assistant
from bot.core.reports.service import ReportService
from bot.storage.channels import ChannelStore, process_owner

log = logging.getLogger("libao.channels.hub")


def retention_job(store: Any, config: Config | PrivacyConfig) -> Callable[[object], Coroutine[Any, Any, None]]:
    """Delete stored votes / unanswered questions / settings past their retention, now and every
    `privacy.purge_interval_hours` (whatever channel they came from)."""
    privacy = config.privacy if isinstance(config, Config) else config

    async def retention_purge(_: object = None) -> None:
        while True:
            try:
                removed = store.purge(retention_days=privacy.retention_days,
                                      settings_retention_days=privacy.settings_retention_days)
                log.info("retention purge removed %d rows", removed)
            except Exception as exc:  # keep the loop alive; the next run tries again
                log.error("retention purge failed: %s", type(exc).__name__)
            await asyncio.sleep(privacy.purge_interval_hours * 3600)

    return retention_purge


class ChannelHub:
    """Runs `channels` until stopped, with the report timers, the outbox and the retention purge."""

    def __init__(self, channels: Mapping[str, Channel], *, reports: ReportService | None = None,
                 identities: Identities, tick_seconds: float = 15.0,
                 jobs: tuple[Callable[[object], Coroutine[Any, Any, None]], ...] = (),
                 housekeeping: tuple[Callable[[], object], ...] = ()):
        self.channels = dict(channels)
        self.reports = reports
        self.outbox = Outbox(reports, self.channels, identities=identities) if reports is not None else None
        self.tick_seconds = tick_seconds
        self.jobs = jobs
        self.housekeeping = housekeeping

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set; a channel that fails to run stops everything and its error is raised."""
        runs = {asyncio.create_task(ch.run(stop), name=f"libao:{name}"): name for name, ch in self.channels.items()}
        helpers = [asyncio.create_task(_resume_when_connected(ch, stop)) for ch in self.channels.values()]
        helpers += [asyncio.create_task(job(None)) for job in self.jobs]
        if self.reports is not None and self.outbox is not None:
            helpers.append(asyncio.create_task(report_loop(
                self.reports, self.outbox, stop, tick_seconds=self.tick_seconds, housekeeping=self.housekeeping),
                name="libao:reports"))
        waiter = asyncio.create_task(stop.wait())
        failure: BaseException | None = None
        try:
            pending: set[asyncio.Task[Any]] = {waiter, *runs}
            while not stop.is_set():
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done & set(runs):
                    if not task.cancelled() and task.exception() is not None:
                        failure = task.exception()
                        log.error("channel %s failed: %s", runs[task], type(failure).__name__)
                        stop.set()
        finally:
            stop.set()
            for task in [*runs, *helpers, waiter]:
                if not task.done() and task not in runs:
                    task.cancel()
            for task in [*runs, *helpers, waiter]:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, timeout=15)
        if failure is not None:
            raise failure


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


def build_channels(config: Config, assistant: Assistant, *, store: Any, channel_store: ChannelStore,
                   identities: Identities, reports: ReportService | None) -> dict[str, Channel]:
    """Every channel configured and enabled under `channels:`."""
    cfg = config.file.channels
    active = cfg.active()
    out: dict[str, Channel] = {}
    limiter = RateLimiter(config.rate_limit)  # one bucket per "channel:user", the same limit as Telegram's
    if "telegram" in active:
        from bot.channels.telegram.app import TelegramChannel, build_application

        out["telegram"] = TelegramChannel(build_application(config, assistant), config, leases=channel_store)
    if "wecom" in active or "dingtalk" in active:
        from bot.channels.gateway import ChannelAccess, Gateway

        sections = {name: getattr(cfg, name) for name in ("wecom", "dingtalk") if name in active}
        gateway = Gateway(assistant, channel_store, {n: ChannelAccess(s.access) for n, s in sections.items()},
                          owner=process_owner(), limiter=limiter)
        if cfg.wecom is not None and "wecom" in active:
            from bot.channels.wecom.adapter import WeComChannel

            out["wecom"] = WeComChannel(cfg.wecom, gateway, channel_store, lease_seconds=cfg.lease_seconds)
        if cfg.dingtalk is not None and "dingtalk" in active:
            from bot.channels.dingtalk.adapter import DingTalkChannel

            out["dingtalk"] = DingTalkChannel(cfg.dingtalk, gateway, channel_store, lease_seconds=cfg.lease_seconds)
    if cfg.web is not None and "web" in active:
        from bot.channels.web.server import WebChannel, build_web

        out["web"] = WebChannel(cfg.web, build_web(cfg.web, assistant, reports=reports, db=store.db,
                                                   identities=identities, limiter=limiter))
    return out


async def serve(config: Config, assistant: Assistant, *, store: Any, channel_store: ChannelStore,
                identities: Identities, reports: ReportService | None) -> None:
    """`libao serve`: every configured channel until SIGINT/SIGTERM."""
    channels = build_channels(config, assistant, store=store, channel_store=channel_store,
                              identities=identities, reports=reports)
    housekeeping: tuple[Callable[[], object], ...] = (channel_store.purge_inbox,)
    purge_sessions = getattr(channels.get("web"), "purge", None)
    if purge_sessions is not None:
        housekeeping += (purge_sessions,)
    hub = ChannelHub(channels, reports=reports, identities=identities, tick_seconds=config.file.reports.tick_seconds,
                     jobs=(retention_job(store, config),), housekeeping=housekeeping)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    log.info("libao is up: %s", ", ".join(channels))
    await hub.run(stop)
