"""Word segmentation with jieba, a domain dictionary and a compact runtime vocabulary.

jieba's full dictionary (350k words) costs ~0.6 s to load, most of the start-up budget. The
matcher only needs words that can occur in the knowledge base, so the full dictionary is used
once to derive a compact vocabulary (KB words + domain terms, with jieba's frequencies), which is
cached on disk keyed by the content hash; later starts load only the compact dictionary.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

import jieba

from bot.core.yamlfile import DataError, Problem, read_bounded

jieba.setLogLevel(logging.WARNING)

_CACHE_VERSION = "1"


def cache_dir() -> Path:
    """Where derived data goes: $LIBAO_CACHE_DIR, else ~/.cache/libao, else a per-user folder in
    the temp dir (never a shared one). Use `private_dir` before trusting anything in it."""
    env = os.environ.get("LIBAO_CACHE_DIR")
    if env:
        return Path(env)
    home = Path.home()
    if home.exists() and os.access(home, os.W_OK):
        return home / ".cache" / "libao"
    return Path(tempfile.gettempdir()) / f"libao-{_uid()}"


def _uid() -> int:
    getuid = getattr(os, "getuid", None)
    return int(getuid()) if getuid is not None else 0


def private_dir(path: Path) -> bool:
    """Create `path` (mode 0700) if needed and say whether only this process's user can write in it:
    a real directory (no symlink) owned by us, without group or other write access (tightened when
    it is ours). False when it cannot be created or belongs to someone else."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
        if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != _uid()):
            return False
        if info.st_mode & 0o077:
            path.chmod(0o700)
        return True
    except OSError:
        return False


# Bounds of the domain dictionary, checked before and while reading it: jieba's work on a word grows
# with its length (a 100,000-character word took 14 GB), so words are as short as real terms.
MAX_USERDICT_BYTES = 1_000_000
MAX_USERDICT_WORDS = 50_000
MAX_WORD_CHARS = 24
MAX_WORD_FREQ = 10**9


def read_userdict(path: Path, *, name: str | None = None) -> list[tuple[str, str]]:
    """(word, rest-of-line) pairs of a jieba user dictionary (``word [freq] [tag]``), validated.

    Raises DataError naming file:line for a non-regular or oversized file, invalid UTF-8, an
    over-long word, a bad frequency or too many words.
    """
    name = name or str(path)
    text = read_bounded(path, name=name, max_bytes=MAX_USERDICT_BYTES)
    try:
        lines = text.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise DataError([Problem(name, 0, f"not valid UTF-8 (byte {exc.start})")]) from None
    out: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        parts = rest.split()
        if len(word) > MAX_WORD_CHARS:
            problems.append(Problem(name, number, f"word too long: {len(word):,} characters (limit {MAX_WORD_CHARS})"))
        elif parts and parts[0].isdigit() and int(parts[0]) > MAX_WORD_FREQ:
            problems.append(Problem(name, number, f"frequency too large (limit {MAX_WORD_FREQ:,})"))
        elif len(parts) > 2 or (len(parts) == 2 and not parts[0].isdigit()):
            problems.append(Problem(name, number, "expected `word [frequency] [tag]`"))
        else:
            out.append((word, rest.strip()))
        if len(out) > MAX_USERDICT_WORDS:
            problems.append(Problem(name, number, f"too many words (limit {MAX_USERDICT_WORDS:,})"))
            break
    if problems:
        raise DataError(problems)
    return out


def _read_userdict(path: Path | None) -> list[tuple[str, str]]:
    """(word, rest-of-line) pairs of a jieba user dictionary, comments and blanks skipped."""
    if path is None or not path.exists():
        return []
    return read_userdict(path)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def build_vocabulary(texts: Iterable[str], extra_words: Iterable[str], userdict: Path | None) -> str:
    """Derive the compact dictionary text (``word freq`` lines) with jieba's full dictionary."""
    full = jieba.Tokenizer()
    full.initialize()
    domain = _read_userdict(userdict)
    for word, rest in domain:
        parts = rest.split()
        full.add_word(word, int(parts[0]) if parts and parts[0].isdigit() else None)
    words: dict[str, int] = {}
    for text in texts:
        for w in full.cut_for_search(text):
            if len(w) > 1 or "\u4e00" <= w <= "\u9fff":
                words[w] = full.FREQ.get(w) or 1
    for w in extra_words:
        if w:
            words[w] = max(words.get(w, 0), full.FREQ.get(w) or 0, 1000)
    for word, rest in domain:
        parts = rest.split()
        words[word] = int(parts[0]) if parts and parts[0].isdigit() else max(words.get(word, 0), 1000)
    # Single characters keep jieba's frequencies so that unknown words still split sensibly.
    for ch, freq in full.FREQ.items():
        if len(ch) == 1 and freq:
            words.setdefault(ch, freq)
    return "".join(f"{w} {f}\n" for w, f in sorted(words.items()) if " " not in w)


class Segmenter:
    """A jieba tokenizer over the compact vocabulary of one knowledge base."""

    def __init__(self, texts: list[str], extra_words: list[str], userdict: Path | None = None):
        digest = hashlib.sha256()
        digest.update(_CACHE_VERSION.encode())
        for t in (*texts, "\0", *extra_words):
            digest.update(t.encode("utf-8"))
            digest.update(b"\n")
        if userdict is not None and userdict.exists():
            digest.update(read_bounded(userdict, max_bytes=MAX_USERDICT_BYTES))
        base = cache_dir()
        if not private_dir(base):  # someone else could write there: a throw-away folder of our own
            base = Path(tempfile.mkdtemp(prefix="libao-"))
        path = base / f"vocab-{digest.hexdigest()[:16]}.txt"
        if not path.exists():
            _atomic_write(path, build_vocabulary(texts, extra_words, userdict))
        self.dictionary = path
        self._tok = self._open(path)

    @staticmethod
    def _open(path: Path) -> jieba.Tokenizer:
        tok = jieba.Tokenizer(dictionary=str(path))
        tok.tmp_dir = str(path.parent)
        tok.initialize()
        return tok

    # A pickled index (see bot.core.ask.index_cache) stores the dictionary text, not jieba's tokenizer
    # (it holds a lock); unpickling re-opens it, which costs ~15 ms instead of ~600 ms.
    def __getstate__(self) -> dict[str, str]:
        return {"dictionary": str(self.dictionary), "vocabulary": self.dictionary.read_text(encoding="utf-8")}

    def __setstate__(self, state: dict[str, str]) -> None:
        path = Path(state["dictionary"])
        if not path.exists():
            _atomic_write(path, state["vocabulary"])
        self.dictionary = path
        self._tok = self._open(path)

    def cut(self, text: str) -> list[str]:
        """Segment already-normalised text into words (HMM on for unknown words)."""
        return self._tok.lcut(text, HMM=True)

    def cut_for_search(self, text: str) -> list[str]:
        """Words plus their dictionary sub-words (对外科技交流 -> 对外, 科技, 交流, 对外科技交流)."""
        return self._tok.lcut_for_search(text, HMM=True)

    def add_word(self, word: str) -> None:
        self._tok.add_word(word)
