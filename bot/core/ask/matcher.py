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
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

from bot.core.ask.knowledge import Entry, KnowledgeBase
from bot.core.text.inputs import MAX_QUESTION_CHARS
from bot.core.text.normalize import normalize_query
from bot.core.text.segment import Segmenter
from bot.core.text.synonyms import Canonicalizer

Status = Literal["answer", "clarify", "unknown"]

@dataclass(frozen=True, slots=True)
class MatcherConfig:
    """Weights and thresholds; measured and fitted with `kb eval --fit` (numbers in README)."""

    evidence_weight: float = 1.0  # absolute idf mass the entry explains, saturating at evidence_saturation
    coverage_weight: float = 1.0  # share of the question's idf mass the entry explains
    char_weight: float = 1.0  # RapidFuzz similarity with the closest alternate question
    evidence_saturation: float = 20.0
    answer_text_credit: float = 0.5  # credit for a question word found only in the answer text
    answer_cutoff: float = 50.0
    answer_margin: float = 6.0
    clarify_cutoff: float = 44.0
    rival_floor: float = 50.0  # runner-ups below this do not count against the answer margin
    exclusive_penalty: float = 0.5
    single_char_weight: float = 0.5  # one-character words say little on their own (年, 发, 叫)
    shortlist: int = 20  # documents reranked by alternate-question similarity
    max_candidates: int = 300  # documents whose coverage is computed (rarest words first)
    char_scorer: str = "ratio"  # rapidfuzz.fuzz scorer for the character similarity
    sub_words: bool = True  # also index dictionary sub-words of long words (科技 in 对外科技交流)


@dataclass(frozen=True, slots=True)
class Match:
    """One candidate answer; `score` is 0–100."""

    entry: Entry
    score: float


@dataclass(frozen=True, slots=True)
class AskResult:
    """What `ask` decided: a confident answer, candidates to choose from, or unknown."""

    status: Status
    matches: tuple[Match, ...]
    query: str


