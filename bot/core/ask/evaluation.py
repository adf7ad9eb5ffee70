"""Measure the ask engine on an evaluation file (format: shared/eval/README.md)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from bot.core.ask.knowledge import Entry
from bot.core.ask.matcher import Matcher
from bot.core.schema import pydantic_problems
from bot.core.yamlfile import DataError, InputFileError, Problem, line_of, load_with_lines


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(slots=True)
class Miss:
    question: str
    expected: list[str]
    status: str
    got: list[str]  # titles of the returned candidates
    kind: str  # "wrong-confident", "not-at-1", "not-in-3", "oos-answered"


@dataclass(slots=True)
class AskReport:
    """answer@1, hit@3, MRR, out-of-scope refused and wrong-confident rate, with the misses."""

    n: int = 0
    answer_at_1: float = 0.0
    hit_at_3: float = 0.0
    mrr: float = 0.0
    wrong_confident: float = 0.0
    n_oos: int = 0
    oos_refused: float = 0.0
    misses: list[Miss] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"questions          {self.n}",
            f"answer@1           {self.answer_at_1:.3f}",
            f"hit@3              {self.hit_at_3:.3f}",
            f"MRR                {self.mrr:.3f}",
            f"wrong-confident    {self.wrong_confident:.3f}",
            f"out-of-scope       {self.n_oos}",
            f"oos refused        {self.oos_refused:.3f}",
        ]


class _Item(BaseModel):
    model_config = ConfigDict(extra="allow")


class _AskItem(_Item):
    q: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
    expect: list[str] = []


class _DraftItem(_Item):
    draft: Annotated[str, StringConstraints(max_length=100_000)]
    hits: list[str] = []
    kinds: list[str] = []
    forbidden: bool = False


_ITEM_MODELS: dict[str, type[_Item]] = {"ask": _AskItem, "out_of_scope": _AskItem, "check": _DraftItem,
                                        "leak": _DraftItem}


def load_eval_file(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Read and validate an evaluation YAML (format: shared/eval/README.md).

    Raises InputFileError (a DataError) with file:line of every malformed item.
    """
    name = str(path)
    try:
        data, node = load_with_lines(path)
    except DataError as exc:
        raise InputFileError(exc.problems) from None
    if not isinstance(data, dict):
        raise InputFileError([Problem(name, 1, "evaluation file must be a mapping with ask/out_of_scope/...")])
    out: dict[str, list[dict[str, Any]]] = {}
    problems: list[Problem] = []
    for key, value in data.items():
        if value is None:
            continue
        if not isinstance(value, list):
            problems.append(Problem(name, line_of(node, str(key)), f"{key}: expected a list of items"))
            continue
        model = _ITEM_MODELS.get(str(key))
        items = []
        for i, item in enumerate(value):
            if model is None:
                items.append(item)
                continue
            try:
                items.append(model.model_validate(item).model_dump())
            except ValidationError as exc:
                problems.extend(pydantic_problems(exc, name, node, (str(key), i), what="item"))
        out[str(key)] = items
    if problems:
        raise InputFileError(problems)
    return out


def _answers(entry: Entry, expect: list[str]) -> bool:
    """The README's criterion: the entry's title + answer contains one `expect` string."""
    text = _plain(entry.title + entry.answer)
    return any(_plain(e) in text for e in expect)


def evaluate_ask(matcher: Matcher, data: dict[str, list[dict[str, Any]]],
                 step: Callable[[], None] | None = None) -> AskReport:
    """Run every `ask` and `out_of_scope` question through `matcher.ask`."""
    rep = AskReport()
    asks = data.get("ask", [])
    a1 = h3 = rr = wc = 0.0
    for item in asks:
        q, expect = str(item["q"]), [str(e) for e in item.get("expect", [])]
        res = matcher.ask(q, limit=3)
        ranks = [r for r, m in enumerate(res.matches) if _answers(m.entry, expect)]
        first = ranks[0] if ranks else None
        got = [m.entry.title for m in res.matches]
        if res.status == "answer" and first == 0:
            a1 += 1
        elif res.status == "answer":
            wc += 1
            rep.misses.append(Miss(q, expect, res.status, got, "wrong-confident"))
        elif first is not None and first < 3:
            rep.misses.append(Miss(q, expect, res.status, got, "not-at-1"))
        else:
            rep.misses.append(Miss(q, expect, res.status, got, "not-in-3"))
        if res.status != "unknown" and first is not None and first < 3:
            h3 += 1
        if res.status != "unknown" and first is not None:
            rr += 1.0 / (first + 1)
        if step:
            step()
    oos = data.get("out_of_scope", [])
    refused = 0
    for item in oos:
        res = matcher.ask(str(item["q"]), limit=3)
        if res.status == "unknown":
            refused += 1
        else:
            rep.misses.append(Miss(str(item["q"]), [], res.status, [m.entry.title for m in res.matches],
                                   "oos-answered"))
        if step:
            step()
    n = len(asks)
    rep.n, rep.n_oos = n, len(oos)
    if n:
        rep.answer_at_1, rep.hit_at_3, rep.mrr, rep.wrong_confident = a1 / n, h3 / n, rr / n, wc / n
    if oos:
        rep.oos_refused = refused / len(oos)
    return rep


@dataclass(frozen=True, slots=True)
class Fit:
    answer_cutoff: float
    answer_margin: float
    clarify_cutoff: float
    answer_at_1: float
    hit_at_3: float
    wrong_confident: float
    oos_refused: float


def fit_thresholds(matcher: Matcher, data: dict[str, list[dict[str, Any]]], *,
                   max_wrong: float = 0.01, min_refused: float = 0.95) -> list[Fit]:
    """Grid-search the three decision thresholds; best first (answer@1, then hit@3, then safety).

    Ranking does not depend on the thresholds, so every question is searched once.
    """
    rows = []
    for item in data.get("ask", []):
        expect = [str(e) for e in item.get("expect", [])]
        ms, decoy = matcher.candidates(str(item["q"]), limit=3)
        if decoy:
            ms = []
        correct = [_answers(m.entry, expect) for m in ms]
        rows.append(([m.score for m in ms], correct))
    oos_top = []
    for item in data.get("out_of_scope", []):
        ms, decoy = matcher.candidates(str(item["q"]), limit=1)
        oos_top.append(ms[0].score if ms and not decoy else 0.0)
    n, n_oos = max(1, len(rows)), max(1, len(oos_top))
    fits = []
    for clarify in range(20, 71, 2):
        refused = sum(1 for s in oos_top if s < clarify) / n_oos
        if refused < min_refused:
            continue
        for cutoff in range(clarify, 91, 2):
            for margin in range(0, 21, 2):
                a1 = h3 = wc = 0
                for scores, correct in rows:
                    if not scores or scores[0] < clarify:
                        continue
                    runner = scores[1] if len(scores) > 1 else 0.0
                    if scores[0] >= cutoff and scores[0] - runner >= margin:
                        a1 += correct[0]
                        wc += not correct[0]
                    h3 += any(c for s, c in zip(scores, correct, strict=True) if s >= clarify)
                if wc / n <= max_wrong:
                    fits.append(Fit(cutoff, margin, clarify, a1 / n, h3 / n, wc / n, refused))
    fits.sort(key=lambda f: (f.answer_at_1, f.hit_at_3, -f.wrong_confident, f.answer_margin, f.answer_cutoff),
              reverse=True)
    return fits
