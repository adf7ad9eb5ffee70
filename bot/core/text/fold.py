"""The one folding normaliser of the draft checker; every detector runs on its output.

`fold_draft(draft)` gives two projections of one fold, each mapping back to the draft as typed:

* ``wide``: every character folded — NFKC (width, compatibility forms), lower case, 繁->简,
  digits of every script (full-width, 一二三/两/幺/〇, financial 壹贰叁) to ASCII digits —
  with invisible characters dropped; spaces, punctuation and symbols kept. Number, e-mail and
  credential scanners read it.
* ``compact``: letters, digits, Han and ``%`` only, so that spaces, emoji, ``*``, zero-width or
  other junk between characters cannot split a word; runs of one Han character collapse
  (快快快点 -> 快点). Clause and sentence boundaries are remembered. Phrases, markings and
  topic vocabularies run here. Offsets are computed on demand: only findings need them.

Rule literals go through the same fold (`fold_literal`), so 一遍 in a rule meets 一遍/1遍/壹遍.
Multipliers (十百千万亿) stay Han: the quantity scanner reads them.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

import opencc

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0e\ufe0f\u180e\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u20e3"
EXTRA_T2S = {"著": "着", "麼": "么", "妳": "你"}
# Digits of every script: Chinese numerals (positional reading 幺三八…), financial forms.
# 十百千万亿 stay: they are multipliers, read by the quantity scanner.
NUMERALS = {"〇": "0", "零": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
            "五": "5", "六": "6", "七": "7", "八": "8", "九": "9", "壹": "1", "贰": "2", "叁": "3",
            "肆": "4", "伍": "5", "柒": "7", "捌": "8", "玖": "9", "貳": "2", "兩": "2", "參": "3",
            "弍": "2", "弌": "1", "弎": "3"}

# Pinyin tone marks are dropped (yāo sān bā reads as yao san ba); ü keeps its dots.
TONE_MARKS = {**{c: "a" for c in "āáǎà"}, **{c: "e" for c in "ēéěè"}, **{c: "i" for c in "īíǐì"},
              **{c: "o" for c in "ōóǒò"}, **{c: "u" for c in "ūúǔù"}, **{c: "ü" for c in "ǖǘǚǜ"}}

_converter = opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], frozenset[str]]:
    """(1:1 translate table, chars that fold to zero or several chars)."""
    chars = [chr(c) for c in range(0x20, 0x10000) if not 0xD800 <= c < 0xE000]
    nfkc = [unicodedata.normalize("NFKC", ch) for ch in chars]
    han = [i for i, out in enumerate(nfkc) if len(out) == 1 and ord(out) >= 0x2E80 and out not in EXTRA_T2S]
    converted = _converter.convert("\n".join(nfkc[i] for i in han)).split("\n")
    for i, out in zip(han, converted, strict=True):
        nfkc[i] = out
    one: dict[int, str] = {}
    widening: set[str] = set()
    for ch, out in zip(chars, nfkc, strict=True):
        out = "" if ch in INVISIBLE else EXTRA_T2S.get(out, out).lower()
        if len(out) == 1:
            out = NUMERALS.get(out, TONE_MARKS.get(out, out))
        if out != ch:
            if len(out) == 1:
                one[ord(ch)] = out
            else:
                widening.add(ch)
    return one, frozenset(widening)


# The Latin letters as the compact view holds them (folded to lower case).
LATIN = frozenset("abcdefghijklmnopqrstuvwxyz")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _widening_re() -> re.Pattern[str]:
    _, widening = _tables()
    return re.compile("[" + re.escape("".join(sorted(widening))) + "]")


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    one, _ = _tables()
    if ord(ch) < 0x10000:
        if ord(ch) in one:
            return one[ord(ch)]
        if ch in INVISIBLE:
            return ""
        out = unicodedata.normalize("NFKC", ch)
        if out == ch:
            return ch
    else:
        out = unicodedata.normalize("NFKC", ch)
    out = "".join(NUMERALS.get(c, c) for c in _converter.convert(out).lower())
    return out


@dataclass(frozen=True, slots=True)
class View:
    """A folded text and, for each of its characters, the index in the original draft."""

    text: str
    offsets: list[int] | range

    def span(self, start: int, end: int) -> tuple[int, int]:
        if start >= end:
            p = self.offsets[start] if start < len(self.offsets) else (self.offsets[-1] + 1 if len(self.offsets) else 0)
            return p, p
        return self.offsets[start], self.offsets[end - 1] + 1


# Financial 陆 and 参 (the simplified fold of the traditional financial 陸 and 參) and the radio readings
# 洞 (0), 拐 (7), 勾 (9) are digits only beside other digits (大陆, 参加, 山洞 stay).
# A number dictated in groups has its separators beside the readings too: 杠洞洞拐杠, ，拐拐拐拐， (a group all radio
# readings) reads as digits when a digit lies beyond the separator.
_SAID_SEPARATORS = ("，", ",", "、", " ", "-", "杠", "横杠", "空格", "然后", "，再", " 杠 ")
# Only the radio readings 洞拐勾: 陆 and 参 after a separator are words (第3条，参照…).
# The character first, its neighbours after: a pattern opening with a character class is scanned for fast.
_LU = re.compile(r"[陆参](?:(?<=[0-9].)|(?=[0-9]))|[洞拐勾](?:(?<=[0-9].)|(?=[0-9])|"
                 + "|".join(f"(?<=[0-9]{re.escape(sep)}.)" for sep in _SAID_SEPARATORS) + "|(?="
                 + "|".join(re.escape(sep) + "[0-9]" for sep in _SAID_SEPARATORS) + "))")
_LU_CHARS = ("陆", "参", "洞", "拐", "勾")
_LU_DIGITS = {"陆": "6", "参": "3", "洞": "0", "拐": "7", "勾": "9"}
_READING_CHARS = (*_LU_CHARS, "叉")


def _fold_readings(text: str) -> str:
    """陆/洞/拐/勾 next to digits -> digits, repeated so that runs of them (洞勾勾) fold too; 叉 after
    a digit is the check letter X of an ID number (…002叉, 002 叉, 002（叉）)."""
    for _ in range(8):
        out = _LU.sub(lambda m: _LU_DIGITS[m.group()], text)
        if out == text:
            break
        text = out
    return _CROSS.sub("x", text) if "叉" in text else text


_CROSS = re.compile(r"(?<=[0-9])叉|(?<=[0-9][ \-])叉|(?<=[0-9][(（])叉(?=[)）])")

# The ID's check letter X said aloud after its digits (…002艾克斯, 002 爱克斯, 002大写X): the word folds to x,
# so that the number reads whole; 大写/字母 before an x already typed is dropped the same way.
_X_WORD = re.compile(r"(?<=[0-9])([ \-]?)(?:(?:大写的?|字母)?(?:艾克斯|爱克斯|埃克斯|挨克斯)|(?:大写的?|字母)叉)"
                     r"|(?<=[0-9])([ \-]?)(?:大写的?|字母)(?=x(?![a-z]))")
_X_HINT = ("克斯", "大写", "字母")


def _spliced(text: str, offsets: list[int] | range, pieces: list[str], offs: list[int],
             prev: int) -> tuple[str, list[int] | range]:
    """The rewritten pieces with the rest of `text` from `prev`, and their offsets (unchanged when
    nothing was rewritten)."""
    if not pieces:
        return text, offsets
    pieces.append(text[prev:])
    offs.extend(offsets[prev:])
    return "".join(pieces), offs


def _fold_x_words(text: str, offsets: list[int] | range) -> tuple[str, list[int] | range]:
    """`_X_WORD` folded, each x (or the dropped word) mapped to where the word was said."""
    pieces: list[str] = []
    offs: list[int] = []
    prev = 0
    for m in _X_WORD.finditer(text):
        sep = m.group(1) if m.group(1) is not None else m.group(2)
        word_at = m.start() + len(sep)
        pieces.append(text[prev:word_at])
        offs.extend(offsets[prev:word_at])
        if m.group(1) is not None:
            pieces.append("x")
            offs.append(offsets[word_at])
        prev = m.end()
    return _spliced(text, offsets, pieces, offs, prev)

# Digits spelt in pinyin (yao san ba…, run together or apart, mixed with digits) or English, the radio readings
# included (yao/liang/guai/dong/gou). Only a run of three syllables or more folds: one or two digit
# syllables are ordinary pinyin (Liu Yi, xia ban ba). An ID's check letter may end the run (…ba x).
_SYLLABLE_DIGITS = {"ling": "0", "dong": "0", "yao": "1", "yi": "1", "liang": "2", "er": "2", "san": "3",
                    "si": "4", "wu": "5", "liu": "6", "guai": "7", "qi": "7", "ba": "8", "jiu": "9", "gou": "9"}
# The English words (one three eight …) under the same three-in-a-row rule, apart from each other and
# never mixed with pinyin (qi six is not qi si x).
# "oh" is the spoken zero, and "double five" / "triple eight" repeat the digit, as numbers are read aloud.
_WORD_DIGITS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                "seven": "7", "eight": "8", "nine": "9"}
_REPEATS = {"double": 2, "triple": 3}
_DIGIT_WORDS = {**_SYLLABLE_DIGITS, **_WORD_DIGITS}


def _spelt_run(words: dict[str, str], glued: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    alt = "|".join(sorted(words, key=len, reverse=True))
    if not glued:  # English words: double/triple before a word repeats it
        alt = rf"(?:(?:{'|'.join(_REPEATS)})[ \-])?(?:{alt})"
    gap = "{0,2}" if glued else "{1,2}"
    run = re.compile(rf"(?<![a-z])(?:{alt}|[0-9])(?:[ \-.,/·*_~|]{gap}(?:{alt}|[0-9]))++(?:[ \-]?[x叉])?+")
    return run, re.compile(alt)


_SPELT = (_spelt_run(_SYLLABLE_DIGITS, glued=True), _spelt_run(_WORD_DIGITS, glued=False))
_PINYIN_HINT = re.compile(rf"(?:{'|'.join(_DIGIT_WORDS)})[ \-.,/·*_~|0-9]{{0,3}}(?:{'|'.join(_DIGIT_WORDS)})")


def _fold_spelt(text: str, offsets: list[int] | range) -> tuple[str, list[int] | range]:
    """`_fold_pinyin` for pinyin syllables, then for English words."""
    for run, one in _SPELT:
        text, offsets = _fold_pinyin(text, offsets, run, one)
    return text, offsets


def _fold_pinyin(text: str, offsets: list[int] | range, run: re.Pattern[str],
                 one: re.Pattern[str]) -> tuple[str, list[int] | range]:
    """Digit syllables of a run of three or more -> digits, offsets of each digit at its syllable."""
    pieces: list[str] = []
    offs: list[int] = []
    prev = 0
    for m in run.finditer(text):
        # A run glued to a word (sierra) is not digits; checked here, not by a lookahead, so that a
        # failed run is not retried from each of its syllables (linear time).
        if text[m.end():m.end() + 1].isascii() and text[m.end():m.end() + 1].isalpha():
            continue
        syllables = list(one.finditer(m.group()))
        if len(syllables) < 3:
            continue
        pieces.append(text[prev:m.start()])
        offs.extend(offsets[prev:m.start()])
        i = m.start()
        for s in syllables:
            a, b = m.start() + s.start(), m.start() + s.end()
            pieces.append(text[i:a])
            offs.extend(offsets[i:a])
            word = s.group()
            times = _REPEATS.get(word[:6].rstrip(" -"), 1)
            digit = _DIGIT_WORDS[word.rsplit(" ", 1)[-1].rsplit("-", 1)[-1] if times > 1 else word]
            pieces.append(digit * times)
            offs.extend([offsets[a]] * times)
            i = b
        pieces.append(text[i:m.end()].replace("叉", "x"))  # the ID's check letter, spelt out
        offs.extend(offsets[i:m.end()])
        prev = m.end()
    return _spliced(text, offsets, pieces, offs, prev)


@lru_cache(maxsize=1)
def _one_to_one() -> tuple[re.Pattern[str], dict[str, str]]:
    """The characters that fold to exactly one other character, as a class and a map.

    A draft folds few of its characters; finding them with one character class and replacing
    only those is several times faster than str.translate over a table of thousands of entries.
    """
    one, _ = _tables()
    chars = "".join(sorted(chr(k) for k in one))
    return re.compile("[" + re.escape(chars) + "]"), {chr(k): v for k, v in one.items()}


@lru_cache(maxsize=1)
def _frequent() -> tuple[tuple[str, str], ...]:
    """The folds most drafts make many times (，？！ and 一), for str.replace before the class: each
    match of the class is a call back into Python. Only those whose result is not folded again."""
    _, table = _one_to_one()
    return tuple((c, table[c]) for c in "，？！一" if c in table and table[c] not in table)


def _translate(text: str) -> str:
    rx, table = _one_to_one()
    for wide, narrow in _frequent():
        if wide in text:
            text = text.replace(wide, narrow)
    return rx.sub(lambda m: table[m.group()], text)


def fold_wide(draft: str) -> View:
    """The wide view: every character folded, invisible ones dropped, offsets kept."""
    special = _special_re()
    if not special.search(draft):
        text = _translate(draft)
        if any(ch in text for ch in _READING_CHARS):
            text = _fold_readings(text)
        offsets: list[int] | range = range(len(draft))
        if any(h in text for h in _X_HINT):
            text, offsets = _fold_x_words(text, offsets)
        if _PINYIN_HINT.search(text):
            return View(*_fold_spelt(text, offsets))
        return View(text, offsets)
    # Characters that vanish, widen (… -> ...) or lie outside the BMP are rare: translate the
    # stretches between them in one call each.
    pieces: list[str] = []
    offsets = []
    prev = 0
    same_length = True
    for m in special.finditer(draft):
        i = m.start()
        pieces.append(_translate(draft[prev:i]))
        offsets.extend(range(prev, i))
        out = fold_char(m.group())
        same_length = same_length and len(out) == 1
        pieces.append(out)
        offsets.extend([i] * len(out))
        prev = i + 1
    pieces.append(_translate(draft[prev:]))
    offsets.extend(range(prev, len(draft)))
    text = "".join(pieces)
    if any(ch in text for ch in _READING_CHARS):
        text = _fold_readings(text)
    view_offsets: list[int] | range = range(len(draft)) if same_length else offsets
    if any(h in text for h in _X_HINT):
        text, view_offsets = _fold_x_words(text, view_offsets)
    if _PINYIN_HINT.search(text):
        return View(*_fold_spelt(text, view_offsets))
    return View(text, view_offsets)


@lru_cache(maxsize=1)
def _special_re() -> re.Pattern[str]:
    _, widening = _tables()
    return re.compile("[" + re.escape("".join(sorted(widening))) + "\U00010000-\U0010ffff]")


# Clause breaks: punctuation and line breaks (symbols, emoji, '*' are not breaks).
_PUNCT = "".join(chr(c) for c in range(0x10000) if unicodedata.category(chr(c))[0] == "P")
# Content characters listed by script (faster than \w, which asks Unicode for every character):
# ASCII letters and digits, %, Latin, Greek and Cyrillic letters, kana, Hangul and Han.
_CONTENT = ("0-9a-zA-Z%‰\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u04ff\u3040-\u30ff"
            "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f")
_GAP = re.compile(f"([^{_CONTENT}]+)")
_SENT_END = frozenset("。！？!?；;\n")


def _gap_kind(gap: str, spaced: bool) -> int:
    """0 no break, 1 clause break, 2 sentence break."""
    if any(c in _SENT_END for c in gap):
        return 2
    for c in gap:
        if (c in _PUNCT and c not in "*&#@/\\") or c in "\r\t":
            return 1
        if c == " " and not spaced:
            return 1
    return 0


_HAN_SPACE_HAN = re.compile(r"[\u4e00-\u9fff] (?=[\u4e00-\u9fff])")
_REPEAT_RUN = re.compile(r"(.)\1+")  # kept only for Han characters (see compact_of)
_HAN_REPEAT = re.compile(r"([\u4e00-\u9fff])\1")  # what the compact view collapses
_HAN_RUN = re.compile(r"([\u4e00-\u9fff])\1+")


@dataclass(frozen=True, slots=True)
class Compact:
    """Content characters only; offsets are computed on demand (only findings need them)."""

    text: str
    clauses: frozenset[int]  # compact indices at which a clause (or sentence) boundary lies
    sentences: tuple[int, ...]  # sorted compact indices starting a sentence (0 first)
    wide: View
    wstarts: list[int]  # wide index of each content run
    cstarts: list[int]  # pre-collapse compact index of each content run
    dropped: list[int]  # pre-collapse indices removed by the repeat collapse (sorted)
    total: int  # pre-collapse length
    # For each dropped index, the number of characters kept before it (dropped[j] - j, non-decreasing):
    # the characters dropped before kept character i are those with at most i kept before them.
    kept_before: list[int] = field(default_factory=list)

    @property
    def boundaries(self) -> frozenset[int]:
        return self.clauses

    def sentence_of(self, pos: int) -> tuple[int, int]:
        i = bisect_right(self.sentences, pos) - 1
        s = self.sentences[i]
        e = self.sentences[i + 1] if i + 1 < len(self.sentences) else len(self.text)
        return s, e

    def index_of_wide(self, wide_index: int) -> int:
        """Index of the first content character at or after wide `wide_index`."""
        k = bisect_right(self.wstarts, wide_index) - 1
        if k < 0:
            return 0
        run_end = self.wstarts[k] + (
            (self.cstarts[k + 1] if k + 1 < len(self.cstarts) else self.total) - self.cstarts[k])
        pos = self.cstarts[k] + min(wide_index, run_end) - self.wstarts[k]
        if self.dropped:
            pos -= bisect_left(self.dropped, pos)
        return min(pos, len(self.text))

    def wide_index(self, i: int) -> int:
        """Wide index of compact character `i`."""
        if self.dropped:  # i-th kept character: skip over the dropped ones before it
            i += bisect_right(self.kept_before, i)
        k = bisect_right(self.cstarts, i) - 1
        return self.wstarts[k] + (i - self.cstarts[k])

    def latin_whole(self, start: int, end: int) -> bool:
        """Whether compact [start, end) is whole words of the wide text at its Latin-letter edges (a
        compact view has lost the spaces: ipo is in "I posted", ask in task)."""
        text = self.text
        wide = self.wide.text
        if text[start] in LATIN:
            ws = self.wide_index(start)
            if ws > 0 and wide[ws - 1] in LATIN:
                return False
        if text[end - 1] in LATIN:
            we = self.wide_index(end - 1) + 1
            if we < len(wide) and wide[we] in LATIN:
                return False
        return True

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original-draft span of compact [start, end)."""
        offs = self.wide.offsets
        end = min(end, len(self.text))
        if start >= end:
            if start >= len(self.text):
                return (offs[-1] + 1, offs[-1] + 1) if len(offs) else (0, 0)
            p = offs[self.wide_index(start)]
            return p, p
        return offs[self.wide_index(start)], offs[self.wide_index(end - 1)] + 1


