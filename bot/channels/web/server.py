"""Running the web page: built from the `web:` config section, served by uvicorn in the caller's
event loop (beside the Telegram application, as python-telegram-bot's customwebhookbot example does)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import sqlite_utils
import uvicorn

from bot.channels.web.app import WebApp, WebOptions
from bot.channels.web.auth import Accounts, TrustedHeader
from bot.config import WebConfig
from bot.core.chat.assistant import Assistant
from bot.core.reports.service import ReportService
from bot.storage import AccountStore

log = logging.getLogger("libao.web")


def build_web(config: WebConfig, assistant: Assistant, *, reports: ReportService | None,
              db: sqlite_utils.Database) -> WebApp:
    """The web application over the one assistant and report service."""
    accounts = Accounts(AccountStore(db)) if config.accounts else None
    trusted = TrustedHeader(config.trusted_proxies, user_header=config.user_header,
                            groups_header=config.groups_header, officer_groups=config.officer_groups,
                            admin_groups=config.admin_groups) if config.trusted_proxies else None
    options = WebOptions(tls=config.tls_cert is not None, accounts=config.accounts,
                         anonymous_reports=config.anonymous_reports,
                         session_idle=config.session_idle_minutes * 60, session_max=config.session_max_hours * 3600,
                         login_attempts=config.login_attempts, login_window=config.login_window_minutes * 60)
    return WebApp(assistant, reports=reports, accounts=accounts, trusted=trusted, options=options)


def uvicorn_server(config: WebConfig, web: WebApp) -> uvicorn.Server:
    """uvicorn without its access log (paths only would be harmless, but nothing is simpler to audit)."""
    kwargs: dict[str, Any] = {}
    if config.tls_cert is not None and config.tls_key is not None:
        kwargs.update(ssl_certfile=str(config.tls_cert), ssl_keyfile=str(config.tls_key))
    forwarded = ",".join(str(n) for n in config.trusted_proxies) or "127.0.0.1"
    server_config = uvicorn.Config(web.starlette(), host=config.listen, port=config.port, access_log=False,
                                   log_config=None, proxy_headers=bool(config.trusted_proxies),
                                   forwarded_allow_ips=forwarded, server_header=False, lifespan="off", **kwargs)
    return uvicorn.Server(server_config)


async def local_notifications(reports: ReportService, *, tick: bool, tick_seconds: float = 15.0) -> None:
    """Notifications for web people are read on the page (receipt view): mark them delivered. With
    no messenger running, this loop also fires the report timers and purges past retention."""
    rounds = 0
    while True:
        try:
            if tick:
                reports.tick()
                if rounds % 240 == 0:
                    reports.purge()
            for item in reports.due_notifications(local=True):
                reports.delivered(item, message_id=None)
        except Exception as exc:  # keep the loop alive; the next round tries again
            log.error("web notification round failed: %s", type(exc).__name__)
        rounds += 1
        await asyncio.sleep(tick_seconds)
