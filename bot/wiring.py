"""Builds the running parts from configuration: the assistant over storage and the report service.

The one place where config, storage and the core meet; the CLI's `serve` and `chat` call it.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlite_utils

from bot.config import ConfigError, Environment, FileConfig, report_policy
from bot.core.reports.escalation import ReportPolicy
from bot.core.reports.ledger import WrongKeyError
from bot.core.reports.sealing import ReportKeyError, Sealer, load_master_key
from bot.core.reports.service import ReportService
from bot.storage import ReportStore, connect


def build_report_service(*, db: sqlite_utils.Database, file_config: FileConfig, db_path: Path,
                         environment: Environment) -> ReportService:
    """The service for `serve` over an open database; raises bot.config.ConfigError when the key
    is missing or a report recipient could not use the bot."""
    reports = file_config.reports
    policy = report_policy(file_config)
    problems = []
    try:
        key = load_master_key(key=environment.report_key, key_file=reports.key_file or environment.report_key_file,
                              db_path=db_path)
    except ReportKeyError as exc:
        problems.append(f"reports: {exc}")
    access = file_config.access
    if access.staff_group_id is None:
        locked_out = sorted(uid for uid in policy.staff if access.role_of(uid) is None)
        if locked_out:
            problems.append(f"reports: {len(locked_out)} report recipient(s) are not admitted by `access` "
                            "(add them to access.officers or access.allowed_user_ids)")
    if not policy.officers:
        problems.append("reports: no officers (set reports.officers or access.officers)")
    if problems:
        raise ConfigError(problems)
    try:
        return ReportService(store=ReportStore(db), sealer=Sealer(key), policy=policy)
    except WrongKeyError:
        raise ConfigError(["reports: the report key does not belong to this database (nothing was written)"]) \
            from None


def console_report_service(*, user_id: int) -> ReportService:
    """The console twin: the same workflow as a rehearsal — a private in-memory database with a
    throw-away key, nothing sent to anyone, and every reply says so; the console user is both
    reporter and officer, so both sides can be tried."""
    return ReportService(store=ReportStore(connect(":memory:")), sealer=Sealer(os.urandom(32)),
                         policy=ReportPolicy(officers=(user_id,)), rehearsal=True)
