"""Office English inside Chinese questions ("boss让我hold住这个case"), read as the Chinese the
knowledge base uses, before the question is folded for matching and for embedding.

Folding drops spaces, so English has to be read first, while the words are still apart: folded,
"long nail" is "longnail", which neither a whole-word look-up nor the embedder reads as 长指甲.
Words are looked up whole (the "call" inside "recall" is not 电话), phrases of the glossary before
their words ("dress code", also written "dresscode" or "dress-code"), and a word missing from the
glossary is tried without a regular ending (emails, checked, meetings, calling). Fillers (ok,
please) are dropped. English the glossary does not know stays, one space between words, so that
the embedder still reads it as words. The glossary is data: knowledge/voices.yaml ``english:``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from itertools import pairwise

from bot.core.text.normalize import LATIN_LETTER, normalize_query, to_simplified

# A word: ASCII letters, possibly joined by hyphens or an apostrophe (e-mail, boss's).
_WORD = re.compile(r"[a-z]+(?:['’\-][a-z]+)*")
_SPLIT = re.compile(r"[\s\-_]+")
MAX_PHRASE = 3  # words in the longest glossary phrase looked for


def _endings(word: str) -> list[str]:
    """`word` without one regular English ending, most likely first; stems shorter than three
    letters are not tried (a two-letter stem matches too much)."""
    out: list[str] = []

    def add(stem: str) -> None:
        if len(stem) >= 3 and stem not in out:
            out.append(stem)

    if word.endswith(("'s", "’s")):
        add(word[:-2])
    if word.endswith("ies"):
        add(word[:-3] + "y")
    if word.endswith("es"):
        add(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        add(word[:-1])
    for suffix in ("ing", "ed"):
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            add(stem)
            add(stem + "e")
            if len(stem) >= 4 and stem[-1] == stem[-2]:  # stopped -> stop
                add(stem[:-1])
    return out


class EnglishGlossary:
    """English words and phrases -> Chinese, and English fillers to drop."""

    def __init__(self, words: Mapping[str, str], fillers: Iterable[str] = ()):
        self._phrases: dict[tuple[str, ...], str] = {}
        for key, chinese in words.items():
            parts = tuple(p for p in _SPLIT.split(to_simplified(key).strip()) if p)
            if not parts or not all(_WORD.fullmatch(p) for p in parts):
                continue
            self._phrases.setdefault(parts, chinese)
        for parts, chinese in list(self._phrases.items()):  # "dress code" is also written "dresscode"
            if len(parts) > 1:
                self._phrases.setdefault(("".join(parts),), chinese)
        self._fillers = frozenset(w for w in (to_simplified(f).strip() for f in fillers) if _WORD.fullmatch(w))
        self._longest = min(MAX_PHRASE, max((len(p) for p in self._phrases), default=1))

    def __bool__(self) -> bool:
        return bool(self._phrases or self._fillers)

    def _lookup(self, words: tuple[str, ...]) -> str | None:
        found = self._phrases.get(words)
        if found is not None:
            return found
        for stem in _endings(words[-1]):
            found = self._phrases.get((*words[:-1], stem))
            if found is not None:
                return found
        return None

    def translate(self, text: str) -> str:
        """`text` folded to simplified lower case, known English read as Chinese, fillers dropped;
        everything else (spaces and punctuation included) kept for the folding that follows."""
        if not LATIN_LETTER.search(text):  # most of the knowledge's texts: nothing to read
            return text
        text = to_simplified(text)
        tokens = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
        if not tokens:
            return text
        out: list[str] = []
        at = 0  # next character of `text` not yet copied
        i = 0
        while i < len(tokens):
            start, end, word = tokens[i]
            done = False
            # A phrase runs over words separated by spaces or hyphens only.
            for n in range(min(self._longest, len(tokens) - i), 0, -1):
                run = tokens[i:i + n]
                if any(not _SPLIT.fullmatch(text[a[1]:b[0]]) for a, b in pairwise(run)):
                    continue
                parts = tuple(p for w in run for p in w[2].split("-"))
                chinese = self._lookup(parts)
                if chinese is None and len(parts) > 1:  # "wi-fi", "e mail": the glossary's "wifi", "email"
                    chinese = self._lookup(("".join(parts),))
                if chinese is not None:
                    out.append(text[at:start])
                    out.append(f" {chinese} ")
                    at, i, done = run[-1][1], i + n, True
                    break
            if done:
                continue
            if word in self._fillers:
                out.append(text[at:start])
                out.append(" ")
                at = end
            i += 1
        out.append(text[at:])
        return "".join(out)


def fold_question(text: str, glossary: EnglishGlossary | None = None) -> str:
    """The matcher's and the embedder's one form of a question (or of a knowledge text): English read
    through `glossary`, then folded (`normalize_query`); English words the glossary does not know
    keep one space between them, so the embedder reads "long black" as two words."""
    if glossary is not None and glossary:
        text = glossary.translate(text)
    return normalize_query(text, word_spaces=True)
