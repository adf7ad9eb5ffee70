"""A calibrated ranking and decision: small fitted models over what the signals say about a question.

`rerank` (optional) is a conditional logit over the candidates of one question plus a "none of
them" alternative: each candidate's utility is linear in its own evidence (lexical score, question
and answer cosines, their gaps to the best candidate, which signal ranks it first), the "none"
utility in what speaks for out of scope (closest out-of-scope topic, words the knowledge base never
uses). Its softmax orders the candidates and says how sure the first is. `answer` then estimates
P(the first candidate is right), `reach` P(a right entry is among the first three). `decide`
answers when the first is high enough, refuses when the second is low, and offers candidates in
between. Coefficients are data (knowledge/decision.yaml), fitted by cross-validation with
benchmarks/fit_decision.py; this module only reads them and computes the features, so `ask`,
`kb eval` and the fitting script compute the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.ask.facts import FACT_FEATURES
from bot.core.yamlfile import DataError, Problem, load_with_lines

CALIBRATION_FILE = "decision.yaml"
PAIRS_CLAUSE = "clause"  # `Calibration.pairs`: entries citing a clause in common are answered together

# Every feature a model may use; a model lists the ones it was fitted on, in its own order.
FEATURES = (
    "fused",  # fused score of the first candidate, 0..1
    "margin",  # ... minus the second's
    "third",  # fused score of the third candidate
    "lexical",  # lexical score of the first candidate, 0..1
    "lexical_gap",  # best lexical score of any candidate minus the first's
    "question_cos",  # best alternate-question cosine of the first candidate
    "answer_cos",  # answer-passage cosine of the first candidate
    "decoy_gap",  # best out-of-scope cosine minus the first candidate's question cosine
    "decoy_lexical",  # best lexical score of an out-of-scope topic, 0..1
    "decoy_fused",  # best fused score of an out-of-scope topic minus the first candidate's, 0..1
    "lexical_agrees",  # the lexical signal alone ranks the first candidate first
    "semantic_agrees",  # the alternate-question cosine alone ranks it first
    "answer_agrees",  # the answer-passage cosine alone ranks it first
    "unknown_share",  # share of the question's idf mass in words the knowledge base never uses
    "log_words",  # log(1 + content words of the question)
    "p_first",  # reranker probability of the first candidate (0 without a reranker)
    "p_margin",  # ... minus the second's
    "p_three",  # ... of the first three together
    "p_none",  # ... that no candidate answers
    "p_logit",  # log odds of p_first: how sure, on a scale where a lead keeps counting near 1
    "coverage",  # share of the question's idf mass the first candidate's words explain
    "lexical_lead",  # lexical score of the first candidate minus the best other entry's, 0..1
    "question_lead",  # alternate-question cosine of the first candidate minus the best other entry's
    "all_agree",  # the lexical and both semantic readings alone each rank the first candidate first
    "p_clause_logit",  # log odds of the reranker probability of the first and the candidates citing its clause
    "p_clause_margin",  # ... minus the best candidate's of another clause: the competition, not the siblings
    "clause_margin",  # fused score of the first minus the best candidate's of another clause, 0..1
    "topic_share",  # share of the first three's reranker probability on entries of the first's topic
    # Whether the evidence agrees on the first candidate, reading by reading (`Readings`): a long
    # message is read whole and by its asking part, each with both signals.
    "answer_lead",  # answer-passage cosine of the first candidate minus the best other entry's
    "whole_agrees",  # the whole message's reading alone (its fused score) ranks the first candidate first
    "asking_agrees",  # ... the asking part's reading alone (the whole's, for a message of one reading)
    "readings_agree",  # both readings rank it first
    "whole_lead",  # fused score of the first under the whole reading minus the best other's, 0..1
    "asking_lead",  # ... under the asking part's reading
    "lexical_readings_agree",  # the lexical signal ranks it first on both readings
    "question_readings_agree",  # the alternate-question cosine ranks it first on both readings
    "signals_agree",  # the lexical and the alternate-question signal both rank it first
    "votes",  # share of seven leaders naming it: lexical, question, answer, and both signals of each reading
    "long",  # 1 when the message has an asking part of its own (two readings)
    "long_votes",  # long x votes: agreement weighed where the narrative dilutes the reranker
    "long_agree",  # long x readings_agree
    "long_p_logit",  # long x p_logit: the reranker's log odds may mean more or less on a long message
    "words_votes",  # log_words x votes
    # What is asked against what the first entry states (bot/core/ask/facts.py, knowledge/fact_kinds.yaml).
    "fact_asked",  # the question asks for a figure, a time, an amount, a place or a person to contact
    "fact_unmet",  # ... and the first candidate states none of the kinds asked
)
NO_FACTS = {"fact_asked": 0.0, "fact_unmet": 0.0}
# Per candidate document, what each reading of the message says alone (`Matcher.readings`): fused
# score of the whole (frame-free) reading, of the asking part's; lexical score of each; alternate-
# question cosine of each. A message of one reading has the whole's values twice.
Reading = tuple[float, float, float, float, float, float]

# What the reranker reads of each candidate (relative to the other candidates of the question)...
CANDIDATE_FEATURES = (
    "lexical",  # lexical score, 0..1
    "question_cos",  # best alternate-question (title, answer sentence) cosine
    "answer_cos",  # answer-passage cosine
    "lexical_gap",  # ... each minus the best of any candidate (<= 0)
    "question_gap",
    "answer_gap",
    "lexical_top",  # 1 when that signal alone ranks the candidate first
    "question_top",
    "answer_top",
)
# Read when a reranker lists them (given the question's coverage and the entries' topics).
EXTRA_CANDIDATE_FEATURES = (
    "coverage",  # share of the question's idf mass the candidate's words explain
    "coverage_gap",  # ... minus the best of any candidate (<= 0)
    "topic_support",  # share of the five best-fused other candidates in the candidate's topic
    "kin_support",  # best alternate-question cosine among the candidates citing its clause, minus the best
    "agree_top",  # the lexical and the alternate-question signal both rank the candidate first
    "lexical_lead",  # lexical score minus the best other candidate's (a leader's lead, else its gap)
    "question_lead",  # ... of the alternate-question cosine
    "answer_lead",  # ... of the answer-passage cosine
    "key_term",  # share of the question's rarest known words (its key terms) the candidate's words hold
    "key_gap",  # ... minus the best of any candidate (<= 0): the neighbour that lacks the key term
)
EXTRA_CANDIDATE_FEATURES_SET = frozenset(EXTRA_CANDIDATE_FEATURES)
# Read when a reranker lists it, without the extra features' loops (bot/core/ask/facts.py): the
# question asks for a kind of fact (a figure, a time, a place...) the candidate states none of.
FACT_CANDIDATE_FEATURES = ("fact_unmet",)
KEY_FEATURES = frozenset({"key_term", "key_gap"})  # need the question's key terms (`Matcher.key_terms`)
# ... and of the question, for the "none of them" alternative.
# Read by "none of them" when its model lists it: the question asks for a kind of fact (bot/core/ask/facts.py).
EXTRA_NONE_FEATURES = ("fact_asked",)
NONE_FEATURES = (
    "decoy_cos",  # best out-of-scope question cosine (-1 without decoys)
    "decoy_lexical",  # best lexical score of an out-of-scope topic, 0..1
    "unknown_share",
    "log_words",
)


@dataclass(frozen=True, slots=True)
class Logistic:
    """P(y) = sigmoid(intercept + sum coef * (x - mean) / scale) over the named features."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def utility(self, x: Mapping[str, float]) -> float:
        return self.intercept + sum(c * (x[n] - m) / s for n, m, s, c in
                                    zip(self.names, self.mean, self.scale, self.coef, strict=True))

    def probability(self, x: Mapping[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, self.utility(x)))))

    def as_data(self) -> dict[str, object]:
        return {"intercept": round(self.intercept, 6),
                "features": {n: {"mean": round(m, 6), "scale": round(s, 6), "coef": round(c, 6)}
                             for n, m, s, c in zip(self.names, self.mean, self.scale, self.coef, strict=True)}}


