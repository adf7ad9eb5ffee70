"""Check a reply draft before it is sent: forbidden language, personal data, classified content.

`Checker.check(draft)` returns plain dataclasses whose spans are character offsets into the
draft exactly as given, whatever was folded away to find them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.check.classified import Classified
from bot.core.check.pii import find_pii
from bot.core.check.rules import Marker, Pattern, Rule, RuleSet, Topic, load_rules
from bot.core.phrases.messages import t
from bot.core.text.automaton import build_automaton
from bot.core.text.fold import Compact, Folded, fold_draft
from bot.core.text.language import shipped_check_language
from bot.core.yamlfile import Problem

if TYPE_CHECKING:
    from bot.core.phrases.phrasebook import Phrasebook

# Particles around clause-bound phrases, greetings and farewells: phrasebook/language.yaml.
_LANGUAGE = shipped_check_language()
_TRAILING = _LANGUAGE.trailing_particles
_LEADING = _LANGUAGE.leading_interjections
_GREETINGS = _LANGUAGE.greetings
_FAREWELLS = _LANGUAGE.farewells
# Opening/closing quote pairs; text between them is someone else's words or a title.
_QUOTES = {"“": "”", "「": "」", "『": "』", "《": "》", "〈": "〉", '"': '"', "'": "'", "‘": "’"}
_QUOTED = re.compile("|".join(f"{re.escape(o)}([^{re.escape(c)}]{{1,200}}){re.escape(c)}" for o, c in _QUOTES.items()))
_MIN_HINT_CHARS = 8


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing that must not be sent. `start`/`end` are offsets into the draft as given; `text` is
    that span with every piece of personal data in it masked."""

    kind: str  # forbidden | pii | secret
    category: str
    rule: str
    start: int
    end: int
    text: str
    message: str
    suggestion: str
    severity: str = "error"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Findings (sorted by position) and soft hints (missing greeting / farewell).

    Masked at the source: the draft itself is not kept, only `pieces` — the draft cut at finding
    boundaries with personal data masked, each flagged when it lies inside a finding span. Build it
    with `CheckResult.of`, which masks every finding's text too, whichever detector found it.
    """

    findings: tuple[Finding, ...]
    hints: tuple[str, ...] = ()
    pieces: tuple[tuple[str, bool], ...] = ()

    @classmethod
    def of(cls, draft: str, findings: Sequence[Finding], hints: Sequence[str] = ()) -> CheckResult:
        """The result for `draft`: personal-data findings (kind "pii", their `text` already masked)
        replace their span everywhere else — in other findings' text and in the pieces."""
        pii = sorted((f for f in findings if f.kind == "pii"), key=lambda f: f.start)
        masked = tuple(f if f.kind == "pii" else replace(f, text=_masked_slice(draft, pii, f.start, f.end))
                       for f in findings)
        intervals: list[list[int]] = []
        for f in sorted(findings, key=lambda f: f.start):
            if intervals and f.start < intervals[-1][1]:
                intervals[-1][1] = max(intervals[-1][1], f.end)
            else:
                intervals.append([f.start, f.end])
        pieces: list[tuple[str, bool]] = []
        pos = 0
        for start, end in intervals:
            if start > pos:
                pieces.append((_masked_slice(draft, pii, pos, start), False))
            pieces.append((_masked_slice(draft, pii, start, end), True))
            pos = end
        if pos < len(draft):
            pieces.append((_masked_slice(draft, pii, pos, len(draft)), False))
        return cls(masked, tuple(hints), tuple(pieces))

    @property
    def ok(self) -> bool:
        return not self.findings

    def masked_draft(self) -> str:
        """The draft with every personal-data span replaced by its masked form."""
        return "".join(text for text, _ in self.pieces)

    def marked(self, *, open_mark: str = "【", close_mark: str = "】") -> str:
        """The masked draft with finding spans wrapped in marks (overlapping spans merged)."""
        return "".join(f"{open_mark}{text}{close_mark}" if inside else text for text, inside in self.pieces)


