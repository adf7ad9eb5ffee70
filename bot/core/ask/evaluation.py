"""Measure the ask engine on an evaluation file (format: shared/eval/README.md), and fit its
fusion weights and decision thresholds by cross-validation on a fit set."""

from __future__ import annotations

import itertools
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from rapidfuzz import fuzz, process

from bot.core.ask.decision import Decision, Scored, decide
from bot.core.ask.knowledge import Entry
from bot.core.ask.matcher import AskResult, Matcher, MatcherConfig, evidence, fuse
from bot.core.schema import pydantic_problems
from bot.core.text.normalize import normalize_query
from bot.core.yamlfile import DataError, InputFileError, Problem, line_of, load_with_lines

NEAR_DUPLICATE = 80.0  # RapidFuzz ratio to an alternate question at which a question is a near-duplicate


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(slots=True)
class Miss:
    question: str
    expected: list[str]
    status: str
    got: list[str]  # titles of the returned candidates
    kind: str  # "wrong-confident", "not-at-1", "not-in-3", "oos-answered"
    topic: str = ""
    style: str = ""


@dataclass(slots=True)
class Figures:
    """The four headline figures of one slice (a whole set, a topic or a style)."""

    n: int = 0
    answer_at_1: float = 0.0
    hit_at_3: float = 0.0
    wrong_confident: float = 0.0
    n_oos: int = 0
    oos_refused: float = 0.0


@dataclass(slots=True)
class AskReport:
    """answer@1, hit@3, MRR, out-of-scope refused and wrong-confident rate, with the misses,
    per-topic and per-style breakdowns, the near-duplicate rate and the signals that ran."""

    n: int = 0
    answer_at_1: float = 0.0
    hit_at_1: float = 0.0  # the first candidate is right and the question is not refused (answer, clarify or clause)
    hit_at_3: float = 0.0
    mrr: float = 0.0
    rank_at_1: float = 0.0  # a right entry ranked first, whatever the decision
    rank_at_3: float = 0.0  # ... among the first three
    wrong_confident: float = 0.0
    paired: float = 0.0  # answered with two entries of one rule (`AskResult.paired`)
    paired_second: float = 0.0  # ... and right by the second entry alone
    n_oos: int = 0
    oos_refused: float = 0.0
    near_duplicates: float = 0.0
    signals: list[str] = field(default_factory=list)
    signal_note: str = ""
    by_topic: dict[str, Figures] = field(default_factory=dict)
    by_style: dict[str, Figures] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)

    def lines(self) -> list[str]:
        signals = " + ".join(self.signals) + (f" (semantic off: {self.signal_note})" if self.signal_note else "")
        return [
            f"signals            {signals}",
            f"questions          {self.n}",
            f"answer@1           {self.answer_at_1:.3f}",
            f"hit@1              {self.hit_at_1:.3f}",
            f"hit@3              {self.hit_at_3:.3f}",
            f"MRR                {self.mrr:.3f}",
            f"rank-only hit@1    {self.rank_at_1:.3f}  (ranking alone, whatever the decision)",
            f"rank-only hit@3    {self.rank_at_3:.3f}",
            f"wrong-confident    {self.wrong_confident:.3f}",
            f"paired answers     {self.paired:.3f}  (right by the second entry only: {self.paired_second:.3f})",
            f"out-of-scope       {self.n_oos}",
            f"oos refused        {self.oos_refused:.3f}",
            f"near-duplicates    {self.near_duplicates:.3f}  (ratio >= {NEAR_DUPLICATE:.0f} to an alternate question)",
        ]

    def breakdown_lines(self) -> list[str]:
        out = []
        for title, table in (("style", self.by_style), ("topic", self.by_topic)):
            if not table or list(table) == [""]:
                continue
            out.append(f"by {title}:{'':<16} n   a@1   h@3   wrong  oos  refused")
            for key, f in sorted(table.items(), key=lambda kv: (-kv[1].n - kv[1].n_oos, kv[0])):
                out.append(f"  {key or '-':<22}{f.n:>4} {f.answer_at_1:5.2f} {f.hit_at_3:5.2f} {f.wrong_confident:6.3f}"
                           f" {f.n_oos:>4} {f.oos_refused:7.2f}")
        return out


class _FileItem(BaseModel):
    """An evaluation file's item as written (other fields allowed)."""

    model_config = ConfigDict(extra="allow")


class _AskItem(_FileItem):
    q: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
    expect: list[str] = []


class _DraftItem(_FileItem):
    draft: Annotated[str, StringConstraints(max_length=100_000)]
    hits: list[str] = []
    kinds: list[str] = []
    forbidden: bool = False


