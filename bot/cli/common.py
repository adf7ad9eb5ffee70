"""Helpers shared by the CLI commands: loading the engine once, reading stdin line by line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.ask.matcher import Matcher
    from bot.core.cache import CacheDir


def knowledge_dir(args: argparse.Namespace) -> Path | None:
    value = getattr(args, "knowledge", None)
    return Path(value) if value else None


def cache_dir() -> CacheDir:
    """The private cache directory of the environment (or none, said once, when it is unusable)."""
    from bot.core.cache import CacheDir
    from bot.environment import read_environment

    return CacheDir.open(read_environment().cache_dir)


def load_matcher(args: argparse.Namespace) -> Matcher:
    """Load and validate the knowledge base, then index it (raises DataError when broken)."""
    from bot.core.ask import index_cache

    return index_cache.load_matcher(knowledge_dir(args), cache=cache_dir(),
                                    semantic=not getattr(args, "lexical_only", False),
                                    threads=max(1, int(getattr(args, "embed_threads", 1) or 1)))


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

    def step(self, done: int | None = None, total: int | None = None) -> None:
        self.done = self.done + 1 if done is None else done
        self.total = total or self.total
        if self.enabled:
            width = 30
            filled = int(width * self.done / max(1, self.total))
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()
