"""`python -m bot serve`: run every channel configured under `channels:` in one process
(config: LIBAO_CONFIG, LIBAO_DB and each channel's secret in the environment)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.cli import exitcodes
from bot.config import Config, ConfigError, load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the configured channels: Telegram, WeCom, DingTalk, the web page")
    p.add_argument("--config", metavar="PATH", help="YAML config file (default: $LIBAO_CONFIG or config.yaml)")
    p.add_argument("--check-config", action="store_true", help="validate the configuration and exit")
    p.set_defaults(func=run)


def _refuse(problems: list[str]) -> int:
    print("libao: 配置有误，拒绝启动 / invalid configuration:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return exitcodes.CONFIG_ERROR


def _secrets(config: Config) -> list[str]:
    channels = config.file.channels
    values = [config.token.get_secret_value()]
    if channels.wecom is not None:
        values.append(channels.wecom.secret.get_secret_value())
    if channels.dingtalk is not None:
        values.append(channels.dingtalk.client_secret.get_secret_value())
    return [v for v in values if v]


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(config_path=Path(args.config) if args.config else None)
    except ConfigError as exc:
        return _refuse(exc.problems)
    from bot.channels.telegram.app import api_method_names
    from bot.logs import setup_logging

    redact = setup_logging(config.file.log_level, secrets=_secrets(config), safe_args=api_method_names())
    from bot.channels.base import Identities
    from bot.core.chat.assistant import AssistantOptions, load_assistant
    from bot.storage import AccountStore, ChatStore, connect
    from bot.storage.channels import ChannelStore

    knowledge = config.file.knowledge_dir or (Path(args.knowledge) if args.knowledge else None)
    from bot.wiring import chat_key

    store = ChatStore(connect(config.database), key=chat_key(database=config.database, file_config=config.file,
                                                             environment=config.environment))
    options = AssistantOptions(store_votes=config.privacy.store_votes,
                               store_unanswered=config.privacy.store_unanswered)
    from bot.core.cache import CacheDir

    assistant = load_assistant(store, knowledge_dir=knowledge, options=options,
                               cache=CacheDir.open(config.environment.cache_dir), prepare=not args.check_config)
    channel_store = ChannelStore(store.db)
    identities = Identities(channel_store)
    active = config.file.channels.active()
    reports = None
    # Leak reports (/report): the service behind the Assistant's report dispatch point; officers are
    # reached on their own channel (Telegram ids, WeCom/DingTalk officers, web officer accounts).
    if config.file.reports.enabled:
        from bot.core.reports.service import AssistantReportFlow
        from bot.wiring import build_report_service

        keys = config.file.channels.officer_keys()
        web = config.file.channels.web
        if "web" in active and web is not None and web.accounts:
            keys += [f"web:{name}" for name in AccountStore(store.db).officer_names()]
        try:
            reports = build_report_service(db=store.db, file_config=config.file, db_path=config.database,
                                           channel_officers=tuple(identities.user_id(k) for k in keys),
                                           environment=config.environment)
        except ConfigError as exc:
            return _refuse(exc.problems)
        assistant.report_flow = AssistantReportFlow(reports)
        # Tampering with the report records is reported at every start (the bot keeps serving:
        # shutting the reporting channel would be the attacker's win).
        tampered = reports.store.verify()
        if tampered:
            print("libao: ⚠️ 报告记录被改动过 / the leak-report records were tampered with "
                  "(run `report audit`):", file=sys.stderr)
            for problem in tampered:
                print(f"  {problem}", file=sys.stderr)
            logging.getLogger("bot").error("leak-report records tampered with: %d problem(s)", len(tampered))
    if args.check_config:
        print(f"libao: configuration OK ({config.source}, database {config.database}; "
              f"channels: {', '.join(active)})")
        return exitcodes.OK
    from telegram.error import InvalidToken, TelegramError

    from bot.channels.hub import serve
    from bot.wiring import ready_for_users

    ready_for_users(assistant)

    try:
        asyncio.run(serve(config, assistant, store=store, channel_store=channel_store, identities=identities,
                          reports=reports))
    except InvalidToken:
        print("libao: Telegram rejected the bot token (check TELEGRAM_BOT_TOKEN)", file=sys.stderr)
        return exitcodes.CONFIG_ERROR
    except TelegramError as exc:
        logging.getLogger("bot").error("bot stopped: %s", redact.redact(str(exc)))
        return exitcodes.CONFIG_ERROR
    except OSError as exc:
        logging.getLogger("bot").error("stopped: %s", redact.redact(str(exc)))
        return exitcodes.CONFIG_ERROR
    return exitcodes.OK
