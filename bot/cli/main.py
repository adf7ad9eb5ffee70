"""Entry point of `python -m bot` / `libao`: builds the argument parser from the command modules."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence

from bot import __version__
from bot.cli import exitcodes
from bot.core.yamlfile import DataError, InputFileError

# Each module exposes `register(subparsers)`; the registered handler gets the parsed args and
# returns an exit code. Order here is the order in `--help`.
_COMMAND_MODULES = ("ask", "kb", "check", "phrase", "chat", "serve", "report", "user", "backup")


def _global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: the shipped one)")
    parser.add_argument("--lexical-only", action="store_true", help="answer without the semantic signal")
    parser.add_argument("--embed-threads", type=int, default=1, metavar="N",
                        help="threads per embedding (default 1: the other core keeps serving)")


def _command_of(argv: Sequence[str] | None) -> str | None:
    """The sub-command named on the command line, if it is one of ours."""
    pre = argparse.ArgumentParser(add_help=False)
    _global_options(pre)
    try:
        _, rest = pre.parse_known_args(argv)
    except SystemExit:
        return None
    return rest[0] if rest and rest[0] in _COMMAND_MODULES else None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The CLI parser, one sub-command per module of bot.cli; with `only`, just that command's module
    is imported (a command never pays for importing the others: `ask` loads no Telegram code)."""
    import importlib

    parser = argparse.ArgumentParser(prog="libao", description="礼保助手: 服务礼仪与保密守则助手 (offline).")
    parser.add_argument("--version", action="version", version=f"libao {__version__}")
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (only,) if only else _COMMAND_MODULES:
        try:
            module = importlib.import_module(f"bot.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bot.cli.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; every expected failure becomes a message on stderr and a documented exit code."""
    from bot.cli.common import loading

    with loading():
        parser = build_parser(_command_of(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return exitcodes.USAGE
    try:
        return int(args.func(args))
    except InputFileError as exc:
        print("libao: 输入文件有错误 / the input file is malformed:", file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        return exitcodes.BAD_INPUT
    except DataError as exc:
        print("libao: 知识库或规则文件有错误，拒绝启动 / refusing to start on broken data:", file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        return exitcodes.DATA_ERROR
    except sqlite3.Error as exc:  # e.g. the disk filled up while writing
        print(f"libao: 数据库出错 / database error: {exc}", file=sys.stderr)
        return exitcodes.CONFIG_ERROR
    except KeyboardInterrupt:
        return exitcodes.INTERRUPTED
    except BrokenPipeError:
        return exitcodes.OK
    except Exception as exc:
        from bot.storage.sqlite import StorageError  # imported only here: sqlite-utils is slow to import

        if not isinstance(exc, StorageError):
            raise
        print(f"libao: 无法使用数据库 / cannot use the database: {exc}", file=sys.stderr)
        return exitcodes.CONFIG_ERROR
