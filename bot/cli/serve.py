"""`python -m bot serve`: run the Telegram bot (config: TELEGRAM_BOT_TOKEN, LIBAO_CONFIG, LIBAO_DB)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from bot.cli import exitcodes
from bot.config import Config, ConfigError, load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN and a config file)")
    p.add_argument("--config", metavar="PATH", help="YAML config file (default: $LIBAO_CONFIG or config.yaml)")
    p.add_argument("--check-config", action="store_true", help="validate the configuration and exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(config_path=Path(args.config) if args.config else None)
    except ConfigError as exc:
        print("libao: 配置有误，拒绝启动 / invalid configuration:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return exitcodes.CONFIG_ERROR
    token = config.token.get_secret_value()
    from bot.channels.telegram.logs import setup_logging

    redact = setup_logging(config.file.log_level, secrets=[token] if token else [])
    # Imports after logging is set up: loading telegram is the slow part of start-up.
    from telegram.error import InvalidToken, TelegramError

    from bot.channels.telegram.app import build_application
    from bot.channels.telegram.app import run as run_app
    from bot.core.chat.assistant import AssistantOptions, load_assistant
    from bot.storage import ChatStore, connect

    knowledge = config.file.knowledge_dir or (Path(args.knowledge) if args.knowledge else None)
    store = ChatStore(connect(config.database))
    options = AssistantOptions(store_votes=config.privacy.store_votes,
                               store_unanswered=config.privacy.store_unanswered)
    assistant = load_assistant(store, knowledge_dir=knowledge, options=options)
    # Leak reports (/report): the service behind the Assistant's report dispatch point.
    if config.file.reports.enabled:
        from bot.core.reports.service import AssistantReportFlow
        from bot.wiring import build_report_service

        try:
            reports = build_report_service(db=store.db, file_config=config.file, db_path=config.database)
        except ConfigError as exc:
            print("libao: 配置有误，拒绝启动 / invalid configuration:", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            return exitcodes.CONFIG_ERROR
        assistant.report_flow = AssistantReportFlow(reports)
    if args.check_config:
        print(f"libao: configuration OK ({config.source}, database {config.database})")
        return exitcodes.OK
    if not token:  # web page only (intranet without a messenger)
        return _serve_web_only(config, assistant, store)
    app = build_application(config, assistant, store=store)
    try:
        if config.file.web.enabled:
            asyncio.run(_serve_with_web(app, config, assistant, store))
        else:
            run_app(app, config)
    except InvalidToken:
        print("libao: Telegram rejected the bot token (check TELEGRAM_BOT_TOKEN)", file=sys.stderr)
        return exitcodes.CONFIG_ERROR
    except TelegramError as exc:
        logging.getLogger("bot").error("bot stopped: %s", redact.redact(str(exc)))
        return exitcodes.CONFIG_ERROR
    return exitcodes.OK


def _web(config: Config, assistant: Any, store: Any) -> Any:
    from bot.channels.web.server import build_web

    reports = getattr(assistant.report_flow, "service", None)
    return build_web(config.file.web, assistant, reports=reports, db=store.db)


def _serve_web_only(config: Config, assistant: Any, store: Any) -> int:
    from bot.channels.web.server import local_notifications, uvicorn_server

    web = _web(config, assistant, store)
    server = uvicorn_server(config.file.web, web)

    async def main() -> None:
        jobs = []
        if web.reports is not None:
            jobs.append(asyncio.create_task(local_notifications(
                web.reports, tick=True, tick_seconds=config.file.reports.tick_seconds)))
        try:
            await server.serve()
        finally:
            for job in jobs:
                job.cancel()

    asyncio.run(main())
    return exitcodes.OK


async def _serve_with_web(app: Any, config: Config, assistant: Any, store: Any) -> None:
    """The bot and the web page in one event loop (python-telegram-bot's customwebhookbot pattern)."""
    from bot.channels.telegram.app import ALLOWED_UPDATES
    from bot.channels.web.server import local_notifications, uvicorn_server

    web = _web(config, assistant, store)
    server = uvicorn_server(config.file.web, web)
    tg = config.telegram
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        if tg.mode == "webhook" and tg.webhook is not None:
            hook = tg.webhook
            await app.updater.start_webhook(
                listen=hook.listen, port=hook.port, url_path=hook.path,
                webhook_url=hook.url.rstrip("/") + "/" + hook.path.lstrip("/"),
                secret_token=hook.secret_token.get_secret_value() if hook.secret_token else None,
                allowed_updates=ALLOWED_UPDATES)
        else:
            await app.updater.start_polling(poll_interval=tg.poll_interval, timeout=tg.poll_timeout,
                                            allowed_updates=ALLOWED_UPDATES)
        job = (asyncio.create_task(local_notifications(web.reports, tick=False))
               if web.reports is not None else None)
        try:
            await server.serve()
        finally:
            if job is not None:
                job.cancel()
            await app.updater.stop()
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
