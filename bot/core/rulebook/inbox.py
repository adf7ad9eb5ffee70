"""The curation inbox: unanswered questions grouped so that a person can review them in minutes.

Each question is first sent where `ask` would send it with a lower bar: the best curated entry, or
else the best imported clause. Questions with the same likely home form one cluster (the person
decides whether the home is right). Questions with no likely home are grouped among themselves by
shared words (idf-weighted overlap, the matcher's segmentation). Nothing here writes anything:
`accept_*` in this module return the change, the CLI validates and applies it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.core.ask.matcher import Matcher
from bot.core.rulebook.answer import ClauseAnswerer

ENTRY_SLACK = 4.0  # a likely home worth showing sits a little below the clarify cutoff, not an answer
GROUP_OVERLAP = 0.4  # share of the smaller question's idf mass two homeless questions share (two of three words)


@dataclass(slots=True)
class Cluster:
    """Questions with one likely home: an entry id, a clause id, or none."""

    questions: list[str] = field(default_factory=list)
    target_id: str = ""
    target_title: str = ""
    kind: str = "none"  # entry | clause | none
    score: float = 0.0

    @property
    def representative(self) -> str:
        """The question to add as an alternate: the shortest complete one (most reusable wording)."""
        return min(self.questions, key=lambda q: (len(q) < 4, len(q)))


def _home(matcher: Matcher, question: str) -> tuple[str, str, str, float]:
    semantic = getattr(matcher, "semantic", None)
    vector = semantic.vector(question) if semantic is not None else None
    found, decoy = matcher.candidates(question, limit=1, vector=vector)
    if decoy:
        return "none", "", "", 0.0
    if found and found[0].score >= matcher.rule.clarify_cutoff - ENTRY_SLACK:
        m = found[0]
        return "entry", m.entry.id, m.entry.title, m.score
    fallback = getattr(matcher, "fallback", None)
    if isinstance(fallback, ClauseAnswerer):
        status, clauses = fallback.rank(question, vector=vector)
        if status != "unknown" and clauses:
            m = clauses[0]
            return "clause", m.entry.id, m.entry.title, m.score
    return "none", "", "", 0.0


def cluster_questions(matcher: Matcher, questions: Iterable[str]) -> list[Cluster]:
    """Clusters, largest first; duplicates (after normalisation) count once per occurrence."""
    by_home: dict[str, Cluster] = {}
    homeless: list[tuple[str, dict[str, float]]] = []
    for q in questions:
        q = q.strip()
        if not q:
            continue
        kind, tid, title, score = _home(matcher, q)
        if kind == "none":
            words = matcher._words(matcher._prep(q))
            homeless.append((q, {w: matcher.idf(w) for w in words}))
            continue
        c = by_home.setdefault(tid, Cluster(target_id=tid, target_title=title, kind=kind))
        c.questions.append(q)
        c.score = max(c.score, score)
    groups: list[tuple[Cluster, dict[str, float]]] = []
    for q, weights in homeless:
        best, best_share = None, 0.0
        for c, centre in groups:
            shared = sum(min(weights.get(w, 0.0), v) for w, v in centre.items())
            smaller = min(sum(weights.values()), sum(centre.values())) or 1.0
            if shared / smaller > best_share:
                best, best_share = (c, centre), shared / smaller
        if best is not None and best_share >= GROUP_OVERLAP:
            best[0].questions.append(q)
            for w, v in weights.items():  # the centre keeps the words the group shares most
                best[1][w] = max(best[1].get(w, 0.0), v)
        else:
            groups.append((Cluster([q]), dict(weights)))
    clusters = list(by_home.values()) + [c for c, _ in groups]
    clusters.sort(key=lambda c: (-len(c.questions), c.kind == "none", c.target_id))
    return clusters
