"""The legal register: statutes say 用人单位, 公休日, 收费 where people say 老板, 礼拜六, 要钱.

knowledge/register.yaml lists such groups (legal terms, everyday terms). For one imported
document, every everyday term of a group that the document never uses is read as the group's first
legal term that it does use: a synonym group of the clause index only, so the question's words meet the
statute's wording on the lexical signal (and, rewritten, on the semantic one). Words the document
uses are never rewritten, and nothing changes for curated entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.core.paths import KNOWLEDGE_DIR
from bot.core.schema import validate_file
from bot.core.text.normalize import normalize_query
from bot.core.text.synonyms import SynonymGroup
from bot.core.yamlfile import DataError, Problem, line_of

REGISTER_FILE = "register.yaml"
MIN_TERM_CHARS = 2  # one character (钱, 狗) sits inside too many unrelated words

Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=MIN_TERM_CHARS)]


class GroupModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    legal: Annotated[list[Term], Field(min_length=1)]
    everyday: list[Term] = []


class QuantityModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    markers: Annotated[list[Term], Field(min_length=1)]
    units: Annotated[list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]], Field(min_length=1)]


class RegisterModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    groups: list[GroupModel]
    quantity: QuantityModel


RegisterGroup = tuple[tuple[str, ...], tuple[str, ...]]  # (legal terms, preferred first; everyday terms)
_NUMERALS = "一二三四五六七八九十两百千万"


@dataclass(frozen=True, slots=True)
class Register:
    """The register's groups, and how a question asking for a figure and a clause stating one look."""

    groups: tuple[RegisterGroup, ...]
    asks_figure: re.Pattern[str]
    states_figure: re.Pattern[str]

    def asks_quantity(self, question: str) -> bool:
        """Does `question` ask for an amount, a period or a limit (多少钱, 几天, 上限)?"""
        return self.asks_figure.search(normalize_query(question)) is not None

    def states_quantity(self, text: str) -> bool:
        """Does `text` state a figure (15日, 三个月, 百分之二十, 5000元)?"""
        return self.states_figure.search(normalize_query(text)) is not None


def load_register(path: Path | None = None) -> Register:
    """The register in `path` (default: the shipped one), folded as questions are; DataError with
    file:line when broken or when a term is in two groups."""
    path = path or KNOWLEDGE_DIR / REGISTER_FILE
    model, node, broken = validate_file(path, RegisterModel)
    if model is None:
        raise DataError(broken)
    groups: list[RegisterGroup] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, g in enumerate(model.groups):
        legal = tuple(dict.fromkeys(normalize_query(t) for t in g.legal))
        everyday = tuple(t for t in dict.fromkeys(normalize_query(t) for t in g.everyday) if t not in legal)
        for t in (*legal, *everyday):
            if t in seen:
                problems.append(Problem(str(path), line_of(node, "groups", i),
                                        f"term {t!r} is in two register groups ({seen[t] + 1} and {i + 1})"))
            seen.setdefault(t, i)
        groups.append((legal, everyday))
    if problems:
        raise DataError(problems)
    units = "|".join(re.escape(normalize_query(u)) for u in sorted(model.quantity.units, key=len, reverse=True))
    markers = "|".join(re.escape(normalize_query(m)) for m in model.quantity.markers)
    return Register(tuple(groups), re.compile(f"{markers}|几(?:个)?(?:{units})"),
                    re.compile(f"[0-9]|[{_NUMERALS}]+(?:个)?(?:{units})"))


@lru_cache(maxsize=1)
def shipped_register() -> Register:
    """knowledge/register.yaml (loaded once per process)."""
    return load_register()


def register_synonyms(groups: Iterable[RegisterGroup], texts: Iterable[str], *,
                      taken: Iterable[str] = ()) -> list[SynonymGroup]:
    """Synonym groups for a document whose `texts` are given: per register group, its everyday terms
    the document never uses -> the first legal term it does use. Groups with no legal term in the
    document are left out; terms in `taken` (the knowledge base's own synonyms) stay theirs."""
    corpus = "\n".join(normalize_query(t) for t in texts)
    busy = {normalize_query(t) for t in taken}
    out: list[SynonymGroup] = []
    for legal, everyday in groups:
        canonical = next((t for t in legal if t in corpus), None)
        if canonical is None or canonical in busy:
            continue
        terms = tuple(t for t in everyday if t not in corpus and t not in busy)
        if terms:
            out.append(SynonymGroup(canonical, terms))
    return out
