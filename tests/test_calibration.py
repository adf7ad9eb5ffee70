"""The calibrated decision: logistic models read from data decide answer / candidates / unknown."""

from __future__ import annotations

import importlib.util
import math
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.ask.calibration import (
    CANDIDATE_FEATURES,
    EXTRA_CANDIDATE_FEATURES,
    EXTRA_NONE_FEATURES,
    FACT_CANDIDATE_FEATURES,
    FEATURES,
    NONE_FEATURES,
    PAIRS_CLAUSE,
    Calibration,
    Logistic,
    Reranker,
    answered_together,
    candidate_features,
    features,
    load_calibration,
)
from bot.core.ask.decision import Decision, Evidence, Scored, decide
from bot.core.yamlfile import DataError

ROOT = Path(__file__).resolve().parents[1]
RULE = Decision(answer_cutoff=60, answer_margin=5, clarify_cutoff=40, rival_floor=60)


def _on(name: str, coef: float, intercept: float) -> Logistic:
    """A model reading one feature: P = sigmoid(intercept + coef * x)."""
    return Logistic((name,), (0.0,), (1.0,), (coef,), intercept)


# P(first right) rises with the fused score; P(a right one in three) with the question cosine.
CAL = Calibration(answer=_on("fused", 20.0, -12.0), reach=_on("question_cos", 40.0, -34.0),
                  answer_at=0.8, offer_at=0.5)


def _evidence(fused: float, cos: float) -> Evidence:
    return Evidence(-0.1, agreed=True, features=dict.fromkeys(FEATURES, 0.0) | {"fused": fused, "question_cos": cos})


def test_logistic_is_the_sigmoid_of_the_standardised_features():
    model = Logistic(("fused", "margin"), (0.5, 0.1), (0.2, 0.05), (2.0, -1.0), 0.3)
    z = 0.3 + 2.0 * (0.9 - 0.5) / 0.2 - 1.0 * (0.2 - 0.1) / 0.05
    assert model.probability({"fused": 0.9, "margin": 0.2}) == pytest.approx(1 / (1 + math.exp(-z)))


def test_calibrated_rule_answers_offers_and_refuses_on_probabilities():
    rule = replace(RULE, calibration=CAL)
    ranked = [Scored(1, 90), Scored(2, 85), Scored(3, 20)]
    assert decide(ranked, rule, evidence=_evidence(0.9, 0.9))[0] == "answer"  # P(first right) ~ .998
    status, offered = decide(ranked, rule, evidence=_evidence(0.5, 0.9))  # unsure which, but near
    assert status == "clarify" and [o.doc for o in offered] == [1, 2, 3]
    assert decide(ranked, rule, evidence=_evidence(0.5, 0.8)) == ("unknown", [])  # nothing near
    # A one-word subject is never answered, however sure; a decoy first is unknown, below never offered.
    assert decide(ranked, rule, vague=True, evidence=_evidence(0.9, 0.9))[0] == "clarify"
    assert decide([Scored(9, 95, decoy=True), *ranked], rule, evidence=_evidence(0.9, 0.9)) == ("unknown", [])
    status, offered = decide([ranked[0], Scored(9, 88, decoy=True), *ranked[1:]], rule, evidence=_evidence(0.5, 0.9))
    assert status == "clarify" and 9 not in [o.doc for o in offered]
    # Without features (lexical signal only) the plain thresholds apply.
    assert decide([Scored(1, 50)], rule)[0] == "clarify"


def test_features_describe_the_first_entry_against_rivals_and_decoys():
    rows = [(0, 80.0, 0.90, 0.85), (1, 60.0, 0.93, 0.80), (5, 30.0, 0.95, -1.0)]  # 5 is a decoy
    fused = {0: 70.0, 1: 65.0, 5: 50.0}
    f = features(rows, fused, 0, 5, words=3, unknown_share=0.25)
    assert set(f) == set(FEATURES)
    assert f["fused"] == pytest.approx(0.70) and f["margin"] == pytest.approx(0.05)
    assert f["lexical_agrees"] == 1.0 and f["semantic_agrees"] == 0.0 and f["answer_agrees"] == 1.0
    assert f["decoy_gap"] == pytest.approx(0.05) and f["decoy_fused"] == pytest.approx(-0.20)
    assert f["log_words"] == pytest.approx(math.log(4)) and f["unknown_share"] == 0.25


