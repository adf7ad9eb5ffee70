"""Bisection shortcuts that keep the topic decision linear give the answers of the scans they replace:
the sharing-act pre-filter (`_within_reach`) keeps every act `_one_clause` would join to a term, and
`_word_ends` finds a word within a span exactly when the span holds one."""

import random
from bisect import bisect_right

from bot.core.check.classified import _one_clause, _within_reach, _word_ends
from bot.core.text.fold import fold_draft

PIECES = ["发给", "报表", "我", "了", "，", "follow up", "ok", "12", "客户", "。", "：", "把", "照片", "看看"]


def test_within_reach_keeps_every_act_one_clause_joins() -> None:
    rng = random.Random(7)
    checked = 0
    for _ in range(150):
        f = fold_draft("".join(rng.choice(PIECES) for _ in range(rng.randint(20, 120))))
        text = f.compact.text
        acts = sorted({(i, i + 2) for i in range(len(text) - 1) if text.startswith("发给", i)})
        terms = [(i, i + 2) for i in range(len(text) - 1) if text.startswith("报表", i)]
        if len(acts) <= 4 or not terms:
            continue
        sg = {"share": list(acts)}
        for s, e in terms:
            kept = set(_within_reach(text, sg, s, e, {}))
            joined = {(xs, xe) for xs, xe in acts if not (xs < e and s < xe) and _one_clause(f, s, e, xs, xe)}
            assert joined <= kept
            checked += 1
    assert checked > 100


def test_word_ends_finds_a_word_within_a_span_exactly_when_the_span_holds_it() -> None:
    rng = random.Random(11)
    words = ["在家做", "家常", "自己做的", "做"]
    pieces = ["在家", "做", "家常", "自己", "的", "方子", "，"]
    checked = 0
    for _ in range(200):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        ends, latest = _word_ends(text, words)
        lo = rng.randint(0, len(text))
        s = rng.randint(0, len(text))
        i = bisect_right(ends, s)
        assert (i > 0 and latest[i - 1] >= lo) == any(w in text[lo:s] for w in words)
        checked += 1
    assert checked == 200
