"""User-facing text lives in phrasebook/messages/*.yaml; code refers to it by key."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bot.core.paths import PHRASEBOOK_DIR
from bot.core.yamlfile import DataError, Problem, load_with_lines

DEFAULT_MESSAGES_DIR = PHRASEBOOK_DIR / "messages"


@lru_cache(maxsize=4)
def load_messages(directory: Path = DEFAULT_MESSAGES_DIR) -> dict[str, str]:
    """All message files merged into one ``key -> text`` dict; a duplicate key is an error."""
    merged: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        data, _ = load_with_lines(path)
        if not isinstance(data, dict):
            problems.append(Problem(str(path), 1, "a message file must be a mapping of key: text"))
            continue
        for key, value in data.items():
            if not isinstance(value, str):
                problems.append(Problem(str(path), 0, f"message {key!r} must be a string"))
            elif key in merged:
                problems.append(Problem(str(path), 0, f"duplicate message key {key!r}"))
            else:
                merged[str(key)] = value
    if problems:
        raise DataError(problems)
    return merged


def t(key: str, /, **values: object) -> str:
    """The message `key`, formatted with `values` (str.format)."""
    text = load_messages()[key]
    return text.format(**values) if values else text