def test_calibration_file_round_trips_and_bad_files_are_refused(tmp_path):
    import yaml

    path = tmp_path / "decision.yaml"
    assert load_calibration(path) is None  # absent: the hand thresholds apply
    path.write_text(yaml.safe_dump(CAL.as_data()), encoding="utf-8")
    again = load_calibration(path)
    assert again is not None and again.answer_at == CAL.answer_at
    assert again.answer.probability({"fused": 0.7}) == pytest.approx(CAL.answer.probability({"fused": 0.7}))
    for bad in ("[1, 2]", "answer_at: 2\noffer_at: 0.5\n", "answer_at: .8\noffer_at: .5\nanswer: {intercept: 0, "
                "features: {shoe_size: {mean: 0, scale: 1, coef: 1}}}\nreach: {intercept: 0, features: {}}\n"):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(DataError):
            load_calibration(path)


def test_the_shipped_calibration_loads_and_names_known_features():
    cal = load_calibration(ROOT / "knowledge" / "decision.yaml")
    assert cal is not None and 0 < cal.offer_at < cal.answer_at < 1
    assert set(cal.answer.names) <= set(FEATURES) and set(cal.reach.names) <= set(FEATURES)
    assert cal.rerank is not None
    assert set(cal.rerank.candidate.names) <= {*CANDIDATE_FEATURES, *FACT_CANDIDATE_FEATURES}
    assert set(cal.rerank.none.names) <= {*NONE_FEATURES, *EXTRA_NONE_FEATURES}


def _reranker(question: float = 30.0, none: float = 0.0, decoy: float = 20.0) -> Reranker:
    """Candidates scored on their question cosine; "none" on the closest out-of-scope cosine."""
    cand = Logistic(CANDIDATE_FEATURES, (0.0,) * len(CANDIDATE_FEATURES), (1.0,) * len(CANDIDATE_FEATURES),
                    tuple(question if n == "question_cos" else 0.0 for n in CANDIDATE_FEATURES), 0.0)
    nothing = Logistic(NONE_FEATURES, (0.0,) * len(NONE_FEATURES), (1.0,) * len(NONE_FEATURES),
                       tuple(decoy if n == "decoy_cos" else 0.0 for n in NONE_FEATURES), none)
    return Reranker(cand, nothing)


def test_reranker_is_a_softmax_over_candidates_and_none_of_them():
    rr = _reranker(none=-10.0, decoy=40.0)
    rows = [(0, 90.0, 0.90, 0.85), (1, 40.0, 0.95, 0.80), (7, 0.0, 0.80, -1.0)]  # 7 is a decoy
    ranked, none = rr.probabilities(rows, 5, words=3, unknown_share=0.0)
    assert [d for d, _ in ranked] == [1, 0]  # the question cosine decides, not the lexical score
    assert sum(p for _, p in ranked) + none == pytest.approx(1.0)
    u1, u0, un = 30 * 0.95, 30 * 0.90, -10 + 40 * 0.80
    total = math.exp(u1) + math.exp(u0) + math.exp(un)
    assert ranked[0][1] == pytest.approx(math.exp(u1) / total) and none == pytest.approx(math.exp(un) / total)
    # An out-of-scope topic closer than any entry makes "none of them" the likeliest reading.
    _, none = rr.probabilities([*rows[:2], (7, 0.0, 0.99, -1.0)], 5, words=3, unknown_share=0.0)
    assert none > 0.5
    assert rr.probabilities(rows[2:], 5, words=3, unknown_share=0.0) == ([], 1.0)


def test_candidate_features_are_relative_to_the_other_candidates():
    f0, f1 = candidate_features([(0, 90.0, 0.90, 0.85), (1, 40.0, 0.95, 0.80)])
    assert f0["lexical_gap"] == 0.0 and f1["lexical_gap"] == pytest.approx(-0.5)
    assert f0["question_gap"] == pytest.approx(-0.05) and f1["question_top"] == 1.0 and f0["question_top"] == 0.0
    assert f0["answer_top"] == 1.0 and f1["answer_gap"] == pytest.approx(-0.05)


def test_a_reranked_decision_keeps_the_fused_cutoffs_for_one_word_subjects():
    rule = replace(RULE, calibration=replace(CAL, rerank=_reranker()))
    ranked = [Scored(2, 70.0), Scored(1, 20.0), Scored(3, 10.0)]  # probabilities, best first
    near = Evidence(-0.1, agreed=True, features=_evidence(0.5, 0.9).features, fused={1: 60.0, 2: 55.0, 3: 20.0})
    status, offered = decide(ranked, rule, vague=True, evidence=near)
    assert status == "clarify" and [o.doc for o in offered] == [2, 1]  # reranked order, fused cutoff
    far = replace(near, fused={1: 30.0, 2: 45.0, 3: 20.0}, features=_evidence(0.5, 0.8).features)
    assert decide(ranked, rule, vague=True, evidence=far) == ("unknown", [])  # one offerable, nothing near


