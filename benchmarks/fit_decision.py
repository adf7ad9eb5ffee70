"""Refit the calibrated ranking and decision (knowledge/decision.yaml) by cross-validation on FIT sets.

Run:  .venv/bin/python benchmarks/fit_decision.py FILE [FILE ...] [--write] [--no-rerank]
          [--max-wrong 0.03 ...] [--min-refused 0.93 ...] [--confidence 0.95]
          [--group-max-wrong 0.03 ...] [--group-min-refused 0.93 ...] [--group-confidence 0.68 ...]
          [--features NAME ...] [--answer-features NAME ...] [--candidate-features NAME ...]
          [--questions CACHE.json]

For every question of the evaluation files (format: shared/eval/README.md) the matcher lists its
candidates with both signals (bot/core/ask/matcher.py `features`). Fitted on them, in order:
- `rerank` (unless --no-rerank): a conditional logit over each question's candidate entries and a
  "none of them" alternative (bot/core/ask/calibration.py `Reranker`), maximising the probability
  of the right entries (of "none" for out-of-scope questions and when no candidate is right);
- `answer` and `reach`: L2-regularised logistic models over the calibration features of the first
  entry in that order (is it right? is a right entry among the first three?);
- the two probabilities at which `decide` answers and offers candidates, chosen to maximise
  answer@1 + hit@3 while the limits on wrong-confident answers and on refused out-of-scope
  questions hold for the Wilson confidence bounds, not the rates, of out-of-file probabilities
  (each file's from models fitted on the other files): a limit met by the rate on the questions it
  was fitted on slips on new wording. The limits hold pooled and in every file on its own
  (`GroupLimits`, with an allowance for a file's few questions): a pooled bound alone lets a fit
  spend the limit on one set of writers.

Cross-validation is grouped by file: each file is scored with everything fitted on the other files
only (each set was written by other people in other voices, so this is what a new set will see).
Printed: per-file, pooled and by-style cross-validated figures with the rank-only ones and the worst
file on each limit, then the in-sample figures of the fit on everything and the worst file on the
out-of-file probabilities its thresholds were chosen on (`--shipped`: the shipped decision's first).
`--write` stores that fit in knowledge/decision.yaml; then run `libao kb build` (the shipped index
is keyed by every file of knowledge/, this one included) and `kb eval` to see it through `ask`.
Never fit on a set you report as held-out.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.ask.calibration import (  # noqa: E402
    CALIBRATION_FILE,
    CANDIDATE_FEATURES,
    EXTRA_CANDIDATE_FEATURES,
    EXTRA_CANDIDATE_FEATURES_SET,
    EXTRA_NONE_FEATURES,
    FACT_CANDIDATE_FEATURES,
    FEATURES,
    NONE_FEATURES,
    PAIRS_CLAUSE,
    Calibration,
    Logistic,
    Reading,
    Reranker,
    answered_together,
    candidate_features,
    features,
    load_calibration,
)
from bot.core.ask.evaluation import answers_expect, load_eval_file, wilson  # noqa: E402
from bot.core.ask.facts import fact_features, unmet_facts  # noqa: E402
from bot.core.ask.matcher import Matcher, fuse  # noqa: E402

L2 = 1.0  # ridge on standardised coefficients
# What the reach model reads by default: leave-one-file-out, the leads and the agreement of all
# three readings added nothing to these (answer@1 within 0.01 at the same bounds), nor, on nine
# files, the first's clause and topic against its competition (README, "How `ask` decides").
AGREEMENT_FEATURES = FEATURES[FEATURES.index("answer_lead"):]
DEFAULT_FEATURES = tuple(f for f in FEATURES if f not in {"p_logit", "lexical_lead", "question_lead", "all_agree",
                                                          "p_clause_logit", "p_clause_margin", "clause_margin",
                                                          "topic_share", *AGREEMENT_FEATURES})
# ... and the answer model: the reranker's log odds, and on a long message (read whole and by its asking
# part) a shift and slope of their own and whether the readings agree, with the share of the signals
# naming the first entry. The log odds alone were the best of many features fitted on four sets and
# read on the fifth (pooled answer@1 0.768 against 0.744 for every feature); on long messages they
# understate how often the first entry is right: leaving one of twelve files out, pooled answer@1
# 0.832 -> 0.837, stories 0.701 -> 0.766 at the same bounds (README "How `ask` decides").
DEFAULT_ANSWER_FEATURES = ("p_logit", "long", "long_p_logit", "long_agree", "votes")
# Two-sided confidence of the per-group allowance (`GroupLimits`): about one standard error, so a group of
# 400 questions may answer 15 wrong (.0375) and one of 100 out of scope must refuse 91; README, "How `ask` decides".
GROUP_CONFIDENCE = 0.68
ANSWER_GRID = np.round(np.arange(0.30, 0.981, 0.01), 3)
OFFER_GRID = np.round(np.arange(0.02, 0.801, 0.01), 3)

Row = tuple[int, float, float, float]


@dataclass(slots=True)
class Question:
    """One question's candidates and what is known about it."""

    rows: list[Row]
    fused: dict[int, float]
    right: set[int]  # candidate entries that answer it
    words: int
    unknown_share: float
    vague: bool
    oos: bool
    source: str
    coverage: dict[int, float] = field(default_factory=dict)  # share of the question each candidate explains
    style: str = ""  # the question's voice in the evaluation file (short, story, situation...), for the report
    keys: dict[int, float] = field(default_factory=dict)  # share of the question's key terms each candidate holds
    readings: dict[int, Reading] = field(default_factory=dict)  # what each reading says of each candidate alone
    long: bool = False  # read twice: whole and asking part (`Matcher.readings`)
    asked: frozenset[str] = frozenset()  # the kinds of fact it asks for (`Matcher.asked_facts`)
    text: str = ""  # the question as the matcher reads it (respelled), for features derived after collection


