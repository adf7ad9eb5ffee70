"""Regression gate on the dev set (thresholds of the issue) and the scoring rules themselves."""

from __future__ import annotations

import pytest

from bot.cli.check import GATES
from bot.core.ask.evaluation import load_eval_file
from bot.core.check.checker import default_checker
from bot.core.check.evaluation import evaluate_check
from tests.conftest import DEV_SET


@pytest.mark.skipif(not DEV_SET.exists(), reason="shared dev set not available")
def test_dev_set_meets_the_goals():
    report = evaluate_check(default_checker(), load_eval_file(DEV_SET))
    assert report.n_check and report.n_leak
    for name, (p_min, r_min) in GATES.items():
        score = getattr(report, name)
        assert score.precision >= p_min and score.recall >= r_min, "\n".join(report.lines())


def test_scoring_counts_overlap_false_alarms_and_categories():
    data = {
        "check": [
            {"draft": "都下班了", "forbidden": True, "hits": ["下班了"]},
            {"draft": "您好，请稍等", "forbidden": False},
            {"draft": "我晕", "forbidden": True, "hits": ["完全不相干"]},
        ],
        "leak": [
            {"draft": "手机13912345678", "kinds": ["mobile"]},
            {"draft": "您好", "kinds": ["email"]},
            {"draft": "【机密】文件", "kinds": []},
        ],
    }
    report = evaluate_check(default_checker(), data)
    assert (report.forbidden.tp, report.forbidden.fp, report.forbidden.fn) == (1, 1, 1)
    assert (report.pii.tp, report.pii.fn) == (1, 1)
    assert report.secret.fp == 1 and report.by_category["secret_marker"].fp == 1
    assert all("13912345678" not in m.draft for m in report.misses)
