"""The calibrated decision: logistic models read from data decide answer / candidates / unknown."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.ask.calibration import FEATURES, Calibration, Logistic, features, load_calibration
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