def collect(matcher: Matcher, files: list[Path]) -> list[Question]:
    """Rank every question of `files` once and keep what the fit needs."""
    semantic = matcher.semantic
    assert semantic is not None
    n = len(matcher.kb.entries)
    out = []
    for path in files:
        data = load_eval_file(path)
        items = [(str(i["q"]), [str(e) for e in i.get("expect", [])], False, str(i.get("style", "")))
                 for i in data.get("ask", [])]
        items += [(str(i["q"]), [], True, str(i.get("style", ""))) for i in data.get("out_of_scope", [])]
        for asked, expect, oos, style in items:
            q = matcher.respell(asked)  # as `Matcher.ask` reads it
            rows, readings, long = matcher.readings(q, vector=semantic.vector(q))
            fused = {i: round(fuse(matcher.config, lex, qc, ac), 2) for i, lex, qc, ac in rows}
            right = {r[0] for r in rows if r[0] < n and not oos and answers_expect(matcher.kb.entries[r[0]], expect)}
            words, unknown_share, coverage = matcher.word_stats(q, docs=[r[0] for r in rows if r[0] < n])
            keys = matcher.key_terms(q, docs=[r[0] for r in rows if r[0] < n])
            out.append(Question(rows, fused, right, words, unknown_share, matcher.is_vague(q), oos, path.name,
                                coverage, style, keys, readings, long, matcher.asked_facts(q), q))
    return out


def save_questions(questions: list[Question], path: Path, key: str) -> None:
    """What `collect` found, as JSON: refitting with other options need not rank everything again."""
    data = [{**{f: getattr(q, f) for f in Question.__slots__}, "right": sorted(q.right),
             "fused": list(q.fused.items()), "coverage": list(q.coverage.items()),
             "keys": list(q.keys.items()), "readings": list(q.readings.items()), "asked": sorted(q.asked)}
            for q in questions]
    path.write_text(json.dumps({"key": key, "questions": data}), encoding="utf-8")


def load_questions(path: Path, key: str) -> list[Question] | None:
    """The questions `save_questions` stored for the same knowledge, files and code; else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("key") != key:
        return None
    return [Question([tuple(r) for r in d["rows"]], {int(k): v for k, v in d["fused"]}, set(d["right"]), d["words"],
                     d["unknown_share"], d["vague"], d["oos"], d["source"], {int(k): v for k, v in d["coverage"]},
                     d.get("style", ""), {int(k): v for k, v in d.get("keys", [])},
                     {int(k): tuple(v) for k, v in d.get("readings", [])}, d.get("long", False),
                     frozenset(d.get("asked", [])), d.get("text", ""))
            for d in data["questions"]]


# ----------------------------------------------------------------------------- the reranker

def _none_x(q: Question, n: int, names: tuple[str, ...] = NONE_FEATURES) -> list[float]:
    decoys = [r for r in q.rows if r[0] >= n]
    x = {"decoy_cos": max((r[2] for r in decoys), default=-1.0),
         "decoy_lexical": max((r[1] for r in decoys), default=0.0) / 100.0,
         "unknown_share": q.unknown_share, "log_words": math.log1p(q.words), "fact_asked": float(bool(q.asked))}
    return [x[f] for f in names]


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def fit_reranker(questions: list[Question], n: int, names: tuple[str, ...] = CANDIDATE_FEATURES,
                 kin: Sequence[frozenset[int]] = (), topics: Sequence[str] = (),
                 stated: Sequence[frozenset[str]] = (), none_names: tuple[str, ...] = NONE_FEATURES) -> Reranker:
    """Newton's method with step halving on the L2-penalised log-likelihood of the right choice
    (any right candidate; "none" when there is none), over the candidate features `names`."""
    qs = [q for q in questions if any(r[0] < n for r in q.rows)]
    cands = [np.array([[f[k] for k in names]
                       for f in candidate_features([r for r in q.rows if r[0] < n], coverage=q.coverage,
                                                   topics=topics, kin=kin, keys=q.keys,
                                                   extra=not EXTRA_CANDIDATE_FEATURES_SET.isdisjoint(names),
                                                   unmet=_unmet(q, n, stated))])
             for q in qs]
    nones = np.array([_none_x(q, n, none_names) for q in qs])
    cm, cs = _standardise(np.concatenate(cands))
    nm, ns = _standardise(nones)
    p, k = len(names), max(len(c) for c in cands) + 1
    # design: candidates [x, 0, 0], "none" (last slot) [0, 1, z]
    d = np.zeros((len(qs), k, p + 1 + len(none_names)))
    present = np.zeros((len(qs), k), dtype=bool)
    right = np.zeros((len(qs), k), dtype=bool)
    for j, (q, c) in enumerate(zip(qs, cands, strict=True)):
        entries = [r[0] for r in q.rows if r[0] < n]
        d[j, : len(c), :p] = (c - cm) / cs
        d[j, -1, p] = 1.0
        d[j, -1, p + 1:] = (nones[j] - nm) / ns
        present[j, : len(c)] = present[j, -1] = True
        right[j, : len(c)] = [e in q.right for e in entries]
        right[j, -1] = not q.right
    w = np.zeros(d.shape[2])

    def objective(w: np.ndarray) -> float:
        u = np.where(present, d @ w, -np.inf)
        return float((_logsumexp(np.where(right, u, -np.inf)) - _logsumexp(u)).sum() - 0.5 * L2 * w @ w)

    current = objective(w)
    for _ in range(100):
        u = np.where(present, d @ w, -np.inf)
        prob = np.exp(u - _logsumexp(u)[:, None])
        ur = np.where(right, u, -np.inf)
        prob_right = np.exp(ur - _logsumexp(ur)[:, None])
        mean_all = np.einsum("nk,nkf->nf", prob, d)
        grad = (np.einsum("nk,nkf->nf", prob_right, d) - mean_all).sum(axis=0) - L2 * w
        # the covariance of the full softmax bounds the curvature; the line search keeps each step uphill
        hess = np.einsum("nk,nkf,nkg->fg", prob, d, d) - mean_all.T @ mean_all + L2 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-4 and objective(w + t * step) < current:
            t /= 2
        if t <= 1e-4:
            break
        w = w + t * step
        gain, current = objective(w) - current, objective(w)
        if gain < 1e-7:
            break
    candidate = Logistic(names, tuple(map(float, cm)), tuple(map(float, cs)),
                         tuple(map(float, w[:p])), 0.0)
    none = Logistic(none_names, tuple(map(float, nm)), tuple(map(float, ns)), tuple(map(float, w[p + 1:])),
                    float(w[p]))
    return Reranker(candidate, none)


def _unmet(q: Question, n: int, stated: Sequence[frozenset[str]]) -> dict[int, float]:
    """`facts.unmet_facts` of the question's candidate entries, as `Matcher` computes them (none
    without the entries' kinds)."""
    return unmet_facts(q.asked, [r[0] for r in q.rows if r[0] < n], stated.__getitem__) if stated else {}