def _masked_slice(draft: str, pii: Sequence[Finding], start: int, end: int) -> str:
    """draft[start:end] with personal data masked: a number wholly inside by its masked form, a
    part of one cut by the span boundary by asterisks."""
    out: list[str] = []
    pos = start
    for f in pii:
        s, e = max(f.start, pos), min(f.end, end)
        if e <= s:
            continue
        out.append(draft[pos:s])
        out.append(f.text if (f.start >= start and f.end <= end and s == f.start) else "*" * (e - s))
        pos = e
    out.append(draft[pos:end])
    return "".join(out)


class PhraseMatcher:
    """All forbidden-rule patterns and exceptions in one Aho-Corasick automaton.

    Every literal of every part (not only the first) is a key, so one pass over the draft finds
    all of them; a pattern's later parts are then looked up among the occurrences, never searched.
    """

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        refs: dict[str, list[tuple[int, Pattern | None, bool, int]]] = {}
        part_ids: dict[tuple[str, ...], int] = {}
        self._parts: dict[int, tuple[int, ...]] = {}  # id(pattern) -> ids of its later parts
        for ri, rule in enumerate(rules):
            for is_exc, pats in ((False, rule.patterns), (True, rule.exceptions)):
                for pat in pats:
                    for alt in pat.parts[0]:
                        refs.setdefault(alt, []).append((ri, pat, is_exc, -1))
                    ids = []
                    for part in pat.parts[1:]:
                        if part not in part_ids:
                            part_ids[part] = len(part_ids)
                            for alt in part:
                                refs.setdefault(alt, []).append((-1, None, False, part_ids[part]))
                        ids.append(part_ids[part])
                    self._parts[id(pat)] = tuple(ids)
        self._automaton = build_automaton(refs)

    def match(self, view: Compact) -> list[tuple[Rule, int, int]]:
        """(rule, start, end) in `view` coordinates, exceptions and clause conditions applied."""
        if self._automaton is None or not view.text:
            return []
        firsts: list[tuple[int, Pattern, bool, int, int]] = []
        occ: dict[int, list[tuple[int, int]]] = {}
        for last, (klen, refs) in self._automaton.iter(view.text):
            start = last - klen + 1
            for ri, pat, is_exc, part in refs:
                if pat is None:
                    occ.setdefault(part, []).append((start, last + 1))
                else:
                    firsts.append((ri, pat, is_exc, start, last + 1))
        for spans in occ.values():
            spans.sort()
        starts = {part: [s for s, _ in spans] for part, spans in occ.items()}
        cands: list[tuple[int, int, int]] = []
        exc_hits: list[tuple[int, Pattern, int, int]] = []
        for ri, pat, is_exc, start, end in firsts:
            if is_exc:
                exc_hits.append((ri, pat, start, end))  # resolved only if the rule has a candidate
                continue
            done = self._complete(view, pat, start, end, occ, starts)
            if done is not None:
                cands.append((ri, start, done))
        if not cands:
            return []
        with_cands = {ri for ri, _, _ in cands}
        excepted: dict[int, list[tuple[int, int]]] = {}
        for ri, pat, start, anchor_end in exc_hits:
            if ri in with_cands:
                done = self._complete(view, pat, start, anchor_end, occ, starts)
                if done is not None:
                    excepted.setdefault(ri, []).append((start, done))
        return [(self.rules[ri], s, e) for ri, s, e in cands
                if not any(xs < e and s < xe for xs, xe in excepted.get(ri, ()))]

    def _complete(self, view: Compact, pat: Pattern, start: int, pos: int,
                  occ: dict[int, list[tuple[int, int]]], starts: dict[int, list[int]]) -> int | None:
        """End of the whole pattern whose first part spans [start, pos), conditions checked."""
        for part in self._parts[id(pat)]:
            spans = occ.get(part)
            if not spans:
                return None
            # Earliest occurrence within the gap, the longest there (正忙 / 正忙着 -> 正忙着).
            i = bisect_left(starts[part], pos)
            best, best_end = -1, -1
            while i < len(spans) and spans[i][0] <= pos + pat.max_gap:
                s, e = spans[i]
                if best < 0 or (s == best and e > best_end):
                    best, best_end = s, e
                elif s > best:
                    break
                i += 1
            if best < 0:
                return None
            pos = best_end
        if (pat.clause_start or pat.clause_end) and not _clause_ok(view, pat, start, pos):
            return None
        return pos


