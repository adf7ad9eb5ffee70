"""`libao backup FILE` and `libao restore FILE`: encrypted snapshots of the whole database.

The database comes from --db, $LIBAO_DB, the config file or data/libao.db (a SQLite path or a
postgresql:// URL); the report key from $LIBAO_REPORT_KEY, --key-file, the config or
$LIBAO_REPORT_KEY_FILE, as for `report`.
A backup is refused when the report records fail verification; a restore goes into an empty
database only, with the audit anchor and vote key of a SQLite file, and is verified with the key.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import exitcodes
from bot.core.phrases.messages import t


def register(sub: argparse._SubParsersAction) -> None:
    for name, helptext in (("backup", "write an encrypted, consistent snapshot of the database to FILE"),
                           ("restore", "restore FILE into an empty database and verify the audit chain")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("file", metavar="FILE")
        p.add_argument("--db", metavar="URL", help="database path or postgresql:// URL "
                       "(default: $LIBAO_DB, config, data/libao.db)")
        p.add_argument("--key-file", metavar="PATH", help="report key file (default: $LIBAO_REPORT_KEY[_FILE])")
        p.add_argument("--config", metavar="PATH", help="YAML config to take database and key file from")
        p.set_defaults(func=run_backup if name == "backup" else run_restore)


def _target(args: argparse.Namespace) -> tuple[Path | str, bytes]:
    from bot.cli.report import _config_paths
    from bot.config import read_environment
    from bot.core.reports.sealing import load_master_key

    environment = read_environment()
    cfg_db, cfg_key = _config_paths(args)
    db = environment.database_file(args.db, cfg_db)
    return db, load_master_key(key=environment.report_key,
                               key_file=args.key_file or cfg_key or environment.report_key_file, db_path=db)


def run_backup(args: argparse.Namespace) -> int:
    from bot.core.reports.sealing import ReportKeyError
    from bot.storage.backup import write_backup
    from bot.storage.engine import StorageError, redact_url

    try:
        db, key = _target(args)
        if isinstance(db, Path) and not db.is_file():
            print(t("report.cli.no_db", path=db), file=sys.stderr)
            return exitcodes.CONFIG_ERROR
        info = write_backup(db, Path(args.file), master_key=key)
    except ReportKeyError as exc:
        print(t("report.cli.no_key", problem=exc), file=sys.stderr)
        return exitcodes.CONFIG_ERROR
    except StorageError as exc:
        print(t("backup.failed", problem=exc), file=sys.stderr)
        return exitcodes.CONFIG_ERROR
    print(t("backup.written", path=args.file, db=redact_url(db), engine=info["engine"], size=info["bytes"]))
    return exitcodes.OK


def run_restore(args: argparse.Namespace) -> int:
    from bot.core.reports.sealing import ReportKeyError
    from bot.storage import ReportStore, connect
    from bot.storage.backup import RestoreUnverified, restore
    from bot.storage.engine import StorageError, redact_url

    try:
        db, key = _target(args)
        restore(Path(args.file), db, master_key=key)  # verifies the restored audit record with the key
        reports = ReportStore(connect(db)).count_reports()
    except ReportKeyError as exc:
        print(t("report.cli.no_key", problem=exc), file=sys.stderr)
        return exitcodes.CONFIG_ERROR
    except OSError as exc:
        print(t("backup.failed", problem=exc.strerror or exc), file=sys.stderr)
        return exitcodes.BAD_INPUT
    except RestoreUnverified as exc:
        print(t("backup.failed", problem=exc), file=sys.stderr)
        return exitcodes.FINDINGS
    except StorageError as exc:
        print(t("backup.failed", problem=exc), file=sys.stderr)
        return exitcodes.BAD_INPUT
    print(t("backup.restored", path=args.file, db=redact_url(db), reports=reports))
    return exitcodes.OK
