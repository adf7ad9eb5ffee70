"""`libao user add|disable|reset|list`: built-in accounts of the web page (sites without single sign-on).

The password is read from the terminal (or one line of stdin with --password-stdin), never from the
command line; officers and admins get a TOTP secret to put into an authenticator app, shown once.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from bot.cli import exitcodes


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("user", help="built-in accounts of the web page (add, disable, reset, list)")
    p.add_argument("--db", metavar="PATH", help="database (default: $LIBAO_DB, the config's database, data/libao.db)")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = verbs.add_parser("add", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", choices=("staff", "officer", "admin"), default="staff")
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    dis = verbs.add_parser("disable", help="disable an account and end its sessions")
    dis.add_argument("name")
    reset = verbs.add_parser("reset", help="new password (and TOTP secret); re-enables the account")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true")
    verbs.add_parser("list", help="list accounts (names, roles, state)")
    p.set_defaults(func=run)


def _paths(args: argparse.Namespace) -> tuple[Path | str, Path | None]:
    """The database and the report key file (TOTP secrets are sealed with the report key)."""
    from bot.config import DEFAULT_CONFIG, DEFAULT_DB, ENV_CONFIG, ConfigError, database_location, read_file_config

    path = Path(os.environ.get(ENV_CONFIG) or DEFAULT_CONFIG)
    database: Path | str | None = None
    key_file: Path | None = None
    if path.is_file():
        try:
            file_config = read_file_config(path)
            database, key_file = file_config.database, file_config.reports.key_file
        except ConfigError:
            pass
    if args.db:
        database = database_location(args.db)
    elif os.environ.get("LIBAO_DB"):
        database = database_location(os.environ["LIBAO_DB"])
    return database or DEFAULT_DB, key_file


def _sealer(db: Path | str, key_file: Path | None) -> object | None:
    from bot.core.reports.sealing import ReportKeyError, Sealer, load_master_key

    try:
        return Sealer(load_master_key(key_file=key_file, db_path=db))
    except ReportKeyError:
        return None  # staff accounts need no key; officer and admin accounts are refused without one


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise ValueError("the passwords differ")
    return first


def _show_secret(name: str, secret: str | None) -> None:
    if secret:
        import pyotp

        print(f"TOTP secret (add it to an authenticator app now; it is not shown again): {secret}")
        print(pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name="libao"))


def run(args: argparse.Namespace) -> int:
    from bot.channels.web.auth import Accounts
    from bot.core.reports.sealing import Sealer
    from bot.storage import AccountStore, connect
    from bot.storage.web import WebStore

    path, key_file = _paths(args)
    db = connect(path)
    sealer = _sealer(path, key_file)
    accounts = Accounts(AccountStore(db), sealer=sealer if isinstance(sealer, Sealer) else None)
    try:
        if args.verb == "add":
            _show_secret(args.name, accounts.add(args.name, _password(args), role=args.role))
            print(f"account {args.name} ({args.role}) added")
        elif args.verb == "reset":
            _show_secret(args.name, accounts.reset(args.name, _password(args)))
            WebStore(db).drop_user_sessions(args.name)
            print(f"account {args.name} reset")
        elif args.verb == "disable":
            if not accounts.disable(args.name):
                print(f"libao: no account {args.name}", file=sys.stderr)
                return exitcodes.USAGE
            WebStore(db).drop_user_sessions(args.name)  # signed out now (the server notices within a minute)
            print(f"account {args.name} disabled")
        else:
            for row in accounts.store.list():
                state = "disabled" if row["disabled"] else "active"
                print(f"{row['username']}\t{row['role']}\t{state}\t{'totp' if row['has_totp'] else '-'}")
    except ValueError as exc:
        print(f"libao: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    return exitcodes.OK
