"""The curation inbox: unanswered questions grouped so that a person can review them in minutes.

Each question is first sent where `ask` would send it with a lower bar: the best curated entry, or
else the best imported clause. Questions with the same likely home form one cluster (the person
decides whether the home is right). Questions with no likely home are grouped among themselves by
shared words (idf-weighted overlap, the matcher's segmentation). A question whose answer got a 👎
never goes back to that entry: its likely home is the best other one. Nothing here writes anything
(bot.core.rulebook.curate applies an accepted cluster).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.core.ask.matcher import Matcher
from bot.core.rulebook.answer import ClauseAnswerer

if TYPE_CHECKING:
    import numpy as np

ENTRY_SLACK = 4.0  # a likely home worth showing sits a little below the clarify cutoff, not an answer
CLAUSE_SLACK = 6.0  # the same lower bar for clauses, below the clause cutoff
GROUP_COSINE = 0.88  # e5 cosine at which two homeless questions are one group (semantic signal on)
GROUP_OVERLAP = 0.4  # share of the smaller question's idf mass two homeless questions share (two of three words)


@dataclass(frozen=True, slots=True)
class Asked:
    """A question in the inbox; `rejected`: the entry whose answer got a 👎 for it ("" for unanswered)."""

    text: str
    rejected: str = ""


def inbox_questions(rows: Iterable[Mapping[str, Any]]) -> list[Asked]:
    """The stored inbox rows (question, entry_id) as questions to cluster."""
    return [Asked(str(r["question"]), str(r.get("entry_id") or "")) for r in rows]


@dataclass(slots=True)
class Cluster:
    """Questions with one likely home: an entry id, a clause id, or none."""

    questions: list[str] = field(default_factory=list)
    target_id: str = ""
    target_title: str = ""
    kind: str = "none"  # entry | clause | none
    score: float = 0.0
    voted_down: int = 0  # questions in it whose answer got a 👎

    @property
    def representative(self) -> str:
        """The question to add as an alternate: the shortest complete one (most reusable wording)."""
        return min(self.questions, key=lambda q: (len(q) < 4, len(q)))


def _home(matcher: Matcher, question: str, vector: np.ndarray | None,
          rejected: str = "") -> tuple[str, str, str, float]:
    found, decoy = matcher.candidates(question, limit=2, vector=vector)
    if decoy:
        return "none", "", "", 0.0
    found = [m for m in found if m.entry.id != rejected]
    if found and found[0].score >= matcher.rule.clarify_cutoff - ENTRY_SLACK:
        m = found[0]
        return "entry", m.entry.id, m.entry.title, m.score
    fallback = getattr(matcher, "fallback", None)
    if isinstance(fallback, ClauseAnswerer):  # scored as `ask` scores clauses (register, quantity guard)
        ranked = fallback.ranked(question, vector=vector)
        if ranked and not ranked[0].decoy and ranked[0].score >= fallback.matcher.rule.clarify_cutoff - CLAUSE_SLACK:
            clause = fallback.matcher.kb.entries[ranked[0].doc]
            return "clause", clause.id, clause.title, ranked[0].score
    return "none", "", "", 0.0


def cluster_questions(matcher: Matcher, questions: Iterable[str | Asked]) -> list[Cluster]:
    """Clusters, largest first; duplicates (after normalisation) count once per occurrence."""
    semantic = getattr(matcher, "semantic", None)
    by_home: dict[str, Cluster] = {}
    homeless: list[tuple[str, dict[str, float], np.ndarray | None, bool]] = []
    for item in questions:
        asked = item if isinstance(item, Asked) else Asked(item)
        q = asked.text.strip()
        if not q:
            continue
        vector = semantic.vector(q) if semantic is not None else None
        kind, tid, title, score = _home(matcher, q, vector, asked.rejected)
        down = bool(asked.rejected)
        if kind == "none":
            words = matcher._words(matcher._prep(q))
            homeless.append((q, {w: matcher.idf(w) for w in words}, vector, down))
            continue
        c = by_home.setdefault(tid, Cluster(target_id=tid, target_title=title, kind=kind))
        c.questions.append(q)
        c.score = max(c.score, score)
        c.voted_down += down
    groups: list[tuple[Cluster, dict[str, float], np.ndarray | None]] = []
    for q, weights, vector, down in homeless:
        best, best_share = None, 0.0
        for group in groups:
            c, centre, first = group
            if vector is not None and first is not None:  # the semantic signal: same meaning, other words
                share = float(vector @ first) / GROUP_COSINE * GROUP_OVERLAP
            else:
                shared = sum(min(weights.get(w, 0.0), v) for w, v in centre.items())
                share = shared / (min(sum(weights.values()), sum(centre.values())) or 1.0)
            if share > best_share:
                best, best_share = group, share
        if best is not None and best_share >= GROUP_OVERLAP:
            best[0].questions.append(q)
            best[0].voted_down += down
            for w, v in weights.items():  # the centre keeps the words the group shares most
                best[1][w] = max(best[1].get(w, 0.0), v)
        else:
            groups.append((Cluster([q], voted_down=int(down)), dict(weights), vector))
    clusters = list(by_home.values()) + [c for c, _, _ in groups]
    clusters.sort(key=lambda c: (-len(c.questions), c.kind == "none", c.target_id))
    return clusters