def test_a_reranker_round_trips_through_the_file_and_a_malformed_one_is_refused(tmp_path):
    import yaml

    cal = replace(CAL, rerank=_reranker(none=-3.0))
    path = tmp_path / "decision.yaml"
    path.write_text(yaml.safe_dump(cal.as_data()), encoding="utf-8")
    again = load_calibration(path)
    assert again is not None and again.rerank is not None
    rows = [(0, 90.0, 0.90, 0.85), (1, 40.0, 0.95, 0.80), (7, 0.0, 0.80, -1.0)]
    (got, got_none), (want, want_none) = (r.probabilities(rows, 5, words=2, unknown_share=0.1)
                                          for r in (again.rerank, _reranker(none=-3.0)))
    assert [d for d, _ in got] == [d for d, _ in want] and got_none == pytest.approx(want_none)
    assert [p for _, p in got] == pytest.approx([p for _, p in want])
    data = cal.as_data()
    data["rerank"] = {"candidate": {"fused": {"mean": 0, "scale": 1, "coef": 1}}, "none": data["rerank"]["none"]}  # type: ignore[index]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(DataError):
        load_calibration(path)  # a decision feature is not a candidate feature


def _fit_module():
    spec = importlib.util.spec_from_file_location("fit_decision", ROOT / "benchmarks" / "fit_decision.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fit_decision", module)  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _synthetic(rng, fd, n_questions: int, source: str):
    """Questions over 10 entries whose right entry has the best question cosine but a noisy lexical
    score; every fourth is out of scope (its closest decoy, document 10, is nearer than any entry)."""
    out = []
    for k in range(n_questions):
        oos = k % 4 == 0
        right = int(rng.integers(10))
        rows = []
        for d in range(10):
            cos = 0.80 + 0.05 * rng.random() + (0.1 if d == right and not oos else 0.0)
            rows.append((d, float(100 * rng.random()), float(cos), float(cos - 0.05)))
        rows.append((10, 0.0, 0.97 if oos else 0.80, -1.0))
        out.append(fd.Question(rows, {r[0]: r[1] for r in rows}, set() if oos else {right}, 4, 0.0, False, oos, source))
    return out


def test_the_fitted_reranker_learns_which_evidence_ranks_right_entries_first():
    import numpy as np

    fd = _fit_module()
    rng = np.random.default_rng(0)
    rr = fd.fit_reranker(_synthetic(rng, fd, 200, "a"), 10)
    coef = dict(zip(rr.candidate.names, rr.candidate.coef, strict=True))
    assert coef["question_cos"] > abs(coef["lexical"])  # the informative signal outweighs the noise
    held_out = _synthetic(rng, fd, 100, "b")
    first = [rr.probabilities(q.rows, 10, words=q.words, unknown_share=0.0) for q in held_out]
    asks = [(q, f) for q, f in zip(held_out, first, strict=True) if not q.oos]
    assert sum(f[0][0][0] in q.right for q, f in asks) / len(asks) >= 0.95
    assert all(f[1] > 0.5 for q, f in zip(held_out, first, strict=True) if q.oos)  # "none of them" wins


def test_wilson_bounds_hold_the_rate_and_narrow_with_more_questions():
    fd = _fit_module()
    lo, hi = fd.wilson(3, 100, 1.96)
    assert lo < 0.03 < hi
    assert fd.wilson(0, 100, 1.96)[0] == 0.0 < fd.wilson(0, 100, 1.96)[1]
    assert fd.wilson(30, 1000, 1.96)[1] < hi  # the same rate on ten times the questions
    assert fd.wilson(3, 100, 0.0) == pytest.approx((0.03, 0.03))


def test_thresholds_chosen_on_the_bound_keep_it_and_answer_less_than_on_the_rate():
    import numpy as np

    fd = _fit_module()
    rng = np.random.default_rng(1)
    questions = _synthetic(rng, fd, 400, "a")
    t = fd.table(questions, 10, None, 0.0)
    everything = np.ones(len(questions), dtype=bool)
    # A noisy but informative probability that the first entry is right / a right one is offered.
    pa = np.clip(0.5 * t.first_right + 0.5 * rng.random(len(questions)), 0, 1)
    pr = np.clip(0.5 * t.three_right + 0.5 * rng.random(len(questions)), 0, 1)
    z = 1.96
    at_rate = fd.choose(t, pa, pr, everything, max_wrong=0.03, min_refused=0.9, z=0.0)
    at_bound = fd.choose(t, pa, pr, everything, max_wrong=0.03, min_refused=0.9, z=z)
    wrong_hi, refused_lo = fd.bounds(t, fd.statuses(t, pa, pr, *at_bound), everything, z)
    assert wrong_hi <= 0.03 and refused_lo >= 0.9
    answered = [int((fd.statuses(t, pa, pr, *c) == 2).sum()) for c in (at_rate, at_bound)]
    assert 0 < answered[1] <= answered[0]
    _, _, wrong, _ = fd.figures(t, fd.statuses(t, pa, pr, *at_rate), everything)
    assert wrong <= 0.03


