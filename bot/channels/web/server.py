"""The web page as a channel (bot.channels.base.Channel): built from `channels.web`, served by uvicorn
in the shared event loop (beside the other channels, as python-telegram-bot's customwebhookbot
example runs Starlette beside an Application); notices are kept for the page to show."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import uvicorn

from bot.channels.base import DeliveryError, Identities
from bot.channels.ratelimit import RateLimiter
from bot.channels.web.app import WebApp, WebOptions, seal_notice
from bot.channels.web.auth import WEB, Accounts, TrustedHeader
from bot.config import WebConfig
from bot.core.chat.assistant import Assistant
from bot.core.chat.reply import Reply
from bot.core.reports.service import ReportService
from bot.storage import AccountStore
from bot.storage.engine import Database
from bot.storage.web import WebStore

log = logging.getLogger("libao.web")


def build_web(config: WebConfig, assistant: Assistant, *, reports: ReportService | None,
              db: Database, identities: Identities, limiter: RateLimiter | None = None) -> WebApp:
    """The web application over the one assistant and report service."""
    sealer = reports.sealer if reports is not None else None
    accounts = Accounts(AccountStore(db), sealer=sealer) if config.accounts else None
    if accounts is not None and accounts.seal_legacy():
        log.info("TOTP secrets stored in clear by an older version are now sealed")
    trusted = TrustedHeader(config.trusted_proxies, user_header=config.user_header,
                            groups_header=config.groups_header, officer_groups=config.officer_groups,
                            admin_groups=config.admin_groups) if config.trusted_proxies else None
    options = WebOptions(tls=config.tls_cert is not None, accounts=config.accounts,
                         anonymous_reports=config.anonymous_reports,
                         session_idle=config.session_idle_minutes * 60, session_max=config.session_max_hours * 3600,
                         login_attempts=config.login_attempts, login_window=config.login_window_minutes * 60)
    return WebApp(assistant, reports=reports, accounts=accounts, trusted=trusted, identities=identities,
                  store=WebStore(db), options=options, limiter=limiter)


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


async def _serve(server: uvicorn.Server) -> None:
    try:
        await server.serve()
    except SystemExit:  # uvicorn exits the process when it cannot listen; here it only ends the channel
        raise OSError("cannot listen") from None


class WebChannel:
    """The intranet page: `run` serves it until stopped; `notify` keeps a sealed notice that the
    recipient's page shows (officers: chat page and console; receipt holders: the report page)."""

    name = WEB

    def __init__(self, config: WebConfig, web: WebApp):
        self.config = config
        self.web = web
        self.connected = asyncio.Event()

    def officer_keys(self) -> list[str]:
        """Identities of the enabled officer and admin accounts (they receive report notices)."""
        accounts = self.web.accounts
        return [f"{WEB}:{name}" for name in accounts.store.officer_names()] if accounts is not None else []

    async def run(self, stop: asyncio.Event) -> None:
        server = uvicorn_server(self.config, self.web)
        task = asyncio.create_task(_serve(server))
        waiter = asyncio.create_task(stop.wait())
        try:
            while not server.started and not task.done():
                await asyncio.sleep(0.05)
            if server.started:
                self.connected.set()
            await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.connected.clear()
            server.should_exit = True
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task
        if not stop.is_set():
            raise OSError(f"the web page could not listen on {self.config.listen}:{self.config.port}")

    async def notify(self, user: str, reply: Reply) -> int | None:
        reports, store = self.web.reports, self.web.store
        if reports is None or store is None:
            raise DeliveryError("web notices need the report service", unreachable=True)
        recipient = f"{WEB}:{user}"
        return store.add_notice(recipient, seal_notice(reports.sealer, recipient, reply))

    def purge(self) -> int:
        """Housekeeping: expired sessions."""
        return self.web.sessions.purge()
