"""Embedding vectors cached per text, in a data-only file with a checksum (never pickle).

A row is keyed by a hash of (model, kind, text), so an edited knowledge base re-embeds only the
texts that changed, and vectors of another model are never mixed in. The file is a NumPy ``.npz``
read with ``allow_pickle=False``: a header line, the keys as raw bytes, the vectors (float16) and a
SHA-256 over all of it; a file that is foreign, truncated or altered loads as empty (and is rebuilt).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

FORMAT = "libao-vectors-1"
KEY_BYTES = 16


def text_key(model_id: str, kind: str, text: str) -> bytes:
    """The cache key of one text embedded by one model as a query or a passage."""
    return hashlib.blake2b(f"{model_id}\0{kind}\0{text}".encode(), digest_size=KEY_BYTES).digest()


def _checksum(header: str, keys: np.ndarray, vectors: np.ndarray) -> str:
    h = hashlib.sha256(f"{header}\0{vectors.shape}\0{vectors.dtype.str}".encode())
    h.update(np.ascontiguousarray(keys).tobytes())
    h.update(np.ascontiguousarray(vectors).tobytes())
    return h.hexdigest()


class VectorStore:
    """Vectors of one model, looked up by (kind, text); `problem` says why a file was not used."""

    def __init__(self, model_id: str, dim: int):
        self.model_id, self.dim = model_id, dim
        self.problem = ""
        self._row: dict[bytes, int] = {}
        self._chunks: list[np.ndarray] = [np.zeros((0, dim), dtype=np.float16)]
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def header(self) -> str:
        return f"{FORMAT}|{self.model_id}|{self.dim}"

    @classmethod
    def load(cls, path: Path, model_id: str, dim: int) -> VectorStore:
        """The vectors stored in `path`; an empty store (with `problem` set) when the file is
        missing, of another model or format, damaged, or fails its checksum."""
        store = cls(model_id, dim)
        if not path.exists():
            store.problem = "missing"
            return store
        try:
            with np.load(path, allow_pickle=False) as z:
                header, checksum = str(z["header"][()]), str(z["checksum"][()])
                keys, vectors = z["keys"], z["vectors"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            store.problem = "unreadable"
            return store
        if header != store.header:
            store.problem = "other model or format"
        elif (vectors.ndim != 2 or vectors.shape[1] != dim or vectors.dtype != np.float16
              or keys.dtype != np.uint8 or keys.shape != (len(vectors), KEY_BYTES)):
            store.problem = "malformed"
        elif checksum != _checksum(header, keys, vectors):
            store.problem = "checksum mismatch"
        else:
            store._chunks = [vectors]
            store._size = len(vectors)
            store._row = {k.tobytes(): i for i, k in enumerate(keys)}
        return store

    def keys(self, kind: str, texts: Iterable[str]) -> list[bytes]:
        return [text_key(self.model_id, kind, t) for t in texts]

    def missing(self, kind: str, texts: Sequence[str]) -> list[str]:
        """The distinct texts without a vector, in first-seen order."""
        out: dict[str, None] = {}
        for t, k in zip(texts, self.keys(kind, texts), strict=True):
            if k not in self._row:
                out.setdefault(t)
        return list(out)

    def add(self, kind: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store `vectors` (one row per text) under (kind, text)."""
        if len(texts) != len(vectors):
            raise ValueError("one vector per text")
        self._chunks.append(np.asarray(vectors, dtype=np.float16).reshape(len(texts), self.dim))
        for k in self.keys(kind, texts):
            self._row[k] = self._size
            self._size += 1

    def _all(self) -> np.ndarray:
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0]

    def matrix(self, kind: str, texts: Sequence[str]) -> np.ndarray:
        """float32 rows for `texts` (all present, else KeyError)."""
        rows = [self._row[k] for k in self.keys(kind, texts)]
        return self._all()[rows].astype(np.float32)

    def merge(self, other: VectorStore, kind: str, texts: Sequence[str]) -> None:
        """Copy the vectors `other` has for `texts` and this store lacks."""
        have = [t for t in dict.fromkeys(texts)
                if text_key(self.model_id, kind, t) not in self._row
                and text_key(other.model_id, kind, t) in other._row]
        if have:
            self.add(kind, have, other.matrix(kind, have))

    def save(self, path: Path, *, only: set[bytes] | None = None) -> None:
        """Write atomically; with `only`, just those keys (drops vectors of deleted texts)."""
        items = sorted((k, i) for k, i in self._row.items() if only is None or k in only)
        keys = np.frombuffer(b"".join(k for k, _ in items), dtype=np.uint8).reshape(len(items), KEY_BYTES)
        vectors = self._all()[[i for _, i in items]] if items else np.zeros((0, self.dim), np.float16)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, header=np.array(self.header), keys=keys, vectors=vectors,
                         checksum=np.array(_checksum(self.header, keys, vectors)))
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide a shipped file from other users
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
