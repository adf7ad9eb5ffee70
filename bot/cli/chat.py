"""`python -m bot chat`: talk to the assistant in the terminal, exactly as in Telegram (no token)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from bot.channels.console.app import PROMPT, ConsoleChannel, ConsoleChat, run_console
from bot.channels.outbox import Outbox
from bot.cli import exitcodes
from bot.cli.common import cache_dir, knowledge_dir
from bot.core.chat.assistant import AssistantOptions, load_assistant
from bot.core.chat.reply import Sender
from bot.core.chat.store import ChatStore, MemoryStore


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="chat with the assistant in the terminal (the Telegram bot's twin, no token)")
    p.add_argument("--db", metavar="PATH", help="keep settings and votes in this SQLite file (default: memory)")
    p.set_defaults(func=run)


def _interactive_lines() -> Iterator[str]:
    while True:
        try:
            yield input(PROMPT)
        except EOFError:
            print()
            return


def run(args: argparse.Namespace) -> int:
    store: ChatStore
    if args.db:
        from bot.storage import ChatStore as SqliteChatStore
        from bot.storage import connect

        store = SqliteChatStore(connect(args.db))
    else:
        store = MemoryStore()
    assistant = load_assistant(store, knowledge_dir=knowledge_dir(args), options=AssistantOptions(),
                               cache=cache_dir(), prepare=True)
    from bot.core.reports.service import AssistantReportFlow
    from bot.wiring import console_report_service, ready_for_users  # leak reports (/report)

    reports = console_report_service(user_id=0)
    assistant.report_flow = AssistantReportFlow(reports)
    chat = ConsoleChat(assistant, Sender(user_id=0, role="admin"))
    ready_for_users(assistant)

    async def notices(channel: ConsoleChannel) -> None:
        """One round of the report timers and the one outbox, whose only channel is this console."""
        reports.tick()
        await Outbox(reports, {channel.name: channel}, identities=lambda uid: f"{channel.name}:{uid}").send_due()

    if sys.stdin.isatty():
        run_console(chat, _interactive_lines(), sys.stdout, echo=False, after_line=notices)
    else:
        lines = (raw.decode("utf-8", "replace").rstrip("\r\n") for raw in sys.stdin.buffer)
        run_console(chat, lines, sys.stdout, echo=True, after_line=notices)
    return exitcodes.OK