def test_a_pair_of_one_rule_is_answered_on_the_two_entries_joint_probability():
    rows = [(0, 80.0, 0.90, 0.85), (1, 78.0, 0.90, 0.84), (2, 30.0, 0.80, 0.70)]
    fused = {0: 70.0, 1: 69.0, 2: 40.0}
    reranked = ([0.45, 0.40, 0.10], 0.05)
    alone = features(rows, fused, 0, 3, words=3, unknown_share=0.0, reranked=reranked)
    paired = features(rows, fused, 0, 3, words=3, unknown_share=0.0, reranked=reranked, paired=True)
    assert alone["p_logit"] == pytest.approx(math.log(0.45 / 0.55))
    assert paired["p_logit"] == pytest.approx(math.log(0.85 / 0.15))
    assert {k: v for k, v in paired.items() if k != "p_logit"} == {k: v for k, v in alone.items() if k != "p_logit"}


def test_the_pairs_switch_round_trips_through_the_file_and_must_be_a_boolean(tmp_path):
    import yaml

    path = tmp_path / "decision.yaml"
    path.write_text(yaml.safe_dump(replace(CAL, pairs=True).as_data()), encoding="utf-8")
    loaded = load_calibration(path)
    assert loaded is not None and loaded.pairs
    path.write_text(yaml.safe_dump(CAL.as_data()), encoding="utf-8")  # an older file: answered alone
    loaded = load_calibration(path)
    assert loaded is not None and not loaded.pairs
    path.write_text(yaml.safe_dump(CAL.as_data() | {"pairs": "yes"}), encoding="utf-8")
    with pytest.raises(DataError):
        load_calibration(path)


def test_entries_of_one_clause_are_answered_together_unless_a_third_part_of_it_is_close_behind():
    linked = {(0, 1), (1, 0)}
    kin = {0: {1, 2, 5}, 1: {0}, 2: {0}, 3: set(), 5: {0}}

    def one_rule(a: int, b: int) -> bool:
        return (a, b) in linked

    def siblings(a: int) -> set[int]:
        return kin[a]

    assert answered_together([0, 1, 3], one_rule) and answered_together([0, 1, 2], one_rule, siblings)
    # Citing a clause in common, not linked: one rule only when the calibration says `pairs: clause`.
    assert not answered_together([2, 0, 3], one_rule) and answered_together([2, 0, 3], one_rule, siblings)
    # A third part of the first's clause among the first three: the question may be about that part.
    assert not answered_together([0, 5, 2], one_rule, siblings) and answered_together([0, 5, 3], one_rule, siblings)
    assert not answered_together([0, 3, 1], one_rule, siblings) and not answered_together([0], one_rule, siblings)


def test_the_clause_pairs_switch_round_trips_and_the_shipped_decision_answers_kin_together(tmp_path):
    import yaml

    path = tmp_path / "decision.yaml"
    path.write_text(yaml.safe_dump(replace(CAL, pairs=PAIRS_CLAUSE).as_data()), encoding="utf-8")
    loaded = load_calibration(path)
    assert loaded is not None and loaded.pairs == PAIRS_CLAUSE
    shipped = load_calibration(ROOT / "knowledge" / "decision.yaml")
    assert shipped is not None and shipped.pairs == PAIRS_CLAUSE


def test_the_fit_answers_kin_together_with_clause_pairs():
    fd = _fit_module()
    rows = [(0, 80.0, 0.95, 0.90), (1, 70.0, 0.90, 0.85), (2, 20.0, 0.80, 0.70)]
    q = fd.Question(rows, {0: 80.0, 1: 70.0, 2: 20.0}, {1}, 4, 0.0, False, False, "a")
    kin = [frozenset({1}), frozenset({0}), frozenset()]
    assert not fd.table([q], 3, None, 0.0).first_right[0]
    assert fd.table([q], 3, None, 0.0, clause_kin=kin).first_right[0]
    three = [frozenset({1, 2}), frozenset({0}), frozenset({0})]  # a third part close behind
    assert not fd.table([q], 3, None, 0.0, clause_kin=three).first_right[0]


