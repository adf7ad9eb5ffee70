"""Views of a reply draft for the checker, each with an offset map back to the draft as typed.

* ``wide``: every character folded (NFKC, traditional -> simplified, lower case), invisible
  characters removed; spaces, punctuation and symbols kept. Regex detectors (PII, 密级
  markings) run here.
* ``compact``: letters, digits and Han characters only, so that spaces, punctuation, emoji
  and zero-width characters inserted between Han characters do not break a phrase. Clause
  boundaries (punctuation, line breaks, and spaces unless the draft is spaced out letter by
  letter) are remembered separately so that phrase rules can ask "at the end of a clause".
* ``collapsed``: ``compact`` with runs of the same Han character reduced to one (快快点 ->
  快点) — the view phrase rules run on (their literals are collapsed the same way); it is
  ``compact`` itself when the draft has no such run.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, chain
from operator import add

from bot.core.text.normalize import _EXTRA_T2S, _INVISIBLE, _converter, to_simplified

_GAP = re.compile(r"([\W_]+)")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_HAN_SPACE_HAN = re.compile(r"[\u4e00-\u9fff] (?=[\u4e00-\u9fff])")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_REPEAT_RUN = re.compile(r"([\u4e00-\u9fff])\1+")

# Opening/closing quote pairs; text between them is someone else's words or a title.
_QUOTES = {"“": "”", "「": "」", "『": "』", "《": "》", "〈": "〉", '"': '"', "'": "'", "‘": "’"}
_QUOTED = re.compile("|".join(f"{re.escape(o)}([^{re.escape(c)}]+){re.escape(c)}" for o, c in _QUOTES.items()))


def _punctuation_class() -> re.Pattern[str]:
    """Punctuation (Unicode category P) and line breaks end a clause; symbols and emoji do not."""
    chars = [chr(c) for c in range(0x10000) if unicodedata.category(chr(c))[0] == "P"]
    return re.compile("[" + re.escape("".join(chars)) + "\n\r\t]")


_BREAK = _punctuation_class()
_BREAK_OR_SPACE = re.compile(_BREAK.pattern[:-1] + r"\s]")


class _GapKinds(dict[str, bool]):
    """Memo of "does this gap between content runs end a clause" (gaps repeat: ，。 and spaces)."""

    def __init__(self, breaks: re.Pattern[str]):
        super().__init__()
        self.breaks = breaks

    def __missing__(self, gap: str) -> bool:
        value = bool(self.breaks.search(gap))
        if len(self) < 10_000:
            self[gap] = value
        return value


_GAPS = _GapKinds(_BREAK_OR_SPACE)
_SPACED_GAPS = _GapKinds(_BREAK)


@dataclass(frozen=True, slots=True)
class _FoldTable:
    """Every BMP character whose fold differs from itself, as a regex-driven replacement table."""

    table: dict[str, str]
    changing: re.Pattern[str]  # any character in `table`
    widening: re.Pattern[str]  # characters that fold to zero or several characters


@lru_cache(maxsize=1)
def _fold_table() -> _FoldTable:
    # Built once (~30 ms) so that a draft is folded with a regex scan instead of a per-character
    # Python loop; normalize._fold_char stays the definition (tests compare the two).
    chars = [chr(c) for c in range(0x20, 0x10000) if not 0xD800 <= c < 0xE000]
    nfkc = [unicodedata.normalize("NFKC", ch) for ch in chars]
    han = [i for i, out in enumerate(nfkc) if len(out) == 1 and ord(out) >= 0x2E80 and out not in _EXTRA_T2S]
    converted = _converter.convert("\n".join(nfkc[i] for i in han)).split("\n")
    for i, out in zip(han, converted, strict=True):
        nfkc[i] = out
    table: dict[str, str] = {}
    for ch, out in zip(chars, nfkc, strict=True):
        out = "" if ch in _INVISIBLE else _EXTRA_T2S.get(out, out).lower()
        if out != ch:
            table[ch] = out
    widening = "".join(ch for ch, out in table.items() if len(out) != 1)
    return _FoldTable(table, _char_class(frozenset(table)), _char_class(frozenset(widening)))


@lru_cache(maxsize=4096)
def _fold_astral(ch: str) -> str:
    return to_simplified(ch)


@dataclass(frozen=True, slots=True)
class View:
    """A derived text and, for each of its characters, the index in the original draft."""

    text: str
    offsets: Sequence[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map [start, end) of this view to the original draft."""
        if start >= end:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass(frozen=True, slots=True)
