"""Answers straight from imported clauses, when no curated entry answers confidently.

Clauses are indexed by the same matcher as curated entries (one scoring for both, lexical and
semantic): each clause becomes a read-only pseudo-entry whose "questions" are its own text and its
parent's lead-in (第七条用户在服务平台享有以下权利: for the items under it), whose answer (embedded as
an e5 passage) is the clause verbatim, and whose keywords are the headings of its path. The
out-of-scope decoys and synonyms of the knowledge base are shared, so a question about payroll is
refused here exactly as it is for curated entries, by the same `decide`.

Clause vectors are built by `kb import` and `kb build` (clauses/vectors.npz beside the store), never
while answering: a clause store without them is searched on the lexical signal, and says so once.

The result is labelled `status="clause"` and carries the verbatim clause text with its citation:
it is never presented as a curated answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot.core.ask.decision import Decision, Scored, decide
from bot.core.ask.knowledge import Entry, KnowledgeBase, shipped_voices
from bot.core.ask.matcher import AskResult, Match, Matcher, MatcherConfig, fuse
from bot.core.paths import KNOWLEDGE_DIR
from bot.core.rulebook.register import REGISTER_FILE, register_synonyms, shipped_register
from bot.core.rulebook.split import Clause
from bot.core.rulebook.store import StoredDocument, slug
from bot.core.schema import Source
from bot.core.text.inputs import MAX_QUESTION_CHARS
from bot.core.text.normalize import normalize_query

if TYPE_CHECKING:

    from bot.core.ask.embed import Embedder

log = logging.getLogger(__name__)

CLAUSE_ID_PREFIX = "clause:"
DOMAIN = "rulebook"
MIN_BODY_CHARS = 6  # a bare heading ("第四章考核与晋升") is a path element, not an answer
CLAUSE_VECTORS = Path("clauses") / "vectors.npz"


@dataclass(frozen=True, slots=True)
class ClauseConfig:
    """When a clause is good enough to quote (0-100 on the matcher's scale), and how its two
    signals are fused. Fitted on dev against a clause-only import of the two sources and on the fit
    half of the blind rulebook questions (benchmarks/rulebook/README.md)."""

    lexical_cutoff: float = 22.0
    fused_cutoff: float = 44.0
    semantic_weight: float = 0.65
    semantic_floor: float = 0.78
    answer_offset: float | None = 0.03  # clause text as an e5 passage: cosine + offset vs its query form
    shown: int = 3  # clauses returned; replies quote the first two verbatim and cite the third
    margin_over_curated: float = 0.0  # a clause beats curated candidates only when it scores this much higher
    register_vector: bool = True  # also embed the question as read in the document's legal register
    quantity_penalty: float = 20.0  # a clause stating no figure, for a question asking for one (多少, 几天)

    def matcher_config(self, base: MatcherConfig) -> MatcherConfig:
        """The matcher settings for clauses: the curated ones with the clause fusion and cutoffs."""
        def rule(cutoff: float) -> Decision:
            return Decision(answer_cutoff=cutoff, answer_margin=0.0, clarify_cutoff=cutoff, rival_floor=cutoff)

        return replace(base, semantic_weight=self.semantic_weight, semantic_floor=self.semantic_floor,
                       answer_offset=self.answer_offset, lexical=rule(self.lexical_cutoff),
                       fused=rule(self.fused_cutoff), calibrated=False)


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
            # Each paragraph of a long article also stands alone: a question is usually about one
            # of them, and a whole article's embedding and surface similarity dilute it.
            paragraphs = [p.strip() for p in body.split("\n") if len(re.sub(r"\W", "", p)) >= MIN_BODY_CHARS]
            questions = [body, *(paragraphs if len(paragraphs) > 1 else ())]
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


def clause_knowledge(kb: KnowledgeBase, docs: list[StoredDocument]) -> KnowledgeBase:
    """The knowledge base the clause index searches: the clauses, `kb`'s synonyms and decoys, the
    legal register's groups for these documents, and the shipped voices (dialect, English) when
    `kb` has none of its own (a rulebook imported alone is still asked in every voice)."""
    entries = clause_entries(docs)
    taken = [t for g in kb.synonyms for t in (g.canonical, *g.terms)]
    texts = [t for e in entries for t in (e.answer, *e.keywords)]
    synonyms = [*kb.synonyms, *register_synonyms(shipped_register().groups, texts, taken=taken)]
    fillers, english, standard = kb.fillers, kb.english, kb.standard
    if not fillers and not english and not standard:
        fillers, english, standard = shipped_voices()
    return KnowledgeBase(entries, synonyms, kb.decoys, kb.userdict, kb.directory, kb.language, fillers, english,
                         standard)


def shipped_language_files() -> tuple[Path, ...]:
    """The shipped files `clause_knowledge` may read (part of the clause index's cache key)."""
    return tuple(p for p in (KNOWLEDGE_DIR / REGISTER_FILE, KNOWLEDGE_DIR / "voices.yaml") if p.exists())


def penalised(score: float, config: ClauseConfig, figure_missing: bool) -> float:
    """A clause's fused score, less the quantity penalty when it lacks the figure asked for."""
    return max(0.0, score - config.quantity_penalty) if figure_missing else score


def is_clause(entry: Entry) -> bool:
    return entry.id.startswith(CLAUSE_ID_PREFIX)


_REFERENCE = re.compile(r"^\s*《(?P<doc>[^》]+)》\s*(?P<path>.*?)\s*$")


def referenced(reference: str, clauses: list[Entry]) -> list[Entry]:
    """The clauses a curated entry's reference names, in document order: 《document title》 and the
    citation's labels or headings (《员工手册》第十二条 takes the article and its items; 第十二条 （一）
    the item alone; a chapter label all its clauses). [] when the reference is malformed."""
    m = _REFERENCE.match(reference)
    if m is None:
        return []
    doc, wanted = m.group("doc").strip(), set(m.group("path").split())
    out = []
    for c in clauses:
        source = c.sources[0]
        if source.doc == doc and wanted <= set(source.clause.split()):
            out.append(c)
    return out


class ClauseAnswerer:
    """Search over imported clauses, and the fallback `Matcher.ask` consults (see `consider`)."""

    def __init__(self, kb: KnowledgeBase, docs: list[StoredDocument], *,
                 matcher_config: MatcherConfig | None = None, config: ClauseConfig | None = None,
                 matcher: Matcher | None = None):
        """`matcher`: the clause index built earlier (restored from the index cache), else built here."""
        self.config = config or ClauseConfig()
        self.documents = [(d.title, d.version, d.effective, len(d.clauses)) for d in docs]
        if matcher is not None:
            self.matcher = matcher
            return
        clause_config = self.config.matcher_config(matcher_config or MatcherConfig())
        self.matcher = Matcher(clause_knowledge(kb, docs), config=clause_config)

    def __len__(self) -> int:
        return len(self.matcher.kb.entries)

    def linked(self, entry: Entry) -> list[Entry]:
        """The clauses `entry` points to (its `clauses:` references), each once, in reference order."""
        out: dict[str, Entry] = {}
        for reference in entry.clauses:
            for c in referenced(reference, self.matcher.kb.entries):
                out.setdefault(c.id, c)
        return list(out.values())

    # -- semantic signal ---------------------------------------------------------------------------
    def vector_files(self) -> tuple[Path, ...]:
        """Where clause vectors are read from: the knowledge's shipped file (decoys), then the store's."""
        d = self.matcher.kb.directory
        return () if d is None else (d / "vectors.npz", d / CLAUSE_VECTORS)

    def build_vectors(self, embedder: Embedder, *, step: Callable[[int, int], None] | None = None) -> int:
        """Embed what the clauses need and write clauses/vectors.npz; returns how many were embedded."""
        from bot.core.ask.semantic import SemanticTexts, fill_store

        kb = self.matcher.kb
        store, embedded = fill_store(kb, embedder, step=step, titles=False, shipped=self.vector_files())
        if kb.directory is not None:
            store.save(kb.directory / CLAUSE_VECTORS, only=SemanticTexts.of(kb, titles=False).keys(store))
        return embedded

    def attach(self, embedder: Embedder | None, why_not: str = "") -> None:
        """Search with the semantic signal when every clause vector was built beforehand."""
        if embedder is None:
            self.matcher.attach(None, why_not)
            return
        from bot.core.ask.semantic import SemanticIndex, fill_store

        kb = self.matcher.kb
        store, missing = fill_store(kb, embedder, titles=False, shipped=self.vector_files(), embed=False)
        if missing:
            log.warning("clause search on the lexical signal: %d clause vectors missing (run kb build)", missing)
            self.matcher.attach(None, f"{missing} clause vectors missing, run kb build")
            return
        self.matcher.attach(SemanticIndex(kb, embedder, store, titles=False))

    # -- search ------------------------------------------------------------------------------------
    def features(self, query: str, *, vector: np.ndarray | None = None) -> list[tuple[int, float, float, float]]:
        """The clause matcher's `features` of `query`. With the semantic signal, the question is also
        embedded as read in the document's register (老板 -> 用人单位), and each clause keeps the
        closer of the two readings."""
        m = self.matcher
        semantic = getattr(m, "semantic", None)
        if semantic is None:
            return m.features(query)
        vector = semantic.vector(query) if vector is None else vector
        per_doc, answers = semantic.similarities(vector)
        rewritten = m._prep(query)
        if self.config.register_vector and rewritten != normalize_query(query[:MAX_QUESTION_CHARS]):
            more_doc, more_answers = semantic.similarities(semantic.vector(rewritten))
            per_doc, answers = np.maximum(per_doc, more_doc), np.maximum(answers, more_answers)
        return m.features(query, similarities=(per_doc, answers))

    def figure_missing(self, query: str) -> Callable[[int], bool]:
        """Per clause index: does `query` ask for a figure (多少, 几天) that the clause does not state?"""
        register = shipped_register()
        entries = self.matcher.kb.entries
        if not register.asks_quantity(query):
            return lambda i: False
        return lambda i: i < len(entries) and not register.states_quantity(entries[i].answer)

    def ranked(self, query: str, *, vector: np.ndarray | None = None) -> list[Scored]:
        """Every candidate clause (and decoy) with its fused score, best first. A question asking for
        a figure (多少, 几天, 上限) is answered only by a clause stating one: others lose
        `quantity_penalty` (near misses ask for the figure a statute never sets)."""
        m = self.matcher
        n = len(m.kb.entries)
        missing = self.figure_missing(query)
        ranked = [Scored(i, round(penalised(fuse(m.config, lex, q, a), self.config, missing(i)), 2), i >= n)
                  for i, lex, q, a in self.features(query, vector=vector)]
        ranked.sort(key=lambda r: (-r.score, r.doc))
        return ranked

    def rank(self, query: str, *, vector: np.ndarray | None = None) -> tuple[str, list[Match]]:
        """(the decision's status over clauses alone, the clauses it offers, best first)."""
        m = self.matcher
        status, offered = decide(self.ranked(query, vector=vector), m.rule, limit=max(self.config.shown, 1))
        return status, [Match(m.kb.entries[r.doc], r.score) for r in offered]

    def search(self, query: str, *, limit: int = 2, score_cutoff: float = 0.0) -> list[Match]:
        """Clauses best answering `query`, best first, scores 0-100 (empty when a decoy wins)."""
        found, decoy_wins = self.matcher.candidates(query, limit=limit)
        if decoy_wins:
            return []
        return [m for m in found if m.score >= score_cutoff]

    def consider(self, query: str, curated: AskResult, *, limit: int,
                 vector: np.ndarray | None = None) -> AskResult:
        """The curated result unless a clause answers better; curated answers are never overridden."""
        if curated.status == "answer":
            return curated
        status, found = self.rank(query, vector=vector)
        return choose(curated, status, found, self.config, limit=limit)


def linked_clauses(matcher: Matcher, entry: Entry) -> list[Entry]:
    """The imported clauses a curated entry points to, from the matcher's clause fallback ([] without one)."""
    fallback = getattr(matcher, "fallback", None)
    return fallback.linked(entry) if entry.clauses and isinstance(fallback, ClauseAnswerer) else []


def choose(curated: AskResult, status: str, clauses: list[Match], config: ClauseConfig, *, limit: int) -> AskResult:
    """Curated answer, or clauses (when `decide` over clauses offered some and no curated candidate
    scores as high), or the curated clarify/unknown. Used by `consider` and by the fitting tool."""
    if curated.status == "answer" or status == "unknown" or not clauses:
        return curated
    if curated.matches:
        top = curated.matches[0].score if curated.fused_first is None else curated.fused_first
        if top + config.margin_over_curated > clauses[0].score:
            return curated
    return AskResult("clause", tuple(clauses[: min(limit, config.shown)]), curated.query, curated.ranked)
