"""Synonym canonicalisation: 顾客/业主/来访群众 -> 客户 before segmentation and matching."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.text.normalize import normalize_query


@dataclass(frozen=True, slots=True)
class SynonymGroup:
    canonical: str
    terms: tuple[str, ...]


class Canonicalizer:
    """Rewrites every synonym term to its group's canonical form (longest term wins)."""

    def __init__(self, groups: Iterable[SynonymGroup]):
        self._map: dict[str, str] = {}
        for g in groups:
            canonical = normalize_query(g.canonical)
            for t in g.terms:
                term = normalize_query(t)
                if term and term != canonical:
                    self._map[term] = canonical
        terms = sorted(self._map, key=len, reverse=True)
        self._re = re.compile("|".join(re.escape(t) for t in terms)) if terms else None

    def __call__(self, text: str) -> str:
        if self._re is None:
            return text
        return self._re.sub(lambda m: self._map[m.group(0)], text)

    @property
    def canonical_terms(self) -> set[str]:
        return set(self._map.values())
