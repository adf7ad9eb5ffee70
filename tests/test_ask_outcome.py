"""One question's outcome as `kb eval` counts it (evaluation.outcome), shared by evaluate_ask and
benchmarks/pair_outcomes.py."""

from __future__ import annotations

from bot.core.ask.evaluation import answers_expect, evaluate_ask, outcome, outcome_of_ids
from bot.core.ask.matcher import AskResult, Match


def _result(kb, status, ids, *, paired=False, ranked=None):
    def m(i):
        return Match(kb.get(i), 50.0)

    ids_ranked = ids if ranked is None else ranked
    return AskResult(status, tuple(m(i) for i in ids), "q", tuple(m(i) for i in ids_ranked), paired=paired)


def test_an_answer_is_right_by_its_first_match_or_by_the_second_of_a_pair(kb):
    a, b, c = (e.id for e in kb.entries[:3])
    first = outcome(_result(kb, "answer", [a, b, c]), {a})
    assert first.right and not first.wrong and first.hit_at_1 and first.hit_at_3 and first.first == 0
    assert not first.paired_second and not first.clarify_first_right
    second = outcome(_result(kb, "answer", [a, b, c]), {b})
    assert second.wrong and not second.right and not second.hit_at_1 and second.hit_at_3
    paired = outcome(_result(kb, "answer", [a, b, c], paired=True), {b})
    assert paired.right and not paired.wrong and paired.paired_second
    third = outcome(_result(kb, "answer", [a, b, c], paired=True), {c})
    assert third.wrong and third.first == 2


def test_candidates_count_as_hits_and_a_refusal_as_none(kb):
    a, b, c, d = (e.id for e in kb.entries[:4])
    clarify = outcome(_result(kb, "clarify", [a, b, c]), {a})
    assert clarify.clarify_first_right and clarify.hit_at_1 and not clarify.right and not clarify.wrong
    assert not outcome(_result(kb, "clarify", [a, b, c]), {b}).clarify_first_right
    refused = outcome(_result(kb, "unknown", [], ranked=[a, b, c]), {a})
    assert not (refused.hit_at_1 or refused.hit_at_3 or refused.right or refused.wrong) and refused.first is None
    assert refused.rank_at_1 and refused.rank_at_3  # the ranking alone still had it first
    missed = outcome(_result(kb, "clarify", [a, b, c], ranked=[b, c, d]), {d})
    assert not missed.hit_at_3 and not missed.rank_at_1 and missed.rank_at_3


def test_stored_ids_give_the_same_outcome_as_the_result(kb):
    ids = [e.id for e in kb.entries[:3]]
    for status in ("answer", "clarify", "unknown"):
        for paired in (False, True):
            for right in ({ids[0]}, {ids[1]}, {ids[2]}, set()):
                res = _result(kb, status, ids, paired=paired)
                assert outcome(res, right) == outcome_of_ids(status, paired, ids, ids, right)


def test_evaluate_ask_counts_what_outcome_says(kb, matcher):
    items = [{"q": q, "expect": [e.id]} for e in kb.entries[::25] for q in e.questions[:2]]
    report = evaluate_ask(matcher, {"ask": items})
    outs = []
    for item in items:
        res = matcher.ask(item["q"], limit=3)
        right = {e.id for e in kb.entries if answers_expect(e, item["expect"])}
        outs.append(outcome(res, right))
    n = len(items)
    assert report.n == n
    assert report.answer_at_1 == sum(o.right for o in outs) / n
    assert report.wrong_confident == sum(o.wrong for o in outs) / n
    assert report.hit_at_1 == sum(o.hit_at_1 for o in outs) / n
    assert report.hit_at_3 == sum(o.hit_at_3 for o in outs) / n
    assert report.rank_at_1 == sum(o.rank_at_1 for o in outs) / n
    assert report.paired_second == sum(o.paired_second for o in outs) / n