def _logsumexp(u: np.ndarray) -> np.ndarray:
    top = u.max(axis=1)
    top = np.where(np.isfinite(top), top, 0.0)
    return top + np.log(np.exp(u - top[:, None]).sum(axis=1))


# ----------------------------------------------------------------------------- the decision

@dataclass(slots=True)
class Table:
    """Per question, in one ranking: calibration features of the first entry, whether the first /
    one of three is right, out of scope, what `decide` settles before the models (a decoy first:
    unknown; a vague question with rivals: candidates), and the file."""

    x: np.ndarray
    first_right: np.ndarray
    three_right: np.ndarray
    oos: np.ndarray
    vague: np.ndarray
    decoy_first: np.ndarray
    vague_offer: np.ndarray
    source: np.ndarray


def table(questions: list[Question], n: int, rerank: Reranker | None, clarify_cutoff: float,
          pairs: frozenset[tuple[int, int]] = frozenset(), kin: Sequence[frozenset[int]] = (),
          topics: Sequence[str] = (), stated: Sequence[frozenset[str]] = (),
          clause_kin: Sequence[frozenset[int]] = ()) -> Table:
    """Each question ranked as `Matcher._rank_with_evidence` ranks it with `rerank`; when its first
    two entries are one of `pairs` (`KnowledgeBase.one_rule`), an answer states both. kin: per
    entry, the others citing one of its clauses (`KnowledgeBase.kin`); topics: per entry, its topic;
    stated: per entry, the kinds of fact it states (`Matcher.stated_facts`); clause_kin (`pairs:
    clause`): per entry, the others citing one of its clauses, answered with it as `answered_together`
    says."""
    x, first, three, decoy_first, vague_offer = [], [], [], [], []
    for q in questions:
        reranked: tuple[list[float], float] | None = None
        order_p: tuple[int, ...] = ()
        if rerank is not None:
            probs, none = rerank.probabilities(q.rows, n, words=q.words, unknown_share=q.unknown_share,
                                               coverage=q.coverage, topics=topics, kin=kin, keys=q.keys,
                                               unmet=_unmet(q, n, stated), fact_asked=float(bool(q.asked)))
            order = [i for i, _ in probs]
            reranked, order_p = ([p for _, p in probs], none), tuple(order)
            decoy_first.append(not order)
        else:
            ranked = sorted(q.fused, key=lambda i: (-q.fused[i], i))
            order = [i for i in ranked if i < n]
            decoy_first.append(not ranked or ranked[0] >= n)
        vague_offer.append(q.vague and sum(i < n and q.fused[i] >= clarify_cutoff for i in order) > 1)
        paired = answered_together(order[:3], lambda a, b: (a, b) in pairs,
                                   (lambda a: clause_kin[a]) if clause_kin else None)
        if order:
            f = features(q.rows, q.fused, order[0], n, words=q.words, unknown_share=q.unknown_share, reranked=reranked,
                         coverage=q.coverage, paired=paired, order=order_p,
                         kin=kin[order[0]] if kin else (),
                         kin_topic=frozenset(r[0] for r in q.rows if r[0] < n and topics
                                             and topics[r[0]] == topics[order[0]]),
                         readings=q.readings or None, long=q.long,
                         facts=fact_features(q.asked, stated[order[0]] if stated else frozenset()))
            x.append([f[k] for k in FEATURES])
        else:
            x.append([0.0] * len(FEATURES))
        first.append(any(i in q.right for i in order[: 2 if paired else 1]))
        three.append(any(i in q.right for i in order[:3]))
    return Table(np.asarray(x, dtype=float), np.asarray(first), np.asarray(three),
                 np.asarray([q.oos for q in questions]), np.asarray([q.vague or not q.rows for q in questions]),
                 np.asarray(decoy_first),
                 np.asarray(vague_offer), np.asarray([q.source for q in questions]))


