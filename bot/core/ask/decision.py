"""The one decision rule: ranked, scored documents -> answer, clarify or unknown.

`ask`, `kb eval` and the fitting tool all call `decide`, so a threshold fitted offline means the
same thing at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["answer", "clarify", "unknown"]


@dataclass(frozen=True, slots=True)
class Decision:
    """Thresholds on 0–100 scores."""

    answer_cutoff: float  # the top entry must reach this to be answered
    answer_margin: float  # ... and lead the first rival by this much
    clarify_cutoff: float  # entries below this are not offered at all
    rival_floor: float  # runner-ups below this do not count against the margin


@dataclass(frozen=True, slots=True)
class Scored:
    """One document with its score; `decoy`: an out-of-scope topic, not an entry."""

    doc: int
    score: float
    decoy: bool = False


def decide(ranked: list[Scored], rule: Decision, *, limit: int = 3,
           vague: bool = False) -> tuple[Status, list[Scored]]:
    """(status, up to `limit` entries offered), `ranked` best first.

    A decoy on top means the question is about a known out-of-scope area: unknown. A `vague`
    question (one content word, "电话") names a subject, not a rule: candidates, never a guess.
    """
    if not ranked or ranked[0].decoy:
        return "unknown", []
    offered = [r for r in ranked if not r.decoy and r.score >= rule.clarify_cutoff]
    if not offered:
        return "unknown", []
    top = offered[0]
    rivals = [r.score for r in offered[1:] if r.score >= rule.rival_floor]
    runner_up = rivals[0] if rivals else 0.0
    if vague and len(offered) > 1:
        return "clarify", offered[:limit]
    if top.score >= rule.answer_cutoff and top.score - runner_up >= rule.answer_margin:
        return "answer", offered[:limit]
    return "clarify", offered[:limit]
