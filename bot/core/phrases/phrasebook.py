"""The phrasebook: standard service phrases by scenario (phrasebook/scenarios.yaml).

Phrases may contain placeholders such as {单位} {部门} {姓名}; `render` fills them from the
user's settings and falls back to a visible ×× blank the staff member fills in aloud.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import fuzz, process

from bot.core.paths import PHRASEBOOK_DIR
from bot.core.phrases.placeholders import BLANKS
from bot.core.schema import NonEmpty, PlainId, Source, SourceModel, pydantic_problems, sources_from, validate_file
from bot.core.text.normalize import normalize_query
from bot.core.yamlfile import DataError, Problem, line_of

DEFAULT_PHRASEBOOK = PHRASEBOOK_DIR / "scenarios.yaml"

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

class ScenarioModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: PlainId
    title: NonEmpty
    aliases: Annotated[list[NonEmpty], Field(min_length=1)]
    phrases: Annotated[list[NonEmpty], Field(min_length=1)]
    note: str = ""
    sources: Annotated[list[SourceModel], Field(min_length=1)]


class FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenarios: Annotated[list[dict], Field(min_length=1)]


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    aliases: tuple[str, ...]
    phrases: tuple[str, ...]
    note: str
    sources: tuple[Source, ...]
    line: int = 0

    @property
    def source(self) -> str:
        return "；".join(s.cite() for s in self.sources)


class Phrasebook:
    """Scenarios by id, fuzzy lookup by what a staff member would type."""

    def __init__(self, scenarios: list[Scenario]):
        self.scenarios = scenarios
        self._by_id = {s.id: s for s in scenarios}
        self._choices: list[str] = []
        self._owners: list[Scenario] = []
        for s in scenarios:
            for name in dict.fromkeys((s.title, *s.aliases)):
                self._choices.append(normalize_query(name))
                self._owners.append(s)

    def get(self, scenario_id: str) -> Scenario | None:
        return self._by_id.get(scenario_id)

    def find(self, query: str, *, limit: int = 3, score_cutoff: float = 60.0) -> list[tuple[Scenario, float]]:
        """Best scenarios for `query` (id, title or a paraphrase), scores 0-100, best first."""
        exact = self._by_id.get(query.strip())
        if exact is not None:
            return [(exact, 100.0)]
        q = normalize_query(query)
        if not q:
            return []
        best: dict[str, tuple[Scenario, float]] = {}
        for _choice, score, idx in process.extract(q, self._choices, scorer=fuzz.WRatio, processor=None,
                                                  limit=None, score_cutoff=score_cutoff):
            owner = self._owners[idx]
            if owner.id not in best or score > best[owner.id][1]:
                best[owner.id] = (owner, float(score))
        ranked = sorted(best.values(), key=lambda p: (-p[1], self.scenarios.index(p[0])))
        return ranked[:limit]

    def render(self, scenario_id: str, settings: dict[str, str] | None = None) -> list[str]:
        """The scenario's phrases with placeholders filled (KeyError for an unknown id)."""
        scenario = self._by_id[scenario_id]
        values = {**BLANKS, **{k: v.strip() for k, v in (settings or {}).items() if v and v.strip()}}
        return [_PLACEHOLDER.sub(lambda m: values.get(m.group(1), "××"), p) for p in scenario.phrases]


def load_phrasebook(path: Path | None = None) -> Phrasebook:
    """Load and validate the phrasebook; DataError with file:line when broken."""
    path = path or DEFAULT_PHRASEBOOK
    rel = str(path)
    fm, node, broken = validate_file(path, FileModel)
    if fm is None:
        raise DataError(broken)
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(fm.scenarios):
        line = line_of(node, "scenarios", i)
        try:
            m = ScenarioModel.model_validate(raw)
        except ValidationError as exc:
            problems += pydantic_problems(exc, rel, node, ("scenarios", i), what="file")
            continue
        if m.id in seen:
            problems.append(Problem(rel, line, f"duplicate scenario id {m.id!r} (line {seen[m.id]})"))
            continue
        seen[m.id] = line
        for j, phrase in enumerate(m.phrases):
            unknown = [p for p in _PLACEHOLDER.findall(phrase) if p not in BLANKS]
            if unknown or phrase.count("{") != phrase.count("}"):
                problems.append(Problem(rel, line_of(node, "scenarios", i, "phrases", j),
                                        f"{m.id}: unknown or broken placeholder in {phrase!r}"
                                        f" (known: {', '.join('{' + k + '}' for k in BLANKS)})"))
        scenarios.append(Scenario(m.id, m.title, tuple(m.aliases), tuple(m.phrases), m.note,
                                  sources_from(m.sources), line))
    if problems:
        raise DataError(problems)
    return Phrasebook(scenarios)


@lru_cache(maxsize=1)
def default_phrasebook() -> Phrasebook:
    """The shipped phrasebook, loaded once per process."""
    return load_phrasebook()
