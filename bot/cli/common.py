"""Helpers shared by the CLI commands: loading the engine once, reading stdin line by line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.core.ask import index_cache
from bot.core.ask.matcher import Matcher


def knowledge_dir(args: argparse.Namespace) -> Path | None:
    value = getattr(args, "knowledge", None)
    return Path(value) if value else None


def load_matcher(args: argparse.Namespace) -> Matcher:
    """Load and validate the knowledge base, then index it (raises DataError when broken)."""
    return index_cache.load_matcher(knowledge_dir(args))


# json.dumps(ensure_ascii=False) leaves these raw, and str.splitlines() (and JavaScript before ES2019)
# breaks a line at them: escaped, every record is exactly one line for every reader.
_LINE_BREAKERS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"})


def json_line(value: object, *, indent: int | None = None) -> str:
    """`value` as JSON text (readable Chinese), with every Unicode line separator escaped."""
    return json.dumps(value, ensure_ascii=False, indent=indent).translate(_LINE_BREAKERS)


def stdin_lines() -> Iterator[tuple[int, str | None]]:
    """(line number, text) for each stdin line; text is None when the line is not valid UTF-8."""
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            yield number, raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield number, None


class Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, total: int, label: str):
        self.total, self.label, self.done = total, label, 0
        self.enabled = sys.stderr.isatty()

    def step(self) -> None:
        self.done += 1
        if self.enabled:
            width = 30
            filled = int(width * self.done / max(1, self.total))
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()