@dataclass(frozen=True, slots=True)
class Reranker:
    """Conditional logit: the utility of a candidate is `candidate`'s linear term (no intercept: only
    differences count), of "none of them" `none`'s; probabilities are their softmax over one question."""

    candidate: Logistic
    none: Logistic

    def probabilities(self, rows: Sequence[tuple[int, float, float, float]], n_entries: int, *,
                      words: int, unknown_share: float, coverage: Mapping[int, float] | None = None,
                      topics: Sequence[str] = (), kin: Sequence[Collection[int]] = (),
                      keys: Mapping[int, float] | None = None,
                      unmet: Mapping[int, float] | None = None,
                      fact_asked: float = 0.0) -> tuple[list[tuple[int, float]], float]:
        """([(entry, probability)] best first, ties by document, probability of none of them).

        rows: (document, lexical 0-100, question cosine, answer cosine) of every candidate, the
        closest out-of-scope topics (document >= n_entries) included; unmet: per entry, 1 when the
        question asks for a kind of fact it does not state (read when the reranker lists fact_unmet);
        fact_asked: 1 when the question asks for a kind of fact (read when "none" lists it)."""
        entries = [r for r in rows if r[0] < n_entries]
        decoys = [r for r in rows if r[0] >= n_entries]
        none = self.none.utility({"decoy_cos": max((r[2] for r in decoys), default=-1.0),
                                  "decoy_lexical": max((r[1] for r in decoys), default=0.0) / 100.0,
                                  "unknown_share": unknown_share, "log_words": math.log1p(words),
                                  "fact_asked": fact_asked})
        if not entries:
            return [], 1.0
        extra = not EXTRA_CANDIDATE_FEATURES_SET.isdisjoint(self.candidate.names)
        utilities = [self.candidate.utility(x) for x in candidate_features(entries, coverage=coverage, topics=topics,
                                                                            kin=kin, keys=keys, extra=extra,
                                                                            unmet=unmet)]
        top = max(none, *utilities)
        weights = [math.exp(u - top) for u in utilities]
        total = sum(weights) + math.exp(none - top)
        ranked = sorted(((r[0], w / total) for r, w in zip(entries, weights, strict=True)), key=lambda t: (-t[1], t[0]))
        return ranked, math.exp(none - top) / total

    def as_data(self) -> dict[str, object]:
        return {"candidate": self.candidate.as_data()["features"], "none": self.none.as_data()}


