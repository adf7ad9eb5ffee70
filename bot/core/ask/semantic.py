"""The semantic signal: cosine similarity between a question and each knowledge document's texts.

A document (an entry, or an out-of-scope decoy) is represented by its title and alternate questions
(embedded as e5 queries) and, for entries, its answer (embedded as a passage). Texts are folded
exactly like the lexical path (NFKC, traditional -> simplified, typo fixes) before embedding.
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
from bot.core.text.normalize import normalize_query

log = logging.getLogger(__name__)

SHIPPED_VECTORS = "vectors.npz"


@dataclass(frozen=True, slots=True)
class SemanticTexts:
    """What gets embedded for a knowledge base: query texts with their document, and answers."""

    queries: list[str]
    owners: list[int]
    passages: list[str]

    @classmethod
    def of(cls, kb: KnowledgeBase) -> SemanticTexts:
        queries: list[str] = []
        owners: list[int] = []
        for i, e in enumerate(kb.entries):
            for t in dict.fromkeys(normalize_query(x) for x in (e.title, *e.questions)):
                queries.append(t)
                owners.append(i)
        for j, d in enumerate(kb.decoys):
            for t in dict.fromkeys(normalize_query(x) for x in d.questions):
                queries.append(t)
                owners.append(len(kb.entries) + j)
        passages = [normalize_query(e.answer) for e in kb.entries]
        return cls(queries, owners, passages)

    def keys(self, store: VectorStore) -> set[bytes]:
        return set(store.keys("query", self.queries)) | set(store.keys("passage", self.passages))


def user_cache_path(model_id: str, cache: Path) -> Path:
    return cache / f"vectors-{re.sub(r'[^A-Za-z0-9.-]+', '_', model_id)}.npz"


def fill_store(kb: KnowledgeBase, embedder: Embedder, *, batch: int = 32,
               step: Callable[[int, int], None] | None = None,
               cache: Path | None = None, texts: SemanticTexts | None = None) -> tuple[VectorStore, int]:
    """A store holding every vector `kb` needs: shipped ones, cached ones (in the private directory
    `cache`), then newly embedded ones (saved there). Returns (store, how many texts were embedded)."""
    texts = texts or SemanticTexts.of(kb)
    store = VectorStore(embedder.model_id, embedder.dim)
    sources = []
    if kb.directory is not None:
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
                 texts: SemanticTexts | None = None):
        texts = texts or SemanticTexts.of(kb)
        self.embedder = embedder
        self._queries = store.matrix("query", texts.queries)
        owners = np.asarray(texts.owners, dtype=np.int64)
        self._n_docs = len(kb.entries) + len(kb.decoys)
        # Rows are grouped by document, so a per-document maximum is one reduceat; a document
        # without texts (cannot happen with the schema's minimum questions) would break that.
        self._starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if len(owners) else owners
        self._docs = owners[self._starts]
        self._passages = store.matrix("passage", texts.passages)

    @classmethod
    def build(cls, kb: KnowledgeBase, embedder: Embedder,
              step: Callable[[int, int], None] | None = None, cache: Path | None = None) -> SemanticIndex:
        texts = SemanticTexts.of(kb)
        store, _ = fill_store(kb, embedder, step=step, cache=cache, texts=texts)
        return cls(kb, embedder, store, texts)

    # -- the index as plain arrays (what the index cache stores, checksummed) ----------------------
    def arrays(self) -> dict[str, np.ndarray]:
        return {"queries": self._queries, "starts": self._starts, "docs": self._docs,
                "passages": self._passages, "n_docs": np.asarray(self._n_docs, dtype=np.int64)}

    @classmethod
    def from_arrays(cls, embedder: Embedder, arrays: Mapping[str, np.ndarray]) -> SemanticIndex:
        """The index `arrays` returned; ValueError when they do not fit together or the embedder."""
        self = cls.__new__(cls)
        self.embedder = embedder
        self._queries = np.asarray(arrays["queries"], dtype=np.float32)
        self._passages = np.asarray(arrays["passages"], dtype=np.float32)
        self._starts = np.asarray(arrays["starts"], dtype=np.int64)
        self._docs = np.asarray(arrays["docs"], dtype=np.int64)
        self._n_docs = int(arrays["n_docs"])
        rows = len(self._queries)
        if (self._queries.ndim != 2 or self._queries.shape[1] != embedder.dim or self._passages.ndim != 2
                or self._passages.shape[1] != embedder.dim or len(self._passages) > self._n_docs
                or self._starts.shape != self._docs.shape or (rows and (not len(self._starts) or self._starts[0] != 0))
                or np.any(np.diff(self._starts) <= 0) or np.any(self._starts >= max(rows, 1))
                or np.any(self._docs < 0) or np.any(self._docs >= self._n_docs)):
            raise ValueError("semantic index arrays do not fit together")
        return self

    def vector(self, question: str) -> np.ndarray:
        return self.embedder.embed([normalize_query(question)], kind="query")[0]

    def similarities(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(best alternate-question cosine per document, answer cosine per document; -1 for decoys)."""
        per_doc = np.full(self._n_docs, -1.0, dtype=np.float32)
        if len(self._starts):
            per_doc[self._docs] = np.maximum.reduceat(self._queries @ vector, self._starts)
        answers = np.full(self._n_docs, -1.0, dtype=np.float32)
        answers[: len(self._passages)] = self._passages @ vector
        return per_doc, answers

    @staticmethod
    def nearest(per_doc: np.ndarray, k: int) -> tuple[int, ...]:
        """The `k` documents with the highest similarity (in no particular order)."""
        k = min(k, len(per_doc))
        return tuple(int(i) for i in np.argpartition(-per_doc, k - 1)[:k]) if k > 0 else ()
