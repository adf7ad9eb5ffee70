"""Regression gate: the ask engine on the shared dev set must not fall below what it reaches now."""

from __future__ import annotations

import pytest

from bot.core.ask.evaluation import evaluate_ask, load_eval_file
from tests.conftest import DEV_SET

pytestmark = pytest.mark.skipif(not DEV_SET.exists(), reason="../shared/eval/dev.yaml not present")


def test_dev_set_figures_hold_on_the_lexical_signal_alone(matcher):
    report = evaluate_ask(matcher, load_eval_file(DEV_SET))
    assert report.signals == ["lexical"]
    assert report.n >= 50 and report.n_oos >= 10
    assert report.answer_at_1 >= 0.90, report.lines()
    assert report.hit_at_3 >= 0.90, report.lines()
    assert report.wrong_confident <= 0.02, report.lines()
    assert report.oos_refused >= 0.95, report.lines()


def test_dev_set_figures_hold_with_both_signals(kb):
    from bot.core.ask.embed import load_embedder
    from bot.core.ask.matcher import Matcher
    from bot.core.ask.semantic import SemanticIndex

    embedder, why_not = load_embedder()
    if embedder is None:
        pytest.skip(f"no embedder here: {why_not}")
    fused = Matcher(kb)
    fused.attach(SemanticIndex.build(kb, embedder))
    report = evaluate_ask(fused, load_eval_file(DEV_SET))
    assert report.signals == ["lexical", "semantic"]
    # The calibrated ranking and decision were fitted with dev among the fit files; leaving dev out
    # of that fit they score answer@1 .96 here, so the gate holds out of sample too.
    assert report.answer_at_1 >= 0.93, report.lines()
    assert report.hit_at_3 >= 0.97, report.lines()
    assert report.wrong_confident <= 0.02, report.lines()
    assert report.oos_refused >= 0.95, report.lines()
