"""Question -> knowledge entry matching, with an honest "unknown".

Signals (each measured on the dev set, see README "Matching"):
- coverage: how much of the question's information (idf mass of its words) the entry explains;
  words unknown to the knowledge base count as unexplained, which is what refuses out-of-scope
  questions ("茅台股票现在能买吗").
- evidence: the same idf mass in absolute terms (saturating), so that a long scenario message
  that contains a rule's distinctive words is not drowned by its narrative.
- surface similarity: RapidFuzz similarity with the closest alternate question.
- exclusive-term guards: a question naming 机密 never gets an entry about 绝密 only.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, Protocol

from rapidfuzz import fuzz, process

from bot.core.ask.calibration import (
    CALIBRATION_FILE,
    KEY_FEATURES,
    PAIRS_CLAUSE,
    Calibration,
    Reading,
    answered_together,
    load_calibration,
)
from bot.core.ask.calibration import features as calibration_features
from bot.core.ask.decision import Decision, Evidence, Scored, Status, decide
from bot.core.ask.facts import (
    FACT_FEATURES,
    FACT_FILE,
    FactKinds,
    entry_facts,
    fact_features,
    load_fact_kinds,
    unmet_facts,
)
from bot.core.ask.knowledge import Entry, KnowledgeBase
from bot.core.text.inputs import MAX_QUESTION_CHARS
from bot.core.text.segment import VOCABULARY_FILE, Segmenter
from bot.core.text.synonyms import Canonicalizer
from bot.core.yamlfile import DataError, Problem

if TYPE_CHECKING:
    import numpy as np

    from bot.core.ask.embed import Embedder
    from bot.core.ask.respell import Respeller
    from bot.core.ask.semantic import SemanticIndex

# Fitted with `kb fit` on the blind fit set (figures in README). The fused rule was fitted to
# wrong-confident <= .02 and oos refused >= .95: cross-validation showed held-out figures about
# .02 worse than the in-sample ones, so the limits (.03, .93) need that margin.
LEXICAL_RULE = Decision(answer_cutoff=60.0, answer_margin=0.0, clarify_cutoff=60.0, rival_floor=60.0)
FUSED_RULE = Decision(answer_cutoff=63.0, answer_margin=4.0, clarify_cutoff=42.0, rival_floor=63.0,
                      decoy_cosine=0.03, agreed_cutoff=51.0)

# A word of Latin letters (digits may follow: mp3, 5g is not one): English or pinyin the glossary lacks.
_LATIN_WORD = re.compile(r"[a-z][a-z0-9]*")

# What `ask` replies: the decision's status, or "clause" when no curated entry answers and these
# are verbatim clauses of an imported rulebook.
AskStatus = Literal[Status, "clause"]

@dataclass(frozen=True, slots=True)
class MatcherConfig:
    """Weights and thresholds; the fusion and decision ones fitted with `kb fit` (figures in README)."""

    evidence_weight: float = 1.0  # absolute idf mass the entry explains, saturating at evidence_saturation
    coverage_weight: float = 1.0  # share of the question's idf mass the entry explains
    char_weight: float = 1.0  # RapidFuzz similarity with the closest alternate question
    evidence_saturation: float = 20.0
    answer_text_credit: float = 0.5  # credit for a question word found only in the answer text
    unknown_weight: float = 0.5  # share of a word unknown to the knowledge base counted as unexplained mass
    # The same for an unknown word in Latin letters (English the glossary lacks, pinyin), in the
    # lexical coverage and in the unknown share the decision reads; None: as `unknown_weight`. The
    # embedder still reads the word: only the lexical signal's count of unexplained mass changes.
    # 0: left out (leave one file out over twelve fit files, English-mixed answer@1 .826 -> .838,
    # oos refused .952 -> .949; README "How `ask` decides").
    latin_unknown_weight: float | None = 0.0
    # Weight of a long question's words outside its asking sentences (KnowledgeBase.asking_part): a
    # story's narrative is not information the entry must explain. 1.0: every word alike.
    narrative_weight: float = 1.0
    # A long question's lexical score per document also read on its asking sentences alone, and the
    # two readings combined ("max", "mean"; "off": the whole only): a story's narrative words are
    # unexplained mass that lowers every entry's coverage and character similarity, while the asking
    # sentence alone reads like the knowledge's questions (the semantic signal reads both likewise).
    asking_lexical: str = "mean"
    # A question is also read without its clauses that only frame it (KnowledgeBase.matter: "……，这算
    # 违规吗", "规范里是怎么要求的"), combined like the asking part: their words (违规, 规定, 要求) are
    # the words of the entries about violations and rules in general.
    matter_lexical: bool = True
    lexical: Decision = LEXICAL_RULE
    # Fusion with the semantic signal (used only when an embedder is attached).
    semantic_weight: float = 0.65  # share of the fused score that is semantic
    semantic_floor: float = 0.85  # cosine mapped to 0; 1.0 maps to 100
    answer_offset: float | None = 0.0  # answer-passage cosine + offset competes with the questions'; None: unused
    semantic_candidates: int = 20  # nearest documents added to the lexical shortlist
    fused: Decision = FUSED_RULE
    calibrated: bool = True  # with both signals, decide on knowledge/decision.yaml's fitted models when present
    exclusive_penalty: float = 0.5
    single_char_weight: float = 0.5  # one-character words say little on their own (年, 发, 叫)
    shortlist: int = 20  # documents reranked by alternate-question similarity
    max_candidates: int = 300  # documents whose coverage is computed (rarest words first)
    char_scorer: str = "ratio"  # rapidfuzz.fuzz scorer for the character similarity
    sub_words: bool = True  # also index dictionary sub-words of long words (科技 in 对外科技交流)
    # A question's words the knowledge base does not know that sound exactly like one of its terms
    # (总节 for 总结, 涉秘 for 涉密: a pinyin input method's or a speech recogniser's slip) are read as
    # that term before both signals (bot/core/ask/respell.py).
    respell: bool = True
    # The question's rarest words the knowledge uses (its key terms, 眼影 in "化妆时眼影有何限制") read by
    # the reranker's key-term features when it names them (`key_terms`): a neighbouring rule that
    # shares the question's common words but not its key term should not win.
    key_terms: int = 2


def fuse(cfg: MatcherConfig, lexical: float, question_cos: float, answer_cos: float) -> float:
    """One 0–100 score from both signals; the lexical score alone when the semantic one is off (-1)."""
    if question_cos < -0.5:
        return lexical
    cos = question_cos if cfg.answer_offset is None else max(question_cos, answer_cos + cfg.answer_offset)
    semantic = 100.0 * min(1.0, max(0.0, (cos - cfg.semantic_floor) / (1.0 - cfg.semantic_floor)))
    return (1.0 - cfg.semantic_weight) * lexical + cfg.semantic_weight * semantic


def evidence(rows: list[tuple[int, float, float, float]], n_entries: int) -> Evidence | None:
    """The signals' own view of the candidates `rows` (document, lexical, question cosine, answer
    cosine) beyond the fused score; None when the semantic signal is off."""
    if not rows or rows[0][2] < -0.5:
        return None
    entries = [r for r in rows if r[0] < n_entries]
    decoys = [r for r in rows if r[0] >= n_entries]
    best_entry = max((r[2] for r in entries), default=-1.0)
    best_decoy = max((r[2] for r in decoys), default=-1.0)
    lexical_top = max(rows, key=lambda r: (r[1], -r[0]))[0]
    semantic_top = max(rows, key=lambda r: (r[2], -r[0]))[0]
    return Evidence(best_decoy - best_entry, lexical_top == semantic_top)


@dataclass(frozen=True, slots=True)
class Match:
    """One candidate answer; `score` is 0–100."""

    entry: Entry
    score: float


@dataclass(frozen=True, slots=True)
class AskResult:
    """What `ask` decided: a confident answer, candidates to choose from, or unknown."""

    status: AskStatus
    matches: tuple[Match, ...]
    query: str
    ranked: tuple[Match, ...] = ()  # the best entries by score alone, whatever the decision
    # The fused score of the first match when scores are reranker probabilities: what a clause's
    # fused score competes with (bot.core.rulebook.answer.choose). None: the first match's score.
    fused_first: float | None = None
    # An answer whose second match is one rule with the first (`KnowledgeBase.one_rule`): the reply
    # carries both, the first in full and the second after it.
    paired: bool = False

    @property
    def answered(self) -> tuple[Match, ...]:
        """The matches an answer states: the first, and the second of a pair."""
        if self.status != "answer":
            return ()
        return self.matches[:2] if self.paired else self.matches[:1]


class Fallback(Protocol):
    """Consulted by `Matcher.ask` after the curated decision (bot.core.rulebook.answer)."""

    def consider(self, query: str, curated: AskResult, *, limit: int,
                 vector: np.ndarray | None = None) -> AskResult: ...

    def attach(self, embedder: Embedder | None, why_not: str = "") -> None: ...


class Matcher:
    """Finds the knowledge entries that answer a question (API shaped like RapidFuzz's process)."""

    def __init__(self, kb: KnowledgeBase, *, config: MatcherConfig | None = None,
                 exclusive: tuple[tuple[str, ...], ...] | None = None):
        self._setup(kb, config, exclusive)
        # Every text is prepared once: the vocabulary, the postings and the alternates share it.
        prep = lru_cache(maxsize=None)(self._prep)
        texts = [prep(t) for e in kb.entries for t in (e.title, e.answer, *e.questions, *e.keywords)]
        texts += [prep(q) for d in kb.decoys for q in d.questions]
        # Voice fillers are words of the vocabulary, so that a phrase like 请教 or 有何 is cut whole
        # and dropped, not split into characters that count as unexplained information.
        fillers = {f for f in kb.fillers if len(f) > 1 and not f.isascii()}
        extra = sorted({prep(k) for e in kb.entries for k in e.keywords} | self.canon.canonical_terms
                       | {t for group in self.exclusive for t in group} | set(kb.english.values()) | fillers)
        shipped = kb.directory / VOCABULARY_FILE if kb.directory is not None else None
        self.seg = Segmenter.for_texts(texts, extra, kb.userdict, shipped=shipped)
        # Documents are the entries followed by the out-of-scope decoys (index >= n_entries).
        self._n_entries = len(kb.entries)
        docs: list[tuple[tuple[str, ...], str]] = [((e.title, *e.questions, *e.keywords), e.answer)
                                                   for e in kb.entries]
        docs += [(d.questions, "") for d in kb.decoys]
        n = max(1, len(docs))
        doc_words: list[set[str]] = []
        answer_words: list[set[str]] = []
        df: dict[str, int] = defaultdict(int)
        for fields, answer in docs:
            words: set[str] = set()
            for t in fields:
                words |= self._words(prep(t))
            ans = self._words(prep(answer)) - words if answer else set()
            doc_words.append(words)
            answer_words.append(ans)
            for w in words | ans:
                df[w] += 1
        self._idf = {w: math.log(1 + n / c) for w, c in df.items()}
        self._unknown_idf = math.log(1 + n)
        # postings: word -> documents containing it; credit: per document, word -> 1.0 for words of
        # its title/questions/keywords and `answer_text_credit` for words found only in its answer.
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._credit: list[dict[str, float]] = []
        for i, (words, ans) in enumerate(zip(doc_words, answer_words, strict=True)):
            credit = dict.fromkeys(ans, self.config.answer_text_credit)
            credit.update(dict.fromkeys(words, 1.0))
            self._credit.append(credit)
            for w in credit:
                self._postings[w].append(i)
        alt_sources = [(e.title, *e.questions) for e in kb.entries] + [d.questions for d in kb.decoys]
        self._alts: list[list[str]] = [[prep(q) for q in questions] for questions in alt_sources]
        self._entry_text = [self._prep(e.title + " " + " ".join(e.keywords)) for e in kb.entries]
        self._entry_text += [""] * len(kb.decoys)
        self.attach(None, "not loaded")

    def _setup(self, kb: KnowledgeBase, config: MatcherConfig | None,
               exclusive: tuple[tuple[str, ...], ...] | None) -> None:
        """What the text pipeline needs besides the index (cheap: also done when restoring one)."""
        self.kb = kb
        self.config = config or MatcherConfig()
        self.fallback: Fallback | None = None
        self.canon = Canonicalizer(kb.synonyms)
        # Stopwords and exclusive groups: knowledge/language.yaml; fillers of other voices: voices.yaml.
        self.stopwords = kb.language.stopwords | kb.fillers
        self.exclusive = kb.language.exclusive if exclusive is None else exclusive
        self.calibration: Calibration | None = None
        self._topics = [e.topic for e in kb.entries]
        self._kin = [kb.kin(i) for i in range(len(kb.entries))]
        if self.config.calibrated and kb.directory is not None:
            self.calibration = load_calibration(kb.directory / CALIBRATION_FILE)
        self._facts: FactKinds | Literal[False] | None = False  # knowledge/fact_kinds.yaml, read when first needed
        self._stated: dict[int, frozenset[str]] = {}  # per entry, the kinds of fact it states (filled as asked)
        if self.calibration is not None and self.calibration.reads_facts():
            self.fact_kinds()  # a broken file is a start-up error, not a failed question

    # -- the index as plain data ---------------------------------------------------------------------
    def index_state(self) -> dict[str, Any]:
        """The built lexical index as plain containers of str/int/float (what the index cache
        stores, checksummed, instead of pickling the matcher)."""
        return {"n_entries": self._n_entries, "idf": self._idf, "unknown_idf": self._unknown_idf,
                "credit": self._credit, "alts": self._alts, "entry_text": self._entry_text}

    @classmethod
    def from_index_state(cls, kb: KnowledgeBase, seg: Segmenter, state: dict[str, Any], *,
                         config: MatcherConfig | None = None) -> Matcher:
        """A matcher over `kb` using an index built earlier (`index_state`) instead of rebuilding it."""
        self = cls.__new__(cls)
        self._setup(kb, config, None)
        self.seg = seg
        self._n_entries = int(state["n_entries"])
        self._idf = dict(state["idf"])
        self._unknown_idf = float(state["unknown_idf"])
        self._credit = [dict(c) for c in state["credit"]]
        self._postings = defaultdict(list)
        for i, credit in enumerate(self._credit):
            for w in credit:
                self._postings[w].append(i)
        self._alts = [list(a) for a in state["alts"]]
        self._entry_text = list(state["entry_text"])
        if len(self._credit) != self._n_entries + len(kb.decoys) or len(self._alts) != len(self._credit):
            raise ValueError("index does not fit the knowledge base")
        self.attach(None, "not loaded")
        return self

    # -- text pipeline -------------------------------------------------------------------------
    def respell(self, query: str) -> str:
        """`query` with its homophone slips of the knowledge's terms rewritten (`MatcherConfig.respell`);
        the respeller is built on the first question, not at start (`prepare` builds it sooner)."""
        if not self.config.respell:
            return query
        head = query[:MAX_QUESTION_CHARS]
        read = self._respeller()(head)
        return query if read is head else read

    def prepare(self) -> None:
        """Build now what the first questions would otherwise build: the respeller and its terms'
        sound keys (about 0.5 s, else charged to the first question holding an unknown word)."""
        if self.config.respell:
            self._respeller().prepare()

    def _respeller(self) -> Respeller:
        speller: Respeller | None = getattr(self, "_speller", None)
        if speller is None:
            from bot.core.ask.respell import Respeller
            from bot.core.text.language import function_characters

            def known(word: str) -> bool:
                return word in self._idf or word in self.stopwords or self.canon(word) != word

            speller = self._speller = Respeller(
                self._idf, known=known, cut=self.seg.cut, fold=self._prep,
                function_characters=function_characters())
        return speller

    def _prep(self, text: str) -> str:
        # Bounded work per question whatever the caller passes: a channel cuts at the question limit,
        # and folding can widen a character (㍿ -> 株式会社), so the folded form is cut as well.
        # English is read before folding, while its words are still apart (knowledge/voices.yaml).
        folded = self.kb.fold(text[:MAX_QUESTION_CHARS])[:MAX_QUESTION_CHARS]
        return self.canon(folded)

    def _words(self, prepped: str) -> set[str]:
        cut = self.seg.cut_for_search if self.config.sub_words else self.seg.cut
        return {w for w in cut(prepped) if w not in self.stopwords and w.strip()}

    def idf(self, word: str) -> float:
        """Information weight of a word: idf over entries, damped for single characters."""
        w = self._idf.get(word, self._unknown_idf)
        return w * self.config.single_char_weight if len(word) == 1 else w

    # -- semantic signal ---------------------------------------------------------------------------
    def attach(self, semantic: SemanticIndex | None, why_not: str = "") -> None:
        """Use `semantic` beside the lexical signal (None: lexical only, `why_not` says why)."""
        self.semantic = semantic
        self.semantic_off = "" if semantic is not None else (why_not or "not loaded")

    @property
    def signals(self) -> tuple[str, ...]:
        return ("lexical", "semantic") if getattr(self, "semantic", None) is not None else ("lexical",)

    @property
    def rule(self) -> Decision:
        """The decision thresholds for the signals that run."""
        if self.signals != ("lexical", "semantic"):
            return self.config.lexical
        if self.calibration is not None:
            return replace(self.config.fused, calibration=self.calibration)
        return self.config.fused

    # -- scoring ---------------------------------------------------------------------------------
    def _exclusive_clash(self, query: str, idx: int) -> bool:
        text = self._entry_text[idx]
        for group in self.exclusive:
            asked = {t for t in group if t in query}
            if not asked:
                continue
            named = {t for t in group if t in text}
            if named and not (named & asked):
                return True
        return False

    def _lexical(self, query: str, extra: tuple[int, ...] = (), *,
                 unknown_weight: float | None = None) -> dict[int, float]:
        """Lexical score (0–100) of the shortlist by rare-word mass, plus of the documents `extra`."""
        prepped, parts = self._lexical_parts(query, extra, unknown_weight=unknown_weight)
        return {i: self._lexical_score(prepped, i, part) for i, part in parts.items()}

    def _lexical_parts(self, query: str, extra: tuple[int, ...] = (), *,
                       unknown_weight: float | None = None) -> tuple[str, dict[int, float]]:
        """The prepared query, and for each document of the shortlist (plus `extra`) the weighted
        evidence + coverage part of its lexical score: all of it but the character similarity."""
        cfg = self.config
        uw = cfg.unknown_weight if unknown_weight is None else unknown_weight
        prepped = self._prep(query)
        words = self._words(prepped)
        if not words:
            return prepped, {}
        # A word the knowledge base never uses is unexplained information (what refuses "茅台股票
        # 能买吗"); `unknown_weight` < 1 lets other voices (dialect, English, formal) cost less.
        idfs = self._narrative({w: self.idf(w) * (1.0 if w in self._idf else self._unknown_share(w, uw))
                                for w in words}, query)
        idfs = {w: v for w, v in idfs.items() if v > 0.0}
        q_mass = sum(idfs.values()) or 1.0
        # Candidates come from the rarest words first; a document sharing only very common words
        # with the question could not win anyway, and skipping it keeps 10,000 entries fast.
        rough: dict[int, float] = defaultdict(float)
        for w in sorted(idfs, key=idfs.__getitem__, reverse=True):
            idf = idfs[w]
            for i in self._postings.get(w, ()):
                rough[i] += idf
            if len(rough) >= cfg.max_candidates:
                break
        if len(rough) > 4 * cfg.shortlist:
            pool = sorted(rough, key=rough.__getitem__, reverse=True)[: 4 * cfg.shortlist]
        else:
            pool = list(rough)
        # Each document's explained mass, summed in the question's word order through the postings
        # (a word the document lacks adds nothing).
        wanted = {*pool, *extra}
        cover = dict.fromkeys(wanted, 0.0)
        for w, idf in idfs.items():
            for i in self._postings.get(w, ()):
                if i in wanted:
                    cover[i] += idf * self._credit[i][w]
        shortlist = {*sorted(pool, key=cover.__getitem__, reverse=True)[: cfg.shortlist], *extra}
        # Long scenario messages explain much in absolute terms but little relatively; short
        # out-of-scope questions the other way round: the two together separate them.
        return prepped, {i: cfg.evidence_weight * min(1.0, cover[i] / cfg.evidence_saturation)
                         + cfg.coverage_weight * (cover[i] / q_mass) for i in shortlist}

    def _unknown_share(self, word: str, weight: float) -> float:
        """How much of an unknown word's idf counts as unexplained: `weight`, or the config's
        `latin_unknown_weight` for a word in Latin letters."""
        latin = self.config.latin_unknown_weight
        return latin if latin is not None and _LATIN_WORD.fullmatch(word) else weight

    def _narrative(self, idfs: dict[str, float], query: str) -> dict[str, float]:
        """`idfs` with the words outside a long question's asking sentences weighed by
        `narrative_weight` (unchanged when it is 1 or the question has no asking part of its own)."""
        weight = self.config.narrative_weight
        if weight == 1.0 or not (part := self.kb.asking_part(query[:MAX_QUESTION_CHARS])):
            return idfs
        asked = self._words(self._prep(part))
        return {w: v if w in asked else v * weight for w, v in idfs.items()}

    def _lexical_score(self, prepped: str, i: int, part: float) -> float:
        """Document `i`'s lexical score (0–100) from its `_lexical_parts` part: adds the similarity
        with its closest alternate question and the exclusive-term penalty."""
        cfg = self.config
        char = process.extractOne(prepped, self._alts[i], scorer=getattr(fuzz, cfg.char_scorer))[1] / 100.0
        score = 100.0 * (part + cfg.char_weight * char) / (cfg.evidence_weight + cfg.coverage_weight + cfg.char_weight)
        return score * cfg.exclusive_penalty if self._exclusive_clash(prepped, i) else score

    def lexical_bound(self, part: float) -> float:
        """The highest lexical score a document with this `_lexical_parts` part can reach (its
        character similarity at 100, no penalty): what lets a caller skip documents that cannot win."""
        cfg = self.config
        bound = 100.0 * (part + cfg.char_weight * 1.0) / (cfg.evidence_weight + cfg.coverage_weight + cfg.char_weight)
        return bound * max(1.0, cfg.exclusive_penalty)

    def nearest_documents(self, per_doc: np.ndarray) -> tuple[int, ...]:
        """The documents the semantic signal adds to the lexical shortlist: the nearest ones by
        `per_doc` similarity, and the closest out-of-scope topic, which always competes."""
        assert self.semantic is not None
        nearest = self.semantic.nearest(per_doc, self.config.semantic_candidates)
        if len(per_doc) > self._n_entries:
            nearest += (self._n_entries + int(per_doc[self._n_entries:].argmax()),)
        return nearest

    def features(self, query: str, *, vector: np.ndarray | None = None, unknown_weight: float | None = None,
                 similarities: tuple[np.ndarray, np.ndarray] | None = None) -> list[tuple[int, float, float, float]]:
        """(document, lexical 0–100, best question cosine, answer cosine) for every candidate of
        either signal; cosines are -1 when the semantic signal is off. The input of fusion and fitting.
        `similarities`: the semantic index's similarities of the question, when computed in bulk."""
        semantic = getattr(self, "semantic", None)
        if semantic is None:
            return [(i, s, -1.0, -1.0) for i, s in self._lexical(query, unknown_weight=unknown_weight).items()]
        if similarities is None:
            similarities = semantic.similarities(semantic.vector(query) if vector is None else vector)
        per_doc, answers = similarities
        lex = self._asking_lexical(query, self.nearest_documents(per_doc), unknown_weight=unknown_weight)
        return [(i, s, float(per_doc[i]), float(answers[i])) for i, s in lex.items()]

    def readings(self, query: str, *, vector: np.ndarray | None = None
                 ) -> tuple[list[tuple[int, float, float, float]], dict[int, Reading], bool]:
        """`features` (the same rows), what each reading of the message says of every row alone
        (`calibration.Reading`), and whether the message was read twice (whole and asking part).
        The semantic signal must be on. Costs nothing the rows do not compute already."""
        semantic = self.semantic
        assert semantic is not None
        parts = semantic.readings(semantic.vector(query) if vector is None else vector)
        per_doc, answers = semantic.fuse_readings(parts)
        lex, whole, asking = self._lexical_readings(query, self.nearest_documents(per_doc), unknown_weight=None)
        rows = [(i, s, float(per_doc[i]), float(answers[i])) for i, s in lex.items()]
        (qw, aw), (qa, aa) = parts[0], parts[-1]
        cfg = self.config
        out: dict[int, Reading] = {}
        for i, *_ in rows:
            lw = whole[i]
            la = asking[i] if asking is not None else lw
            q1, q2 = float(qw[i]), float(qa[i])
            out[i] = (fuse(cfg, lw, q1, float(aw[i])), fuse(cfg, la, q2, float(aa[i])), lw, la, q1, q2)
        return rows, out, len(parts) > 1

    def _asking_lexical(self, query: str, extra: tuple[int, ...], *,
                        unknown_weight: float | None) -> dict[int, float]:
        """Lexical scores of the whole question and of its other readings — its asking part (when it
        has one of its own), the question without its frame clauses (`matter_lexical`) — combined per
        document as `asking_lexical` says, over the candidates of every reading."""
        return self._lexical_readings(query, extra, unknown_weight=unknown_weight)[0]

    def _lexical_readings(self, query: str, extra: tuple[int, ...], *, unknown_weight: float | None
                          ) -> tuple[dict[int, float], dict[int, float], dict[int, float] | None]:
        """`_asking_lexical`, with the whole question's reading and the asking part's alone (None
        without one) beside it, for the decision's agreement features."""
        how = self.config.asking_lexical
        text = query[:MAX_QUESTION_CHARS]
        asked = self.kb.asking_part(text) if how != "off" else ""
        parts = [(k, p) for k, p in enumerate((asked, self.kb.matter(text) if self.config.matter_lexical else "")) if p]
        pairs = [(k, p, r) for k, p in parts if (r := self._lexical(p, extra, unknown_weight=unknown_weight))]
        if not pairs:  # one reading, or the others are all scaffolding: the whole says it
            alone = self._lexical(query, extra, unknown_weight=unknown_weight)
            return alone, alone, None
        readings = [r for _, _, r in pairs]
        seen = {i for r in readings for i in r}
        whole = self._lexical(query, (*extra, *seen), unknown_weight=unknown_weight)
        for _, part, reading in pairs:
            if missing := tuple(i for i in whole if i not in reading):
                reading.update(self._lexical(part, missing, unknown_weight=unknown_weight))
        asking = next((r for k, _, r in pairs if k == 0), None)
        if how == "max":
            return {i: max(s, *(r[i] for r in readings)) for i, s in whole.items()}, whole, asking
        return {i: (s + sum(r[i] for r in readings)) / (1 + len(readings)) for i, s in whole.items()}, whole, asking

    def _rank(self, query: str, *, vector: np.ndarray | None = None) -> list[Scored]:
        """Every candidate document with its fused score, best first, decoys included."""
        return self._rank_with_evidence(query, vector=vector, rerank=False)[0]

    def _rank_with_evidence(self, query: str, *, vector: np.ndarray | None = None,
                            features: bool | None = None, rerank: bool = True) -> tuple[list[Scored], Evidence | None]:
        """The candidates, best first, and the signals' evidence beyond the fused score (with the
        calibration's features when one is loaded, or when `features` asks for them). With the
        calibration's reranker (unless `rerank` is False) entries come in its order, scored with its
        probabilities; else every document with its fused score, decoys included."""
        if getattr(self, "semantic", None) is not None:
            rows, readings, long = self.readings(query, vector=vector)
        else:
            rows, readings, long = self.features(query, vector=vector), None, False
        fused = {i: round(fuse(self.config, lex, q, a), 2) for i, lex, q, a in rows}
        seen = evidence(rows, self._n_entries)
        reranker = self.calibration.rerank if self.calibration is not None and rerank else None
        words, unknown_share, coverage = (self.word_stats(query, docs=[r[0] for r in rows if r[0] < self._n_entries])
                                          if seen is not None else (0, 0.0, {}))
        reranked = None
        order: tuple[int, ...] = ()
        # Read once here for the reranker and the decision alike, and only when a model reads it.
        asked = (self.asked_facts(query) if seen is not None and self.calibration is not None
                 and self.calibration.reads_facts() else frozenset())
        if reranker is not None and seen is not None:
            keys = (self.key_terms(query, docs=[r[0] for r in rows if r[0] < self._n_entries])
                    if not KEY_FEATURES.isdisjoint(reranker.candidate.names) else None)
            unmet = (unmet_facts(asked, [r[0] for r in rows if r[0] < self._n_entries], self.stated_facts)
                     if "fact_unmet" in reranker.candidate.names else None)
            # The reranker's order, its probabilities as scores; "none of them" weighs the decoys.
            probs, none = reranker.probabilities(rows, self._n_entries, words=words, unknown_share=unknown_share,
                                                 coverage=coverage, topics=self._topics, kin=self._kin, keys=keys,
                                                 unmet=unmet, fact_asked=float(bool(asked)))
            ranked = [Scored(i, round(100.0 * p, 2)) for i, p in probs]
            reranked, order = ([p for _, p in probs], none), tuple(i for i, _ in probs)
            seen = replace(seen, fused=fused)
        else:
            ranked = [Scored(i, fused[i], i >= self._n_entries) for i, *_ in rows]
            ranked.sort(key=lambda r: (-r.score, r.doc))
        first = next((r.doc for r in ranked if not r.decoy), None)
        if seen is not None and first is not None and (self.calibration is not None if features is None else features):
            seen = replace(seen, features=calibration_features(rows, fused, first, self._n_entries, words=words,
                                                               unknown_share=unknown_share, reranked=reranked,
                                                               coverage=coverage, paired=self._paired(ranked),
                                                               order=order, kin=self._kin[first],
                                                               kin_topic=self._same_topic(first, rows),
                                                               readings=readings, long=long,
                                                               facts=self._fact_features(asked, first)))
        return ranked, seen

    def fact_kinds(self) -> FactKinds | None:
        """The knowledge's fact kinds (knowledge/fact_kinds.yaml), None when it has none."""
        if self._facts is False:
            directory = self.kb.directory
            try:
                self._facts = load_fact_kinds(directory / FACT_FILE, self.kb.fold) if directory is not None else None
            except ValueError as exc:
                assert directory is not None
                raise DataError([Problem(str(directory / FACT_FILE), 1, str(exc))]) from exc
        return self._facts

    def asked_facts(self, query: str) -> frozenset[str]:
        """The kinds of fact `query` asks for, read in its asking part when a long message has one."""
        facts = self.fact_kinds()
        if facts is None:
            return frozenset()
        text = query[:MAX_QUESTION_CHARS]
        return facts.asked(self.kb.fold(self.kb.asking_part(text) or text))

    def stated_facts(self, entry: int) -> frozenset[str]:
        """The kinds of fact entry `entry` states in its title and answer (and its alternate questions ask)."""
        if entry not in self._stated:
            e = self.kb.entries[entry]
            self._stated[entry] = entry_facts(self.fact_kinds(), e.title, e.answer, self.kb.fold, e.questions)
        return self._stated[entry]

    def _fact_features(self, asked: frozenset[str], first: int) -> dict[str, float] | None:
        """`facts.fact_features` of the kinds the question asks for and its first entry, when the
        answer or reach model reads them (None otherwise: the features default to none asked)."""
        cal = self.calibration
        if cal is None or FACT_FEATURES.isdisjoint((*cal.answer.names, *cal.reach.names)):
            return None
        return fact_features(asked, self.stated_facts(first))

    def unmet_facts(self, query: str, docs: Iterable[int]) -> dict[int, float]:
        """Per entry of `docs`, 1 when `query` asks for kinds of fact it states none of."""
        return unmet_facts(self.asked_facts(query), docs, self.stated_facts)

    def _same_topic(self, first: int, rows: list[tuple[int, float, float, float]]) -> frozenset[int]:
        """The candidate entries of `first`'s topic."""
        topic = self._topics[first]
        return frozenset(r[0] for r in rows if r[0] < self._n_entries and self._topics[r[0]] == topic)

    def _paired(self, ranked: list[Scored]) -> bool:
        """The calibration answers pairs and the first two entries are one (`answered_together`)."""
        if self.calibration is None or not self.calibration.pairs:
            return False
        order = [r.doc for r in ranked if not r.decoy][:3]
        return answered_together(order, self.kb.one_rule,
                                 self.kb.kin if self.calibration.pairs == PAIRS_CLAUSE else None)

    def word_stats(self, query: str, *, docs: Iterable[int] = ()) -> tuple[int, float, dict[int, float]]:
        """(content words of the question, share of their idf mass the knowledge base never uses,
        share of it each of the documents `docs` explains)."""
        idfs = self._narrative({w: self.idf(w) * (1.0 if w in self._idf else self._unknown_share(w, 1.0))
                                for w in self._words(self._prep(query))}, query)
        idfs = {w: v for w, v in idfs.items() if v > 0.0}
        total = sum(idfs.values())
        unknown = sum(v for w, v in idfs.items() if w not in self._idf)
        coverage = {d: sum(v * self._credit[d].get(w, 0.0) for w, v in idfs.items()) / total if total else 0.0
                    for d in docs}
        return len(idfs), unknown / total if total else 1.0, coverage

    def key_terms(self, query: str, *, docs: Iterable[int] = ()) -> dict[int, float]:
        """Share of the idf mass of the question's `config.key_terms` rarest known words each of the
        documents `docs` holds (title, questions, keywords or answer)."""
        idfs = {w: self._idf[w] for w in self._words(self._prep(query)) if w in self._idf}
        keys = sorted(idfs, key=lambda w: (-idfs[w], w))[: self.config.key_terms]
        total = sum(idfs[w] for w in keys)
        return {d: sum(idfs[w] for w in keys if w in self._credit[d]) / total if total else 0.0 for d in docs}

    def is_vague(self, query: str) -> bool:
        """One content word at most: the question names a subject, not a situation."""
        return len(self._words(self._prep(query))) <= 1

    def search(self, query: str, *, limit: int = 5, score_cutoff: float = 0.0) -> list[Match]:
        """Entries best answering `query`, best first, scores 0–100, at most `limit`."""
        found, _ = self.candidates(query, limit=limit)
        return [m for m in found if m.score >= score_cutoff]

    def candidates(self, query: str, *, limit: int = 3,
                   vector: np.ndarray | None = None) -> tuple[list[Match], bool]:
        """(best entries, whether an out-of-scope decoy outranks them all), best first."""
        # A caller's vector was embedded from the question as given: both signals read the same text.
        ranked = self._rank(self.respell(query) if vector is None else query, vector=vector)
        decoy_wins = bool(ranked) and ranked[0].decoy
        return [Match(self.kb.entries[r.doc], r.score) for r in ranked if not r.decoy][:limit], decoy_wins

    def ask(self, query: str, *, limit: int = 3) -> AskResult:
        """Decide between a confident answer, up to `limit` candidates, and an honest unknown;
        the `fallback` (imported clauses) may answer what curated entries do not."""
        semantic = getattr(self, "semantic", None)
        asked = query
        query = self.respell(query)
        vector = semantic.vector(query) if semantic is not None else None
        ranked, seen = self._rank_with_evidence(query, vector=vector)
        status, offered = decide(ranked, self.rule, limit=limit, vague=self.is_vague(query), evidence=seen)
        best = [r for r in ranked if not r.decoy][:limit]
        fused = seen.fused if seen is not None and seen.fused is not None and offered else None
        result = AskResult(status, tuple(Match(self.kb.entries[r.doc], r.score) for r in offered), asked,
                           tuple(Match(self.kb.entries[r.doc], r.score) for r in best),
                           fused[offered[0].doc] if fused is not None else None,
                           paired=status == "answer" and self._paired(offered))
        fallback = getattr(self, "fallback", None)
        return fallback.consider(query, result, limit=limit, vector=vector) if fallback is not None else result