def newton(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Ridge-penalised logistic weights (intercept first, not penalised) of standardised columns `z` (its first
    column all ones), by Newton steps."""
    w = np.zeros(z.shape[1])
    ridge = L2 * np.diag(np.r_[0.0, np.ones(z.shape[1] - 1)])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -60, 60)))
        step = np.linalg.solve((z * (p * (1 - p))[:, None]).T @ z + ridge, z.T @ (p - y) + ridge @ w)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def logistic(x: np.ndarray, y: np.ndarray, names: tuple[str, ...] = FEATURES) -> Logistic:
    """Newton's method on the L2-penalised log-likelihood of the standardised features `names`
    (columns of `x` in FEATURES order)."""
    x = x[:, [FEATURES.index(f) for f in names]]
    mean, scale = _standardise(x)
    w = newton(np.c_[np.ones(len(x)), (x - mean) / scale], y)
    return Logistic(names, tuple(map(float, mean)), tuple(map(float, scale)), tuple(map(float, w[1:])),
                    float(w[0]))


def probabilities(model: Logistic, x: np.ndarray) -> np.ndarray:
    """What `Logistic.probability` gives for each row (vectorised; same formula)."""
    x = x[:, [FEATURES.index(f) for f in model.names]]
    z = model.intercept + ((x - np.asarray(model.mean)) / np.asarray(model.scale)) @ np.asarray(model.coef)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))


def statuses(t: Table, p_answer: np.ndarray, p_reach: np.ndarray, answer_at: float, offer_at: float) -> np.ndarray:
    """2 answer, 1 candidates, 0 unknown: what `decide` returns with the calibration, vectorised."""
    answer = (p_answer >= answer_at) & ~t.vague
    calibrated = np.where(answer, 2, np.where(p_reach >= offer_at, 1, 0))
    return np.where(t.decoy_first, 0, np.where(t.vague_offer, 1, calibrated))


def figures(t: Table, status: np.ndarray, idx: np.ndarray) -> tuple[float, float, float, float]:
    """answer@1, hit@3, wrong-confident, oos refused over the questions `idx`."""
    asks, outs = idx & ~t.oos, idx & t.oos
    n = max(1, int(asks.sum()))
    a1 = float(((status == 2) & t.first_right & asks).sum() / n)
    h3 = float(((status > 0) & t.three_right & asks).sum() / n)
    wrong = float(((status == 2) & ~t.first_right & asks).sum() / n)
    refused = float(((status == 0) & outs).sum() / outs.sum()) if outs.any() else 1.0
    return a1, h3, wrong, refused


def bounds(t: Table, status: np.ndarray, idx: np.ndarray, z: float) -> tuple[float, float]:
    """(upper bound of the wrong-confident rate, lower bound of the out-of-scope refusal rate)."""
    asks, outs = idx & ~t.oos, idx & t.oos
    wrong = float(((status == 2) & ~t.first_right & asks).sum())
    refused = float(((status == 0) & outs).sum())
    return wilson(wrong, float(asks.sum()), z)[1], wilson(refused, float(outs.sum()), z)[0] if outs.any() else 1.0


@dataclass(frozen=True, slots=True)
class GroupLimits:
    """The limits every group of the fit (one evaluation file: one set of writers) must keep on its own,
    on its out-of-file figures, besides the pooled bounds.

    The pooled Wilson bound over thousands of questions is tight, so a fit may spend it all on a few
    groups: rounds 35 to 37 refitted to a pooled bound of .024 while v26's wrong-confident went .030 ->
    .048 left out. A new set is one more group, so each group must keep the limit, not just their sum.
    A group holds a few hundred questions (a few dozen out of scope), where one question moves the rate
    by .003-.025: a group fails only when its rate is above the limit by more than that noise, i.e. when
    the Wilson bound at `z` on the group's own questions is past the limit (its lower bound of
    wrong-confident above `max_wrong`, its upper bound of refused below `min_refused`). z = 0: the
    rates themselves."""

    max_wrong: float = 0.03
    min_refused: float = 0.93
    z: float = 0.0


@dataclass(slots=True)
class GroupFigures:
    """Per group (file) of a set of questions: its name, answerable and out-of-scope counts, and how many
    were answered wrong and how many out-of-scope ones refused."""

    names: np.ndarray
    asks: np.ndarray
    outs: np.ndarray
    wrong: np.ndarray
    refused: np.ndarray

    def excess(self, limits: GroupLimits) -> tuple[float, float]:
        """How far the worst group is past each limit (0 when every group keeps it), on its bounds."""
        wrong_lo, _ = wilson(self.wrong, self.asks, limits.z)
        _, refused_hi = wilson(self.refused, self.outs, limits.z)
        return (max(0.0, float((wrong_lo - limits.max_wrong).max(initial=0.0))),
                max(0.0, float((limits.min_refused - refused_hi).max(initial=0.0))))

    def worst(self) -> tuple[str, float, str, float]:
        """The group with the highest wrong-confident rate and its rate, the group with the lowest
        out-of-scope refusal and its rate."""
        wrong = self.wrong / np.maximum(self.asks, 1)
        refused = np.where(self.outs > 0, self.refused / np.maximum(self.outs, 1), 1.0)
        w, r = int(wrong.argmax()), int(refused.argmin())
        return str(self.names[w]), float(wrong[w]), str(self.names[r]), float(refused[r])


class _Groups:
    """The groups of `t.source[idx]`, counted once: `figures` of one status array is then a few bincounts."""

    def __init__(self, t: Table, idx: np.ndarray) -> None:
        self.t, self.idx = t, idx
        self.names, self.codes = np.unique(t.source[idx], return_inverse=True)
        self.asks_mask, self.outs_mask = ~t.oos[idx], t.oos[idx]
        self.wrong_if_answered = self.asks_mask & ~t.first_right[idx]
        size = len(self.names)
        self.asks = np.bincount(self.codes, weights=self.asks_mask, minlength=size)
        self.outs = np.bincount(self.codes, weights=self.outs_mask, minlength=size)

    def figures(self, status: np.ndarray) -> GroupFigures:
        s = status[self.idx]
        size = len(self.names)
        wrong = np.bincount(self.codes, weights=(s == 2) & self.wrong_if_answered, minlength=size)
        refused = np.bincount(self.codes, weights=(s == 0) & self.outs_mask, minlength=size)
        return GroupFigures(self.names, self.asks, self.outs, wrong, refused)


def group_figures(t: Table, status: np.ndarray, idx: np.ndarray) -> GroupFigures:
    """Per group of the questions `idx`: what `GroupLimits` is checked on."""
    return _Groups(t, idx).figures(status)


def choose(t: Table, pa: np.ndarray, pr: np.ndarray, idx: np.ndarray, *, max_wrong: float, min_refused: float,
           z: float, group: GroupLimits | None = None) -> tuple[float, float]:
    """The probabilities at which to answer and to offer candidates: the most answer@1 + hit@3 among
    those whose bounds (z = 0: point estimates) keep wrong-confident <= max_wrong and out-of-scope
    refused >= min_refused pooled over `idx`, and, with `group`, keep its limits in every group (file)
    of `idx` too; when none does, the least excess (pooled and worst group's added)."""
    best: tuple[tuple[bool, float], float, float] = ((False, -np.inf), 0.5, 0.5)
    groups = _Groups(t, idx) if group is not None else None
    for answer_at in ANSWER_GRID:
        for offer_at in OFFER_GRID:
            status = statuses(t, pa, pr, answer_at, offer_at)
            a1, h3, _, _ = figures(t, status, idx)
            wrong_hi, refused_lo = bounds(t, status, idx, z)
            excess = max(0.0, wrong_hi - max_wrong) * 10 + max(0.0, min_refused - refused_lo) * 3
            if groups is not None and group is not None:
                wrong_over, refused_under = groups.figures(status).excess(group)
                excess += wrong_over * 10 + refused_under * 3
            key = (excess == 0.0, a1 + h3 - excess)
            if key > best[0]:
                best = (key, float(answer_at), float(offer_at))
    return best[1], best[2]


_FITTED: dict[tuple[Any, ...], tuple[Any, ...]] = {}


@dataclass(slots=True)
class RerankerCache:
    """Rerankers fitted on a subset of the files, kept on disk between runs (`--rerankers`): they
    dominate a refit (a fold's reranker and one per other file, for every fold) and depend only on
    the collected questions (`key`), the files of the subset and what they read, not on the answer
    and reach models' features, so trying those refits nothing twice."""

    path: Path | None = None
    key: str = ""
    fitted: dict[str, Any] = field(default_factory=dict)
    built: dict[str, Reranker] = field(default_factory=dict)  # the same objects again: tables are memoised by them

    def load(self, path: Path, key: str) -> None:
        self.path, self.key = path, key
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self.fitted = data.get("rerankers", {}) if data.get("key") == key else {}

    def get(self, files: Sequence[str], names: tuple[str, ...], none_names: tuple[str, ...]) -> Reranker | None:
        key = self._id(files, names, none_names)
        if key in self.built:
            return self.built[key]
        data = self.fitted.get(key)
        if data is None:
            return None
        def model(d: dict[str, Any]) -> Logistic:
            return Logistic(tuple(d["names"]), tuple(d["mean"]), tuple(d["scale"]), tuple(d["coef"]), d["intercept"])
        self.built[key] = Reranker(model(data["candidate"]), model(data["none"]))
        return self.built[key]

    def put(self, files: Sequence[str], names: tuple[str, ...], none_names: tuple[str, ...],
            reranker: Reranker) -> None:
        self.built[self._id(files, names, none_names)] = reranker
        if self.path is None:
            return
        def data(m: Logistic) -> dict[str, Any]:  # full precision: the same numbers as a fresh fit
            return {"names": m.names, "mean": m.mean, "scale": m.scale, "coef": m.coef, "intercept": m.intercept}
        self.fitted[self._id(files, names, none_names)] = {"candidate": data(reranker.candidate),
                                                            "none": data(reranker.none)}
        self.path.write_text(json.dumps({"key": self.key, "rerankers": self.fitted}), encoding="utf-8")

    @staticmethod
    def _id(files: Sequence[str], names: tuple[str, ...], none_names: tuple[str, ...]) -> str:
        return json.dumps([sorted(files), names, none_names, L2])


RERANKERS = RerankerCache()


def cached_reranker(questions: list[Question], idx: np.ndarray, n: int, names: tuple[str, ...],
                    kin: Sequence[frozenset[int]], topics: Sequence[str], stated: Sequence[frozenset[str]],
                    none_names: tuple[str, ...]) -> Reranker:
    """`fit_reranker` on the questions `idx`, or the one `RERANKERS` keeps for the same files."""
    files = sorted({q.source for q, i in zip(questions, idx, strict=True) if i})
    found = RERANKERS.get(files, names, none_names)
    if found is None:
        found = fit_reranker([q for q, i in zip(questions, idx, strict=True) if i], n, names, kin, topics, stated,
                             none_names)
        RERANKERS.put(files, names, none_names, found)
    return found


def fit(questions: list[Question], n: int, idx: np.ndarray, *, rerank: bool, clarify_cutoff: float,
        max_wrong: float, min_refused: float, z: float,
        names: tuple[str, ...] = FEATURES, answer_names: tuple[str, ...] | None = None,
        pairs: frozenset[tuple[int, int]] = frozenset(), kin: Sequence[frozenset[int]] = (),
        topics: Sequence[str] = (), candidate_names: tuple[str, ...] = CANDIDATE_FEATURES,
        stated: Sequence[frozenset[str]] = (), none_names: tuple[str, ...] = NONE_FEATURES,
        pair_kind: bool | str = True, keep: Reranker | None = None,
        clause_kin: Sequence[frozenset[int]] = (), group: GroupLimits | None = None,
        chosen_groups: list[GroupFigures] | None = None, nested: bool = True) -> tuple[Calibration, Table]:
    """Everything fitted on the questions `idx`; with the table of all questions in its ranking.

    `answer` and `reach` are fitted on what the reranker says of questions it was not fitted on
    (each file of `idx` ranked by a reranker fitted on its other files): on its own fit questions
    it is surer than it will be on new ones. The probabilities at which `decide` answers and
    offers candidates are chosen on out-of-file probabilities too (each file's from models fitted
    on the other files), with the limits on confidence bounds: what a new set will see.

    pair_kind: what `Calibration.pairs` says (True: the one-rule `pairs`; "clause": also entries
    citing a clause in common, `clause_kin`, as `answered_together` says);
    keep: a reranker used as it is in every fold (`--keep-reranker`): only `answer`, `reach` and the
    two probabilities are fitted, on its probabilities (in-sample on the files it was fitted on);
    nested: False fits the reranker once on `idx` and reads its files with it in-sample too
    (`--no-nested`: one reranker fit per fold instead of one per fold and file);
    group: limits each file of `idx` must keep on its own out-of-file figures (`GroupLimits`);
    chosen_groups: given, receives those per-file figures at the chosen probabilities (what the
    worst file saw)."""
    # Everything but the two probabilities is the same for every pair of limits: fitted once per
    # subset of questions (the reranker fits dominate the run, twelve files times thirteen fits).
    memo_key = (id(questions), idx.tobytes(), rerank, names, answer_names, candidate_names, none_names,
                bool(pairs), pair_kind, id(keep), nested)
    if memo_key in _FITTED:
        reranker, t, honest, answer, reach, pa, pr = _FITTED[memo_key]
    else:
        reranker, t, honest, answer, reach, pa, pr = _fit_models(
            questions, n, idx, rerank=rerank, clarify_cutoff=clarify_cutoff, names=names, answer_names=answer_names,
            pairs=pairs, kin=kin, topics=topics, candidate_names=candidate_names, stated=stated,
            none_names=none_names, keep=keep, clause_kin=clause_kin, nested=nested)
        _FITTED[memo_key] = (reranker, t, honest, answer, reach, pa, pr)
    answer_at, offer_at = choose(honest, pa, pr, idx, max_wrong=max_wrong, min_refused=min_refused, z=z, group=group)
    if chosen_groups is not None:
        chosen_groups.append(group_figures(honest, statuses(honest, pa, pr, answer_at, offer_at), idx))
    return Calibration(answer, reach, answer_at, offer_at, reranker, pair_kind if pairs else False), t


def _fit_models(questions: list[Question], n: int, idx: np.ndarray, *, rerank: bool, clarify_cutoff: float,
                names: tuple[str, ...], answer_names: tuple[str, ...] | None, pairs: frozenset[tuple[int, int]],
                kin: Sequence[frozenset[int]], topics: Sequence[str], candidate_names: tuple[str, ...],
                stated: Sequence[frozenset[str]], none_names: tuple[str, ...], keep: Reranker | None,
                clause_kin: Sequence[frozenset[int]], nested: bool = True) -> tuple[Any, ...]:
    """`fit` but the two probabilities: the reranker, the tables, the answer and reach models and the
    out-of-file probabilities the probabilities are chosen on."""
    reranker = keep if keep is not None else (
        cached_reranker(questions, idx, n, candidate_names, kin, topics, stated, none_names) if rerank else None)
    t = table(questions, n, reranker, clarify_cutoff, pairs, kin, topics, stated, clause_kin)
    honest = t
    files = list(dict.fromkeys(t.source[idx]))
    if reranker is not None and keep is None and nested and len(files) > 1:
        honest = table(questions, n, reranker, clarify_cutoff, pairs, kin, topics, stated, clause_kin)
        for name in files:
            part = idx & (t.source == name)
            other = cached_reranker(questions, idx & ~part, n, candidate_names, kin, topics, stated, none_names)
            held = table([q for q, i in zip(questions, part, strict=True) if i], n, other, clarify_cutoff, pairs, kin,
                         topics, stated, clause_kin)
            honest.x[part], honest.first_right[part] = held.x, held.first_right
            honest.three_right[part] = held.three_right
    answer_names = answer_names or names
    answer = logistic(honest.x[idx], honest.first_right[idx].astype(float), answer_names)
    reach = logistic(honest.x[idx], honest.three_right[idx].astype(float), names)
    pa, pr = probabilities(answer, honest.x), probabilities(reach, honest.x)
    for name in files if len(files) > 1 else ():
        part = idx & (honest.source == name)
        rest = idx & ~part
        pa[part] = probabilities(logistic(honest.x[rest], honest.first_right[rest].astype(float), answer_names),
                                 honest.x[part])
        pr[part] = probabilities(logistic(honest.x[rest], honest.three_right[rest].astype(float), names),
                                 honest.x[part])
    return reranker, t, honest, answer, reach, pa, pr


def run(t: Table, cal: Calibration) -> np.ndarray:
    return statuses(t, probabilities(cal.answer, t.x), probabilities(cal.reach, t.x), cal.answer_at, cal.offer_at)


def write(cal: Calibration, path: Path, files: list[Path], cv: tuple[float, ...], max_wrong: float,
          min_refused: float, confidence: float, group: GroupLimits | None = None, group_confidence: float = 0.0,
          worst: tuple[str, float, str, float] | None = None) -> None:
    import yaml

    how = "conditional-logit reranker, then L2 logistic regressions" if cal.rerank else "L2 logistic regression"
    per_file = (f", and in every file wrong-confident <= {group.max_wrong} and refused >= {group.min_refused}\n"
                f"# on its {group_confidence:.0%} Wilson interval" if group is not None else "")
    worst_line = (f"# Worst file left out: wrong-confident {worst[1]:.3f} ({worst[0]}), oos refused {worst[3]:.3f}"
                  f" ({worst[2]}).\n" if worst is not None else "")
    note = (f"# Calibrated ranking and decision of `ask` with both signals (bot/core/ask/calibration.py).\n"
            f"# Fitted by benchmarks/fit_decision.py on {', '.join(p.as_posix() for p in files)}\n"
            f"# ({how}, Newton; probabilities chosen on out-of-file probabilities so that wrong-confident\n"
            f"# <= {max_wrong} and out-of-scope refused >= {min_refused} hold for the {confidence:.0%} Wilson\n"
            f"# bounds pooled{per_file}). "
            f"Cross-validated leaving one file out: answer@1 {cv[0]:.3f}, hit@3 {cv[1]:.3f},\n"
            f"# wrong-confident {cv[2]:.3f} (95% upper bound {cv[4]:.3f}),\n"
            f"# oos refused {cv[3]:.3f} (95% lower bound {cv[5]:.3f}).\n"
            f"{worst_line}"
            f"# Do not edit by hand: rerun the script with --write.\n")
    path.write_text(note + yaml.safe_dump(cal.as_data(), allow_unicode=True, sort_keys=False), encoding="utf-8")


def one_rule_pairs(matcher: Matcher) -> frozenset[tuple[int, int]]:
    """Every ordered pair of entries that point to each other (`KnowledgeBase.one_rule`)."""
    kb = matcher.kb
    ids = {e.id: i for i, e in enumerate(kb.entries)}
    return frozenset((i, ids[r]) for i, e in enumerate(kb.entries) for r in e.related
                     if r in ids and kb.one_rule(i, ids[r]))


def _held_out_figures(matcher: Matcher, path: Path, cal: Calibration, n: int, opts: dict[str, Any]) -> None:
    """`path` scored by `cal` (fitted without it): figures only, overall and by style, no item named."""
    qs = collect(matcher, [path])
    t = table(qs, n, cal.rerank, opts["clarify_cutoff"], opts["pairs"], opts["kin"], opts["topics"], opts["stated"],
              opts["clause_kin"])
    status = run(t, cal)
    every = np.ones(len(qs), dtype=bool)
    a1, h3, wc, rf = figures(t, status, every)
    print(f"held out {path.name}: answer@1 {a1:.3f} hit@3 {h3:.3f} wrong-confident {wc:.3f} oos refused {rf:.3f}")
    styles = np.asarray([q.style for q in qs])
    for style in sorted(set(styles) - {""}):
        idx = styles == style
        a1, h3, wc, rf = figures(t, status, idx)
        print(f"  {style:<12} answer@1 {a1:.3f} hit@3 {h3:.3f} wrong-confident {wc:.3f} n {int((idx & ~t.oos).sum())}")


def report(title: str, t: Table, status: np.ndarray,
           styles: np.ndarray) -> tuple[tuple[float, ...], tuple[float, float]]:
    """Print per file, pooled and by style answer@1, hit@1 (a right first entry not refused), hit@3,
    wrong-confident, oos refused and the ranking's own rank@1 / rank@3, the pooled 95% bounds and the
    worst file on each limit; return the pooled figures and bounds."""
    source = t.source
    every = np.ones(len(status), dtype=bool)
    head = "answer@1  hit@1  hit@3  wrong-confident  oos refused  rank@1  rank@3     n  n oos"

    def row(name: str, idx: np.ndarray) -> None:
        a1, h3, wc, rf = figures(t, status, idx)
        asks = idx & ~t.oos
        h1 = float(((status > 0) & t.first_right & asks).sum() / max(1, int(asks.sum())))
        r1, r3 = t.first_right[asks].mean(), t.three_right[asks].mean()
        print(f"  {name:<28} {a1:8.3f} {h1:6.3f} {h3:6.3f} {wc:16.3f} {rf:12.3f} {r1:7.3f} {r3:7.3f} "
              f"{int(asks.sum()):5d} {int((idx & t.oos).sum()):6d}")

    print(f"{title:<31} {head}")
    for name in [*dict.fromkeys(source), "pooled"]:
        row(name, every if name == "pooled" else source == name)
    print(f"  by style (every file){'':<8} {head}")
    for style in sorted(set(styles) - {""}):
        row(style, styles == style)
    hi, lo = bounds(t, status, every, NormalDist().inv_cdf(0.975))
    print(f"  pooled, 95% Wilson bounds: wrong-confident <= {hi:.3f}, oos refused >= {lo:.3f}")
    w_name, w_rate, r_name, r_rate = group_figures(t, status, every).worst()
    print(f"  worst group: wrong-confident {w_rate:.3f} ({w_name}), oos refused {r_rate:.3f} ({r_name})")
    return figures(t, status, every), (hi, lo)


def _broadcast(values: list[float], runs: int, name: str) -> list[float]:
    if len(values) not in (1, runs):
        raise SystemExit(f"--{name.replace('_', '-')}: one value, or one per --max-wrong")
    return values * runs if len(values) == 1 else values


def _key(files: list[Path]) -> str:
    """What the collected questions depend on: the evaluation files, the knowledge and the code.
    Not the calibration (its module and its coefficients): `collect` ranks without it, and a refit
    that writes decision.yaml, or a new feature of calibration.py, can then reuse the questions."""
    h = hashlib.sha256()
    code = sorted((ROOT / "bot" / "core" / "ask").glob("*.py")) + sorted((ROOT / "bot" / "core" / "text").glob("*.py"))
    knowledge = sorted((ROOT / "knowledge").rglob("*.yaml"))
    skip = {ROOT / "bot" / "core" / "ask" / "calibration.py", ROOT / "knowledge" / CALIBRATION_FILE}
    for path in [p for p in [*files, *knowledge, *code] if p not in skip]:
        h.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--no-rerank", action="store_true", help="order by the fused score (no reranker)")
    parser.add_argument("--max-wrong", type=float, nargs="+", default=[0.03],
                        help="limit(s) on the wrong-confident rate; several: one fit per pair, the first written")
    parser.add_argument("--min-refused", type=float, nargs="+", default=[0.93])
    parser.add_argument("--confidence", type=float, default=0.95,
                        help="the limits hold for the Wilson interval at this two-sided confidence (0: the rates)")
    parser.add_argument("--group-max-wrong", type=float, nargs="+", default=[0.03],
                        help="limit(s) on every file's own wrong-confident rate (one per --max-wrong, or one for all)")
    parser.add_argument("--group-min-refused", type=float, nargs="+", default=[0.93],
                        help="limit(s) on every file's own out-of-scope refusal")
    parser.add_argument("--group-confidence", type=float, nargs="+", default=[GROUP_CONFIDENCE],
                        help="a file breaks a limit when its Wilson interval at this two-sided confidence is past it "
                             "(0: its rate); the allowance for a file's few questions")
    parser.add_argument("--no-group-limits", action="store_true",
                        help="only the pooled limits (the fitter before round 38)")
    parser.add_argument("--shipped", action="store_true",
                        help="first print the same figures for the shipped decision (knowledge/decision.yaml) on "
                             "the same questions: the before of a refit")
    parser.add_argument("--features", nargs="+", choices=FEATURES, default=list(DEFAULT_FEATURES),
                        help="what the reach model (and, without --answer-features, the answer model) reads")
    parser.add_argument("--answer-features", nargs="+", choices=FEATURES, default=list(DEFAULT_ANSWER_FEATURES),
                        help="what the answer model reads")
    parser.add_argument("--candidate-features", nargs="+",
                        choices=CANDIDATE_FEATURES + EXTRA_CANDIDATE_FEATURES + FACT_CANDIDATE_FEATURES,
                        default=list(CANDIDATE_FEATURES), help="what the reranker reads of each candidate")
    parser.add_argument("--none-features", nargs="+", choices=NONE_FEATURES + EXTRA_NONE_FEATURES,
                        default=list(NONE_FEATURES), help="what the reranker's \"none of them\" reads")
    parser.add_argument("--pairs", choices=("rule", "clause"), default="rule",
                        help="which first two entries an answer states together: one rule (linked both ways, a "
                             "clause in common) or any two citing a clause in common")
    parser.add_argument("--keep-reranker", action="store_true",
                        help="use the reranker of knowledge/decision.yaml as it is in every fold; fit only the "
                             "answer and reach models and the two probabilities")
    parser.add_argument("--decide-on", nargs="+", default=[],
                        help="file names (as printed) the answer and reach models and the two probabilities are "
                             "fitted on; every file is still scored leaving it out. With --keep-reranker: the files "
                             "out of its fit (on its own fit files it is surer than on new ones)")
    parser.add_argument("--no-nested", action="store_true",
                        help="fit the reranker once per fold, on the fold's files, and fit the answer and reach "
                             "models on its in-sample probabilities (the left-out file stays out of every fit): one "
                             "reranker fit per fold instead of one per fold and file")
    parser.add_argument("--no-pairs", action="store_true",
                        help="answer the first entry alone, even when the second is one rule with it")
    parser.add_argument("--questions", type=Path, help="JSON file keeping the ranked questions between runs")
    parser.add_argument("--rerankers", type=Path,
                        help="JSON file keeping the fitted rerankers between runs (same questions and reranker "
                             "features): refits that change only the answer and reach models fit no reranker again")
    parser.add_argument("--statuses", type=Path,
                        help="JSON file of every fit question's leave-one-file-out status (2 answer, 1 candidates, "
                             "0 unknown) per pair of limits, in file order: to read which out-of-scope questions "
                             "are still answered (never given the held-out files)")
    parser.add_argument("--write", action="store_true", help=f"store the fit in knowledge/{CALIBRATION_FILE}")
    parser.add_argument("--held-out", type=Path, nargs="*", default=[],
                        help="files scored by the fit on everything: figures only (overall and by style), never misses")
    args = parser.parse_args()
    z = NormalDist().inv_cdf(0.5 + args.confidence / 2) if args.confidence > 0 else 0.0

    from bot.cli.common import cache_dir
    from bot.core.ask import index_cache

    matcher = index_cache.load_matcher(None, cache=cache_dir(), semantic=True)
    if matcher.semantic is None:
        print(f"the semantic signal is off ({matcher.semantic_off}): nothing to calibrate", file=sys.stderr)
        return 1
    n = len(matcher.kb.entries)
    cutoff = matcher.config.fused.clarify_cutoff
    pair_kind: bool | str = PAIRS_CLAUSE if args.pairs == "clause" else True
    keep = None
    if args.keep_reranker:
        shipped = load_calibration(ROOT / "knowledge" / CALIBRATION_FILE)
        if shipped is None or shipped.rerank is None:
            print("--keep-reranker: knowledge/decision.yaml has no reranker", file=sys.stderr)
            return 1
        keep = shipped.rerank
    key = _key(args.files)
    questions = load_questions(args.questions, key) if args.questions else None
    if questions is None:
        questions = collect(matcher, args.files)
        if args.questions:
            save_questions(questions, args.questions, key)
    if args.rerankers:
        RERANKERS.load(args.rerankers, key)
    source = np.asarray([q.source for q in questions])
    names = list(dict.fromkeys(source))
    everything = np.ones(len(questions), dtype=bool)
    opts: dict[str, Any] = {"rerank": not args.no_rerank, "clarify_cutoff": cutoff, "z": z,
                            "names": tuple(args.features),
                            "answer_names": tuple(args.answer_features),
                            "pairs": frozenset() if args.no_pairs else one_rule_pairs(matcher),
                            "pair_kind": pair_kind, "keep": keep,
                            "clause_kin": [matcher.kb.kin(i) for i in range(n)] if pair_kind == PAIRS_CLAUSE else [],
                            "kin": [matcher.kb.kin(i) for i in range(n)],
                            "topics": [e.topic for e in matcher.kb.entries],
                            "stated": [matcher.stated_facts(i) for i in range(n)],
                            "candidate_names": tuple(args.candidate_features),
                            "none_names": tuple(args.none_features), "nested": not args.no_nested}
    dumped: list[dict[str, Any]] = []
    runs = len(args.max_wrong)
    unknown = set(args.decide_on) - set(names)
    if unknown:
        print(f"--decide-on: no such file: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 1
    decide = np.isin(source, args.decide_on) if args.decide_on else everything
    group_args = [_broadcast(getattr(args, a), runs, a) for a in ("group_max_wrong", "group_min_refused",
                                                                   "group_confidence")]
    if args.shipped:
        shipped = load_calibration(ROOT / "knowledge" / CALIBRATION_FILE)
        if shipped is None:
            print("--shipped: no knowledge/decision.yaml", file=sys.stderr)
            return 1
        t = table(questions, n, shipped.rerank, cutoff, opts["pairs"] if shipped.pairs else frozenset(), opts["kin"],
                  opts["topics"], opts["stated"],
                  [matcher.kb.kin(i) for i in range(n)] if shipped.pairs == PAIRS_CLAUSE else [])
        print(f"shipped decision (knowledge/{CALIBRATION_FILE}, in-sample on the files it was fitted on)")
        report("shipped", t, run(t, shipped), np.asarray([q.style for q in questions]))
    for k, (max_wrong, min_refused) in enumerate(zip(args.max_wrong, args.min_refused, strict=True)):
        group_confidence = group_args[2][k]
        group = None if args.no_group_limits else GroupLimits(
            group_args[0][k], group_args[1][k],
            NormalDist().inv_cdf(0.5 + group_confidence / 2) if group_confidence > 0 else 0.0)
        held_out = np.zeros(len(questions), dtype=int)
        first_right = np.zeros(len(questions), dtype=bool)
        three_right = np.zeros(len(questions), dtype=bool)
        for name in names:
            cal, t = fit(questions, n, decide & (source != name), max_wrong=max_wrong, min_refused=min_refused, **opts,
                         group=group)
            held_out[source == name] = run(t, cal)[source == name]
            first_right[source == name] = t.first_right[source == name]
            three_right[source == name] = t.three_right[source == name]
        t = copy.copy(t)  # the fold's table is kept for the next pair of limits: not changed in place
        t.first_right, t.three_right = first_right, three_right  # each file's own held-out ranking
        print(f"limits: wrong-confident <= {max_wrong}, oos refused >= {min_refused}"
              f"{f' at {args.confidence:.0%} confidence (Wilson)' if z else ' (rates)'} pooled; "
              + (f"in every group wrong-confident <= {group.max_wrong}, oos refused >= {group.min_refused}"
                 f"{f' at {group_confidence:.0%} confidence (Wilson)' if group.z else ' (rates)'}; "
                 if group is not None else "no limit per group; ")
              + f"{'reranked' if opts['rerank'] else 'fused order'}")
        styles = np.asarray([q.style for q in questions])
        cv, (hi, lo) = report("leave-one-file-out", t, held_out, styles)
        t_lofo = t
        if args.statuses:
            dumped.append({"max_wrong": max_wrong, "min_refused": min_refused,
                           "questions": [{"source": q.source, "oos": q.oos, "style": q.style, "status": int(s),
                                          "first_right": bool(f)}
                                         for q, s, f in zip(questions, held_out, first_right, strict=True)]})
            args.statuses.write_text(json.dumps(dumped), encoding="utf-8")
        chosen: list[GroupFigures] = []
        cal, t = fit(questions, n, decide, max_wrong=max_wrong, min_refused=min_refused, **opts,
                     group=group, chosen_groups=chosen)
        a1, h3, wc, rf = figures(t, run(t, cal), everything)
        print(f"fit on everything: answer_at {cal.answer_at}, offer_at {cal.offer_at}; in-sample "
              f"answer@1 {a1:.3f} hit@3 {h3:.3f} wrong-confident {wc:.3f} oos refused {rf:.3f}")
        w_name, w_rate, r_name, r_rate = chosen[0].worst()
        print(f"  at these probabilities, out of file (what they were chosen on): worst group wrong-confident "
              f"{w_rate:.3f} ({w_name}), worst oos refused {r_rate:.3f} ({r_name})")
        for path in args.held_out:
            _held_out_figures(matcher, path, cal, n, opts)
        if args.write and k == 0:
            path = ROOT / "knowledge" / CALIBRATION_FILE
            write(cal, path, args.files, (*cv, hi, lo), max_wrong, min_refused, args.confidence, group,
                  group_confidence, group_figures(t_lofo, held_out, everything).worst())
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
