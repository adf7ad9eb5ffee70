"""Question words typed or dictated with a homophone of a knowledge-base term, read as that term.

A pinyin input method or a speech recogniser writes a word the way it sounds: 总节 for 总结, 油箱 for
邮箱, 涉秘 for 涉密. Such a word is one the knowledge base never uses, so it counts as unexplained
mass on the lexical signal and reads as noise to the embedder. The question, folded as the lexical
signal reads it, is segmented; each word of two Han characters or more that the knowledge base does not
know (nor its stopwords or synonyms) is a suspect, and a window of the question that overlaps it and
sounds exactly like a term of the knowledge's vocabulary (toneless pinyin, the first reading of each
character: the check side's sound table, bot/core/text/pinyin.py) is rewritten to that term before
both signals read the question. Ordinary words are kept safe: a word the knowledge uses is never a
suspect; only the suspect's characters may change, and beyond it the window takes whole words; at most
half of the window's characters may differ (a slip keeps part of the word: 总 of 总结); no function
character is replaced (在/再, 的/得 change meaning, not spelling); a window of two characters must
agree in tones too and hold no function character (two syllables meet by chance far more often); and a
sound shared by two terms that keep equally many characters of the typed word is left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.core.text.pinyin import sound_table, toned_table

_MAX_TERM = 6  # longest term (characters) looked for: longer ones are phrases, rarely mistyped whole


def _han(text: str) -> bool:
    return bool(text) and all("\u4e00" <= c <= "\u9fff" for c in text)


def _tones(text: str) -> str:
    return text.translate(toned_table())


class Respeller:
    """Rewrites a question's unknown words that sound like a term of the knowledge base."""

    def __init__(self, terms: Iterable[str], *, known: Callable[[str], bool], cut: Callable[[str], list[str]],
                 fold: Callable[[str], str], function_characters: frozenset[str] = frozenset()):
        self._source: list[str] | None = sorted({t for t in terms if 2 <= len(t) <= _MAX_TERM and _han(t)})
        self._known = known
        self._cut = cut
        self._fold = fold
        self._function = function_characters
        self._keys: dict[str, tuple[str, ...]] = {}
        self._table = ""

    def _build(self) -> None:
        table = sound_table()
        keys: dict[str, list[str]] = {}
        for term in self._source or ():
            key = term.translate(table)
            if all("\ue000" <= c <= "\uf8ff" for c in key):  # every character has a reading
                keys.setdefault(key, []).append(term)
        self._keys = {k: tuple(v) for k, v in keys.items()}
        self._table = table
        self._source = None

    def prepare(self) -> None:
        """Build the terms' sound keys and the toned table now (a long-lived process, at start) rather
        than on the first question that holds a suspect word."""
        if self._source is not None:
            self._build()
        toned_table()  # read by a two-character window only: 80 KiB

    def suspects(self, folded: str) -> tuple[list[tuple[int, int]], set[int]]:
        """Spans of `folded` (a folded question) holding a word of two Han characters or more that the
        knowledge base does not know, and the offsets where its words start or end."""
        spans = []
        bounds = {0}
        pos = 0
        for word in self._cut(folded):
            if len(word) >= 2 and _han(word) and not self._known(word):
                spans.append((pos, pos + len(word)))
            pos += len(word)
            bounds.add(pos)
        return spans, bounds

    def rewrites(self, folded: str) -> list[tuple[int, int, str]]:
        """(start, end, term) of `folded` to read as a term of the knowledge base, left to right."""
        spans, bounds = self.suspects(folded)
        if not spans:
            return []
        self.prepare()
        sound = folded.translate(self._table)
        out: list[tuple[int, int, str]] = []
        taken = 0
        for a, b in spans:
            found = self._window(folded, sound, a, b, taken, bounds)
            if found is not None:
                out.append(found)
                taken = found[1]
        return out

    def _window(self, folded: str, sound: str, a: int, b: int, taken: int, bounds: set[int]
                ) -> tuple[int, int, str] | None:
        """The window over the suspect `a`..`b` (not before `taken`) to rewrite, and its term: the
        longest that sounds like a term that fits, the leftmost of equally long ones."""
        for length in range(min(_MAX_TERM, len(folded)), 1, -1):
            for s in range(max(taken, a - length + 1), b):
                e = s + length
                if e > len(folded):
                    break
                # Beyond the suspect the window takes whole words (保秘 + 期限), never part of
                # one (同事 + 家住 is no 事假).
                if (s < a and s not in bounds) or (e > b and e not in bounds):
                    continue
                terms = self._keys.get(sound[s:e])
                if terms is None:
                    continue
                term = self._fit(folded[s:e], terms, range(a - s, b - s))
                if term is not None:
                    return s, e, term
        return None

    def _fit(self, typed: str, terms: tuple[str, ...], suspect: range) -> str | None:
        """The one term of `terms` (which sound like `typed`) that `typed` may be read as: differing
        only at positions of `suspect` (the suspect word's, in the window), in at most half of
        them and in no function character; None when none does, `typed` is a term itself, or two
        keep equally many of its characters."""
        if typed in terms:
            return None
        length = len(typed)
        # Two characters sound alike far more often by chance: there the tones must agree too
        # (主任 zhǔrèn is no 主人 zhǔrén; 保蜜 bǎomì is 保密), and a function character is part of
        # another word (有位客户 is no 有味).
        if length == 2:
            if any(c in self._function for c in typed):
                return None
            terms = tuple(t for t in terms if _tones(t) == _tones(typed))
        fits = []
        for term in terms:
            differ = [i for i in range(length) if term[i] != typed[i]]
            if (len(differ) <= length // 2 and all(i in suspect for i in differ)
                    and not any(typed[i] in self._function or term[i] in self._function for i in differ)):
                fits.append((length - len(differ), term))
        if not fits:
            return None
        best = max(k for k, _ in fits)
        top = [t for k, t in fits if k == best]
        return top[0] if len(top) == 1 else None

    def __call__(self, question: str) -> str:
        """`question` with its homophone slips written as the knowledge's terms (as typed otherwise)."""
        folded = self._fold(question)
        found = self.rewrites(folded)
        if not found:
            return question
        text = question
        for s, e, term in found:
            text = _replace(text, folded[s:e], term, self._fold)
        return text


def _replace(text: str, typed: str, term: str, fold: Callable[[str], str]) -> str:
    """`text` with the characters that fold to `typed` written as `term` (same length): as typed when
    the question is simplified Chinese, else found through each character's folded form (traditional
    or full-width characters, separators between them)."""
    if typed in text:
        return text.replace(typed, term)
    chars = [(i, fold(c)) for i, c in enumerate(text) if not c.isascii() and not c.isspace()]
    chars = [(i, f) for i, f in chars if len(f) == 1]
    folded = "".join(f for _, f in chars)
    at = folded.find(typed)
    if at < 0:
        return text
    out = list(text)
    for k, ch in enumerate(term):
        out[chars[at + k][0]] = ch
    return "".join(out)