def candidate_features(entries: Sequence[tuple[int, float, float, float]], *,
                       coverage: Mapping[int, float] | None = None, topics: Sequence[str] = (),
                       kin: Sequence[Collection[int]] = (), keys: Mapping[int, float] | None = None,
                       extra: bool = False, unmet: Mapping[int, float] | None = None) -> list[dict[str, float]]:
    """The reranker's view of each candidate entry (rows as in `Reranker.probabilities`); with
    `extra`, EXTRA_CANDIDATE_FEATURES too (measured, not shipped: they cost a loop over the
    candidates per candidate) from coverage: share of the question each entry explains; keys: share
    of its key terms (`Matcher.key_terms`); topics, kin: per entry of the knowledge base, its topic
    and the entries citing one of its clauses. With `unmet` (per entry, 1 when the question asks
    for a kind of fact it states none of), FACT_CANDIDATE_FEATURES too."""
    best = [max(r[i] for r in entries) for i in (1, 2, 3)]
    out = [{"lexical": r[1] / 100.0, "question_cos": r[2], "answer_cos": r[3],
            "lexical_gap": r[1] / 100.0 - best[0] / 100.0, "question_gap": r[2] - best[1],
            "answer_gap": r[3] - best[2], "lexical_top": float(r[1] >= best[0]),
            "question_top": float(r[2] >= best[1]), "answer_top": float(r[3] >= best[2])} for r in entries]
    if unmet is not None:
        for r, x in zip(entries, out, strict=True):
            x["fact_unmet"] = unmet.get(r[0], 0.0)
    if not extra:
        return out
    cover = coverage or {}
    best_cover = max((cover.get(r[0], 0.0) for r in entries), default=0.0)
    key = keys or {}
    best_key = max((key.get(r[0], 0.0) for r in entries), default=0.0)
    near = sorted(entries, key=lambda r: -(r[1] / 100.0 + r[2] + r[3]))[:6]
    for r, x in zip(entries, out, strict=True):
        others = [o for o in near if o[0] != r[0]][:5]
        rest = [o for o in entries if o[0] != r[0]]
        kin_cos = max((o[2] for o in rest if kin and o[0] in kin[r[0]]), default=r[2])
        x.update({"coverage": cover.get(r[0], 0.0), "coverage_gap": cover.get(r[0], 0.0) - best_cover,
                  "topic_support": (sum(topics[o[0]] == topics[r[0]] for o in others) / len(others)
                                    if topics and others else 0.0),
                  "kin_support": max(kin_cos, r[2]) - best[1],
                  "agree_top": float(r[1] >= best[0] and r[2] >= best[1]),
                  "lexical_lead": (r[1] - max((o[1] for o in rest), default=r[1])) / 100.0,
                  "question_lead": r[2] - max((o[2] for o in rest), default=r[2]),
                  "answer_lead": r[3] - max((o[3] for o in rest), default=r[3]),
                  "key_term": key.get(r[0], 0.0), "key_gap": key.get(r[0], 0.0) - best_key})
    return out


