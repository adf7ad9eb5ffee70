"""Rules of the draft checker as data: phrasebook/rules/*.yaml, validated with file:line errors.

A rule file has ``kind:`` one of

* ``forbidden`` — ``rules:`` forbidden phrases, tics, 反问, 推诿, 你-for-您 (schema `RuleModel`);
* ``secret`` — ``markers:`` 密级 markings as regexes and ``topics:`` confidential topics from the
  保密范围 lists (a topic term plus a value or a cue nearby);
* ``pii`` — ``contexts:`` words before a number that make it (not) personal data.

Pattern syntax of forbidden rules (matched on the draft with spaces, punctuation, emoji and
zero-width characters removed, full-width and traditional characters folded):

* ``下班了`` a literal; ``(说过|告诉)`` alternatives, ``(了|)`` an optional part;
* ``已经…一遍`` parts in order with at most ``max_gap`` characters between them;
* ``^天啊`` only at the start of a clause, ``不行$`` only at its end (trailing particles such
  as 啊/吧/呢 may follow).

Runs of one Han character collapse to one, in literals and in drafts alike (下下班了 matches
下班了), so a literal never needs a doubled character.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.paths import PHRASEBOOK_DIR
from bot.core.schema import DottedId as RuleId
from bot.core.schema import NonEmpty, Source, SourceModel, cite_all, pydantic_problems, sources_from
from bot.core.text.language import shipped_check_language
from bot.core.text.normalize import fold
from bot.core.yamlfile import DataError, Problem, line_of, load_with_lines

DEFAULT_RULES_DIR = PHRASEBOOK_DIR / "rules"

CATEGORIES = shipped_check_language().forbidden_categories  # phrasebook/language.yaml
SEVERITIES = ("error", "warning", "info")
PII_CATEGORIES = ("id_card", "mobile", "bank_card", "email")

GAP = "…"
_GROUP = re.compile(r"\(([^()]*)\)")


class ExamplesModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hit: Annotated[list[NonEmpty], Field(min_length=1)]
    clean: Annotated[list[NonEmpty], Field(min_length=1)]


class RuleModel(BaseModel):
    """One forbidden-language rule as written in YAML."""

    model_config = ConfigDict(extra="forbid")
    id: RuleId
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    severity: Literal[SEVERITIES] = "error"  # type: ignore[valid-type]
    patterns: Annotated[list[NonEmpty], Field(min_length=1)]
    exceptions: list[NonEmpty] = []
    max_gap: Annotated[int, Field(ge=0, le=20)] = 6
    quoted_ok: bool = True
    why: NonEmpty
    sources: Annotated[list[SourceModel], Field(min_length=1)]
    suggestion: NonEmpty
    scenario: NonEmpty | None = None
    examples: ExamplesModel


class MarkerModel(BaseModel):
    """A 密级 marking layout (regex over the folded draft, spaces kept)."""

    model_config = ConfigDict(extra="forbid")
    id: RuleId
    regex: NonEmpty
    why: NonEmpty
    sources: Annotated[list[SourceModel], Field(min_length=1)]
    suggestion: NonEmpty
    examples: ExamplesModel


class TopicModel(BaseModel):
    """A confidential topic: a term plus a concrete value (regex) nearby or a cue anywhere."""

    model_config = ConfigDict(extra="forbid")
    id: RuleId
    terms: Annotated[list[NonEmpty], Field(min_length=1)]
    values: list[NonEmpty] = []
    cues: list[NonEmpty] = []
    window: Annotated[int, Field(ge=1, le=60)] = 16
    exceptions: list[NonEmpty] = []
    why: NonEmpty
    sources: Annotated[list[SourceModel], Field(min_length=1)]
    suggestion: NonEmpty
    examples: ExamplesModel


class ContextModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    negative: list[NonEmpty] = []
    positive: dict[Literal[PII_CATEGORIES], list[NonEmpty]] = {}  # type: ignore[valid-type]
    window: Annotated[int, Field(ge=1, le=30)] = 10


class FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["forbidden", "secret", "pii"]
    rules: list[dict[str, Any]] = []
    markers: list[dict[str, Any]] = []
    topics: list[dict[str, Any]] = []
    contexts: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Pattern:
    """A compiled pattern: parts (each a tuple of folded alternatives) with bounded gaps."""

    source: str
    parts: tuple[tuple[str, ...], ...]
    max_gap: int
    clause_start: bool = False
    clause_end: bool = False


@dataclass(frozen=True, slots=True)
class Examples:
    hit: tuple[str, ...]
    clean: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """A forbidden-language rule ready for matching."""

    id: str
    category: str
    severity: str
    patterns: tuple[Pattern, ...]
    exceptions: tuple[Pattern, ...]
    why: str
    sources: tuple[Source, ...]
    suggestion: str
    scenario: str | None = None
    quoted_ok: bool = True
    examples: Examples = Examples((), ())
    file: str = ""
    line: int = 0

    @property
    def source(self) -> str:
        return cite_all(self.sources)


@dataclass(frozen=True, slots=True)
class Marker:
    id: str
    regex: re.Pattern[str]
    why: str
    sources: tuple[Source, ...]
    suggestion: str
    examples: Examples
    file: str = ""
    line: int = 0

    @property
    def source(self) -> str:
        return cite_all(self.sources)


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    terms: tuple[str, ...]  # folded, compact
    values: tuple[re.Pattern[str], ...]
    cues: tuple[str, ...]  # folded, compact
    window: int
    exceptions: tuple[str, ...]  # folded, compact
    why: str
    sources: tuple[Source, ...]
    suggestion: str
    examples: Examples
    file: str = ""
    line: int = 0

    @property
    def source(self) -> str:
        return cite_all(self.sources)


@dataclass(frozen=True, slots=True)
class PiiContext:
    negative: tuple[str, ...] = ()
    positive: dict[str, tuple[str, ...]] = field(default_factory=dict)
    window: int = 10


@dataclass(slots=True)
class RuleSet:
    """Everything the checker needs from phrasebook/rules/."""

    rules: list[Rule] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    pii: PiiContext = field(default_factory=PiiContext)
    files: list[str] = field(default_factory=list)


def fold_literal(text: str) -> str:
    """The compact folded form of a rule literal; repeats collapse like the draft's (谢谢 -> 谢)."""
    return fold(text, collapse_repeats=True).text


