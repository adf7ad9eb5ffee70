"""Literal words as one regex alternation, longest first, so that the regex prefers the longer word."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable


def longest_first(words: Iterable[str], *, fold: Callable[[str], str] | None = None) -> list[str]:
    """`words` folded (when `fold` is given), without empties or repeats, longest first (ties in code-point
    order, so a pattern built from them is the same in every process)."""
    folded = {fold(w) for w in words} if fold is not None else set(words)
    return sorted(folded - {""}, key=lambda w: (-len(w), w))


def literal_alternation(words: Iterable[str], *, fold: Callable[[str], str] | None = None) -> str:
    """A regex alternation of the literal `words` ("" for none), longest first; see `longest_first`."""
    return "|".join(map(re.escape, longest_first(words, fold=fold)))
