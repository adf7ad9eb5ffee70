"""The sharing-act pre-filter (`_within_reach`) keeps every act `_one_clause` would join to a term."""

import random

from bot.core.check.classified import _one_clause, _within_reach
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
