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

from bot.core.draftview import DraftViews
from bot.core.rules import Marker, Topic

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


def find_topics(views: DraftViews, topics: list[Topic]) -> list[tuple[Topic, int, int]]:
    """(topic, start, end) in original offsets for every confidential topic with a value or cue."""
    compact = views.compact
    ctext = compact.text
    out = []
    for tp in topics:
        if not any(t in ctext for t in tp.terms):
            continue
        cue_hit = any(c in ctext for c in tp.cues)
        for term in tp.terms:
            pos = ctext.find(term)
            while pos >= 0:
                s, e = compact.span(pos, pos + len(term))
                if not _excepted(ctext, pos, len(term), tp.exceptions):
                    span = _value_near(views, tp, s, e) if tp.values else None
                    if span is not None:
                        out.append((tp, min(s, span[0]), max(e, span[1])))
                    elif cue_hit:
                        out.append((tp, s, e))
                pos = ctext.find(term, pos + 1)
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


def find_secrets(views: DraftViews, markers: list[Marker], topics: list[Topic]) -> list[SecretMatch]:
    """Markings and confidential topics, overlapping matches of the same rule merged."""
    found = [SecretMatch("secret_marker", mk.id, s, e) for mk, s, e in find_markers(views, markers)]
    found += [SecretMatch("confidential_topic", tp.id, s, e) for tp, s, e in find_topics(views, topics)]
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
