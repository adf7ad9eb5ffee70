"""One Aho–Corasick automaton over many keys: a single pass over a draft finds them all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ahocorasick


def build_automaton(refs: Mapping[str, Sequence[Any]]) -> ahocorasick.Automaton | None:
    """An automaton whose values are ``(len(key), tuple(refs[key]))``; None when there are no keys."""
    if not refs:
        return None
    auto = ahocorasick.Automaton()
    for key, value in refs.items():
        auto.add_word(key, (len(key), tuple(value)))
    auto.make_automaton()
    return auto
