"""The one decision rule: ranked, scored documents -> answer, clarify or unknown.

`ask`, `kb eval` and the fitting tool all call `decide`, so a threshold fitted offline means the
same thing at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.core.ask.calibration import Calibration

Status = Literal["answer", "clarify", "unknown"]


@dataclass(frozen=True, slots=True)
class Decision:
    """Thresholds on 0–100 scores (and, with the semantic signal, on cosines)."""

    answer_cutoff: float  # the top entry must reach this to be answered
    answer_margin: float  # ... and lead the first rival by this much
    clarify_cutoff: float  # entries below this are not offered at all
    rival_floor: float  # runner-ups below this do not count against the margin
    # An out-of-scope topic whose closest question is within this cosine of the best entry's makes
    # the question out of scope: near-misses ("奖金几号发") sit between a decoy and a rule, and a
    # clarify band low enough to catch paraphrases would otherwise offer them rules. None: unused.
    decoy_cosine: float | None = None
    # When the lexical and the semantic signal each rank the same document first, two independent
    # readings agree, and a lower cutoff is as safe. None: the answer cutoff either way.
    agreed_cutoff: float | None = None
    # Fitted probabilities instead of the thresholds above, when the evidence carries features.
    calibration: Calibration | None = None


@dataclass(frozen=True, slots=True)
class Scored:
    """One document with its score; `decoy`: an out-of-scope topic, not an entry."""

    doc: int
    score: float
    decoy: bool = False


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the signals say beyond the fused ranking (semantic signal on only)."""

    decoy_gap: float  # best out-of-scope cosine minus best entry cosine
    agreed: bool  # both signals rank the same document first
    features: Mapping[str, float] | None = None  # of the first entry, for a calibrated rule
    fused: Mapping[int, float] | None = None  # fused score per document, when `ranked` is ordered otherwise


def decide(ranked: list[Scored], rule: Decision, *, limit: int = 3, vague: bool = False,
           evidence: Evidence | None = None) -> tuple[Status, list[Scored]]:
    """(status, up to `limit` entries offered), `ranked` best first.

    A decoy on top means the question is about a known out-of-scope area: unknown. A `vague`
    question (one content word, "电话") names a subject, not a rule: candidates, never a guess.
    A calibrated rule (with the evidence's features) decides on fitted probabilities instead; with
    a reranker, `ranked` is ordered by its probabilities (scores 0-100) and `evidence.fused` holds
    the fused scores the cutoffs apply to.
    """
    if not ranked or ranked[0].decoy:
        return "unknown", []
    calibrated = rule.calibration is not None and evidence is not None and evidence.features is not None
    fused = evidence.fused if evidence is not None and evidence.fused is not None else {}
    # Reranked scores are probabilities: the cutoffs apply to the fused scores behind them.
    offered = [r for r in ranked if not r.decoy and fused.get(r.doc, r.score) >= rule.clarify_cutoff]
    # A one-word subject sits near everything, decoys included; offering candidates is never a guess.
    if vague and len(offered) > 1:
        return "clarify", offered[:limit]
    if calibrated and rule.calibration is not None and evidence is not None and evidence.features is not None:
        return _calibrated(ranked, rule.calibration, evidence.features, limit=limit, vague=vague)
    if evidence is not None and rule.decoy_cosine is not None and evidence.decoy_gap >= -rule.decoy_cosine:
        return "unknown", []
    if not offered:
        return "unknown", []
    if vague:  # as in the calibrated rule: a subject alone is never answered, even with one candidate
        return "clarify", offered[:limit]
    cutoff = rule.answer_cutoff
    if evidence is not None and evidence.agreed and rule.agreed_cutoff is not None:
        cutoff = rule.agreed_cutoff
    top = offered[0]
    rivals = [r.score for r in offered[1:] if r.score >= rule.rival_floor]
    runner_up = rivals[0] if rivals else 0.0
    if top.score >= cutoff and top.score - runner_up >= rule.answer_margin:
        return "answer", offered[:limit]
    return "clarify", offered[:limit]


def _calibrated(ranked: list[Scored], cal: Calibration, features: Mapping[str, float], *, limit: int,
                vague: bool) -> tuple[Status, list[Scored]]:
    """Answer when the first entry is probably right, candidates when a right one is probably among
    them, else unknown; every entry below the first decoy competes (the models weigh the scores)."""
    offered = [r for r in ranked if not r.decoy][:limit]
    if not offered:
        return "unknown", []
    if not vague and cal.answer.probability(features) >= cal.answer_at:
        return "answer", offered
    if cal.reach.probability(features) >= cal.offer_at:
        return "clarify", offered
    return "unknown", []
