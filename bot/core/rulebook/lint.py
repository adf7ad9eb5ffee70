"""Curation lint: alternate questions that the matcher sends elsewhere, and near-duplicate entries.

Both use the matcher `ask` uses (fused lexical + semantic score when the semantic signal runs). An
alternate question is scored leave-one-out: its own entry is judged without that very question
among its alternates, in both signals (otherwise it would always win by surface similarity), so a
question that only its own wording ties to its entry is reported. Its vector is the stored one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.core.ask.matcher import Matcher, MatcherConfig, fuse
from bot.core.text.normalize import normalize_query

if TYPE_CHECKING:
    import numpy as np

CHUNK = 512  # alternate questions compared per matrix product
DUPLICATE_CUTOFF = 85.0  # RapidFuzz ratio of two entries' normalised title + answer


@dataclass(frozen=True, slots=True)
class Conflict:
    """An alternate question of `entry_id` that scores higher for `other_id`."""

    entry_id: str
    question: str
    other_id: str
    own_score: float
    other_score: float
    file: str
    line: int

    def __str__(self) -> str:
        return (f"{self.file}:{self.line}: {self.entry_id}: alternate question {self.question!r} is closer to "
                f"{self.other_id} ({self.other_score:.0f}) than to its own entry ({self.own_score:.0f})")


def alternate_conflicts(matcher: Matcher, *, margin: float = 0.0) -> list[Conflict]:
    """Alternate questions whose best other entry outscores their own entry by more than `margin`.

    Exactly what scoring every candidate of every question would find, for a fraction of the work:
    the character similarity, the dear part of a lexical score, is computed for the own entry and
    then for rivals in order of the highest score they could reach, only while one of them could
    still be a conflict or beat the best conflicting rival found so far."""
    out: list[Conflict] = []
    kb = matcher.kb
    cfg = matcher.config
    semantic = getattr(matcher, "semantic", None)
    pairs = [(idx, q) for idx, entry in enumerate(kb.entries) for q in entry.questions]
    held: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(pairs)
    if semantic is not None:  # in chunks: one matrix product each, memory bounded at any size
        for start in range(0, len(pairs), CHUNK):
            held[start:start + CHUNK] = semantic.held_out(pairs[start:start + CHUNK])
    for (idx, q), sims in zip(pairs, held, strict=True):
        entry = kb.entries[idx]
        alts = matcher._alts[idx]
        prepped = matcher._prep(q)
        matcher._alts[idx] = [a for a in alts if a != prepped] or alts
        try:
            if semantic is None:
                cosines = None
                extra: tuple[int, ...] = ()
            else:
                cosines = semantic.similarities(semantic.vector(q)) if sims is None else sims
                extra = matcher.nearest_documents(cosines[0])
            query, parts = matcher._lexical_parts(q, extra)
            own = _fused(cfg, cosines, idx, matcher._lexical_score(query, idx, parts[idx])) if idx in parts else 0.0
            # Rivals by the score they could reach; max() over (score, document) decides ties.
            bounds = sorted(((_fused(cfg, cosines, i, matcher.lexical_bound(part)), i) for i, part in parts.items()
                             if i != idx and i < len(kb.entries)), reverse=True)
            best: tuple[float, int] | None = None
            for bound, i in bounds:
                if bound < best[0] if best is not None else bound <= own + margin:
                    break
                score = (_fused(cfg, cosines, i, matcher._lexical_score(query, i, parts[i])), i)
                if score[0] > own + margin and (best is None or score > best):
                    best = score
        finally:
            matcher._alts[idx] = alts
        if best is not None:
            out.append(Conflict(entry.id, q, kb.entries[best[1]].id, own, best[0], entry.file, entry.line))
    return out


def _fused(cfg: MatcherConfig, cosines: tuple[np.ndarray, np.ndarray] | None, doc: int, lexical: float) -> float:
    if cosines is None:
        return fuse(cfg, lexical, -1.0, -1.0)
    return fuse(cfg, lexical, float(cosines[0][doc]), float(cosines[1][doc]))


@dataclass(frozen=True, slots=True)
class Duplicate:
    first: str
    second: str
    score: float
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.second} looks like a near-duplicate of {self.first} ({self.score:.0f})"


def near_duplicates(matcher: Matcher, *, cutoff: float = DUPLICATE_CUTOFF) -> list[Duplicate]:
    """Pairs of entries whose title + answer are nearly the same text."""
    entries = matcher.kb.entries
    texts = [normalize_query(e.title + e.answer) for e in entries]
    out: list[Duplicate] = []
    for i, text in enumerate(texts):
        for _, score, j in process.extract(text, texts, scorer=fuzz.ratio, limit=5, score_cutoff=cutoff):
            if j > i:
                e = entries[j]
                out.append(Duplicate(entries[i].id, e.id, score, e.file, e.line))
    return out