class CompactView(View):
    """Content characters only, plus the compact indices at which a clause boundary lies."""

    boundaries: frozenset[int]


@dataclass(slots=True)
class DraftViews:
    """All views of one draft (built once per check)."""

    original: str
    wide: View
    compact: CompactView
    collapsed: CompactView
    quoted: tuple[tuple[int, int], ...]  # original-text spans inside quotes

    def in_quotes(self, start: int, end: int) -> bool:
        return any(qs <= start and end <= qe for qs, qe in self.quoted)


def _wide(draft: str) -> View:
    ft = _fold_table()
    table = ft.table
    astral = _ASTRAL.findall(draft)
    extra = {ch: out for ch in astral if (out := _fold_astral(ch)) != ch} if astral else {}
    if extra:
        table = {**table, **extra}
    elif not ft.changing.search(draft):
        return View(draft, range(len(draft)))
    changing = _char_class(frozenset(extra)) if extra else None
    text = ft.changing.sub(lambda m: table[m.group()], draft)
    if changing is not None:
        text = changing.sub(lambda m: table[m.group()], text)
    if not extra and not ft.widening.search(draft):
        # Common case: one folded character per typed character, so offsets are the identity.
        return View(text, range(len(draft)))
    # Characters that vanish (zero-width) or widen (… -> ...) are rare: copy the 1:1 stretches
    # between them as ranges.
    widening = ft.widening if not extra else _char_class(frozenset(
        ch for ch in set(_ASTRAL.findall(draft)) | set(ft.widening.findall(draft)) if len(table.get(ch, ch)) != 1))
    offsets: list[int] = []
    prev = 0
    for m in widening.finditer(draft):
        i = m.start()
        offsets.extend(range(prev, i))
        offsets.extend([i] * len(table[m.group()]))
        prev = i + 1
    offsets.extend(range(prev, len(draft)))
    return View(text, offsets)


@lru_cache(maxsize=256)
def _char_class(chars: frozenset[str]) -> re.Pattern[str]:
    return re.compile("[" + re.escape("".join(sorted(chars))) + "]")


def _compact(wide: View) -> CompactView:
    text = wide.text
    # re.split with a capturing group alternates content runs and the gaps between them.
    parts = _GAP.split(text)
    runs, gaps = parts[0::2], parts[1::2]
    run_len = list(map(len, runs))
    starts = list(accumulate(map(len, parts), initial=0))[0::2]  # wide index of each run
    cstarts = list(accumulate(run_len, initial=0))  # compact index of each run (and the end)
    compact = "".join(runs)
    # Letter-spaced drafts (下 班 了) use spaces as padding, not as clause breaks.
    spaced = " " in text and len(_HAN_SPACE_HAN.findall(text)) * 3 >= max(1, len(compact))
    is_break = _SPACED_GAPS if spaced else _GAPS
    boundaries = {c for c, gap in zip(cstarts[1:], gaps, strict=False) if is_break[gap]}
    boundaries.update((0, len(compact)))
    positions = chain.from_iterable(map(range, starts, map(add, starts, run_len)))
    offsets = list(positions) if isinstance(wide.offsets, range) else list(map(wide.offsets.__getitem__, positions))
    return CompactView(compact, offsets, frozenset(boundaries))


def _collapse(view: CompactView) -> CompactView | None:
    text = view.text
    # Positions to drop: the 2nd.. character of a run, unless a clause boundary lies before it.
    dropped = [i for m in _REPEAT_RUN.finditer(text) for i in range(m.start() + 1, m.end())
               if i not in view.boundaries]
    if not dropped:
        return None
    pieces: list[str] = []
    offsets: list[int] = []
    prev = 0
    for i in dropped:  # sorted: runs are found left to right
        pieces.append(text[prev:i])
        offsets.extend(view.offsets[prev:i])
        prev = i + 1
    pieces.append(text[prev:])
    offsets.extend(view.offsets[prev:])
    # A kept boundary moves left by the number of characters dropped before it.
    boundaries = {b - bisect_left(dropped, b) for b in view.boundaries} | {0, len(offsets)}
    return CompactView("".join(pieces), offsets, frozenset(boundaries))


def _quoted(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span(m.lastindex or 0) for m in _QUOTED.finditer(text))


def build_views(draft: str) -> DraftViews:
    """Fold `draft` once into every view the detectors need."""
    wide = _wide(draft)
    compact = _compact(wide)
    quoted = _quoted(draft) if any(q in draft for q in _QUOTES) else ()
    return DraftViews(draft, wide, compact, _collapse(compact) or compact, quoted)
