"""Views of a reply draft for the checker, each with an offset map back to the draft as typed.

* ``wide``: every character folded (NFKC, traditional -> simplified, lower case), invisible
  characters removed; spaces, punctuation and symbols kept. Regex detectors (PII, 密级
  markings) run here.
* ``compact``: letters, digits and Han characters only, so that spaces, punctuation, emoji
  and zero-width characters inserted between Han characters do not break a phrase. Clause
  boundaries (punctuation, line breaks, and spaces unless the draft is spaced out letter by
  letter) are remembered separately so that phrase rules can ask "at the end of a clause".
* ``collapsed``: ``compact`` with runs of the same Han character reduced to one (快快点 ->
  快点); built only when the draft has such a run.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.core.normalize import to_simplified

_CHAR_CACHE: dict[str, str] = {}
_CONTENT_RUN = re.compile(r"[^\W_]+")
_HAN_SPACE_HAN = re.compile(r"[\u4e00-\u9fff] (?=[\u4e00-\u9fff])")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_REPEAT = re.compile(r"([\u4e00-\u9fff])\1")

# Opening/closing quote pairs; text between them is someone else's words or a title.
_QUOTES = {"“": "”", "「": "」", "『": "』", "《": "》", "〈": "〉", '"': '"', "'": "'", "‘": "’"}


def _fold(ch: str) -> str:
    out = _CHAR_CACHE.get(ch)
    if out is None:
        out = to_simplified(ch)
        if len(_CHAR_CACHE) < 100_000:
            _CHAR_CACHE[ch] = out
    return out


@lru_cache(maxsize=4096)
def _is_break(ch: str) -> bool:
    """Punctuation and line breaks end a clause; symbols and emoji do not."""
    return ch in "\n\r\t" or unicodedata.category(ch)[0] == "P"


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
    collapsed: CompactView | None
    quoted: tuple[tuple[int, int], ...]  # original-text spans inside quotes

    def in_quotes(self, start: int, end: int) -> bool:
        return any(qs <= start and end <= qe for qs, qe in self.quoted)


def _wide(draft: str) -> View:
    table: dict[int, str] = {}
    simple = True
    for ch in set(draft):
        out = _fold(ch)
        if out != ch:
            table[ord(ch)] = out
            if len(out) != 1:
                simple = False
    if simple:
        # Common case: one folded character per typed character, so offsets are the identity.
        return View(draft.translate(table) if table else draft, range(len(draft)))
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(draft):
        for c in _fold(ch):
            chars.append(c)
            offsets.append(i)
    return View("".join(chars), offsets)


def _compact(wide: View) -> CompactView:
    text = wide.text
    han = len(_HAN.findall(text))
    # Letter-spaced drafts (下 班 了) use spaces as padding, not as clause breaks.
    spaced = han > 0 and len(_HAN_SPACE_HAN.findall(text)) * 3 >= han
    pieces: list[str] = []
    offsets: list[int] = []
    boundaries = {0}
    prev_end = 0
    n = 0
    identity = isinstance(wide.offsets, range)
    for m in _CONTENT_RUN.finditer(text):
        a, b = m.span()
        if a > prev_end and n:
            gap = text[prev_end:a]
            if any(_is_break(c) for c in gap) or (not spaced and any(c.isspace() for c in gap)):
                boundaries.add(n)
        pieces.append(m.group())
        offsets.extend(range(a, b) if identity else wide.offsets[a:b])
        n += b - a
        prev_end = b
    boundaries.add(n)
    return CompactView("".join(pieces), offsets, frozenset(boundaries))


def _collapse(view: CompactView) -> CompactView | None:
    if not _REPEAT.search(view.text):
        return None
    chars: list[str] = []
    offsets: list[int] = []
    boundaries = {0}
    old_to_new: dict[int, int] = {}
    for i, c in enumerate(view.text):
        if chars and chars[-1] == c and "\u4e00" <= c <= "\u9fff" and i not in view.boundaries:
            continue
        old_to_new[i] = len(chars)
        chars.append(c)
        offsets.append(view.offsets[i])
    for b in view.boundaries:
        if b in old_to_new:
            boundaries.add(old_to_new[b])
    boundaries.add(len(chars))
    return CompactView("".join(chars), offsets, frozenset(boundaries))


def _quoted(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        close = _QUOTES.get(text[i])
        if close is not None:
            j = text.find(close, i + 1)
            if j > i + 1:
                spans.append((i + 1, j))
                i = j + 1
                continue
        i += 1
    return tuple(spans)


def build_views(draft: str) -> DraftViews:
    """Fold `draft` once into every view the detectors need."""
    wide = _wide(draft)
    compact = _compact(wide)
    quoted = _quoted(draft) if any(q in draft for q in _QUOTES) else ()
    return DraftViews(draft, wide, compact, _collapse(compact), quoted)