class Matcher:
    """Finds the knowledge entries that answer a question (API shaped like RapidFuzz's process)."""

    def __init__(self, kb: KnowledgeBase, *, config: MatcherConfig | None = None,
                 exclusive: tuple[tuple[str, ...], ...] | None = None):
        self.kb = kb
        self.config = config or MatcherConfig()
        self.canon = Canonicalizer(kb.synonyms)
        # Stopwords and exclusive groups: knowledge/language.yaml.
        self.stopwords = kb.language.stopwords
        exclusive = kb.language.exclusive if exclusive is None else exclusive
        # Every text is prepared once: the vocabulary, the postings and the alternates share it.
        prep = lru_cache(maxsize=None)(self._prep)
        texts = [prep(t) for e in kb.entries for t in (e.title, e.answer, *e.questions, *e.keywords)]
        texts += [prep(q) for d in kb.decoys for q in d.questions]
        extra = sorted({prep(k) for e in kb.entries for k in e.keywords} | self.canon.canonical_terms
                       | {t for group in exclusive for t in group})
        self.seg = Segmenter(texts, extra, kb.userdict)
        self.exclusive = exclusive
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

    # -- text pipeline -------------------------------------------------------------------------
    def _prep(self, text: str) -> str:
        # Bounded work per question whatever the caller passes: a channel cuts at the question limit,
        # and folding can widen a character (㍿ -> 株式会社), so the folded form is cut as well.
        return self.canon(normalize_query(text[:MAX_QUESTION_CHARS])[:MAX_QUESTION_CHARS])

    def _words(self, prepped: str) -> set[str]:
        cut = self.seg.cut_for_search if self.config.sub_words else self.seg.cut
        return {w for w in cut(prepped) if w not in self.stopwords and w.strip()}

    def idf(self, word: str) -> float:
        """Information weight of a word: idf over entries, damped for single characters."""
        w = self._idf.get(word, self._unknown_idf)
        return w * self.config.single_char_weight if len(word) == 1 else w

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

    def _rank(self, query: str, *, limit: int) -> list[tuple[int, float]]:
        """(document index, score) best first, decoys included."""
        cfg = self.config
        prepped = self._prep(query)
        words = self._words(prepped)
        if not words:
            return []
        idfs = {w: self.idf(w) for w in words}
        q_mass = sum(idfs.values())
        # Candidates come from the rarest words first; a document sharing only very common words
        # with the question could not win anyway, and skipping it keeps 10,000 entries fast.
        # Their rare-word mass pre-ranks them; exact coverage is computed for the best only.
        rough: dict[int, float] = defaultdict(float)
        for w in sorted(words, key=idfs.__getitem__, reverse=True):
            idf = idfs[w]
            for i in self._postings.get(w, ()):
                rough[i] += idf
            if len(rough) >= cfg.max_candidates:
                break
        if len(rough) > 4 * cfg.shortlist:
            pool = sorted(rough, key=rough.__getitem__, reverse=True)[: 4 * cfg.shortlist]
        else:
            pool = list(rough)
        cover = {}
        for i in pool:
            credit = self._credit[i]
            cover[i] = sum(idf * credit.get(w, 0.0) for w, idf in idfs.items())
        shortlist = sorted(cover, key=cover.__getitem__, reverse=True)[: cfg.shortlist]
        ranked: list[tuple[int, float]] = []
        char_scorer = getattr(fuzz, cfg.char_scorer)
        total = cfg.evidence_weight + cfg.coverage_weight + cfg.char_weight
        for i in shortlist:
            # Long scenario messages explain much in absolute terms but little relatively; short
            # out-of-scope questions the other way round: the two together separate them.
            evidence = min(1.0, cover[i] / cfg.evidence_saturation)
            coverage = cover[i] / q_mass
            char = max(char_scorer(prepped, alt) for alt in self._alts[i]) / 100.0
            score = 100.0 * (cfg.evidence_weight * evidence + cfg.coverage_weight * coverage
                             + cfg.char_weight * char) / total
            if self._exclusive_clash(prepped, i):
                score *= cfg.exclusive_penalty
            ranked.append((i, round(score, 2)))
        ranked.sort(key=lambda r: r[1], reverse=True)
        return ranked[:limit]

    def search(self, query: str, *, limit: int = 5, score_cutoff: float = 0.0) -> list[Match]:
        """Entries best answering `query`, best first, scores 0–100, at most `limit`."""
        found, _ = self.candidates(query, limit=limit)
        return [m for m in found if m.score >= score_cutoff]

    def candidates(self, query: str, *, limit: int = 3) -> tuple[list[Match], bool]:
        """(best entries, whether an out-of-scope decoy outranks them all): the input of `ask`."""
        ranked = self._rank(query, limit=limit + len(self.kb.decoys))
        decoy_wins = bool(ranked) and ranked[0][0] >= self._n_entries
        return [Match(self.kb.entries[i], s) for i, s in ranked if i < self._n_entries][:limit], decoy_wins

    def ask(self, query: str, *, limit: int = 3) -> AskResult:
        """Decide between a confident answer, up to `limit` candidates, and an honest unknown."""
        cfg = self.config
        found, decoy_wins = self.candidates(query, limit=max(limit, 2))
        matches = [m for m in found if m.score >= cfg.clarify_cutoff]
        if decoy_wins or not matches:  # a decoy on top: the question is about a known out-of-scope area
            return AskResult("unknown", (), query)
        top = matches[0]
        # Only a runner-up that could itself be an answer makes the top ambiguous.
        rivals = [m.score for m in matches[1:] if m.score >= cfg.rival_floor]
        runner_up = rivals[0] if rivals else 0.0
        if top.score >= cfg.answer_cutoff and top.score - runner_up >= cfg.answer_margin:
            return AskResult("answer", tuple(matches[:limit]), query)
        return AskResult("clarify", tuple(matches[:limit]), query)