class _GapKinds(dict[str, int]):
    """Memo of gap -> 0 (no break), 1 (clause break), 2 (sentence break); gaps repeat (，。 and spaces)."""

    def __init__(self, spaced: bool):
        super().__init__()
        self.spaced = spaced

    def __missing__(self, gap: str) -> int:
        value = _gap_kind(gap, self.spaced)
        if len(self) < 20_000:
            self[gap] = value
        return value


_GAPS = {False: _GapKinds(False), True: _GapKinds(True)}


def compact_of(wide: View) -> Compact:
    """The compact view of a wide view (see the module docstring)."""
    text = wide.text
    parts = _GAP.split(text)
    runs, gaps = parts[0::2], parts[1::2]
    spaced = " " in text and len(_HAN_SPACE_HAN.findall(text)) * 3 >= max(1, len(text) // 2)
    wstarts = list(accumulate(map(len, parts), initial=0))[0::2]
    cstarts = list(accumulate(map(len, runs), initial=0))
    ctext = "".join(runs)
    n = len(ctext)
    kind = _GAPS[spaced].__getitem__
    clauses = {0, n}
    sentences = [0]
    for c, gap in zip(cstarts[1:], gaps, strict=False):
        k = kind(gap)
        if k:
            clauses.add(c)
            if k == 2 and 0 < c < n and c != sentences[-1]:
                sentences.append(c)
    drop: list[int] = []
    # Collapse runs of one Han character (快快快点 -> 快点) unless a clause break lies inside.
    if _HAN_REPEAT.search(ctext):
        # The same runs as (.)\1+ finds, its Han ones: a run is of one character, so no other run holds it.
        drop = [i for m in _HAN_RUN.finditer(ctext) for i in range(m.start() + 1, m.end()) if i not in clauses]
        if drop:
            pieces = []
            prev = 0
            for i in drop:
                pieces.append(ctext[prev:i])
                prev = i + 1
            pieces.append(ctext[prev:])
            ctext = "".join(pieces)
            clauses = {b - bisect_left(drop, b) for b in clauses}
            sentences = sorted({b - bisect_left(drop, b) for b in sentences})
    return Compact(ctext, frozenset(clauses), tuple(sentences), wide, wstarts, cstarts[:-1] or [0], drop, cstarts[-1],
                   [d - j for j, d in enumerate(drop)])


@dataclass(frozen=True, slots=True)
class Folded:
    original: str
    wide: View
    compact: Compact

    def wide_index(self, original: int) -> int:
        """Index in the wide view of the first character at or after `original`."""
        offs = self.wide.offsets
        if isinstance(offs, range):
            return original
        return bisect_left(offs, original)

    def compact_index(self, wide_index: int) -> int:
        """Index in the compact view of the first content character at or after wide `wide_index`."""
        return self.compact.index_of_wide(wide_index)


def fold_draft(draft: str) -> Folded:
    wide = fold_wide(draft)
    return Folded(draft, wide, compact_of(wide))


def has_repeat(text: str) -> bool:
    """Whether a character repeats at once (a run that the compact view may collapse)."""
    return _REPEAT_RUN.search(text) is not None


def fold_plain(text: str, *, other_repeats: bool = False) -> str | None:
    """`fold_literal(text)` when `text` holds no special, gap, reading or repeated character (then it
    is the one-to-one translation, built without the views), else None. Most rule literals are such
    text (the rule files expand to ~180,000), and so is the join of such pieces when no two
    neighbours repeat a character: translation is character by character. With `other_repeats` a
    repeated character that is not Han (app, 400, 800) is allowed: the compact view collapses Han runs only."""
    if _special_re().search(text):
        return None
    folded = _translate(text)
    if (any(ch in folded for ch in _READING_CHARS) or _GAP.search(folded)
            or (_HAN_REPEAT if other_repeats else _REPEAT_RUN).search(folded)
            or _PINYIN_HINT.search(folded) or _X_WORD.search(folded)):
        return None
    return folded


def fold_literal(text: str) -> str:
    """Compact folded form of a rule literal, same as a draft's."""
    plain = fold_plain(text)
    return compact_of(fold_wide(text)).text if plain is None else plain