def test_the_fit_counts_an_answer_right_when_the_second_entry_of_a_pair_answers():
    fd = _fit_module()
    rows = [(0, 80.0, 0.95, 0.90), (1, 70.0, 0.90, 0.85), (2, 20.0, 0.80, 0.70)]
    q = fd.Question(rows, {0: 80.0, 1: 70.0, 2: 20.0}, {1}, 4, 0.0, False, False, "a")
    alone = fd.table([q], 3, None, 0.0)
    paired = fd.table([q], 3, None, 0.0, frozenset({(0, 1), (1, 0)}))
    assert not alone.first_right[0] and paired.first_right[0]
    assert alone.three_right[0] and paired.three_right[0]


def test_a_one_word_subject_is_never_answered_by_the_lexical_rule_either():
    from bot.core.ask.matcher import LEXICAL_RULE

    one = [Scored(4, 95.0)]  # a single candidate, far above the answer cutoff
    assert decide(one, LEXICAL_RULE)[0] == "answer"
    assert decide(one, LEXICAL_RULE, vague=True) == ("clarify", one)
    assert decide([Scored(4, 20.0)], LEXICAL_RULE, vague=True) == ("unknown", [])


def test_entries_citing_one_clause_are_kin_and_one_rule_pairs_are_among_them():
    from bot.core.ask.knowledge import clause_parts, load_knowledge

    kb = load_knowledge()
    clauses = [{(s.doc, s.clause) for s in e.sources} for e in kb.entries]
    # ... or they name a part in common, or one cites an item of a list the other cites whole (clause_parts)
    parts = [{(s.doc, p) for s in e.sources for p in (*clause_parts(s.clause)[0], s.clause)} for e in kb.entries]
    wholes = [{(s.doc, h) for s in e.sources for h in clause_parts(s.clause)[1]} for e in kb.entries]
    for i in range(len(kb.entries)):
        kin = kb.kin(i)
        assert i not in kin
        assert all(i in kb.kin(j) for j in kin)
        assert all(not parts[i].isdisjoint(parts[j] | wholes[j]) or not wholes[i].isdisjoint(parts[j]) for j in kin)
        assert all(j in kin for j in range(len(kb.entries)) if j != i and not clauses[i].isdisjoint(clauses[j]))
        ids = {e.id: k for k, e in enumerate(kb.entries)}
        for r in kb.entries[i].related:
            if r in ids and kb.one_rule(i, ids[r]):
                assert ids[r] in kin
    assert sum(map(len, (kb.kin(i) for i in range(len(kb.entries))))) > 0


def test_an_item_of_a_listed_clause_is_kin_of_the_entry_citing_the_whole_list_not_of_other_items():
    from bot.core.ask.knowledge import clause_parts, load_knowledge

    assert clause_parts("第六条·4、5；第七条·2") == ({"第六条·4", "第六条·5", "第七条·2"}, {"第六条", "第七条"})
    assert clause_parts("一、A.机密资料·1") == ({"一、A.机密资料·1"}, {"一、A.机密资料"})
    assert clause_parts("二·3、回访内容·注意") == ({"二·3、回访内容·注意"}, {"二", "二·3、回访内容"})
    assert clause_parts("第二条") == ({"第二条"}, set())
    # a range or a list of labels names each part; a heading's own 、 does not
    assert clause_parts("一至四")[0] == {"一", "二", "三", "四"}
    assert clause_parts("第十条至第十二条")[0] == {"第十条", "第十一条", "第十二条"}
    assert clause_parts("二、保密范围（七）至（九）")[0] == {f"二、保密范围（{n}）" for n in "七八九"}
    assert clause_parts("(八)、(十)")[0] == {"(八)", "(十)"}
    assert clause_parts("第六条、第九条")[0] == {"第六条", "第九条"}
    assert clause_parts("五、培训与考核·3至5")[0] == {f"五、培训与考核·{n}" for n in (3, 4, 5)}
    assert clause_parts("一、公司秘密分为机密、保密二种")[0] == {"一、公司秘密分为机密、保密二种"}
    assert clause_parts("序言、一至三")[0] == {"序言、一至三"}
    assert clause_parts("第十九条至第二十一条")[0] == {"第十九条", "第二十条", "第二十一条"}
    kb = load_knowledge()
    index = {e.id: i for i, e in enumerate(kb.entries)}
    whole, item, other = index["scope.employee_system_list"], index["scope.financial"], index["scope.technical"]
    assert item in kb.kin(whole) and whole in kb.kin(item)  # 员工保密制度 第六条 and its item 3
    assert other in kb.kin(whole) and other not in kb.kin(item)  # item 7: a different rule of the list