def _expand(part: str) -> list[str]:
    """``(a|b)c(d|)`` -> [acd, ac, bcd, bc]."""
    pieces: list[list[str]] = []
    pos = 0
    for m in _GROUP.finditer(part):
        if m.start() > pos:
            pieces.append([part[pos:m.start()]])
        pieces.append(m.group(1).split("|"))
        pos = m.end()
    if pos < len(part):
        pieces.append([part[pos:]])
    return ["".join(p) for p in itertools.product(*pieces)]


def compile_pattern(text: str, *, max_gap: int) -> Pattern:
    """Compile the pattern syntax described in the module docstring; ValueError when invalid."""
    raw = text.strip()
    start = raw.startswith("^")
    end = raw.endswith("$")
    raw = raw.removeprefix("^").removesuffix("$")
    if not raw:
        raise ValueError("empty pattern")
    if raw.count("(") != raw.count(")") or re.search(r"\([^)]*\(", raw):
        raise ValueError("unbalanced or nested parentheses")
    parts: list[tuple[str, ...]] = []
    for chunk in raw.split(GAP):
        alts = tuple(dict.fromkeys(fold_literal(a) for a in _expand(chunk)))
        if not chunk or any(not a for a in alts):
            raise ValueError("a part of the pattern is empty after removing spaces and punctuation")
        parts.append(alts)
    return Pattern(text, tuple(parts), max_gap, start, end)


def _load_forbidden(items: list[dict[str, Any]], rel: str, node: Any) -> tuple[list[Rule], list[Problem]]:
    rules: list[Rule] = []
    problems: list[Problem] = []
    for i, raw in enumerate(items):
        try:
            m = RuleModel.model_validate(raw)
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, rel, node, ("rules", i)))
            continue
        compiled: dict[str, list[Pattern]] = {"patterns": [], "exceptions": []}
        bad = False
        for key in compiled:
            for j, p in enumerate(getattr(m, key)):
                try:
                    compiled[key].append(compile_pattern(p, max_gap=m.max_gap))
                except ValueError as exc:
                    where = line_of(node, "rules", i, key, j)
                    problems.append(Problem(rel, where, f"{m.id}: {key} {p!r}: {exc}"))
                    bad = True
        if bad:
            continue
        rules.append(Rule(
            id=m.id, category=m.category, severity=m.severity, patterns=tuple(compiled["patterns"]),
            exceptions=tuple(compiled["exceptions"]), why=m.why, sources=sources_from(m.sources),
            suggestion=m.suggestion, scenario=m.scenario, quoted_ok=m.quoted_ok,
            examples=Examples(tuple(m.examples.hit), tuple(m.examples.clean)),
            file=rel, line=line_of(node, "rules", i),
        ))
    return rules, problems