class _PrefixMax:
    """Fenwick tree of maxima: update(i, v), query(i) = max value at positions <= i (log time)."""

    def __init__(self, size: int):
        self.tree = [-1] * (size + 1)

    def update(self, i: int, value: int) -> None:
        i += 1
        while i < len(self.tree):
            if self.tree[i] < value:
                self.tree[i] = value
            i += i & -i

    def query(self, i: int) -> int:
        i += 1
        best = -1
        while i > 0:
            best = max(best, self.tree[i])
            i -= i & -i
        return best


def _clause_ok(view: Compact, pat: Pattern, start: int, end: int) -> bool:
    text, bounds = view.text, view.boundaries
    if pat.clause_start:
        s = start
        while s not in bounds and s > 0 and text[s - 1] in _LEADING:
            s -= 1
        if s not in bounds:
            return False
    if pat.clause_end:
        e = end
        while e not in bounds and e < len(text) and text[e] in _TRAILING:
            e += 1
        if e not in bounds:
            return False
    return True


class Checker:
    """Runs every detector over a draft; build once, call `check` many times (thread-safe)."""

    def __init__(self, rules: RuleSet, *, phrasebook: Phrasebook | None = None,
                 settings: dict[str, str] | None = None):
        self.ruleset = rules
        self.phrases = PhraseMatcher(rules.rules)
        self.classified = Classified(rules)
        self._suggestions = {r.id: _suggestion(r, phrasebook, settings or {}) for r in rules.rules}
        self._messages = {r.id: t("check.why", why=r.why, source=r.source) for r in rules.rules}
        items: list[Marker | Topic] = [*rules.markers, *rules.topics]
        self._secret_text = {m.id: (t("check.why", why=m.why, source=m.source), m.suggestion) for m in items}
        self._pii_text = {c: (t(f"pii.{c}.message"), t(f"pii.{c}.suggestion"))
                          for c in ("id_card", "mobile", "bank_card", "email")}

    @classmethod
    def load(cls, rules_dir: Path | None = None, *, phrasebook: Phrasebook | None = None,
             settings: dict[str, str] | None = None) -> Checker:
        """Load the rule files (DataError with file:line when broken) and build a checker."""
        scenarios = {s.id for s in phrasebook.scenarios} if phrasebook is not None else None
        return cls(load_rules(rules_dir, scenarios=scenarios), phrasebook=phrasebook, settings=settings)

    def check(self, draft: str) -> CheckResult:
        """Every finding in `draft`, sorted by position, plus soft hints."""
        folded = fold_draft(draft)
        findings = self._forbidden(folded)
        pii = self._pii(folded)
        findings += pii
        findings += self._secrets(folded, pii)
        findings.sort(key=lambda f: (f.start, f.end, f.kind))
        return CheckResult.of(draft, findings, self._hints(folded))

    def _forbidden(self, folded: Folded) -> list[Finding]:
        raw: dict[tuple[str, int, int], Rule] = {}
        view = folded.compact
        quoted: list[tuple[int, int]] | None = None
        cleared: dict[tuple[str, int], bool] = {}  # (rule, sentence start) -> an `unless` word is there
        for rule, s, e in self.phrases.match(view):
            if rule.unless:
                ss, se = view.sentence_of(s)
                if (rule.id, ss) not in cleared:
                    cleared[(rule.id, ss)] = any(w in view.text[ss:se] for w in rule.unless)
                if cleared[(rule.id, ss)]:
                    continue
            os, oe = view.span(s, e)
            if rule.quoted_ok:
                if quoted is None:
                    original = folded.original
                    quoted = ([m.span(m.lastindex or 0) for m in _QUOTED.finditer(original)]
                              if any(q in original for q in _QUOTES) else [])
                if any(qs <= os and oe <= qe for qs, qe in quoted):
                    continue
            raw[(rule.id, os, oe)] = rule
        # Overlapping matches of one rule become one span (没看我正忙 + 我正忙着 -> 没看我正忙着).
        merged: list[tuple[Rule, int, int]] = []
        for (_, s, e), rule in sorted(raw.items(), key=lambda kv: (kv[0][0], kv[0][1], -kv[0][2])):
            if merged and merged[-1][0].id == rule.id and s < merged[-1][2]:
                merged[-1] = (rule, merged[-1][1], max(e, merged[-1][2]))
            else:
                merged.append((rule, s, e))
        # Longest first, so that a phrase swallows a shorter match of the same category inside it.
        merged.sort(key=lambda m: (m[1] - m[2], m[1]))
        kept: list[Finding] = []
        covers: dict[str, _PrefixMax] = {}
        for rule, s, e in merged:
            cover = covers.setdefault(rule.category, _PrefixMax(len(folded.original) + 1))
            if cover.query(s) >= e:  # a kept span of this category starting at or before s reaches e
                continue
            cover.update(s, e)
            kept.append(Finding("forbidden", rule.category, rule.id, s, e, folded.original[s:e],
                                self._messages[rule.id], self._suggestions[rule.id], rule.severity))
        return kept

    def _pii(self, folded: Folded) -> list[Finding]:
        out = []
        for m in find_pii(folded, self.ruleset.pii):
            message, suggestion = self._pii_text[m.category]
            s, e = folded.wide.span(m.start, m.end)
            out.append(Finding("pii", m.category, f"pii.{m.category}", s, e, m.masked, message, suggestion, "error"))
        return out

    def _secrets(self, folded: Folded, pii: list[Finding]) -> list[Finding]:
        ci, wi = folded.compact_index, folded.wide_index
        contacts = [(ci(wi(f.start)), ci(wi(f.end - 1)) + 1) for f in pii]
        found: list[tuple[str, str, int, int]] = []
        for h in self.classified.find(folded, contacts):
            s, e = folded.compact.span(h.start, h.end)
            found.append((h.category, h.rule, s, e))
        # Overlapping matches of one rule become one span.
        found.sort(key=lambda x: (x[1], x[2], -x[3]))
        merged: list[tuple[str, str, int, int]] = []
        for cat, rule, s, e in found:
            if merged and merged[-1][1] == rule and s < merged[-1][3]:
                merged[-1] = (cat, rule, merged[-1][2], max(e, merged[-1][3]))
            else:
                merged.append((cat, rule, s, e))
        out = []
        for cat, rule, s, e in merged:
            message, suggestion = self._secret_text[rule]
            out.append(Finding("secret", cat, rule, s, e, folded.original[s:e], message, suggestion, "error"))
        return out

    def _hints(self, folded: Folded) -> tuple[str, ...]:
        text = folded.compact.text
        if len(text) < _MIN_HINT_CHARS:
            return ()
        hints = []
        if not any(g in text for g in _GREETINGS):
            hints.append(t("check.hint.greeting"))
        if not any(f in text for f in _FAREWELLS):
            hints.append(t("check.hint.farewell"))
        return tuple(hints)