def test_clause_features_leave_the_first_entrys_siblings_out_of_the_competition():
    rows = [(0, 80.0, 0.90, 0.85), (1, 78.0, 0.90, 0.84), (2, 50.0, 0.80, 0.70), (3, 30.0, 0.75, 0.70)]
    fused = {0: 70.0, 1: 69.0, 2: 40.0, 3: 30.0}
    reranked = ([0.45, 0.35, 0.15, 0.05], 0.0)
    plain = features(rows, fused, 0, 4, words=3, unknown_share=0.0, reranked=reranked, order=(0, 1, 2, 3))
    assert plain["clause_margin"] == pytest.approx(0.01) and plain["p_clause_margin"] == pytest.approx(0.10)
    # Entry 1 cites the first's clause: not a rival; its probability counts with the first's.
    kin = features(rows, fused, 0, 4, words=3, unknown_share=0.0, reranked=reranked, order=(0, 1, 2, 3),
                   kin={1}, kin_topic={1, 2})
    assert kin["clause_margin"] == pytest.approx(0.30) and kin["p_clause_margin"] == pytest.approx(0.65)
    assert kin["p_clause_logit"] == pytest.approx(math.log(0.80 / 0.20))
    assert kin["topic_share"] == pytest.approx(1.0) and plain["topic_share"] == pytest.approx(0.45 / 0.95)
    # Without the reranker's order the probability features are off, the fused margin still counts.
    assert features(rows, fused, 0, 4, words=3, unknown_share=0.0, kin={1})["p_clause_logit"] == 0.0


def test_extra_candidate_features_are_computed_only_when_asked_for():
    rows = [(0, 90.0, 0.90, 0.85), (1, 40.0, 0.95, 0.80), (2, 30.0, 0.70, 0.60)]
    assert set(candidate_features(rows)[0]) == set(CANDIDATE_FEATURES)
    f0, f1, f2 = candidate_features(rows, coverage={0: 0.8, 1: 0.5}, topics=["a", "b", "a"],
                                    kin=[frozenset({2}), frozenset(), frozenset({0})], extra=True)
    assert set(f0) == set(CANDIDATE_FEATURES) | set(EXTRA_CANDIDATE_FEATURES)
    assert f0["lexical_lead"] == pytest.approx(0.5) and f1["lexical_lead"] == pytest.approx(-0.5)
    assert f1["question_lead"] == pytest.approx(0.05) and f0["question_lead"] == pytest.approx(-0.05)
    assert f0["coverage_gap"] == 0.0 and f1["coverage_gap"] == pytest.approx(-0.3) and f2["coverage"] == 0.0
    assert f0["topic_support"] == pytest.approx(0.5) and f1["topic_support"] == 0.0
    assert f2["kin_support"] == pytest.approx(-0.05)  # its sibling's cosine, 0.90, against the best 0.95
    assert f0["agree_top"] == 0.0  # the lexical leader is not the question-cosine leader
    assert f0["key_term"] == 0.0 and f0["key_gap"] == 0.0  # no key terms given
    g0, g1, _ = candidate_features(rows, keys={0: 0.4, 1: 1.0}, extra=True)
    assert g1["key_term"] == 1.0 and g1["key_gap"] == 0.0 and g0["key_gap"] == pytest.approx(-0.6)