@dataclass(frozen=True, slots=True)
class Calibration:
    """The models and the probabilities at which `decide` answers and offers candidates."""

    answer: Logistic
    reach: Logistic
    answer_at: float  # answer when P(first right) reaches this
    offer_at: float  # otherwise offer candidates when P(a right one in three) reaches this, else unknown
    rerank: Reranker | None = None  # order candidates by the reranker instead of the fused score
    # The first two entries, when they are one rule, are answered together: the answer model reads
    # their joint probability, the reply carries both. False: never; True: they point to each other
    # and cite a clause in common (`KnowledgeBase.one_rule`); "clause": they cite a clause in common
    # (`KnowledgeBase.kin`), linked or not: two parts or two documents' readings of one clause each
    # answer a question about it, so neither is the other's rival.
    pairs: bool | str = False

    def reads_facts(self) -> bool:
        """Whether a model reads what kind of fact is asked (knowledge/fact_kinds.yaml)."""
        names = {*self.answer.names, *self.reach.names}
        if self.rerank is not None:
            names |= {*self.rerank.candidate.names, *self.rerank.none.names}
        return not names.isdisjoint({*FACT_CANDIDATE_FEATURES, *EXTRA_NONE_FEATURES, *FACT_FEATURES})

    def as_data(self) -> dict[str, object]:
        data: dict[str, object] = {"answer_at": round(self.answer_at, 4), "offer_at": round(self.offer_at, 4),
                                   "answer": self.answer.as_data(), "reach": self.reach.as_data()}
        if self.pairs:
            data["pairs"] = self.pairs
        if self.rerank is not None:
            data["rerank"] = self.rerank.as_data()
        return data


def answered_together(order: Sequence[int], one_rule: Callable[[int, int], bool],
                      kin: Callable[[int], Collection[int]] | None = None) -> bool:
    """Whether an answer states the first two entries of `order` (best first) together: they are one
    rule (`one_rule`), or, with `kin` (`pairs: clause`), they cite a clause in common and no third
    entry of that clause is among the first three. A clause split over two entries (or read by two
    documents) is answered by either, so neither is the other's rival; a clause split over more parts
    with a third part close behind may have been asked about that part, so it stays a choice."""
    if len(order) < 2:
        return False
    first, second = order[0], order[1]
    if one_rule(first, second):
        return True
    if kin is None:
        return False
    siblings = kin(first)
    return second in siblings and not (len(order) > 2 and order[2] in siblings)


def _logistic(data: object, where: str, known: tuple[str, ...] = FEATURES) -> Logistic:
    if not isinstance(data, dict) or not isinstance(data.get("features"), dict):
        raise ValueError(f"{where}: needs intercept and features")
    names, mean, scale, coef = [], [], [], []
    for name, spec in data["features"].items():
        if name not in known:
            raise ValueError(f"{where}: unknown feature {name!r}")
        if not isinstance(spec, dict) or float(spec["scale"]) <= 0:
            raise ValueError(f"{where}.{name}: needs mean, a positive scale and coef")
        names.append(str(name))
        mean.append(float(spec["mean"]))
        scale.append(float(spec["scale"]))
        coef.append(float(spec["coef"]))
    return Logistic(tuple(names), tuple(mean), tuple(scale), tuple(coef), float(data["intercept"]))


