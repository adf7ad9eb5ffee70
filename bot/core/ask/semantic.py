"""The semantic signal: cosine similarity between a question and each knowledge document's texts.

A document (an entry, or an out-of-scope decoy) is represented by its title, alternate questions and
each sentence of its answer (embedded as e5 queries: a question names one fact of a long answer, and
sentence against question compares like with like) and, for entries, its whole answer (embedded as a
passage). Texts are folded
exactly like the lexical path (office English read as Chinese, NFKC, traditional -> simplified,
typo fixes) before embedding.
Vectors come from the shipped file beside the knowledge base, then from the user cache; only texts
found in neither are embedded (and cached).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.core.ask.embed import Embedder
from bot.core.ask.knowledge import KnowledgeBase
from bot.core.ask.vectors import VectorStore
from bot.core.text.inputs import MAX_QUESTION_CHARS
from bot.core.text.normalize import normalize_query

log = logging.getLogger(__name__)

SHIPPED_VECTORS = "vectors.npz"

# The semantic signal reads a question's opening: twice the longest alternate question the shipped
# knowledge holds (51 characters), so any question written like one is embedded whole, while the
# embedder's time (it grows faster than the length) stays bounded for a 500-character question.
# The lexical signal still reads all of it.
MAX_EMBEDDED_CHARS = 96
# And at most this many of the model's tokens (an embedder that counts them cuts there): the time
# is the tokens', and 96 rare characters make over 100 of them. Questions written like the
# knowledge's are well under it (eval and fit sets: 99% ≤ 54 tokens).
MAX_EMBEDDED_TOKENS = 64


@dataclass(frozen=True, slots=True)
class SemanticTexts:
    """What gets embedded for a knowledge base: query texts with their document, and answers."""

    queries: list[str]
    owners: list[int]
    passages: list[str]
    fold: Callable[[str], str] = normalize_query  # how a question is folded to be embedded like these
    asking: Callable[[str], str] = lambda text: ""  # a long question's asking sentences (KnowledgeBase.asking_part)
    matter: Callable[[str], str] = lambda text: ""  # a question without its frame clauses (KnowledgeBase.matter)
    # Which query texts join their document's pooled direction (`SemanticIndex`): an entry's title and
    # alternate questions, a decoy's questions; not answer sentences. Empty: no pooling (imported clauses).
    pooled: tuple[bool, ...] = ()

    @classmethod
    def of(cls, kb: KnowledgeBase, *, titles: bool = True) -> SemanticTexts:
        """`titles`: embed entry titles and answer sentences too (not for imported clauses, whose
        title is a citation path that every clause of a document shares, and whose text is one
        clause)."""
        queries: list[str] = []
        owners: list[int] = []
        pooled: list[bool] = []
        for i, e in enumerate(kb.entries):
            asked = [kb.fold(x) for x in (e.title, *e.questions)]
            own = (*asked, *(kb.fold(x) for x in answer_sentences(e.answer))) if titles else asked[1:]
            for t in dict.fromkeys(own):
                queries.append(t)
                owners.append(i)
                pooled.append(t in asked)
        for j, d in enumerate(kb.decoys):
            for t in dict.fromkeys(kb.fold(x) for x in d.questions):
                queries.append(t)
                owners.append(len(kb.entries) + j)
                pooled.append(True)
        passages = [kb.fold(e.answer) for e in kb.entries]
        return cls(queries, owners, passages, kb.fold, kb.asking_part, kb.matter,
                   tuple(pooled) if titles and POOLED_SHARE > 0 else ())

    def keys(self, store: VectorStore) -> set[bytes]:
        return set(store.keys("query", self.queries)) | set(store.keys("passage", self.passages))


# A document's question cosine is its best single text's blended with its pooled direction's: the
# normalised mean of its title and alternate questions (`SemanticTexts.pooled`). The best single text
# alone favours documents with many texts (one of many phrasings lands near any question) and reads
# one phrasing's accidents; the mean direction reads what all of them ask. POOLED_SHARE is the pooled
# direction's weight (0: the best text alone), chosen leaving one fit file out (README "How `ask`
# decides", step 5).
POOLED_SHARE = 0.5

# How the whole question's similarities and its asking part's combine (measured on the fit sets,
# README "How `ask` decides"): "max" keeps each document's better reading, "mean" their average.
ASKING_FUSION = "max"
# A question is read without its clauses that only frame it ("……，这算违规吗？", "规范里是怎么要求的？";
# KnowledgeBase.matter): the frame pulls the whole question's embedding towards the entries that speak
# of violations and rules in general.
READ_MATTER = True
# The frame-free reading in place of the whole question's (one embedding, as before; shipped) or beside
# it, fused like the asking part (one more embedding; measured no better, README "How `ask` decides").
MATTER_REPLACES_WHOLE = True


def _fused(whole: tuple[np.ndarray, np.ndarray],
           parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    both = [whole, *parts]
    if ASKING_FUSION == "max":
        return np.maximum.reduce([r[0] for r in both]), np.maximum.reduce([r[1] for r in both])
    return (np.stack([r[0] for r in both]).mean(axis=0, dtype=np.float32),
            np.stack([r[1] for r in both]).mean(axis=0, dtype=np.float32))


_SENTENCE_END = re.compile(r"[；;。！？!?\n]")
MIN_SENTENCE = 6  # characters: shorter pieces ("如下") say nothing on their own


def answer_sentences(answer: str) -> list[str]:
    """The sentences of an answer worth embedding on their own (a one-sentence answer has none
    beyond the whole answer)."""
    parts = [p.strip(" ，,、：:") for p in _SENTENCE_END.split(answer)]
    parts = [p for p in parts if len(p) >= MIN_SENTENCE]
    return parts if len(parts) > 1 else []


def pooled_directions(queries: np.ndarray, owners: np.ndarray, pooled: tuple[bool, ...], n_docs: int) -> np.ndarray:
    """Per document, the normalised mean of its pooled texts' vectors (zeros for a document with none);
    an empty (0, dim) array when nothing is pooled."""
    dim = queries.shape[1] if queries.ndim == 2 else 0
    if not pooled or not any(pooled):
        return np.zeros((0, dim), dtype=np.float32)
    mask = np.asarray(pooled, dtype=bool)
    docs = owners[mask]
    order = np.argsort(docs, kind="stable")  # grouped by document, so each sum is one reduceat (add.at is slow)
    docs = docs[order]
    starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
    sums = np.zeros((n_docs, dim), dtype=np.float64)
    sums[docs[starts]] = np.add.reduceat(queries[mask][order].astype(np.float64), starts, axis=0)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0).astype(np.float32)


def blend_pooled(best: np.ndarray, pooled: np.ndarray, has: np.ndarray) -> np.ndarray:
    """The best text's cosine blended with the pooled direction's, for the documents that have one."""
    return np.where(has, (1.0 - POOLED_SHARE) * best + POOLED_SHARE * pooled, best).astype(np.float32)


def user_cache_path(model_id: str, cache: Path) -> Path:
    return cache / f"vectors-{re.sub(r'[^A-Za-z0-9.-]+', '_', model_id)}.npz"


def fill_store(kb: KnowledgeBase, embedder: Embedder, *, batch: int = 32,
               step: Callable[[int, int], None] | None = None, cache: Path | None = None,
               texts: SemanticTexts | None = None, titles: bool = True,
               shipped: tuple[Path, ...] | None = None, embed: bool = True) -> tuple[VectorStore, int]:
    """A store holding every vector `kb` needs: shipped ones, cached ones (in the private directory
    `cache`), then newly embedded ones (saved there). Returns (store, how many texts were embedded).

    `shipped`: the files beside the knowledge to read first (default: its vectors.npz). With
    `embed` False nothing is embedded: the count is then of the texts still missing."""
    texts = texts or SemanticTexts.of(kb, titles=titles)
    store = VectorStore(embedder.model_id, embedder.dim)
    sources: list[Path] = []
    if shipped is not None:
        sources.extend(shipped)
    elif kb.directory is not None:
        sources.append(kb.directory / SHIPPED_VECTORS)
    if cache is not None:
        sources.append(user_cache_path(embedder.model_id, cache))
    cached = None
    for path in sources:
        found = VectorStore.load(path, embedder.model_id, embedder.dim)
        if found.problem and found.problem != "missing":
            log.warning("ignoring vectors in %s: %s", path.name, found.problem)
        store.merge(found, "query", texts.queries)
        store.merge(found, "passage", texts.passages)
        cached = found
    todo = [("query", t) for t in store.missing("query", texts.queries)]
    todo += [("passage", t) for t in store.missing("passage", texts.passages)]
    if not embed:
        return store, len(todo)
    for start in range(0, len(todo), batch):
        chunk = todo[start:start + batch]
        for kind in ("query", "passage"):
            part = [t for k, t in chunk if k == kind]
            if part:
                vectors = embedder.embed(part, kind=kind)
                store.add(kind, part, vectors)
                if cached is not None:
                    cached.add(kind, part, vectors)
        if step:
            step(min(start + batch, len(todo)), len(todo))
    if todo and cached is not None and cache is not None:
        try:
            cached.save(user_cache_path(embedder.model_id, cache))
        except OSError:  # a read-only cache only costs time at the next start
            log.warning("cannot write the vector cache")
    return store, len(todo)


class SemanticIndex:
    """Per-document similarity of a question, 0..1 cosine (decoys after entries, like the matcher)."""

    def __init__(self, kb: KnowledgeBase, embedder: Embedder, store: VectorStore,
                 texts: SemanticTexts | None = None, *, titles: bool = True):
        texts = texts or SemanticTexts.of(kb, titles=titles)
        self.embedder = embedder
        self._fold = texts.fold
        self._asking = texts.asking
        self._matter = texts.matter
        self._queries = store.matrix("query", texts.queries)
        owners = np.asarray(texts.owners, dtype=np.int64)
        self._n_docs = len(kb.entries) + len(kb.decoys)
        # Rows are grouped by document, so a per-document maximum is one reduceat; a document
        # without texts (cannot happen with the schema's minimum questions) would break that.
        self._starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if len(owners) else owners
        self._docs = owners[self._starts]
        self._passages = store.matrix("passage", texts.passages)
        self._row = {(o, t): r for r, (o, t) in enumerate(zip(texts.owners, texts.queries, strict=True))}
        self._pooled = pooled_directions(self._queries, owners, texts.pooled, self._n_docs)
        self._pooled_rows = np.any(self._pooled != 0, axis=1)
        self._pooled_of = [bool(x) for x in texts.pooled]  # for `held_out`: which rows a document pools

    @classmethod
    def build(cls, kb: KnowledgeBase, embedder: Embedder,
              step: Callable[[int, int], None] | None = None, cache: Path | None = None,
              texts: SemanticTexts | None = None) -> SemanticIndex:
        texts = texts or SemanticTexts.of(kb)
        store, _ = fill_store(kb, embedder, step=step, cache=cache, texts=texts)
        return cls(kb, embedder, store, texts)

    # -- the index as plain arrays (what the index cache stores, checksummed) ----------------------
    def arrays(self) -> dict[str, np.ndarray]:
        return {"queries": self._queries, "starts": self._starts, "docs": self._docs,
                "passages": self._passages, "n_docs": np.asarray(self._n_docs, dtype=np.int64),
                "pooled": self._pooled}

    @classmethod
    def from_arrays(cls, embedder: Embedder, arrays: Mapping[str, np.ndarray], texts: SemanticTexts) -> SemanticIndex:
        """The index `arrays` returned for `texts`; ValueError when they do not fit together, the
        texts or the embedder."""
        self = cls.__new__(cls)
        self._row = {(o, t): r for r, (o, t) in enumerate(zip(texts.owners, texts.queries, strict=True))}
        self.embedder = embedder
        self._fold = texts.fold
        self._asking = texts.asking
        self._matter = texts.matter
        self._queries = np.asarray(arrays["queries"], dtype=np.float32)
        self._passages = np.asarray(arrays["passages"], dtype=np.float32)
        self._starts = np.asarray(arrays["starts"], dtype=np.int64)
        self._docs = np.asarray(arrays["docs"], dtype=np.int64)
        self._n_docs = int(arrays["n_docs"])
        self._pooled = np.asarray(arrays["pooled"], dtype=np.float32)
        self._pooled_rows = np.any(self._pooled != 0, axis=1) if self._pooled.ndim == 2 else np.zeros(0, dtype=bool)
        self._pooled_of = [bool(x) for x in texts.pooled]
        rows = len(self._queries)
        if (rows != len(texts.queries) or len(self._passages) != len(texts.passages)
                or self._queries.ndim != 2 or self._queries.shape[1] != embedder.dim or self._passages.ndim != 2
                or self._passages.shape[1] != embedder.dim or len(self._passages) > self._n_docs
                or self._starts.shape != self._docs.shape or (rows and (not len(self._starts) or self._starts[0] != 0))
                or np.any(np.diff(self._starts) <= 0) or np.any(self._starts >= max(rows, 1))
                or np.any(self._docs < 0) or np.any(self._docs >= self._n_docs)
                or self._pooled.ndim != 2 or self._pooled.shape[1] != embedder.dim
                or len(self._pooled) not in (0, self._n_docs)
                or len(self._pooled_of) not in (0, rows)):
            raise ValueError("semantic index arrays do not fit together")
        return self

    def vector(self, question: str) -> np.ndarray:
        """The question's embedding: of its first MAX_EMBEDDED_CHARS characters once normalised, and
        of no more than MAX_EMBEDDED_TOKENS tokens. A long question whose last sentences ask
        (`SemanticTexts.asking`) gets two rows, the whole and the asking part: a story's narrative
        dilutes the whole, while its question alone reads like the knowledge's questions. A question
        with clauses that only frame it is read without them (`SemanticTexts.matter`)."""
        text = question[:MAX_QUESTION_CHARS]
        rest = self._matter(text) if READ_MATTER else ""
        texts = [self._opening(rest if rest and MATTER_REPLACES_WHOLE else text)]
        part = self._asking(text)
        if part:
            texts.append(self._opening(part))
        if rest and not MATTER_REPLACES_WHOLE:
            texts.append(self._opening(rest))
        vectors = self.embedder.embed(texts, kind="query")
        return vectors[0] if len(texts) == 1 else vectors

    def _opening(self, text: str) -> str:
        folded = self._fold(text)[:MAX_EMBEDDED_CHARS]
        opening = getattr(self.embedder, "opening", None)
        return opening(folded, max_tokens=MAX_EMBEDDED_TOKENS) if opening is not None else folded

    def similarities(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(best alternate-question cosine per document, answer cosine per document; -1 for decoys).
        Of two rows (`vector` of a long question): ASKING_FUSION of the two readings."""
        if vector.ndim == 2:
            return self.fuse_readings(self.readings(vector))
        per_doc = np.full(self._n_docs, -1.0, dtype=np.float32)
        if len(self._starts):
            per_doc[self._docs] = np.maximum.reduceat(self._queries @ vector, self._starts)
        if len(self._pooled):
            per_doc = blend_pooled(per_doc, self._pooled @ vector, self._pooled_rows)
        answers = np.full(self._n_docs, -1.0, dtype=np.float32)
        answers[: len(self._passages)] = self._passages @ vector
        return per_doc, answers

    def readings(self, vector: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """`similarities` of each row of `vector` alone (the whole reading first, then the asking part)."""
        return [self.similarities(v) for v in vector] if vector.ndim == 2 else [self.similarities(vector)]

    @staticmethod
    def fuse_readings(readings: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """What `similarities` returns of the rows whose `readings` these are."""
        return readings[0] if len(readings) == 1 else _fused(readings[0], readings[1:])

    def held_out(self, pairs: list[tuple[int, str]]) -> list[tuple[np.ndarray, np.ndarray] | None]:
        """For each (document, one of its own texts): the similarities of that stored text (as
        `similarities` returns them) with the document judged on its other texts only, so an
        alternate question can be scored without itself; None when the text is not stored."""
        rows = [self._row.get((doc, self._fold(text)), -1) for doc, text in pairs]
        known = [r for r in rows if r >= 0]
        vectors = self._queries[known]
        cos = vectors @ self._queries.T  # one product for all of them
        per_doc = np.maximum.reduceat(cos, self._starts, axis=1) if len(self._starts) else cos[:, :0]
        answers = vectors @ self._passages.T
        rows_of: dict[int, list[int]] = {}  # document -> its stored texts' rows (one pass, not one per pair)
        for (o, _), r in self._row.items():
            rows_of.setdefault(o, []).append(r)
        out: list[tuple[np.ndarray, np.ndarray] | None] = []
        k = 0
        for (doc, _), row in zip(pairs, rows, strict=True):
            if row < 0:
                out.append(None)
                continue
            docs = np.full(self._n_docs, -1.0, dtype=np.float32)
            docs[self._docs] = per_doc[k]
            own = [r for r in rows_of.get(doc, ()) if r != row]
            docs[doc] = cos[k, own].max() if own else -1.0
            if len(self._pooled):
                pooled = self._pooled @ vectors[k]
                has = self._pooled_rows.copy()
                rest = [r for r in own if self._pooled_of[r]]  # the document pooled without this text
                direction = self._queries[rest].astype(np.float64).sum(axis=0) if rest else None
                norm = float(np.linalg.norm(direction)) if direction is not None else 0.0
                has[doc] = norm > 0
                if norm > 0 and direction is not None:
                    pooled[doc] = float(self._queries[row] @ (direction / norm))
                docs = blend_pooled(docs, pooled, has)
            ans = np.full(self._n_docs, -1.0, dtype=np.float32)
            ans[: len(self._passages)] = answers[k]
            out.append((docs, ans))
            k += 1
        return out

    @staticmethod
    def nearest(per_doc: np.ndarray, k: int) -> tuple[int, ...]:
        """The `k` documents with the highest similarity (in no particular order)."""
        k = min(k, len(per_doc))
        return tuple(int(i) for i in np.argpartition(-per_doc, k - 1)[:k]) if k > 0 else ()