def test_agreement_features_read_each_reading_of_a_long_message_alone():
    rows = [(0, 70.0, 0.92, 0.86), (1, 72.0, 0.90, 0.88), (5, 30.0, 0.95, -1.0)]  # 5 is a decoy
    fused = {0: 70.0, 1: 66.0, 5: 50.0}
    # (whole fused, asking fused, whole lexical, asking lexical, whole question cos, asking question cos)
    readings = {0: (60.0, 80.0, 65.0, 75.0, 0.90, 0.94), 1: (64.0, 70.0, 74.0, 70.0, 0.91, 0.88),
                5: (40.0, 40.0, 30.0, 30.0, 0.95, 0.95)}
    f = features(rows, fused, 0, 5, words=8, unknown_share=0.0, reranked=([0.6, 0.3], 0.1),
                 readings=readings, long=True)
    # the asking part names entry 0, the whole message entry 1: the readings disagree
    assert f["whole_agrees"] == 0.0 and f["asking_agrees"] == 1.0 and f["readings_agree"] == 0.0
    assert f["whole_lead"] == pytest.approx(-0.04) and f["asking_lead"] == pytest.approx(0.10)
    assert f["lexical_readings_agree"] == 0.0 and f["question_readings_agree"] == 0.0
    assert f["answer_lead"] == pytest.approx(-0.02) and f["signals_agree"] == 0.0  # lexical ranks 1 first
    # seven leaders: lexical (1), question cos (0), answer cos (1), then per reading lexical 1 / 0, cos 1 / 0
    assert f["votes"] == pytest.approx(3 / 7)
    assert f["long"] == 1.0 and f["long_votes"] == pytest.approx(3 / 7) and f["long_agree"] == 0.0
    assert f["long_p_logit"] == pytest.approx(math.log(0.6 / 0.4))
    assert f["words_votes"] == pytest.approx(math.log(9) * 3 / 7)
    # a message read once: both readings are the rows' own, and the long interactions are off
    once = features(rows, fused, 0, 5, words=8, unknown_share=0.0, reranked=([0.6, 0.3], 0.1))
    assert once["whole_agrees"] == once["asking_agrees"] == once["readings_agree"] == 1.0
    assert once["whole_lead"] == once["asking_lead"] == pytest.approx(0.04)
    assert once["long"] == once["long_votes"] == once["long_p_logit"] == 0.0


def test_fitted_rerankers_are_kept_on_disk_and_found_for_the_same_files_only(tmp_path):
    import numpy as np

    fd = _fit_module()
    rng = np.random.default_rng(1)
    questions = _synthetic(rng, fd, 80, "a") + _synthetic(rng, fd, 80, "b")
    every = np.ones(len(questions), dtype=bool)
    names, none = fd.CANDIDATE_FEATURES, fd.NONE_FEATURES
    cache = fd.RerankerCache()
    cache.load(tmp_path / "rr.json", "k1")
    fd.RERANKERS, saved = cache, fd.RERANKERS
    try:
        fitted = fd.cached_reranker(questions, every, 10, names, (), (), (), none)
        again = fd.RerankerCache()
        again.load(tmp_path / "rr.json", "k1")
        found = again.get(["a", "b"], names, none)
        assert found is not None and found.as_data() == fitted.as_data()
        assert found.candidate.coef == fitted.candidate.coef  # full precision, not the file's rounding
        assert again.get(["a"], names, none) is None  # another subset of files
        assert again.get(["a", "b"], names[:-1], none) is None  # other features
        stale = fd.RerankerCache()
        stale.load(tmp_path / "rr.json", "k2")  # other questions: nothing is reused
        assert stale.get(["a", "b"], names, none) is None
    finally:
        fd.RERANKERS = saved


def _writer_groups(rng, fd, shifts: dict[str, float], per_group: int = 300):
    """Questions in writer groups (one `source` each) over 10 entries ranked by their fused score. The
    first entry is right with a probability rising with its margin over the second, the same in
    every group but shifted by the group's `shifts` value: one set of writers whose questions look
    as sure as the others' but are wrong more often (round 37's v26). Every fifth question is out of
    scope, its decoy (document 10) first nine times in ten."""
    out = []
    for source, shift in shifts.items():
        for k in range(per_group):
            oos = k % 5 == 0
            top, margin = float(rng.uniform(50, 100)), float(rng.uniform(0, 40))
            scores = [top, top - margin, *sorted(rng.uniform(0, top - margin, 8).tolist(), reverse=True)]
            decoy = top + 5 if oos and rng.random() < 0.9 else float(rng.uniform(0, 40))
            rows = [(d, s, 0.8, 0.75) for d, s in enumerate(scores)] + [(10, decoy, 0.8, -1.0)]
            right_first = rng.random() < 1 / (1 + math.exp(-(0.25 * (margin - 8) + shift)))
            right = set() if oos else ({0} if right_first else {1})
            out.append(fd.Question(rows, {r[0]: r[1] for r in rows}, right, 6, 0.0, False, oos, source))
    return out


def _fit_groups(fd, questions, group, max_wrong: float = 0.03):
    import numpy as np

    chosen: list = []
    everything = np.ones(len(questions), dtype=bool)
    cal, t = fd.fit(questions, 10, everything, rerank=False, clarify_cutoff=0.0, max_wrong=max_wrong,
                    min_refused=0.85, z=0.0, names=("fused", "margin"), group=group, chosen_groups=chosen)
    return cal, t, chosen[0]


