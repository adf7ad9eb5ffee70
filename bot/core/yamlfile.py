"""Load YAML data files with line numbers, so that every schema error can name file:line."""

from __future__ import annotations

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


def load_with_lines(path: Path, *, name: str | None = None) -> tuple[Any, yaml.Node | None]:
    """Parse `path`, returning (data, root node). Raises DataError with the line on bad YAML."""
    name = name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError([Problem(name, 0, f"cannot read file: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError([Problem(name, 0, f"not valid UTF-8 (byte {exc.start})")]) from None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise DataError([Problem(name, line, f"malformed YAML: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise DataError([Problem(name, 0, f"malformed YAML: {exc}")]) from None
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
