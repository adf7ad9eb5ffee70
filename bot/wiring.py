"""Builds the running parts from configuration: the assistant over storage and the report service.

The one place where config, storage and the core meet; the CLI's `serve` and `chat` call it.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
from dataclasses import replace
from pathlib import Path

from bot.config import ConfigError, Environment, FileConfig, report_policy
from bot.core.chat.assistant import Assistant
from bot.core.reports.escalation import ReportPolicy
from bot.core.reports.ledger import WrongKeyError
from bot.core.reports.sealing import ReportKeyError, Sealer, load_master_key
from bot.core.reports.service import ReportService
from bot.storage import ReportStore, connect
from bot.storage.engine import Database


def ready_for_users(assistant: Assistant) -> None:
    """Make a long-lived process (`serve`, `chat`) ready for its first user: what the engines
    otherwise build on first use (the homophone and pinyin tables, about 0.8 s; the respelled
    terms' sound keys, about 0.5 s; the embedder's and the segmenter's first run) is built now, and
    everything loaded so far, the engines' million objects above all, is frozen out of garbage
    collection, whose full pass over them (about 160 ms) would otherwise be charged to whichever
    user's message triggers it; and the C heap's pages that loading freed are returned
    (`return_free_heap`)."""
    if assistant.checker is not None:
        assistant.checker.prepare()
    assistant.matcher.prepare()
    entries = assistant.matcher.kb.entries
    if entries:
        assistant.matcher.ask(entries[0].title, limit=1)
    gc.collect()
    gc.freeze()
    return_free_heap()


def return_free_heap() -> None:
    """Give the C heap's free pages back to the system. Loading frees about 18 MiB of large blocks
    between ones that stay (the parsed data files, the indexes' temporaries), which glibc returns on
    its own only from the heap's top: they stayed in the process's RSS for its whole life. glibc's
    `malloc_trim` returns every free page (a few milliseconds, once); elsewhere nothing is done."""
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    trim(0)


def build_report_service(*, db: Database, file_config: FileConfig, db_path: Path | str,
                         environment: Environment, channel_officers: tuple[int, ...] = ()) -> ReportService:
    """The service for `serve` over an open database; raises bot.config.ConfigError when the key
    is missing or a report recipient could not use the bot. `channel_officers`: the internal ids of
    the officers on the other channels (WeCom/DingTalk officers, web officer accounts), each
    admitted by their own channel."""
    reports = file_config.reports
    policy = report_policy(file_config)
    if channel_officers:
        policy = replace(policy, officers=tuple(dict.fromkeys((*policy.officers, *channel_officers))))
    problems = []
    try:
        key = load_master_key(key=environment.report_key, key_file=reports.key_file or environment.report_key_file,
                              db_path=db_path)
    except ReportKeyError as exc:
        problems.append(f"reports: {exc}")
    access = file_config.telegram_access
    telegram_staff = sorted(uid for uid in policy.staff if uid > 0)
    if access is None and telegram_staff:
        problems.append(f"reports: {len(telegram_staff)} report recipient(s) are Telegram ids, but "
                        "channels.telegram is not configured")
    elif access is not None and access.staff_group_id is None:
        locked_out = [uid for uid in telegram_staff if access.role_of(uid) is None]
        if locked_out:
            problems.append(f"reports: {len(locked_out)} report recipient(s) are not admitted by "
                            "channels.telegram.access (add them to its officers or allowed_user_ids)")
    if not policy.officers and "web" not in file_config.channels.active():  # web officers use the console
        problems.append("reports: no officers (set reports.officers, channels.telegram.access.officers, or "
                        "officers of channels.wecom / channels.dingtalk)")
    if problems:
        raise ConfigError(problems)
    try:
        return ReportService(store=ReportStore(db), sealer=Sealer(key), policy=policy,
                             lease_seconds=reports.lease_seconds)
    except WrongKeyError:
        raise ConfigError(["reports: the report key does not belong to this database (nothing was written)"]) \
            from None


def chat_key(*, database: Path | str, file_config: FileConfig, environment: Environment) -> bytes | None:
    """The key of the chat's pseudonyms on PostgreSQL: derived from the report key, which every
    instance already holds outside the database (None for SQLite, which keeps a key file beside the
    database, or when no report key is configured)."""
    from bot.storage.engine import is_postgres_url

    if not is_postgres_url(database):
        return None
    try:
        key = load_master_key(key=environment.report_key,
                              key_file=file_config.reports.key_file or environment.report_key_file, db_path=database)
    except ReportKeyError:
        return None
    return Sealer(key).chat_key


def console_report_service(*, user_id: int) -> ReportService:
    """The console twin: the same workflow as a rehearsal — a private in-memory database with a
    throw-away key, nothing sent to anyone, and every reply says so; the console user is both
    reporter and officer, so both sides can be tried."""
    return ReportService(store=ReportStore(connect(":memory:")), sealer=Sealer(os.urandom(32)),
                         policy=ReportPolicy(officers=(user_id,)), rehearsal=True)
