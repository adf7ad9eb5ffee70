"""Helpers shared by the CLI commands: loading the engine once, reading stdin line by line."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

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


@contextmanager
def loading() -> Iterator[None]:
    """Garbage collection held off while a command imports its modules or loads the ask engine:
    both make hundreds of thousands of objects and no garbage, and the collector's passes over
    them were a tenth of a warm `ask`. What was made is then frozen out of later passes (as
    `serve` and `chat` freeze their engines), so no single pass walks it all afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def load_matcher(args: argparse.Namespace) -> Matcher:
    """Load and validate the knowledge base, then index it (raises DataError when broken)."""
    from bot.core.ask import index_cache

    with loading():
        return index_cache.load_matcher(knowledge_dir(args), cache=cache_dir(),
                                        semantic=not getattr(args, "lexical_only", False),
                                        threads=max(1, int(getattr(args, "embed_threads", 1) or 1)))


# json.dumps(ensure_ascii=False) leaves these raw, and str.splitlines() (and JavaScript before ES2019)
# breaks a line at them: escaped, every record is exactly one line for every reader.
_LINE_BREAKERS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"})


def json_line(value: object, *, indent: int | None = None) -> str:
    """`value` as JSON text (readable Chinese), with every Unicode line separator escaped."""
    return json.dumps(value, ensure_ascii=False, indent=indent).translate(_LINE_BREAKERS)


# A stdin line is cut here (the engines cut far earlier, with a note): a multi-gigabyte line without a
# newline costs this much memory at most, never all of it.
MAX_LINE_BYTES = 256 * 1024


def stdin_lines(stream: BinaryIO | None = None) -> Iterator[tuple[int, str | None]]:
    """(line number, text) for each stdin line; text is None when the line is not valid UTF-8.

    A line longer than MAX_LINE_BYTES is cut there (the rest of it is read and dropped).
    """
    stream = stream or sys.stdin.buffer
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES)
        if not raw:
            return
        number += 1
        if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while True:  # drop the rest of the over-long line
                rest = stream.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
        raw = raw.rstrip(b"\r\n")
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start >= len(raw) - 3 and len(raw) >= MAX_LINE_BYTES - 3:  # cut inside a character
                yield number, raw[:exc.start].decode("utf-8", "replace")
            else:
                yield number, None


def guarded(failed: dict[str, Any], record: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """One stdin record: an unexpected failure on one line becomes that line's error, never the end of the
    stream ("stdin modes always exit 0"); the failure's class goes to stderr, the input nowhere."""
    try:
        return record(*args, **kwargs)
    except Exception as exc:
        print(f"libao: {type(exc).__name__} on one input line (reported in its record)", file=sys.stderr)
        return failed


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