@pytest.fixture(scope="module")
def writer_fits():
    """One set of writer groups (one hard) fitted with the pooled limit only, with the per-group
    allowance and on the per-group rates: (module, fits by name, each as calibration, table, the
    per-group out-of-file figures the thresholds were chosen on)."""
    import numpy as np

    fd = _fit_module()
    questions = _writer_groups(np.random.default_rng(7), fd, {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0, "hard": -1.5})
    return fd, {name: _fit_groups(fd, questions, g) for name, g in
                (("pooled", None), ("allowance", fd.GroupLimits(0.03, 0.85, 1.0)),
                 ("rates", fd.GroupLimits(0.03, 0.85, 0.0)))}


def test_a_pooled_limit_lets_one_group_break_it_and_a_per_group_limit_does_not(writer_fits):
    import numpy as np

    fd, fits = writer_fits
    pooled, _, seen_pooled = fits["pooled"]
    per_group, t, seen = fits["rates"]
    wrong = seen_pooled.wrong / seen_pooled.asks
    names = list(seen_pooled.names)
    assert wrong[names.index("hard")] > 0.03 >= float(np.delete(wrong, names.index("hard")).max())
    assert seen_pooled.worst()[:1] == ("hard",)  # the worst group is named
    # Per group, on the out-of-file probabilities the thresholds were chosen on, every group keeps the limit.
    assert (seen.wrong / seen.asks).max() <= 0.03 and (seen.refused / seen.outs).min() >= 0.85
    assert seen.excess(fd.GroupLimits(0.03, 0.85, 0.0)) == (0.0, 0.0)
    assert per_group.answer_at > pooled.answer_at  # bought by answering less
    answered = [int((fd.run(t, c) == 2).sum()) for c in (pooled, per_group)]
    assert 0 < answered[1] < answered[0]


def test_the_per_group_allowance_tolerates_a_few_questions_on_a_small_group_only():
    import numpy as np

    fd = _fit_module()
    limits = fd.GroupLimits(0.03, 0.9, 1.0)
    names = np.asarray(["small", "large"])
    # 2 wrong of 40 (.05) is within one question's noise of .03; 20 of 400 (.05) is not.
    small = fd.GroupFigures(names[:1], np.array([40.0]), np.array([10.0]), np.array([2.0]), np.array([9.0]))
    large = fd.GroupFigures(names[1:], np.array([400.0]), np.array([100.0]), np.array([20.0]), np.array([90.0]))
    assert small.excess(limits) == (0.0, 0.0)
    assert large.excess(limits)[0] > 0.0 and large.excess(limits)[1] == 0.0
    assert small.excess(fd.GroupLimits(0.03, 0.9, 0.0))[0] == pytest.approx(0.02)  # the rates themselves
    both = fd.GroupFigures(names, np.array([40.0, 400.0]), np.array([0.0, 100.0]), np.array([2.0, 20.0]),
                           np.array([0.0, 60.0]))
    # The worst group decides; a group without out-of-scope questions never breaks the refusal limit.
    assert both.excess(limits) == (large.excess(limits)[0], pytest.approx(0.9 - fd.wilson(60, 100, 1.0)[1]))
    assert both.worst() == ("small", 0.05, "large", 0.6)


def test_the_per_group_allowance_answers_between_the_pooled_and_the_rate_limits(writer_fits):
    fd, fits = writer_fits
    answered = [int((fd.run(t, cal) == 2).sum()) for cal, t, _ in (fits[k] for k in ("pooled", "allowance", "rates"))]
    assert answered[0] > answered[1] > answered[2] > 0
    # with the allowance the hard group may sit a question or two above the limit, never further
    _, _, seen = fits["allowance"]
    hard = list(seen.names).index("hard")
    assert 0.03 < seen.wrong[hard] / seen.asks[hard] <= 0.03 + 2 / seen.asks[hard]


def test_without_nesting_the_fit_fits_one_reranker_and_reads_its_own_files_with_it():
    import numpy as np

    fd = _fit_module()
    rng = np.random.default_rng(3)
    questions = [q for s in ("a", "b", "c") for q in _synthetic(rng, fd, 40, s)]
    everything = np.ones(len(questions), dtype=bool)
    opts = {"rerank": True, "clarify_cutoff": 0.0, "max_wrong": 0.05, "min_refused": 0.8, "z": 0.0,
            "names": ("p_logit", "p_none")}
    fd.fit(questions, 10, everything, nested=False, **opts)
    assert len(fd.RERANKERS.built) == 1  # the fold's own
    fd.fit(questions, 10, everything, **opts)
    assert len(fd.RERANKERS.built) == 4  # and one without each file, for the answer model's honest table
