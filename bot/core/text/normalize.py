"""Text normalisation shared by the matcher and the draft checker.

Every normalised form keeps an offset map back to the text as typed, so that a finding in
the normalised text can always be shown on the characters the user actually wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

from bot.core.text.language import shipped_ask_language

# Characters that carry no meaning for matching and that users (or copy-paste) insert
# between Han characters: zero-width joiners, BOM, soft hyphen, variation selectors.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0e\ufe0f\u180e")

# OpenCC leaves these ambiguous characters alone in isolation; in service drafts they are
# almost always the simplified 着/么 (忙著 -> 忙着, 什麼 -> 什么).
_EXTRA_T2S = {"著": "着", "麼": "么", "妳": "你"}

_converter = opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    """NFKC + traditional->simplified + lower case for one character (may widen, e.g. ﬁ)."""
    if ch in _INVISIBLE or "\ud800" <= ch <= "\udfff":  # a lone surrogate is not text (and OpenCC rejects it)
        return ""
    out = unicodedata.normalize("NFKC", ch)
    if out in _EXTRA_T2S:
        return _EXTRA_T2S[out]
    if len(out) == 1 and ord(out) >= 0x2E80:
        out = _converter.convert(out)
    return out.lower()


def is_content_char(ch: str) -> bool:
    """True for letters, digits and Han characters; False for punctuation, symbols, emoji, space."""
    cat = unicodedata.category(ch)
    return cat[0] in ("L", "N")


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised text plus, for every character of it, its index in the original text."""

    text: str
    offsets: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text back to the original text."""
        if start >= end:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


def fold(text: str, *, keep_punct: bool = False, collapse_repeats: bool = False) -> Normalized:
    """Normalise `text` keeping an offset map.

    Full-width forms, compatibility characters and traditional characters are folded, letters
    are lower-cased, invisible characters, whitespace and emoji are dropped. Punctuation is
    dropped too unless `keep_punct` (then every punctuation mark becomes a single ``|`` so
    that callers can still see clause boundaries). With `collapse_repeats`, a run of the same
    Han character collapses to one (快快快点 -> 快点) — a trick users play on word filters.
    """
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            if not is_content_char(c):
                if keep_punct and not c.isspace() and unicodedata.category(c)[0] == "P":
                    if out and out[-1] == "|":
                        continue
                    out.append("|")
                    offsets.append(i)
                continue
            if collapse_repeats and out and out[-1] == c and "\u4e00" <= c <= "\u9fff":
                continue
            out.append(c)
            offsets.append(i)
    return Normalized("".join(out), tuple(offsets), text)


def to_simplified(text: str) -> str:
    """Traditional -> simplified with NFKC, keeping everything else (spaces, punctuation)."""
    return "".join(_fold_char(ch) for ch in text)


@lru_cache(maxsize=65536)
def _fold_content(ch: str) -> str:
    """What `fold` keeps of one character: its folded letters, digits and Han characters."""
    return "".join(c for c in _fold_char(ch) if is_content_char(c))


def normalize_query(text: str, *, word_spaces: bool = False) -> str:
    """The matcher's canonical form of a question: folded, compact, the typos of
    knowledge/language.yaml fixed. Equal to ``fold(text).text`` with the typos fixed; without the
    offset map, which every text of the knowledge base would otherwise pay for at start-up.
    `word_spaces`: whitespace between two Latin words (or a word and a number) stays one space, so
    that "long black" is not read as one word "longblack"."""
    if word_spaces and LATIN_LETTER.search(text):
        s = _compact_keeping_word_spaces(text)
    else:
        s = "".join(map(_fold_content, text))
    for wrong, right in shipped_ask_language().typos:
        if wrong in s:
            s = s.replace(wrong, right)
    return s


LATIN_LETTER = re.compile(r"[A-Za-z\uff21-\uff3a\uff41-\uff5a]")  # full-width letters fold to ASCII


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _compact_keeping_word_spaces(text: str) -> str:
    out: list[str] = []
    pending = False  # a separator seen since the last kept character
    for ch in text:
        if ch.isspace():
            pending = bool(out)
            continue
        folded = _fold_content(ch)
        if not folded:  # punctuation parts words too ("boss/leader"); an invisible joiner does not
            pending = pending or (bool(out) and ch not in _INVISIBLE)
            continue
        last, first = out[-1][-1] if out else "", folded[0]
        if pending and _latin(last) and _latin(first) and not (last.isdigit() and first.isdigit()):
            out.append(" ")
        pending = False
        out.append(folded)
    return "".join(out)