_ITEM_MODELS: dict[str, type[_FileItem]] = {"ask": _AskItem, "out_of_scope": _AskItem, "check": _DraftItem,
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


def answers_expect(entry: Entry, expect: list[str]) -> bool:
    """The README's criterion: the entry's title + answer contains one `expect` string."""
    text = _plain(entry.title + entry.answer)
    return any(_plain(e) in text for e in expect)


def near_duplicate_rate(matcher: Matcher, questions: Iterable[str]) -> float:
    """Share of `questions` whose folded form has an alternate question at RapidFuzz ratio >= 80:
    a set full of those measures memory of the knowledge base, not understanding."""
    alts = sorted({normalize_query(q) for e in matcher.kb.entries for q in (e.title, *e.questions)})
    qs = [normalize_query(q) for q in questions]
    hits = sum(1 for q in qs if process.extractOne(q, alts, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE))
    return hits / len(qs) if qs else 0.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """One in-scope question's outcome as `kb eval` counts it (`outcome`)."""

    first: int | None  # rank among the offered matches of the first right entry; None: none offered
    right: bool  # answered, and the answer states a right entry (the second too when paired)
    wrong: bool  # answered and not right: wrong-confident
    hit_at_1: bool  # not refused, and the first match is right
    hit_at_3: bool  # not refused, and a right entry among the first three matches
    rank_at_1: bool  # a right entry ranked first by score alone, whatever the decision
    rank_at_3: bool  # ... among the first three
    clarify_first_right: bool  # candidates offered though the first was right

    @property
    def paired_second(self) -> bool:
        """Right only by the second entry of a paired answer."""
        return self.right and self.first == 1


def outcome_of_ids(status: str, paired: bool, matches: Sequence[str], ranked: Sequence[str],
                   right_ids: Collection[str]) -> Outcome:
    """`outcome` on a result kept as entry ids: its status, whether paired, the ids of its matches
    (offered order) and of its first ranked entries (benchmarks/pair_outcomes.py stores these)."""
    first = next((r for r, e in enumerate(matches) if e in right_ids), None)
    answered = (2 if paired else 1) if status == "answer" else 0
    right = first is not None and first < answered
    by_score = [e in right_ids for e in ranked[:3]]
    return Outcome(first=first, right=right, wrong=status == "answer" and not right,
                   hit_at_1=status != "unknown" and first == 0,
                   hit_at_3=status != "unknown" and first is not None and first < 3,
                   rank_at_1=bool(by_score) and by_score[0], rank_at_3=any(by_score),
                   clarify_first_right=status == "clarify" and first == 0)


def outcome(result: AskResult, right_ids: Collection[str]) -> Outcome:
    """How `kb eval` counts `result` of an in-scope question whose right entries are `right_ids`: a
    paired answer states its first two matches (`AskResult.answered`), hits count unless refused."""
    return outcome_of_ids(result.status, result.paired, [m.entry.id for m in result.matches],
                          [m.entry.id for m in result.ranked[:3]], right_ids)


def _figures(rows: list[tuple[str, bool, bool, bool]]) -> Figures:
    """rows: (kind, answered right at 1, hit in 3, wrong-confident) with kind 'ask' or 'oos'."""
    asks = [r for r in rows if r[0] == "ask"]
    oos = [r for r in rows if r[0] == "oos"]
    n = len(asks)
    return Figures(n, sum(r[1] for r in asks) / n if n else 0.0, sum(r[2] for r in asks) / n if n else 0.0,
                   sum(r[3] for r in asks) / n if n else 0.0, len(oos),
                   sum(r[1] for r in oos) / len(oos) if oos else 0.0)


def evaluate_ask(matcher: Matcher, data: dict[str, list[dict[str, Any]]],
                 step: Callable[[], None] | None = None) -> AskReport:
    """Run every `ask` and `out_of_scope` question through `matcher.ask`."""
    rep = AskReport(signals=list(matcher.signals), signal_note=getattr(matcher, "semantic_off", ""))
    asks = data.get("ask", [])
    rr = h1 = ranked_1 = ranked_3 = paired = paired_second = 0.0
    slices: dict[tuple[str, str], list[tuple[str, bool, bool, bool]]] = defaultdict(list)
    everything: list[tuple[str, bool, bool, bool]] = []
    for item in asks:
        q, expect = str(item["q"]), [str(e) for e in item.get("expect", [])]
        topic, style = str(item.get("topic", "")), str(item.get("style", ""))
        res = matcher.ask(q, limit=3)
        out = outcome(res, {m.entry.id for m in (*res.matches, *res.ranked[:3]) if answers_expect(m.entry, expect)})
        first, right, wrong, hit = out.first, out.right, out.wrong, out.hit_at_3
        ranked_1 += out.rank_at_1
        ranked_3 += out.rank_at_3
        paired += res.status == "answer" and res.paired
        paired_second += out.paired_second
        if not right:
            kind = "wrong-confident" if wrong else "not-at-1" if hit else "not-in-3"
            rep.misses.append(Miss(q, expect, res.status, [m.entry.title for m in res.matches], kind, topic, style))
        h1 += out.hit_at_1
        if res.status != "unknown" and first is not None:
            rr += 1.0 / (first + 1)
        row = ("ask", right, hit, wrong)
        everything.append(row)
        slices[("topic", topic)].append(row)
        slices[("style", style)].append(row)
        if step:
            step()
    for item in data.get("out_of_scope", []):
        q, style = str(item["q"]), str(item.get("style", ""))
        res = matcher.ask(q, limit=3)
        refused = res.status == "unknown"
        if not refused:
            rep.misses.append(Miss(q, [], res.status, [m.entry.title for m in res.matches], "oos-answered",
                                   "", style))
        row = ("oos", refused, False, False)
        everything.append(row)
        slices[("topic", "(out of scope)")].append(row)
        slices[("style", style)].append(row)
        if step:
            step()
    total = _figures(everything)
    rep.n, rep.answer_at_1, rep.hit_at_3, rep.wrong_confident = total.n, total.answer_at_1, total.hit_at_3, \
        total.wrong_confident
    rep.n_oos, rep.oos_refused = total.n_oos, total.oos_refused
    rep.mrr = rr / total.n if total.n else 0.0
    rep.rank_at_1 = ranked_1 / total.n if total.n else 0.0
    rep.rank_at_3 = ranked_3 / total.n if total.n else 0.0
    rep.paired = paired / total.n if total.n else 0.0
    rep.paired_second = paired_second / total.n if total.n else 0.0
    rep.by_topic = {k: _figures(v) for (axis, k), v in slices.items() if axis == "topic"}
    rep.by_style = {k: _figures(v) for (axis, k), v in slices.items() if axis == "style"}
    rep.near_duplicates = near_duplicate_rate(matcher, [str(i["q"]) for i in asks]
                                              + [str(i["q"]) for i in data.get("out_of_scope", [])])
    rep.hit_at_1 = h1 / total.n if total.n else 0.0
    return rep


# ----------------------------------------------------------------------------- fitting


@dataclass(frozen=True, slots=True)
class Fusion:
    """The fusion settings a fit explores (see MatcherConfig)."""

    semantic_weight: float
    semantic_floor: float
    unknown_weight: float


@dataclass(frozen=True, slots=True)
class Fit:
    fusion: Fusion
    rule: Decision
    answer_at_1: float
    hit_at_3: float
    wrong_confident: float
    oos_refused: float

    def config(self, base: MatcherConfig, *, semantic: bool) -> MatcherConfig:
        f = self.fusion
        if semantic:
            return replace(base, semantic_weight=f.semantic_weight, semantic_floor=f.semantic_floor,
                           unknown_weight=f.unknown_weight, fused=self.rule)
        return replace(base, unknown_weight=f.unknown_weight, lexical=self.rule)


@dataclass(slots=True)
class _Item:
    oos: bool
    vague: bool
    expect: list[str]
    # per unknown weight: (doc, lexical, question cosine, answer cosine, decoy, correct)
    features: dict[float, list[tuple[int, float, float, float, bool, bool]]]


def _collect(matcher: Matcher, data: dict[str, list[dict[str, Any]]], unknown_weights: tuple[float, ...],
             step: Callable[[], None] | None = None) -> list[_Item]:
    """Candidate features of every question, computed once (one embedding per question)."""
    n_entries = len(matcher.kb.entries)
    semantic = getattr(matcher, "semantic", None)
    items = [(str(i["q"]), [str(e) for e in i.get("expect", [])], False) for i in data.get("ask", [])]
    items += [(str(i["q"]), [], True) for i in data.get("out_of_scope", [])]
    out = []
    for asked, expect, oos in items:
        q = matcher.respell(asked)  # as `Matcher.ask` reads it
        vector = semantic.vector(q) if semantic is not None else None
        feats = {}
        for uw in unknown_weights:
            rows = []
            for doc, lex, qc, ac in matcher.features(q, vector=vector, unknown_weight=uw):
                decoy = doc >= n_entries
                correct = not decoy and not oos and answers_expect(matcher.kb.entries[doc], expect)
                rows.append((doc, lex, qc, ac, decoy, correct))
            feats[uw] = rows
        out.append(_Item(oos, matcher.is_vague(q), expect, feats))
        if step:
            step()
    return out


def _outcomes(items: list[_Item], cfg: MatcherConfig, fusion: Fusion, rules: list[Decision],
              semantic: bool, n_entries: int) -> np.ndarray:
    """(rules, items, 4) booleans: right at 1, hit in 3, wrong-confident, refused; through `decide`."""
    cfg = replace(cfg, semantic_weight=fusion.semantic_weight, semantic_floor=fusion.semantic_floor)
    ranked_items = []
    for it in items:
        rows = it.features[fusion.unknown_weight]
        signals = [(doc, lex, qc if semantic else -1.0, ac) for doc, lex, qc, ac, _, _ in rows]
        ranked = [Scored(doc, round(fuse(cfg, lex, qc, ac), 2), decoy)
                  for (doc, lex, qc, ac), (*_, decoy, _) in zip(signals, rows, strict=True)]
        ranked.sort(key=lambda r: (-r.score, r.doc))
        ranked_items.append((it.oos, it.vague, ranked[:8], evidence(signals, n_entries),
                             {row[0] for row in rows if row[5]}))
    out = np.zeros((len(rules), len(items), 4), dtype=bool)
    for r, rule in enumerate(rules):
        for i, (oos, vague, ranked, seen, correct) in enumerate(ranked_items):
            status, offered = decide(ranked, rule, limit=3, vague=vague, evidence=seen)
            first_right = bool(offered) and offered[0].doc in correct
            answered = status == "answer"
            out[r, i] = (answered and first_right, status != "unknown" and any(o.doc in correct for o in offered),
                         answered and not first_right and not oos, status == "unknown")
    return out


def wilson(k: Any, n: Any, z: float) -> tuple[Any, Any]:
    """Wilson score interval of the rate k/n at normal quantile z ((0, 1) where n is 0); `k` and `n`
    may be arrays of counts and sizes."""
    sizes = np.asarray(n, dtype=float)
    if sizes.ndim == 0 and sizes <= 0:
        return 0.0, 1.0
    empty = sizes <= 0
    n = np.where(empty, 1.0, sizes)
    p = np.asarray(k, dtype=float) / n
    centre = p + z * z / (2 * n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo = np.where(empty, 0.0, np.maximum(0.0, (centre - half) / (1 + z * z / n)))
    hi = np.where(empty, 1.0, np.minimum(1.0, (centre + half) / (1 + z * z / n)))
    return (float(lo), float(hi)) if lo.ndim == 0 else (lo, hi)


# Normal quantile of the two-sided 95 % interval the limits hold for.
LIMIT_Z = 1.959964


def _scores(table: np.ndarray, oos: np.ndarray, idx: np.ndarray, max_wrong: float,
            min_refused: float) -> tuple[np.ndarray, np.ndarray]:
    """(objective per rule, figures per rule: answer@1, hit@3, wrong-confident, refused) on items `idx`.

    The objective is answer@1 + hit@3 among the rules whose 95 % Wilson bounds, not rates, keep
    wrong-confident <= max_wrong and out-of-scope refused >= min_refused (a limit met by the rate
    on the questions it was fitted on slips on new wording); when no rule does, the one least past
    the limits. A clarify band below the answer cutoff earns hit@3, so the fit keeps one instead of
    collapsing it into the answer cutoff.
    """
    asks, outs = idx[~oos[idx]], idx[oos[idx]]
    a = table[:, asks, :3].mean(axis=1) if len(asks) else np.zeros((len(table), 3))
    refused = table[:, outs, 3].mean(axis=1) if len(outs) else np.ones(len(table))
    figures = np.column_stack([a, refused])
    _, wrong_hi = wilson(a[:, 2] * len(asks), len(asks), LIMIT_Z)
    refused_lo, _ = wilson(refused * len(outs), len(outs), LIMIT_Z) if len(outs) else (refused, refused)
    past = np.maximum(0.0, wrong_hi - max_wrong) + np.maximum(0.0, min_refused - refused_lo)
    objective = np.where(past > 0, -10.0 - past, a[:, 0] + a[:, 1])
    return objective, figures


def rule_grid(semantic: bool) -> list[Decision]:
    """Candidate rules: a clarify band below the answer cutoff, and with the semantic signal the
    out-of-scope cosine gap and the cutoff when both signals agree."""
    rules = []
    decoy_cosines: tuple[float | None, ...] = (None, 0.02, 0.03, 0.04) if semantic else (None,)
    for clarify in range(30, 64, 3):
        for cutoff in range(clarify, 82, 3):
            agreed: tuple[float | None, ...] = (None,)
            if semantic:
                agreed = (None, *(float(a) for a in range(max(clarify, cutoff - 12), cutoff, 3)))
            for margin in (0, 2, 4, 8):
                for gap in decoy_cosines:
                    for a in agreed:
                        rules.append(Decision(float(cutoff), float(margin), float(clarify), float(cutoff), gap, a))
    return rules


def fusion_grid(semantic: bool, unknown_weight: float) -> list[Fusion]:
    """Fusion settings to explore; the lexical-only fallback keeps the configured unknown-word
    weight (one setting serves both signal sets) and fits only its thresholds."""
    if not semantic:
        return [Fusion(0.0, 0.8, unknown_weight)]
    return [Fusion(w, f, u) for w, f, u in itertools.product((0.5, 0.65, 0.8), (0.82,), (1.0, 0.5))]


def join_eval_files(paths: Sequence[Path]) -> tuple[dict[str, list[dict[str, Any]]], list[int]]:
    """Several evaluation files as one set, with each question's file number in `fit`'s order
    (every file's in-scope questions, then every file's out-of-scope ones)."""
    data: dict[str, list[dict[str, Any]]] = {"ask": [], "out_of_scope": []}
    asks: list[int] = []
    outs: list[int] = []
    for n, path in enumerate(paths):
        one = load_eval_file(path)
        data["ask"] += one.get("ask", [])
        data["out_of_scope"] += one.get("out_of_scope", [])
        asks += [n] * len(one.get("ask", []))
        outs += [n] * len(one.get("out_of_scope", []))
    return data, asks + outs


def fit(matcher: Matcher, data: dict[str, list[dict[str, Any]]], *, folds: int = 5, max_wrong: float = 0.03,
        min_refused: float = 0.93, seed: int = 15, groups: Sequence[int] | None = None,
        step: Callable[[], None] | None = None) -> tuple[Fit, tuple[float, float, float, float]]:
    """Fit fusion weights and thresholds on `data`, for the signals `matcher` runs.

    Returns the fit on all of `data` and the cross-validated figures (answer@1, hit@3,
    wrong-confident, oos refused: each fold scored with settings fitted on the other folds only).
    The folds are `folds` random parts, or with `groups` (one number per question, in the order of
    `join_eval_files`) one group each: a set written by other people in other voices is what a new
    set will look like, so several files are best left out one at a time.
    """
    semantic = matcher.signals == ("lexical", "semantic")
    fusions = fusion_grid(semantic, matcher.config.unknown_weight)
    items = _collect(matcher, data, tuple(sorted({f.unknown_weight for f in fusions})), step)
    rules = rule_grid(semantic)
    n_entries = len(matcher.kb.entries)
    tables = [_outcomes(items, matcher.config, f, rules, semantic, n_entries) for f in fusions]
    oos = np.array([it.oos for it in items], dtype=bool)
    if groups is not None:
        if len(groups) != len(items):
            raise ValueError(f"{len(groups)} group numbers for {len(items)} questions")
        fold_of = np.asarray(groups, dtype=int)
        folds = int(fold_of.max()) + 1 if len(fold_of) else 0
    else:
        order = np.random.default_rng(seed).permutation(len(items))
        fold_of = np.empty(len(items), dtype=int)
        fold_of[order] = np.arange(len(items)) % folds

    def best(idx: np.ndarray) -> tuple[int, int]:
        top = (-np.inf, 0, 0)
        for f, table in enumerate(tables):
            objective, _ = _scores(table, oos, idx, max_wrong, min_refused)
            r = int(np.argmax(objective))
            if objective[r] > top[0]:
                top = (float(objective[r]), f, r)
        return top[1], top[2]

    held_out = np.zeros((len(items), 4), dtype=bool)
    for k in range(folds):
        f, r = best(np.flatnonzero(fold_of != k))
        test = np.flatnonzero(fold_of == k)
        held_out[test] = tables[f][r, test]
    _, cv = _scores(held_out[None], oos, np.arange(len(items)), max_wrong, min_refused)
    f, r = best(np.arange(len(items)))
    _, whole = _scores(tables[f][r:r + 1], oos, np.arange(len(items)), max_wrong, min_refused)
    a1, h3, wc, refused = (float(x) for x in whole[0])
    c1, c3, cw, cr = (float(x) for x in cv[0])
    return Fit(fusions[f], rules[r], a1, h3, wc, refused), (c1, c3, cw, cr)