def _suggestion(rule: Rule, phrasebook: Phrasebook | None, settings: dict[str, str]) -> str:
    if phrasebook is None or not rule.scenario:
        return rule.suggestion
    scenario = phrasebook.get(rule.scenario)
    if scenario is None:
        return rule.suggestion
    phrase = phrasebook.render(scenario.id, settings)[0]
    return t("check.suggest_with_phrase", suggestion=rule.suggestion, title=scenario.title, phrase=phrase)


@lru_cache(maxsize=1)
def default_checker() -> Checker:
    """The checker over the shipped rules and phrasebook (loaded once per process)."""
    from bot.core.phrases.phrasebook import load_phrasebook

    return Checker.load(phrasebook=load_phrasebook())


def example_problems(checker: Checker) -> list[Problem]:
    """Every rule's must-hit / must-not-hit example that does not behave, as file:line problems."""
    rs = checker.ruleset
    items: list[Rule | Marker | Topic] = [*rs.rules, *rs.markers, *rs.topics]
    problems: list[Problem] = []
    for item in items:
        for draft in item.examples.hit:
            if not any(f.rule == item.id for f in checker.check(draft).findings):
                problems.append(Problem(item.file, item.line, f"{item.id}: must-hit example not flagged: {draft!r}"))
        for draft in item.examples.clean:
            if any(f.rule == item.id for f in checker.check(draft).findings):
                problems.append(Problem(item.file, item.line, f"{item.id}: must-not-hit example flagged: {draft!r}"))
    return problems
