"""The legal register: statutes say 用人单位, 公休日, 收费 where people say 老板, 礼拜六, 要钱.

knowledge/register.yaml lists such groups (legal terms, everyday terms). For one imported
document, every term of a group that the document never uses is read as the group's first legal
term that it does use: a synonym group of the clause index only, so the question's words meet the
statute's wording on the lexical signal (and, rewritten, on the semantic one). Words the document
uses are never rewritten, and nothing changes for curated entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.core.paths import KNOWLEDGE_DIR
from bot.core.schema import pydantic_problems
from bot.core.text.normalize import normalize_query
from bot.core.text.synonyms import SynonymGroup
from bot.core.yamlfile import DataError, Problem, line_of, load_with_lines

REGISTER_FILE = "register.yaml"
MIN_TERM_CHARS = 2  # one character (钱, 狗) sits inside too many unrelated words

Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=MIN_TERM_CHARS)]


class GroupModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    legal: Annotated[list[Term], Field(min_length=1)]
    everyday: list[Term] = []


class RegisterModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    groups: list[GroupModel]


RegisterGroup = tuple[tuple[str, ...], tuple[str, ...]]  # (legal terms, preferred first; everyday terms)


def load_register(path: Path | None = None) -> tuple[RegisterGroup, ...]:
    """The groups of `path` (default: the shipped register), folded as questions are; DataError with
    file:line when broken or when a term is in two groups."""
    path = path or KNOWLEDGE_DIR / REGISTER_FILE
    data, node = load_with_lines(path)
    try:
        model = RegisterModel.model_validate(data)
    except ValidationError as exc:
        raise DataError(pydantic_problems(exc, str(path), node, what="file")) from None
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
    return tuple(groups)


@lru_cache(maxsize=1)
def shipped_register() -> tuple[RegisterGroup, ...]:
    """knowledge/register.yaml (loaded once per process)."""
    return load_register()


def register_synonyms(groups: Iterable[RegisterGroup], texts: Iterable[str], *,
                      taken: Iterable[str] = ()) -> list[SynonymGroup]:
    """Synonym groups for a document whose (folded) `texts` are given: per register group, its terms
    the document never uses -> the first legal term it does use. Groups with no legal term in the
    document are left out; terms in `taken` (the knowledge base's own synonyms) stay theirs."""
    corpus = "\n".join(normalize_query(t) for t in texts)
    busy = {normalize_query(t) for t in taken}
    out: list[SynonymGroup] = []
    for legal, everyday in groups:
        canonical = next((t for t in legal if t in corpus), None)
        if canonical is None or canonical in busy:
            continue
        terms = tuple(t for t in (*legal, *everyday) if t not in corpus and t not in busy)
        if terms:
            out.append(SynonymGroup(canonical, terms))
    return out
