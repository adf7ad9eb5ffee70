"""Word segmentation with jieba over a compact vocabulary shipped beside the knowledge base.

jieba's full dictionary (350k words) costs ~0.6 s to load, most of a start-up budget. The matcher
only needs words that can occur in its knowledge base, so the full dictionary is used once, by
`libao kb build`, to derive a compact vocabulary (the knowledge base's words and domain terms with
jieba's frequencies, plus single characters so that unknown words still split sensibly), written to
``knowledge/vocabulary.txt`` under a digest of everything it was derived from. At run time only that
file is read; `kb lint` reports it stale when the knowledge changed. A knowledge directory without a
current vocabulary still works: the vocabulary is derived in memory (slow, once per index build).

jieba's own on-disk cache (a marshal file in the temp directory) is never used: the prefix
dictionary is built from the vocabulary text directly.
"""

from __future__ import annotations

import hashlib
import io
import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.core.yamlfile import DataError, Problem, read_bounded

VOCABULARY_FILE = "vocabulary.txt"
_HEADER = "# libao compact vocabulary, derived by `libao kb build`; do not edit. digest "
_DIGEST_VERSION = "2"


def _import_jieba() -> Any:
    """jieba, imported without pkg_resources: jieba 0.42 imports it (≈0.1 s of setuptools) only to
    locate its own data files, and falls back to plain paths when it is absent."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        if blocked:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


# Bounds of the domain dictionary, checked before and while reading it: jieba's work on a word grows
# with its length (a 100,000-character word took 14 GB), so words are as short as real terms.
MAX_USERDICT_BYTES = 1_000_000
MAX_USERDICT_WORDS = 50_000
MAX_WORD_CHARS = 24
MAX_WORD_FREQ = 10**9
MAX_VOCABULARY_BYTES = 16_000_000  # the derived vocabulary (≈0.2 MB shipped)


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


def vocabulary_digest(texts: Iterable[str], extra_words: Iterable[str], userdict: Path | None) -> str:
    """Hash of everything a compact vocabulary is derived from."""
    digest = hashlib.sha256(_DIGEST_VERSION.encode())
    for t in (*texts, "\0", *extra_words):
        digest.update(t.encode("utf-8"))
        digest.update(b"\n")
    if userdict is not None and userdict.exists():
        digest.update(read_bounded(userdict, max_bytes=MAX_USERDICT_BYTES))
    return digest.hexdigest()[:32]


def _tokenizer(dictionary_text: str) -> Any:
    """A jieba tokenizer over `dictionary_text` (``word freq`` lines), built in memory."""
    jieba = _import_jieba()
    tok = jieba.Tokenizer()
    tok.FREQ, tok.total = tok.gen_pfdict(io.BytesIO(dictionary_text.encode("utf-8")))
    tok.initialized = True
    return tok


def build_vocabulary(texts: Iterable[str], extra_words: Iterable[str], userdict: Path | None) -> str:
    """Derive the compact dictionary text (``word freq`` lines) with jieba's full dictionary."""
    jieba = _import_jieba()
    full = jieba.Tokenizer()
    with full.get_dict_file() as f:
        full.FREQ, full.total = full.gen_pfdict(f)
    full.initialized = True
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


def read_vocabulary(path: Path) -> tuple[str, str] | None:
    """(digest, dictionary text) of a vocabulary file; None when missing or not one."""
    try:
        text = read_bounded(path, max_bytes=MAX_VOCABULARY_BYTES).decode("utf-8")
    except (DataError, UnicodeDecodeError):
        return None
    first, _, rest = text.partition("\n")
    if not first.startswith(_HEADER):
        return None
    return first[len(_HEADER):].strip(), rest


class Segmenter:
    """A jieba tokenizer over the compact vocabulary of one knowledge base.

    `vocabulary` is the dictionary text, `digest` what it was derived from, `shipped` whether it
    came from the knowledge directory's vocabulary file (False: derived here, the file is stale)."""

    def __init__(self, vocabulary: str, digest: str, *, shipped: bool = False):
        self.vocabulary = vocabulary
        self.digest = digest
        self.shipped = shipped
        self._tok = _tokenizer(vocabulary)

    @classmethod
    def for_texts(cls, texts: list[str], extra_words: list[str], userdict: Path | None = None, *,
                  shipped: Path | None = None) -> Segmenter:
        """The segmenter for these knowledge texts: the `shipped` vocabulary file when it was derived
        from exactly them, else a vocabulary derived now from jieba's full dictionary."""
        digest = vocabulary_digest(texts, extra_words, userdict)
        found = read_vocabulary(shipped) if shipped is not None else None
        if found is not None and found[0] == digest:
            return cls(found[1], digest, shipped=True)
        return cls(build_vocabulary(texts, extra_words, userdict), digest)

    def file_text(self) -> str:
        """The vocabulary file's content (what `kb build` writes)."""
        return f"{_HEADER}{self.digest}\n{self.vocabulary}"

    def cut(self, text: str) -> list[str]:
        """Segment already-normalised text into words (HMM on for unknown words)."""
        return self._tok.lcut(text, HMM=True)

    def cut_for_search(self, text: str) -> list[str]:
        """Words plus their dictionary sub-words (对外科技交流 -> 对外, 科技, 交流, 对外科技交流)."""
        return self._tok.lcut_for_search(text, HMM=True)
