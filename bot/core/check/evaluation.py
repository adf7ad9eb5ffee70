"""Measure the draft checker on an evaluation file (format: shared/eval/README.md).

* forbidden — per draft of the ``check`` list: a forbidden draft is caught when a
  ``forbidden`` finding overlaps one of its ``hits``; a clean draft with any ``forbidden``
  finding is a false alarm (so is a forbidden draft whose findings all miss the hits).
* pii / secret — per draft and category over the ``leak`` list (and the ``check`` list,
  whose drafts carry no personal data or secrets): the set of finding categories against
  ``kinds``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.core.check.checker import Checker, CheckResult
from bot.core.check.rules import PII_CATEGORIES

SECRET_CATEGORIES = ("secret_marker", "confidential_topic")


@dataclass(slots=True)
class Score:
    """True positives, false positives, false negatives -> precision and recall."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def line(self, name: str) -> str:
        return (f"{name:<20} precision {self.precision:.3f}  recall {self.recall:.3f}"
                f"  (tp {self.tp}, fp {self.fp}, fn {self.fn})")


@dataclass(slots=True)
class CheckMiss:
    draft: str
    kind: str  # "missed" or "false-alarm"
    category: str
    got: list[str]


@dataclass(slots=True)
class CheckReport:
    n_check: int = 0
    n_leak: int = 0
    forbidden: Score = field(default_factory=Score)
    pii: Score = field(default_factory=Score)
    secret: Score = field(default_factory=Score)
    by_category: dict[str, Score] = field(default_factory=dict)
    # "group / label" -> score, for the labels of blind sets (`kind_of_text`, `evasion`).
    by_kind: dict[str, Score] = field(default_factory=dict)
    by_evasion: dict[str, Score] = field(default_factory=dict)
    misses: list[CheckMiss] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"check drafts {self.n_check}, leak drafts {self.n_leak}",
               self.forbidden.line("forbidden"), self.pii.line("pii"), self.secret.line("secret")]
        out += [self.by_category[c].line(f"  {c}") for c in (*PII_CATEGORIES, *SECRET_CATEGORIES)
                if c in self.by_category]
        for title, table in (("by kind_of_text", self.by_kind), ("by evasion", self.by_evasion)):
            if table:
                out.append(title + ":")
                out += [table[k].line(f"  {k}") for k in sorted(table)]
        return out

    def _label(self, item: dict[str, Any], group: str, outcome: str) -> None:
        for key, table in (("kind_of_text", self.by_kind), ("evasion", self.by_evasion)):
            label = item.get(key)
            if label:
                score = table.setdefault(f"{group} / {label}", Score())
                setattr(score, outcome, getattr(score, outcome) + 1)


def _spans(draft: str, needles: list[str]) -> list[tuple[int, int]]:
    spans = []
    for n in needles:
        i = draft.find(n)
        while n and i >= 0:
            spans.append((i, i + len(n)))
            i = draft.find(n, i + 1)
    return spans


def _score_forbidden(report: CheckReport, item: dict[str, Any], draft: str, result: CheckResult) -> None:
    found = [f for f in result.findings if f.kind == "forbidden"]
    got = [f"{f.rule}:{f.text}" for f in found]
    if item.get("forbidden"):
        spans = _spans(draft, [str(h) for h in item.get("hits") or []])
        if any(s < f.end and f.start < e for f in found for s, e in spans):
            report.forbidden.tp += 1
            report._label(item, "forbidden", "tp")
            return
        report.forbidden.fn += 1
        report._label(item, "forbidden", "fn")
        if found:
            report.forbidden.fp += 1
        report.misses.append(CheckMiss(result.masked_draft(), "missed", "forbidden", got))
    elif found:
        report.forbidden.fp += 1
        report._label(item, "forbidden", "fp")
        report.misses.append(CheckMiss(result.masked_draft(), "false-alarm", "forbidden", got))


def _score_leak(report: CheckReport, expected: set[str], result: CheckResult, item: dict[str, Any]) -> None:
    got = {f.category for f in result.findings if f.kind in ("pii", "secret")}
    for category in (*PII_CATEGORIES, *SECRET_CATEGORIES):
        group = report.pii if category in PII_CATEGORIES else report.secret
        per = report.by_category.setdefault(category, Score())
        hit, want = category in got, category in expected
        name = "pii" if category in PII_CATEGORIES else category
        if hit and want:
            group.tp += 1
            per.tp += 1
            report._label(item, name, "tp")
        elif hit:
            group.fp += 1
            per.fp += 1
            report._label(item, name, "fp")
            report.misses.append(CheckMiss(result.masked_draft(), "false-alarm", category, sorted(got)))
        elif want:
            group.fn += 1
            per.fn += 1
            report._label(item, name, "fn")
            report.misses.append(CheckMiss(result.masked_draft(), "missed", category, sorted(got)))


def evaluate_check(checker: Checker, data: dict[str, list[dict[str, Any]]], *,
                   step: Callable[[], None] | None = None) -> CheckReport:
    """Score `checker` on the ``check`` and ``leak`` lists of an evaluation file."""
    report = CheckReport()
    for item in data.get("check", []):
        draft = str(item.get("draft", ""))
        result = checker.check(draft)
        report.n_check += 1
        _score_forbidden(report, item, draft, result)
        _score_leak(report, set(), result, item)
        if step:
            step()
    for item in data.get("leak", []):
        result = checker.check(str(item.get("draft", "")))
        report.n_leak += 1
        _score_leak(report, {str(k) for k in item.get("kinds") or []}, result, item)
        if step:
            step()
    return report