def load_calibration(path: Path) -> Calibration | None:
    """The calibration in `path`; None when the file is absent; DataError when it is malformed."""
    if not path.is_file():
        return None
    data, _ = load_with_lines(path)
    try:
        if not isinstance(data, dict):
            raise ValueError("must be a mapping")
        answer_at, offer_at = float(data["answer_at"]), float(data["offer_at"])
        if not (0.0 <= offer_at <= 1.0 and 0.0 <= answer_at <= 1.0):
            raise ValueError("answer_at and offer_at are probabilities")
        rerank = None
        if data.get("rerank") is not None:
            spec = data["rerank"]
            if not isinstance(spec, dict):
                raise ValueError("rerank: needs candidate and none")
            rerank = Reranker(_logistic({"intercept": 0.0, "features": spec.get("candidate")}, "rerank.candidate",
                                        CANDIDATE_FEATURES + EXTRA_CANDIDATE_FEATURES + FACT_CANDIDATE_FEATURES),
                              _logistic(spec.get("none"), "rerank.none", NONE_FEATURES + EXTRA_NONE_FEATURES))
        pairs = data.get("pairs", False)
        if not isinstance(pairs, bool) and pairs != PAIRS_CLAUSE:
            raise ValueError(f"pairs: true, false or {PAIRS_CLAUSE}")
        return Calibration(_logistic(data.get("answer"), "answer"), _logistic(data.get("reach"), "reach"),
                           answer_at, offer_at, rerank, pairs)
    except KeyError as exc:
        raise DataError([Problem(str(path), 1, f"decision calibration: missing {exc}")]) from exc
    except (TypeError, ValueError) as exc:
        raise DataError([Problem(str(path), 1, f"decision calibration: {exc}")]) from exc


def features(rows: Sequence[tuple[int, float, float, float]], fused: Mapping[int, float], first: int,
             n_entries: int, *, words: int, unknown_share: float,
             reranked: tuple[Sequence[float], float] | None = None,
             coverage: Mapping[int, float] | None = None, paired: bool = False,
             order: Sequence[int] = (), kin: Collection[int] = (), kin_topic: Collection[int] = (),
             readings: Mapping[int, Reading] | None = None, long: bool = False,
             facts: Mapping[str, float] | None = None) -> dict[str, float]:
    """The features of a question whose best entry is `first`.

    rows: (document, lexical 0-100, question cosine, answer cosine) of every candidate, decoys
    (document >= n_entries) included; fused: the fused score of each row's document; reranked:
    the reranker's probabilities of the entries best first, and of none of them; coverage: the share
    of the question each entry explains (`Matcher.word_stats`); paired: the second entry is one rule
    with the first (`KnowledgeBase.one_rule`), the reply carries both, so the reranker's log odds are
    those of the two together; order: the entries of `reranked`, in its order; kin: the candidate
    entries citing a clause the first cites (`KnowledgeBase.kin`), kin_topic: those of its topic;
    readings: each row's `Reading` (None: the rows' own values for both readings, fused as `fused`);
    long: the message was read twice (whole and asking part); facts: what is asked against what the
    first entry states (`facts.fact_features`; none asked when absent)."""
    entries = [r for r in rows if r[0] < n_entries]
    decoys = [r for r in rows if r[0] >= n_entries]
    scores = [*sorted((fused[r[0]] for r in entries), reverse=True), 0.0, 0.0]
    top = next(r for r in entries if r[0] == first)

    others = [r for r in entries if r[0] != first]

    def leader(i: int) -> int:
        return max(entries, key=lambda r: (r[i], -r[0]))[0]

    agree = [float(leader(i) == first) for i in (1, 2, 3)]
    reranker = _reranker_features(reranked, paired=paired)
    agreement = _reading_features(entries, fused, first, readings, agree, long, reranker["p_logit"], math.log1p(words))

    return {
        "fused": fused[first] / 100.0,
        "margin": (fused[first] - scores[1]) / 100.0,
        "third": scores[2] / 100.0,
        "lexical": top[1] / 100.0,
        "lexical_gap": (max(r[1] for r in entries) - top[1]) / 100.0,
        "question_cos": top[2],
        "answer_cos": top[3],
        "decoy_gap": max((r[2] for r in decoys), default=-1.0) - top[2],
        "decoy_lexical": max((r[1] for r in decoys), default=0.0) / 100.0,
        "decoy_fused": (max((fused[r[0]] for r in decoys), default=0.0) - fused[first]) / 100.0,
        "lexical_agrees": agree[0],
        "semantic_agrees": agree[1],
        "answer_agrees": agree[2],
        "unknown_share": unknown_share,
        "log_words": math.log1p(words),
        **reranker,
        "coverage": (coverage or {}).get(first, 0.0),
        "lexical_lead": (top[1] - max((r[1] for r in others), default=0.0)) / 100.0,
        "question_lead": top[2] - max((r[2] for r in others), default=-1.0),
        "all_agree": agree[0] * agree[1] * agree[2],
        **_clause_features(reranked, order, fused, first, entries, kin, kin_topic),
        **agreement,
        **(facts or NO_FACTS),
    }


