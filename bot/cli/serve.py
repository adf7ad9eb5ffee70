"""`python -m bot serve`: run the Telegram bot (config: TELEGRAM_BOT_TOKEN, LIBAO_CONFIG, LIBAO_DB)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.cli import exitcodes
from bot.config import ConfigError, load_config


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
    from bot.channels.telegram.app import api_method_names
    from bot.logs import setup_logging

    redact = setup_logging(config.file.log_level, secrets=[token], safe_args=api_method_names())
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
            reports = build_report_service(db=store.db, file_config=config.file, db_path=config.database,
                                           environment=config.environment)
        except ConfigError as exc:
            print("libao: 配置有误，拒绝启动 / invalid configuration:", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            return exitcodes.CONFIG_ERROR
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
        print(f"libao: configuration OK ({config.source}, database {config.database})")
        return exitcodes.OK
    app = build_application(config, assistant, store=store)
    try:
        run_app(app, config)
    except InvalidToken:
        print("libao: Telegram rejected the bot token (check TELEGRAM_BOT_TOKEN)", file=sys.stderr)
        return exitcodes.CONFIG_ERROR
    except TelegramError as exc:
        logging.getLogger("bot").error("bot stopped: %s", redact.redact(str(exc)))
        return exitcodes.CONFIG_ERROR
    return exitcodes.OK
