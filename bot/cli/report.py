"""`libao report list | show REF | export --csv | audit | keygen FILE`: leak reports at a terminal.

Reading reports needs the report key (--key-file, $LIBAO_REPORT_KEY_FILE, $LIBAO_REPORT_KEY or the
config's `reports.key_file`). Every access is written to the audit log under the terminal user.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.cli import exitcodes
from bot.cli.common import json_line
from bot.core.phrases.messages import t


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="leak reports for officers: list, show, export (needs the report key)")
    p.add_argument("--db", metavar="PATH", help="database (default: $LIBAO_DB, config, data/libao.db)")
    p.add_argument("--key-file", metavar="PATH", help="report key file (default: $LIBAO_REPORT_KEY_FILE)")
    p.add_argument("--config", metavar="PATH", help="YAML config to take database and key file from")
    rs = p.add_subparsers(dest="report_command", metavar="ACTION", required=True)
    ls = rs.add_parser("list", help="open reports (--all: also resolved ones)")
    ls.add_argument("--all", action="store_true")
    ls.add_argument("--json", action="store_true", help="JSON lines instead of text")
    show = rs.add_parser("show", help="one report with its content and history")
    show.add_argument("ref")
    show.add_argument("--reveal-identity", action="store_true",
                      help="also show a confidential reporter's identity (audited)")
    show.add_argument("--json", action="store_true")
    ex = rs.add_parser("export", help="all reports as CSV (content included; keep the file safe)")
    ex.add_argument("--csv", action="store_true", required=True, help="CSV format (the only one)")
    ex.add_argument("--out", metavar="FILE",
                    help="write to this new file (created owner-only; never follows a link) instead of stdout")
    ex.add_argument("--force", action="store_true", help="with --out: replace an existing file")
    ex.add_argument("--all", action="store_true", help="include resolved reports")
    rs.add_parser("audit", help="verify the keyed audit chain and every record against the audit anchor")
    kg = rs.add_parser("keygen", help="create a new report key file (owner-only permissions)")
    kg.add_argument("file")
    p.set_defaults(func=run)


def _config_paths(args: argparse.Namespace) -> tuple[str | None, Path | None]:
    """(database, key file) from the config file, when there is a readable one."""
    from bot.config import ConfigError, read_environment, read_file_config

    path = read_environment().config_file(args.config)
    if not path.is_file():
        return None, None
    try:
        file_config = read_file_config(path)
    except ConfigError:
        if args.config:
            raise
        return None, None
    reports = getattr(file_config, "reports", None)
    return file_config.database, getattr(reports, "key_file", None)


def _open_service(args: argparse.Namespace) -> Any:
    from bot.config import read_environment
    from bot.core.reports.escalation import ReportPolicy
    from bot.core.reports.sealing import Sealer, load_master_key
    from bot.core.reports.service import ReportService
    from bot.storage import ReportStore, connect

    environment = read_environment()
    cfg_db, cfg_key = _config_paths(args)
    db_path = environment.database_file(args.db, cfg_db)
    if isinstance(db_path, Path) and not db_path.is_file():
        raise _Fail(t("report.cli.no_db", path=db_path), exitcodes.CONFIG_ERROR)
    key = load_master_key(key=environment.report_key,
                          key_file=args.key_file or cfg_key or environment.report_key_file, db_path=db_path)
    return ReportService(store=ReportStore(connect(db_path)), sealer=Sealer(key), policy=ReportPolicy())


def _problem(key: str, **kw: object) -> int:
    print(t(key, **kw), file=sys.stderr)
    return exitcodes.CONFIG_ERROR


class _Fail(Exception):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def run(args: argparse.Namespace) -> int:
    from bot.config import ConfigError
    from bot.core.reports.ledger import LedgerError, WrongKeyError
    from bot.core.reports.sealing import RecordTampered, ReportKeyError, generate_key_file
    from bot.storage.sqlite import StorageError

    if args.report_command == "keygen":
        path = Path(args.file)
        try:
            generate_key_file(path)
        except FileExistsError:
            print(t("report.cli.key_exists", path=path), file=sys.stderr)
            return exitcodes.CONFIG_ERROR
        print(t("report.cli.key_written", path=path))
        return exitcodes.OK
    try:
        service = _open_service(args)
        return _COMMANDS[args.report_command](service, args, sys.stdout)
    except ReportKeyError as exc:
        return _problem("report.cli.no_key", problem=exc)
    except WrongKeyError:
        return _problem("report.cli.wrong_key")
    except (StorageError, LedgerError) as exc:
        return _problem("report.cli.storage", problem=exc)
    except RecordTampered as exc:
        print(t("report.cli.tampered", ref=exc.ref), file=sys.stderr)
        return exitcodes.FINDINGS
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return exitcodes.CONFIG_ERROR
    except _Fail as exc:
        print(exc, file=sys.stderr)
        return exc.code


def _list(service: Any, args: argparse.Namespace, out: TextIO) -> int:
    from bot.core.reports.views import list_line

    rows = service.list_reports(open_only=not args.all, actor=_actor())
    if not rows and not args.json:
        print(t("report.cli.none"), file=out)
    for r in rows:
        undelivered = sum(1 for o in service.store.outbox(ref=r["ref"]) if o["status"] == "pending")
        if args.json:
            print(json_line({"ref": r["ref"], "category": r["category"], "urgency": r["urgency"],
                              "status": r["status"], "created_at": r["created_at"],
                              "undelivered": undelivered}), file=out)
            continue
        print(list_line(r) + (" " + t("report.cli.undelivered", count=undelivered) if undelivered else ""), file=out)
    return exitcodes.OK


def _show(service: Any, args: argparse.Namespace, out: TextIO) -> int:
    from bot.core.reports.flow import parse_reference
    from bot.core.reports.views import report_text

    ref = parse_reference(args.ref)
    if ref is None:
        raise _Fail(t("report.cli.bad_ref", ref=args.ref), exitcodes.BAD_INPUT)
    data = service.open_report(ref, actor=_actor(), reveal_identity=args.reveal_identity)
    if data is None:
        raise _Fail(t("report.cli.not_found", ref=ref), exitcodes.FINDINGS)
    if args.json:
        keep = ("ref", "category", "urgency", "status", "confidential", "created_at", "acknowledged_at",
                "resolved_at", "carrier_outcome", "content", "identity", "events")
        print(json_line({k: data[k] for k in keep}, indent=2), file=out)
        return exitcodes.OK
    hidden = t("report.view.reporter", who=t("report.cli.identity_hidden"))
    print(report_text(data, data["content"], data["identity"], data["events"], hidden=hidden), file=out)
    return exitcodes.OK


def open_new_private(path: Path, *, force: bool) -> TextIO:
    """A new owner-only file at `path`: never through a symbolic link, never over an existing file
    unless `force` (then the old entry, link or file, is removed first, not written through)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    if force and (path.is_symlink() or path.exists()):
        if path.is_dir() and not path.is_symlink():
            raise _Fail(t("report.cli.out_is_dir", path=path), exitcodes.BAD_INPUT)
        path.unlink()
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise _Fail(t("report.cli.out_exists", path=path), exitcodes.BAD_INPUT) from None
    except OSError as exc:
        raise _Fail(t("report.cli.out_failed", path=path, problem=exc.strerror), exitcodes.BAD_INPUT) from None
    os.fchmod(fd, 0o600)  # whatever the umask
    return os.fdopen(fd, "w", encoding="utf-8-sig", newline="")  # BOM: Excel reads UTF-8


