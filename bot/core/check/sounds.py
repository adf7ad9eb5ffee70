"""Banned phrases spelt in pinyin ("xia ban le", "ni zi ji kan") or pinyin mixed with Han.

Reported as warnings: a pinyin spelling is a deliberate evasion or a typing habit, and the
reading is less certain than a written phrase. Each banned literal (a one-part pattern, or the
first part of a longer one) becomes its toneless pinyin; a draft's compact text becomes a sound
string (a Han character -> its most common reading, a run of Latin letters -> itself when it
splits wholly into pinyin syllables), and one Aho-Corasick pass finds the literals on syllable
boundaries. The widest frames (a first part of tens of thousands of literals, their synonym classes
multiplied out) are spelt piece by piece instead: an automaton of one piece finds where they may be,
and the pieces around it are read outwards from there (`_Product`), with the same hits.
Only drafts with a pinyin-looking run pay for this; the reading table is loaded on
the first such draft.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import ahocorasick

from bot.core.check.rules import WIDE_PART, Rule
from bot.core.text.automaton import build_automaton
from bot.core.text.fold import Compact
from bot.core.text.language import shipped_check_language
from bot.core.text.pinyin import readings, sound_table

_LATIN_RUN = re.compile(r"[a-z]{2,}")
_LONE = "mn"  # syllables that are a consonant alone (`_split`)
_MIN_LETTERS = 5  # 我晕 -> woyun; shorter sound keys would meet too much ordinary text


@dataclass(frozen=True, slots=True)
class SoundHit:
    rule: Rule
    start: int  # compact indices
    end: int


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    return frozenset(v for v in readings().values() if v.isascii() and v.isalpha())


def _han(text: str, i: int) -> bool:
    return 0 <= i < len(text) and "\u4e00" <= text[i] <= "\u9fff"


def _split(run: str) -> list[int] | None:
    """Syllable boundaries (offsets) of a Latin run that is wholly pinyin, else None.

    Each reachable offset keeps only the offset it was reached from (not the whole path), so a
    run of thousands of letters costs linear time and memory.
    """
    syl = _syllables()
    n = len(run)
    came_from: list[int] = [-1] * (n + 1)
    came_from[0] = 0
    for i in range(n):
        if came_from[i] < 0:
            continue
        for j in range(min(n, i + 6), i, -1):  # longest syllable first
            # The consonant-only interjections (m 呣, n 嗯) are a syllable only written alone: a longer run
            # that needs one (mention -> men ti o n) is an English word, not pinyin.
            if came_from[j] < 0 and run[i:j] in syl and (j - i > 1 or n == 1 or run[i] not in _LONE):
                came_from[j] = i
    if came_from[n] < 0:
        return None
    cuts = [n]
    while cuts[-1] > 0:
        cuts.append(came_from[cuts[-1]])
    return cuts[::-1]


class SoundMatcher:
    """The banned literals of a rule set as pinyin, matched on pinyin-spelt drafts."""

    def __init__(self, rules: list[Rule], reported: list[Rule] | None = None):
        # A hit reports rules[i] as `reported[i]` (the checker's rules without their alternatives);
        # the rules themselves are read only to build, and released once built.
        self.rules = reported if reported is not None else rules
        self._source: list[Rule] | None = rules
        self._auto: ahocorasick.Automaton | None = None
        self._anchors: ahocorasick.Automaton | None = None
        self._built = False

    def prepare(self) -> None:
        """Build the pinyin automaton now rather than on the first pinyin-spelt draft."""
        if not self._built:
            self._build()

    @property
    def ready(self) -> bool:
        return self._built

    def _build(self) -> None:
        source = self._source
        if source is None:  # built meanwhile by another thread (the rules are released once built)
            return
        spelt = readings()
        # One (rule index, rule) object per rule, so that the automaton stores one value for all its
        # keys; a key spelt by several rules reports the first, as the index tells across the widest
        # frames read from their pieces (`_Product`).
        refs: dict[str, tuple[int, Rule]] = {}
        anchors: dict[str, list[tuple[_Product, str, str, int]]] = {}
        for ri, (rule, reported) in enumerate(zip(source, self.rules, strict=True)):
            one = (ri, reported)
            for pat in rule.patterns:
                literals = pat.parts[0]
                if pat.pieces and len(literals) > _PRODUCT_MIN:
                    product = _product(ri, reported, pat.pieces, spelt)
                    if product is not None:
                        literals = pat.irregular
                        for key, first, last, chars in product[1]:
                            anchors.setdefault(key, []).append((product[0], first, last, chars))
                for alt in literals:
                    if len(alt) < 2 or not all(ch in spelt for ch in alt):
                        continue
                    key = "".join(spelt[ch] for ch in alt)
                    if len(key) >= _MIN_LETTERS:
                        refs.setdefault(key, one)
        self._auto = build_automaton(refs)
        self._anchors = build_automaton(anchors)
        self._built = True
        self._source = None

    def find(self, view: Compact) -> list[SoundHit]:
        """Banned literals written (partly) in pinyin, in compact-view spans."""
        text = view.text
        runs = list(_LATIN_RUN.finditer(text))
        if not runs:
            return []
        spelt: list[tuple[re.Match[str], list[int]]] = []
        for m in runs:
            cuts = _split(m.group())
            # Two syllables or more, or one written against Han characters (ni自己去问).
            if cuts is not None and (len(cuts) > 2 or _han(text, m.start() - 1) or _han(text, m.end())):
                spelt.append((m, cuts))
        if not spelt:
            return []
        if not self._built:
            self._build()
        if self._auto is None and self._anchors is None:
            return []
        sounds = readings()
        # The sound string, with for each of its syllable starts the compact index it came from.
        sound: list[str] = []
        starts: dict[int, int] = {}  # sound offset of a syllable start -> compact index
        ends: dict[int, int] = {}  # sound offset of a syllable end -> compact end
        latin: list[tuple[int, int]] = []  # sound spans read from Latin letters
        pos = 0
        runs_at = {m.start(): (m, cuts) for m, cuts in spelt}
        i = 0
        while i < len(text):
            if i in runs_at:
                m, cuts = runs_at[i]
                lo = pos
                for a, b in pairwise(cuts):
                    starts[pos] = i + a
                    sound.append(m.group()[a:b])
                    pos += b - a
                    ends[pos] = i + b
                latin.append((lo, pos))
                i = m.end()
                continue
            r = sounds.get(text[i])
            if r:
                starts[pos] = i
                sound.append(r)
                pos += len(r)
                ends[pos] = i + 1
            else:
                sound.append("|")
                pos += 1
            i += 1
        s_text = "".join(sound)
        # The Latin spans are in order and disjoint: the one a match could overlap is the first that
        # ends after the match starts (bisection, so a draft of thousands of runs stays linear).
        latin_ends = [le for _, le in latin]

        def latin_within(s: int, e: int) -> bool:
            k = bisect_right(latin_ends, s)
            return k < len(latin) and latin[k][0] < e

        # (start, end) -> the first rule spelling it there, on syllable boundaries and partly Latin.
        found: dict[tuple[int, int], tuple[int, Rule]] = {}
        if self._auto is not None:
            for last, (klen, (ri, rule)) in self._auto.iter(s_text):
                s, e = last - klen + 1, last + 1
                if s in starts and e in ends and latin_within(s, e):
                    found[s, e] = (ri, rule)
        read = False
        if self._anchors is not None:
            for last, (klen, spellings) in self._anchors.iter(s_text):
                a, b = last - klen + 1, last + 1
                for product, first, final, chars in spellings:
                    # Its literals around this anchor lie within its reach: none is partly Latin without Latin there.
                    if not latin_within(a - product.reach[0], b + product.reach[1]):
                        continue
                    for s, e in product.spans(s_text, a, b, first, final, chars):
                        if s in starts and e in ends and latin_within(s, e):
                            known = found.get((s, e))
                            if known is None or product.index < known[0]:
                                found[s, e] = (product.index, product.rule)
                                read = True
        # In the automaton's order (by end, the longest first), as the literal keys alone were found.
        hits = sorted(found.items(), key=lambda item: (item[0][1], item[0][0])) if read else found.items()
        return [SoundHit(rule, starts[s], ends[e]) for (s, e), (_, rule) in hits]


# A first part of more literals than this is read from its pieces (`Pattern.pieces`, which the rules give
# such parts alone): the pinyin of the widest frames' 170,000 literals was most of the pinyin automaton
# (23 MiB of a serving process).
_PRODUCT_MIN = WIDE_PART

# One alternative of a piece as spelt: its toneless pinyin, first and last characters (where two pieces
# meet on one character the join is an irregular literal, spelt from `Pattern.irregular`) and length.
_Spelt = tuple[str, str, str, int]
# A piece as read outwards: whether it may be empty, and its alternatives by the letter they start
# with (read rightwards) or end with (read leftwards): only those can match at a position.
_Piece = tuple[bool, dict[str, tuple[_Spelt, ...]]]


@dataclass(frozen=True, slots=True)
class _Product:
    """A frame's first part as its pieces spelt in pinyin: one piece that is never empty anchors it
    in a small automaton, and the pieces before and after it are read outwards from each anchor."""

    index: int  # the rule's index: a key spelt by several rules reports the first
    rule: Rule
    before: tuple[_Piece, ...]  # nearest first, by last letter
    after: tuple[_Piece, ...]  # by first letter
    reach: tuple[int, int]  # the most letters its pieces spell before and after the anchor

    def spans(self, text: str, a: int, b: int, first: str, last: str, chars: int) -> list[tuple[int, int]]:
        """(start, end) in the sound string `text` of each literal spelt there around the anchor
        alternative spelt at [a, b) (its first and last characters, its length): of two characters
        or more, and `_MIN_LETTERS` letters, as the literal keys are."""
        heads = _extend(text, self.before, {(a, first, min(2, chars))}, leftwards=True)
        if not heads:
            return []
        tails = _extend(text, self.after, {(b, last, 0)}, leftwards=False)
        return [(s, e) for s, _, n in heads for e, _, m in tails if n + m >= 2 and e - s >= _MIN_LETTERS]


def _extend(text: str, pieces: tuple[_Piece, ...], states: set[tuple[int, str, int]],
            *, leftwards: bool) -> set[tuple[int, str, int]]:
    """(position, character at the edge, characters up to two) after reading `pieces` from `states`
    outwards; an alternative that would meet the edge on the same character is no regular join."""
    size = len(text)
    for optional, by_letter in pieces:
        nxt: set[tuple[int, str, int]] = set(states) if optional else set()
        for pos, edge, n in states:
            if leftwards:
                if pos > 0:
                    for key, first, last, chars in by_letter.get(text[pos - 1], ()):
                        if last != edge and text.endswith(key, 0, pos):
                            nxt.add((pos - len(key), first, min(2, n + chars)))
            elif pos < size:
                for key, first, last, chars in by_letter.get(text[pos], ()):
                    if first != edge and text.startswith(key, pos):
                        nxt.add((pos + len(key), last, min(2, n + chars)))
        states = nxt
        if not states:
            break
    return states


def _piece(alts: tuple[_Spelt, ...], *, leftwards: bool) -> _Piece:
    by_letter: dict[str, list[_Spelt]] = {}
    for alt in alts:
        if alt[0]:
            by_letter.setdefault(alt[0][-1] if leftwards else alt[0][0], []).append(alt)
    return any(not alt[0] for alt in alts), {letter: tuple(group) for letter, group in by_letter.items()}


def _product(index: int, rule: Rule, pieces: tuple[tuple[str, ...], ...], spelt: dict[str, str]
             ) -> tuple[_Product, list[_Spelt]] | None:
    """The pieces as a `_Product` and its anchor piece's alternatives, or None without a piece that is
    never empty. An alternative with a character of no reading spells no literal and is left out."""
    spelt_pieces = [tuple(("".join(spelt[ch] for ch in alt), alt[:1], alt[-1:], len(alt)) for alt in alts
                          if all(ch in spelt for ch in alt)) for alts in pieces]
    solid = [i for i, alts in enumerate(pieces) if all(alts)]
    if not solid:
        return None
    # The anchor: the piece whose shortest spelling is longest (the fewest false starts).
    k = max(solid, key=lambda i: (min((len(x[0]) for x in spelt_pieces[i]), default=99), -i))
    reach = [sum(max((len(x[0]) for x in p), default=0) for p in side)
             for side in (spelt_pieces[:k], spelt_pieces[k + 1:])]
    product = _Product(index, rule, tuple(_piece(p, leftwards=True) for p in reversed(spelt_pieces[:k])),
                       tuple(_piece(p, leftwards=False) for p in spelt_pieces[k + 1:]), (reach[0], reach[1]))
    return product, list(spelt_pieces[k])


_MIN_HOMOPHONE_CHARS = 3  # 下班了 / 不归我管: two-character sound keys meet too much ordinary text
_FUNCTION = shipped_check_language().function_characters
_MAX_SPELLINGS = 2000


_HAN_LEFT = re.compile("[^\ue000-\uf8ff]")


class HomophoneMatcher:
    """Banned literals typed with a homophone (下斑了, 这不归窝管): an input-method slip or a dodge.

    Every Han character maps to one private-use character per toneless syllable (one str.translate),
    and one Aho-Corasick pass over that sound string finds the banned literals of three characters or
    more. Where a match differs from its literal in at most a third of its characters, the literal's
    characters are written into a copy of the compact text, offsets unchanged, so the ordinary phrase
    matcher then judges it with all its conditions. The tables are built by `prepare`, or on the first draft.
    """

    def __init__(self, rules: list[Rule]):
        self.rules = rules  # read only to build, and released once built
        self._table: str | None = None
        self._auto: ahocorasick.Automaton | None = None

    def prepare(self) -> None:
        """Build the tables now rather than on the first draft (about 0.8 s)."""
        if self._table is None:
            self._build()

    @property
    def ready(self) -> bool:
        return self._table is not None

    def _build(self) -> None:
        table = sound_table()
        # A frame that expands to thousands of spellings is a combination, not a phrase one mistypes.
        literals = {alt for rule in self.rules for pat in rule.patterns if len(pat.parts[0]) <= _MAX_SPELLINGS
                    for alt in pat.parts[0] if len(alt) >= _MIN_HOMOPHONE_CHARS}
        keys: dict[str, list[str]] = {}
        for alt in sorted(literals):
            key = alt.translate(table)
            if not _HAN_LEFT.search(key):  # every character has a reading
                keys.setdefault(key, []).append(alt)
        # Not `build_automaton`: no two keys share their spellings, and its table of shared values
        # would only add a transient 2 MiB to the serving peak.
        if keys:
            auto = ahocorasick.Automaton()
            for key, alts in keys.items():
                auto.add_word(key, (len(key), tuple(alts)))
            auto.make_automaton()
            self._auto = auto
        self._table = table
        self.rules = []

    def rewrite(self, text: str, *, bounds: frozenset[int] = frozenset()) -> str | None:
        """`text` with homophone spellings of banned literals replaced by the literals, or None.
        A spelling that runs across a clause boundary (`bounds`: 您好：本… is no 您好笨) is not one."""
        if self._table is None:
            self._build()
        if self._auto is None or self._table is None:
            return None
        chars: list[str] | None = None
        for last, (klen, alts) in self._auto.iter(text.translate(self._table)):
            start = last - klen + 1
            typed = text[start:last + 1]
            if typed in alts:  # the literal itself: the phrase matcher has seen it
                continue
            if bounds and any(b in bounds for b in range(start + 1, last + 1)):
                continue
            for alt in alts:
                differ = [b for a, b in zip(alt, typed, strict=True) if a != b]
                if len(differ) <= klen // 3 and not any(b in _FUNCTION for b in differ):
                    if chars is None:
                        chars = list(text)
                    chars[start:last + 1] = alt
                    break
        return None if chars is None else "".join(chars)