def _reading_features(entries: Sequence[tuple[int, float, float, float]], fused: Mapping[int, float], first: int,
                      readings: Mapping[int, Reading] | None, agree: Sequence[float], long: bool, p_logit: float,
                      log_words: float) -> dict[str, float]:
    """Does the evidence agree on `first`, reading by reading: the reranker reads the readings
    combined (max of the cosines, mean of the lexical scores), so a story whose asking sentence and
    whole message name the same entry looks as unsure as one whose readings disagree."""
    view = {r[0]: (readings[r[0]] if readings is not None and r[0] in readings
                   else (fused[r[0]], fused[r[0]], r[1], r[1], r[2], r[2])) for r in entries}

    def lead(k: int) -> float:
        """The first's value of `view` column k minus the best other entry's (negative: not first)."""
        return view[first][k] - max((v[k] for d, v in view.items() if d != first), default=view[first][k] - 1.0)

    def top(k: int) -> float:
        return float(view[first][k] >= max(v[k] for v in view.values()))

    tops = [top(k) for k in range(6)]
    votes = (sum(agree) + sum(tops[2:])) / 7.0
    first_answer = next(r[3] for r in entries if r[0] == first)
    flag = float(long)
    both = tops[0] * tops[1]
    return {"answer_lead": first_answer - max((r[3] for r in entries if r[0] != first), default=-1.0),
            "whole_agrees": tops[0], "asking_agrees": tops[1], "readings_agree": both,
            "whole_lead": lead(0) / 100.0, "asking_lead": lead(1) / 100.0,
            "lexical_readings_agree": tops[2] * tops[3], "question_readings_agree": tops[4] * tops[5],
            "signals_agree": agree[0] * agree[1], "votes": votes, "long": flag, "long_votes": flag * votes,
            "long_agree": flag * both, "long_p_logit": flag * p_logit, "words_votes": log_words * votes}


def _clause_features(reranked: tuple[Sequence[float], float] | None, order: Sequence[int], fused: Mapping[int, float],
                     first: int, entries: Sequence[tuple[int, float, float, float]], kin: Collection[int],
                     kin_topic: Collection[int]) -> dict[str, float]:
    """The first entry against its competition: entries citing one of its clauses are parts of the
    same rule (either serves), not rivals; entries of its topic are a narrower competition."""
    rival = max((fused[r[0]] for r in entries if r[0] != first and r[0] not in kin), default=0.0)
    out = {"clause_margin": (fused[first] - rival) / 100.0}
    if reranked is None or len(order) != len(reranked[0]):
        return {**out, "p_clause_logit": 0.0, "p_clause_margin": 0.0, "topic_share": 0.0}
    probs = dict(zip(order, reranked[0], strict=True))
    mass = probs.get(first, 0.0) + sum(p for d, p in probs.items() if d in kin and d != first)
    mass = min(1.0 - 1e-6, max(1e-6, mass))
    other = max((p for d, p in probs.items() if d != first and d not in kin), default=0.0)
    three = list(zip(order, reranked[0], strict=True))[:3]
    total = sum(p for _, p in three)
    same = sum(p for d, p in three if d == first or d in kin_topic)
    return {**out, "p_clause_logit": math.log(mass / (1.0 - mass)), "p_clause_margin": mass - other,
            "topic_share": same / total if total > 0 else 0.0}


def _reranker_features(reranked: tuple[Sequence[float], float] | None, *, paired: bool = False) -> dict[str, float]:
    if reranked is None:
        return {"p_first": 0.0, "p_margin": 0.0, "p_three": 0.0, "p_none": 0.0, "p_logit": 0.0}
    p = [*reranked[0][:3], 0.0, 0.0]
    first = min(1.0 - 1e-6, max(1e-6, p[0] + p[1] if paired else p[0]))
    return {"p_first": p[0], "p_margin": p[0] - p[1], "p_three": sum(p[:3]), "p_none": reranked[1],
            "p_logit": math.log(first / (1.0 - first))}
