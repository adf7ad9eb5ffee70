"""`kb fit`: thresholds fitted on several files, one left out at a time, under Wilson bounds."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import yaml

from bot.core.ask.evaluation import LIMIT_Z, fit, join_eval_files, wilson
from tests.conftest import ROOT

PROBE = ROOT / "benchmarks" / "probe.yaml"


def _halves(tmp_path):
    """The probe set cut in two files, as two writers' sets would be."""
    data = yaml.safe_load(PROBE.read_text(encoding="utf-8"))
    paths = []
    for n in range(2):
        part = {k: v[n::2] for k, v in data.items() if k in ("ask", "out_of_scope")}
        path = tmp_path / f"part{n}.yaml"
        path.write_text(yaml.safe_dump(part, allow_unicode=True), encoding="utf-8")
        paths.append(path)
    return paths


def test_wilson_interval_is_the_textbook_one():
    lo, hi = wilson(5, 10, 1.959964)
    assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)
    lo, hi = wilson(0, 10, 1.959964)
    assert lo == 0.0 and round(hi, 4) == 0.2775
    los, his = wilson(np.array([0, 5, 10]), 10, 1.959964)
    assert list(np.round(los, 4)) == [0.0, 0.2366, 0.7225] and list(np.round(his, 4)) == [0.2775, 0.7634, 1.0]
    assert wilson(0, 0, 1.96) == (0.0, 1.0)


def test_joined_files_number_each_question_by_its_file(tmp_path):
    paths = _halves(tmp_path)
    data, groups = join_eval_files(paths)
    parts = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in paths]
    n_ask = [len(p["ask"]) for p in parts]
    n_oos = [len(p["out_of_scope"]) for p in parts]
    assert len(data["ask"]) == sum(n_ask) and len(data["out_of_scope"]) == sum(n_oos)
    assert groups == [0] * n_ask[0] + [1] * n_ask[1] + [0] * n_oos[0] + [1] * n_oos[1]


def test_fit_by_file_keeps_its_limits_on_the_bounds(tmp_path, matcher):
    data, groups = join_eval_files(_halves(tmp_path))
    found, cv = fit(matcher, data, groups=groups, max_wrong=0.05, min_refused=0.8)
    n_ask, n_oos = len(data["ask"]), len(data["out_of_scope"])
    # The chosen rule, on the questions it was chosen on, keeps both limits for the bounds.
    assert wilson(found.wrong_confident * n_ask, n_ask, LIMIT_Z)[1] <= 0.05
    assert wilson(found.oos_refused * n_oos, n_oos, LIMIT_Z)[0] >= 0.8
    assert all(0.0 <= x <= 1.0 for x in cv)
    with pytest.raises(ValueError, match="group numbers"):
        fit(matcher, data, groups=groups[:-1])


def test_cli_leaves_one_file_out_when_given_several(tmp_path):
    paths = _halves(tmp_path)
    run = subprocess.run([sys.executable, "-m", "bot", "--lexical-only", "kb", "fit", *map(str, paths)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "leave-1-of-2-files answer@1" in run.stdout
    assert "rule               Decision(" in run.stdout