def _load_secret(fm: FileModel, rel: str, node: Any) -> tuple[list[Marker], list[Topic], list[Problem]]:
    markers: list[Marker] = []
    topics: list[Topic] = []
    problems: list[Problem] = []
    for i, raw in enumerate(fm.markers):
        try:
            mm = MarkerModel.model_validate(raw)
            rx = re.compile(mm.regex)
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, rel, node, ("markers", i)))
            continue
        except re.error as exc:
            problems.append(Problem(rel, line_of(node, "markers", i, "regex"), f"invalid regex: {exc}"))
            continue
        markers.append(Marker(mm.id, rx, mm.why, sources_from(mm.sources), mm.suggestion,
                              Examples(tuple(mm.examples.hit), tuple(mm.examples.clean)),
                              rel, line_of(node, "markers", i)))
    for i, raw in enumerate(fm.topics):
        try:
            tm = TopicModel.model_validate(raw)
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, rel, node, ("topics", i)))
            continue
        values: list[re.Pattern[str]] = []
        for j, v in enumerate(tm.values):
            try:
                values.append(re.compile(v))
            except re.error as exc:
                where = line_of(node, "topics", i, "values", j)
                problems.append(Problem(rel, where, f"{tm.id}: invalid regex: {exc}"))
        if not tm.values and not tm.cues:
            problems.append(Problem(rel, line_of(node, "topics", i), f"{tm.id}: needs values or cues"))
            continue
        topics.append(Topic(
            tm.id, tuple(fold_literal(t) for t in tm.terms), tuple(values),
            tuple(fold_literal(c) for c in tm.cues), tm.window,
            tuple(fold_literal(x) for x in tm.exceptions), tm.why, sources_from(tm.sources), tm.suggestion,
            Examples(tuple(tm.examples.hit), tuple(tm.examples.clean)), rel, line_of(node, "topics", i),
        ))
    return markers, topics, problems


def _cross_checks(rs: RuleSet, scenarios: set[str] | None) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    items: list[Rule | Marker | Topic] = [*rs.rules, *rs.markers, *rs.topics]
    for item in items:
        where = f"{item.file}:{item.line}"
        if item.id in seen:
            first = seen[item.id]
            problems.append(Problem(item.file, item.line, f"duplicate rule id {item.id!r} (first at {first})"))
        else:
            seen[item.id] = where
    if scenarios is not None:
        for r in rs.rules:
            if r.scenario and r.scenario not in scenarios:
                problems.append(Problem(r.file, r.line, f"{r.id}: unknown scenario {r.scenario!r}"))
    return problems


def load_rules(directory: Path | None = None, *, scenarios: set[str] | None = None) -> RuleSet:
    """Load and validate every rule file; DataError listing all problems with file:line."""
    directory = directory or DEFAULT_RULES_DIR
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise DataError([Problem(str(directory), 0, "no rule files (*.yaml) found")])
    rs = RuleSet()
    problems: list[Problem] = []
    for path in paths:
        rel = str(path)
        data, node = load_with_lines(path)
        try:
            fm = FileModel.model_validate(data)
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, rel, node, ()))
            continue
        rs.files.append(rel)
        if fm.kind == "forbidden":
            rules, probs = _load_forbidden(fm.rules, rel, node)
            rs.rules.extend(rules)
            problems.extend(probs)
        elif fm.kind == "secret":
            markers, topics, probs = _load_secret(fm, rel, node)
            rs.markers.extend(markers)
            rs.topics.extend(topics)
            problems.extend(probs)
        else:
            try:
                cm = ContextModel.model_validate(fm.contexts or {})
            except ValidationError as exc:
                problems.extend(pydantic_problems(exc, rel, node, ("contexts",)))
                continue
            rs.pii = PiiContext(tuple(fold(w).text for w in cm.negative),
                                {k: tuple(fold(w).text for w in v) for k, v in cm.positive.items()},
                                cm.window)
    problems.extend(_cross_checks(rs, scenarios))
    if problems:
        raise DataError(problems)
    return rs
