"""Classified content in a draft: 密级 markings and confidential topics from the 保密范围 lists.

Markings are layouts (【机密】, 机密★1年, 密级：秘密, spaced 机 密 ...) matched as regexes on the
folded draft with spaces kept. A confidential topic needs more than a word: a topic term
(工资, 客户名单, 密码 ...) together with a concrete value next to it (an amount, a phone
number, a password) or a cue that the matter is unannounced (还没发文, 透个底), so that
everyday words (小秘密, 请勿向他人透露密码, 保密协议) stay quiet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.check.draftview import DraftViews
from bot.core.check.rules import Marker, Topic
from bot.core.text.automaton import build_automaton

_SENTENCE_END = re.compile(r"[。！？!?;；\n]")


@dataclass(frozen=True, slots=True)
class SecretMatch:
    category: str  # secret_marker | confidential_topic
    rule: str
    start: int
    end: int


def find_markers(views: DraftViews, markers: list[Marker]) -> list[tuple[Marker, int, int]]:
    """(marker, start, end) in original offsets for every 密级 marking."""
    out = []
    text = views.wide.text
    for mk in markers:
        for m in mk.regex.finditer(text):
            if m.end() > m.start():
                s, e = views.wide.span(*m.span())
                out.append((mk, s, e))
    return out


def _sentence(text: str, pos: int) -> tuple[int, int]:
    """Bounds of the sentence of `text` containing index `pos`."""
    start = 0
    for m in _SENTENCE_END.finditer(text, 0, pos):
        start = m.end()
    m2 = _SENTENCE_END.search(text, pos)
    return start, m2.start() if m2 else len(text)


def _wide_index(views: DraftViews, original: int) -> int:
    """Index in the wide view of the first character at or after `original`."""
    offsets = views.wide.offsets
    if isinstance(offsets, range):
        return original
    lo, hi = 0, len(offsets)
    while lo < hi:
        mid = (lo + hi) // 2
        if offsets[mid] < original:
            lo = mid + 1
        else:
            hi = mid
    return lo


class TopicIndex:
    """Every topic's terms and cues in one Aho-Corasick automaton (one pass per draft)."""

    def __init__(self, topics: list[Topic]):
        self.topics = topics
        refs: dict[str, list[tuple[int, bool]]] = {}
        for ti, tp in enumerate(topics):
            for term in tp.terms:
                refs.setdefault(term, []).append((ti, False))
            for cue in tp.cues:
                refs.setdefault(cue, []).append((ti, True))
        self._automaton = build_automaton(refs)

    def find(self, views: DraftViews) -> list[tuple[Topic, int, int]]:
        """(topic, start, end) in original offsets for every confidential topic with a value or cue."""
        compact = views.collapsed
        ctext = compact.text
        if self._automaton is None or not ctext:
            return []
        terms: dict[int, list[tuple[int, int]]] = {}
        cued: set[int] = set()
        for last, (klen, refs) in self._automaton.iter(ctext):
            for ti, is_cue in refs:
                if is_cue:
                    cued.add(ti)
                else:
                    terms.setdefault(ti, []).append((last - klen + 1, last + 1))
        out = []
        for ti, spans in terms.items():
            tp = self.topics[ti]
            for cs, ce in spans:
                if _excepted(ctext, cs, ce - cs, tp.exceptions):
                    continue
                s, e = compact.span(cs, ce)
                span = _value_near(views, tp, s, e) if tp.values else None
                if span is not None:
                    out.append((tp, min(s, span[0]), max(e, span[1])))
                elif ti in cued:
                    out.append((tp, s, e))
        return out


def _excepted(ctext: str, pos: int, length: int, exceptions: tuple[str, ...]) -> bool:
    for x in exceptions:
        i = ctext.find(x, max(0, pos - len(x)), pos + length + len(x))
        if i >= 0 and i < pos + length and pos < i + len(x):
            return True
    return False


def _value_near(views: DraftViews, tp: Topic, s: int, e: int) -> tuple[int, int] | None:
    """Original span of a value regex match within the window around [s, e), same sentence."""
    text = views.wide.text
    ws, we = _wide_index(views, s), _wide_index(views, e)
    sent_s, sent_e = _sentence(text, ws)
    lo, hi = max(sent_s, ws - tp.window), min(sent_e, we + tp.window)
    for rx in tp.values:
        m = rx.search(text, we, hi)  # values after the term first: 月薪两万八, 密码是...
        if m is None:
            m = rx.search(text, lo, ws)
        if m is not None and m.end() > m.start():
            return views.wide.span(*m.span())
    return None


def find_secrets(views: DraftViews, markers: list[Marker], topics: TopicIndex) -> list[SecretMatch]:
    """Markings and confidential topics, overlapping matches of the same rule merged."""
    found = [SecretMatch("secret_marker", mk.id, s, e) for mk, s, e in find_markers(views, markers)]
    found += [SecretMatch("confidential_topic", tp.id, s, e) for tp, s, e in topics.find(views)]
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    merged: list[SecretMatch] = []
    for m in found:
        if merged and merged[-1].rule == m.rule and m.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = SecretMatch(last.category, last.rule, last.start, max(last.end, m.end))
            continue
        if any(k.category == m.category and k.start <= m.start and m.end <= k.end for k in merged):
            continue
        merged.append(m)
    return merged