def _export(service: Any, args: argparse.Namespace, out: TextIO) -> int:
    from bot.core.reports.export import CSV_FIELDS, export_rows

    actor = _actor()
    target = open_new_private(Path(args.out), force=args.force) if args.out else out
    rows = service.list_reports(open_only=not args.all, actor=actor)
    damaged: list[str] = []
    try:
        writer = csv.DictWriter(target, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(export_rows(service, rows, actor=actor, damaged=damaged))
    finally:
        if target is not out:
            target.close()
    if damaged:
        print(t("report.cli.export_damaged_summary", count=len(damaged), refs=", ".join(damaged)), file=sys.stderr)
        return exitcodes.FINDINGS
    return exitcodes.OK


def _audit(service: Any, args: argparse.Namespace, out: TextIO) -> int:
    problems = service.store.verify()
    if problems:
        print(t("report.cli.audit_broken", count=len(problems)), file=out)
        for p in problems:
            print(f"  - {p}", file=out)
        return exitcodes.FINDINGS
    rows = service.store.audit_rows()
    head = rows[-1]["hash"] if rows else "-"
    print(t("report.cli.audit_ok", count=len(rows), head=head), file=out)
    return exitcodes.OK


_COMMANDS = {"list": _list, "show": _show, "export": _export, "audit": _audit}
