"""Load YAML data files with line numbers, so that every schema error can name file:line."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # the C loader is ~10x faster; start-up time matters (benchmarks/ask_latency.py)
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a data file; `line` is 1-based, 0 when unknown."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


class DataError(Exception):
    """A data file (knowledge, rules, phrasebook) is missing, malformed or violates its schema."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# Bounds on every data file read (knowledge, rules, phrasebook, evaluation files): checked before
# reading, so that a device, a FIFO or a huge file is refused in constant time and memory.
MAX_DATA_FILE_BYTES = 4_000_000
MAX_YAML_NODES = 500_000  # after alias expansion: "billion laughs" documents are refused


class FileRefused(DataError):
    """`read_bounded` refused a file. `reason`: "missing", "unreadable", "not_regular" or "too_large";
    `detail` the system's words for "unreadable", `size` the bytes seen for "too_large"."""

    def __init__(self, name: str, reason: str, *, detail: str = "", size: int = 0, limit: int = 0):
        self.reason, self.detail, self.size, self.limit = reason, detail, size, limit
        if reason in ("missing", "unreadable"):
            message = f"cannot read file: {detail}"
        elif reason == "not_regular":
            message = "not a regular file (device, FIFO, socket or directory)"
        elif size:
            message = f"file too large: {size:,} bytes (limit {limit:,})"
        else:
            message = f"file too large (limit {limit:,} bytes)"
        super().__init__([Problem(name, 0, message)])


def read_bounded(path: Path, *, name: str | None = None, max_bytes: int = MAX_DATA_FILE_BYTES,
                 nofollow: bool = False, inspect: Callable[[os.stat_result], None] | None = None) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; FileRefused (a DataError) naming the reason.

    Opened non-blocking (a FIFO must not wait for a writer), checked with fstat on the open
    descriptor (no race with a swapped path), read with a hard cap. `nofollow` refuses a symbolic
    link as the last component; `inspect` sees the descriptor's stat before any byte is read (and
    may raise, e.g. on loose permissions).
    """
    name = name or str(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | (os.O_NOFOLLOW if nofollow else 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise FileRefused(name, "missing", detail=exc.strerror or "") from None
    except OSError as exc:
        reason = "symbolic link loop" if exc.errno == errno.ELOOP and not nofollow else exc.strerror
        raise FileRefused(name, "unreadable", detail=reason or "") from None
    try:  # checked before fdopen, which refuses a directory on its own
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(name, "not_regular")
        if info.st_size > max_bytes:
            raise FileRefused(name, "too_large", size=info.st_size, limit=max_bytes)
        if inspect is not None:
            inspect(info)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        try:
            raw = fh.read(max_bytes + 1)
        except OSError as exc:
            raise FileRefused(name, "unreadable", detail=exc.strerror or "") from None
    if len(raw) > max_bytes:  # grew while being read
        raise FileRefused(name, "too_large", limit=max_bytes)
    return raw


def _expanded_size(root: yaml.Node, limit: int) -> int | None:
    """Nodes the document expands to (aliases counted at every use), or None for a recursive alias.

    Stops counting past `limit`; memoised per node, so the walk itself is linear in the file.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = _children(node)
            sizes[key] = min(limit + 1, 1 + sum(sizes[id(c)] for c in children))
            continue
        if key in sizes:
            continue
        if key in active:
            return None
        active.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in active:
                return None
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class InputFileError(DataError):
    """A file the user passed as input (an evaluation file) is unreadable or malformed: bad input, not bad data."""


def load_with_lines(path: Path, *, name: str | None = None,
                    max_bytes: int = MAX_DATA_FILE_BYTES) -> tuple[Any, yaml.Node | None]:
    """Parse `path`, returning (data, root node). Raises DataError with the line on bad YAML."""
    name = name or str(path)
    raw = read_bounded(path, name=name, max_bytes=max_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError([Problem(name, 0, f"not valid UTF-8 (byte {exc.start})")]) from None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                size = _expanded_size(node, MAX_YAML_NODES)
                if size is None:
                    raise DataError([Problem(name, 0, "recursive YAML alias")])
                if size > MAX_YAML_NODES:
                    raise DataError([Problem(name, 0, f"too many YAML values after alias expansion "
                                                      f"(limit {MAX_YAML_NODES:,})")])
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise DataError([Problem(name, line, f"malformed YAML: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise DataError([Problem(name, 0, f"malformed YAML: {exc}")]) from None
    except RecursionError:
        raise DataError([Problem(name, 0, "YAML nested too deeply")]) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date like 2024-13-45
        raise DataError([Problem(name, 0, f"malformed YAML value: {exc}")]) from None
    return data, node


def line_of(node: yaml.Node | None, *path: str | int) -> int:
    """1-based line of the value at `path` inside `node` (best effort: the deepest node found)."""
    if node is None:
        return 0
    current = node
    for key in path:
        nxt: yaml.Node | None = None
        if isinstance(current, yaml.MappingNode) and isinstance(key, str):
            for k, v in current.value:
                if getattr(k, "value", None) == key:
                    nxt = v
                    break
        elif isinstance(current, yaml.SequenceNode) and isinstance(key, int) and key < len(current.value):
            nxt = current.value[key]
        if nxt is None:
            break
        current = nxt
    return current.start_mark.line + 1
