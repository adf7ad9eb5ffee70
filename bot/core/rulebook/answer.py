"""Answers straight from imported clauses, when no curated entry answers confidently.

Clauses are indexed by the same matcher as curated entries (one scoring for both): each clause
becomes a read-only pseudo-entry whose "questions" are its own text and its parent's lead-in
(第七条用户在服务平台享有以下权利: for the items under it), and whose keywords are the headings of
its path. The out-of-scope decoys and synonyms of the knowledge base are shared, so a question
about payroll is refused here exactly as it is for curated entries.

The result is labelled `status="clause"` and carries the verbatim clause text with its citation:
it is never presented as a curated answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.ask.knowledge import Entry, KnowledgeBase
from bot.core.ask.matcher import AskResult, Match, Matcher, MatcherConfig
from bot.core.rulebook.split import Clause
from bot.core.rulebook.store import StoredDocument, slug
from bot.core.schema import Source

CLAUSE_ID_PREFIX = "clause:"
DOMAIN = "rulebook"
MIN_BODY_CHARS = 6  # a bare heading ("第四章考核与晋升") is a path element, not an answer


@dataclass(frozen=True, slots=True)
class ClauseConfig:
    """When a clause is good enough to quote (0-100 on the matcher's scale)."""

    cutoff: float = 22.0  # fitted on dev.yaml against a clause-only import of the two sources (kb eval)
    shown: int = 3  # clauses returned; replies quote the first two verbatim and cite the third
    margin_over_curated: float = 0.0  # a clause beats curated candidates only when it scores this much higher


def _body(clause: Clause) -> str:
    """The clause text without its own marker (第三条, （一）, 1.)."""
    label = clause.path[-1].split(" ", 1)[0] if clause.path else ""
    text = clause.text
    if label and text.startswith(label):
        text = text[len(label):]
    return text.strip(" \u3000：:")


def _headings(path: tuple[str, ...]) -> list[str]:
    return [p.split(" ", 1)[1] for p in path if " " in p]


def clause_entries(docs: list[StoredDocument]) -> list[Entry]:
    """Pseudo-entries for matching, one per clause with a body."""
    out: list[Entry] = []
    for doc in docs:
        stem = slug(doc.source)
        lead: dict[tuple[str, tuple[str, ...]], str] = {}
        for c in doc.clauses:
            lead[(c.doc, c.path)] = _body(c)[:80]
        for i, c in enumerate(doc.clauses, 1):
            body = _body(c)
            if len(re.sub(r"\W", "", body)) < MIN_BODY_CHARS:
                continue
            questions = [body]
            parent = lead.get((c.doc, c.path[:-1]))
            if parent and len(c.path) > 1:
                questions.append(parent)
            keywords = [*_headings(c.path), c.doc]
            citation = " ".join(c.path)
            out.append(Entry(
                id=f"{CLAUSE_ID_PREFIX}{stem}:{i}", title=f"《{c.doc}》{citation}", answer=c.text,
                questions=tuple(questions), keywords=tuple(keywords),
                sources=(Source(c.doc, citation, stem),), domain=DOMAIN, topic=stem,
                tags=(DOMAIN, stem), related=(), file=str(doc.file or ""), line=i,
            ))
    return out


def is_clause(entry: Entry) -> bool:
    return entry.id.startswith(CLAUSE_ID_PREFIX)


class ClauseAnswerer:
    """Search over imported clauses, and the fallback `Matcher.ask` consults (see `consider`)."""

    def __init__(self, kb: KnowledgeBase, docs: list[StoredDocument], *,
                 matcher_config: MatcherConfig | None = None, config: ClauseConfig | None = None):
        self.config = config or ClauseConfig()
        self.documents = [(d.title, d.version, d.effective, len(d.clauses)) for d in docs]
        clause_kb = KnowledgeBase(clause_entries(docs), kb.synonyms, kb.decoys, kb.userdict, kb.directory)
        self.matcher = Matcher(clause_kb, config=matcher_config)

    def __len__(self) -> int:
        return len(self.matcher.kb.entries)

    def search(self, query: str, *, limit: int = 2, score_cutoff: float = 0.0) -> list[Match]:
        """Clauses best answering `query`, best first, scores 0-100 (empty when a decoy wins)."""
        found, decoy_wins = self.matcher.candidates(query, limit=limit)
        if decoy_wins:
            return []
        return [m for m in found if m.score >= score_cutoff]

    def consider(self, query: str, curated: AskResult, *, limit: int) -> AskResult:
        """The curated result unless a clause answers better; curated answers are never overridden."""
        if curated.status == "answer":
            return curated
        cfg = self.config
        found = self.search(query, limit=max(cfg.shown, 1), score_cutoff=cfg.cutoff)
        if not found:
            return curated
        if curated.matches and curated.matches[0].score + cfg.margin_over_curated > found[0].score:
            return curated
        return AskResult("clause", tuple(found[: min(limit, cfg.shown)]), query)
