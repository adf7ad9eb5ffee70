"""Refit the calibrated decision (knowledge/decision.yaml) by cross-validation on FIT sets.

Run:  .venv/bin/python benchmarks/fit_decision.py FILE [FILE ...] [--write] [--folds 5]
          [--max-wrong 0.02 ...] [--min-refused 0.95 ...]

For every question of the evaluation files (format: shared/eval/README.md) the matcher ranks the
entries with both signals and computes the calibration features of its first entry
(bot/core/ask/calibration.py). Two L2-regularised logistic models are fitted on them:
`answer` (is the first entry right?) and `reach` (is a right entry among the first three? an
out-of-scope question: no). The two probabilities at which `decide` answers and offers candidates
are then chosen to maximise answer@1 + hit@3 with steep penalties past the limits on wrong-confident
answers and refused out-of-scope questions; the limits are tighter than the issue's (.03, .93)
because held-out figures come out a little worse than in-sample ones.

Printed: k-fold cross-validated figures per file and pooled (each fold scored with models and
probabilities fitted on the other folds only), then the in-sample figures of the fit on
everything. `--write` stores that fit in knowledge/decision.yaml; then run `libao kb build` (the
shipped index is keyed by every file of knowledge/, this one included) and `kb eval` to see it
through `ask`.
Never fit on a set you report as held-out.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.ask.calibration import CALIBRATION_FILE, FEATURES, Calibration, Logistic  # noqa: E402
from bot.core.ask.evaluation import answers_expect, load_eval_file  # noqa: E402
from bot.core.ask.matcher import Matcher  # noqa: E402

L2 = 1.0  # ridge on standardised coefficients: 15 features, ~800 questions
ANSWER_GRID = np.round(np.arange(0.30, 0.981, 0.01), 3)
OFFER_GRID = np.round(np.arange(0.02, 0.701, 0.01), 3)


@dataclass(slots=True)
class Rows:
    """Per question: features, whether the first / one of three entries is right, out of scope, vague,
    what `decide` settles before the models (a decoy first: unknown; a vague question with rivals:
    candidates), and the file."""

    x: np.ndarray
    first_right: np.ndarray
    three_right: np.ndarray
    oos: np.ndarray
    vague: np.ndarray
    decoy_first: np.ndarray
    vague_offer: np.ndarray
    source: np.ndarray


def collect(matcher: Matcher, files: list[Path]) -> Rows:
    """Rank every question of `files` once and keep what the fit needs."""
    semantic = matcher.semantic
    assert semantic is not None
    x, first, three, oos, vague, decoy_first, vague_offer, source = [], [], [], [], [], [], [], []
    cutoff = matcher.config.fused.clarify_cutoff
    for path in files:
        data = load_eval_file(path)
        items = [(str(i["q"]), [str(e) for e in i.get("expect", [])], False) for i in data.get("ask", [])]
        items += [(str(i["q"]), [], True) for i in data.get("out_of_scope", [])]
        for q, expect, out in items:
            ranked, seen = matcher._rank_with_evidence(q, vector=semantic.vector(q), features=True)
            top = [r.doc for r in ranked if not r.decoy][:3]
            right = [not out and answers_expect(matcher.kb.entries[d], expect) for d in top]
            feats = seen.features if seen is not None else None
            x.append([feats[n] for n in FEATURES] if feats else [0.0] * len(FEATURES))
            first.append(bool(right) and right[0])
            three.append(any(right))
            oos.append(out)
            is_vague = matcher.is_vague(q)
            vague.append(is_vague or not top)
            decoy_first.append(not ranked or ranked[0].decoy)
            vague_offer.append(is_vague and sum(not r.decoy and r.score >= cutoff for r in ranked) > 1)
            source.append(path.name)
    return Rows(np.asarray(x, dtype=float), np.asarray(first), np.asarray(three), np.asarray(oos),
                np.asarray(vague), np.asarray(decoy_first), np.asarray(vague_offer), np.asarray(source))


def logistic(x: np.ndarray, y: np.ndarray) -> Logistic:
    """Newton's method on the L2-penalised log-likelihood of standardised features."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.c_[np.ones(len(x)), (x - mean) / scale]
    w = np.zeros(z.shape[1])
    ridge = L2 * np.diag(np.r_[0.0, np.ones(z.shape[1] - 1)])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -60, 60)))
        step = np.linalg.solve((z * (p * (1 - p))[:, None]).T @ z + ridge, z.T @ (p - y) + ridge @ w)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Logistic(FEATURES, tuple(map(float, mean)), tuple(map(float, scale)), tuple(map(float, w[1:])),
                    float(w[0]))


def probabilities(model: Logistic, x: np.ndarray) -> np.ndarray:
    """What `Logistic.probability` gives for each row (vectorised; same formula)."""
    z = model.intercept + ((x - np.asarray(model.mean)) / np.asarray(model.scale)) @ np.asarray(model.coef)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))


def statuses(rows: Rows, p_answer: np.ndarray, p_reach: np.ndarray, answer_at: float, offer_at: float) -> np.ndarray:
    """2 answer, 1 candidates, 0 unknown: what `decide` returns with the calibration, vectorised."""
    answer = (p_answer >= answer_at) & ~rows.vague
    calibrated = np.where(answer, 2, np.where(p_reach >= offer_at, 1, 0))
    return np.where(rows.decoy_first, 0, np.where(rows.vague_offer, 1, calibrated))


def figures(rows: Rows, status: np.ndarray, idx: np.ndarray) -> tuple[float, float, float, float]:
    """answer@1, hit@3, wrong-confident, oos refused over the questions `idx`."""
    asks, outs = idx & ~rows.oos, idx & rows.oos
    n = max(1, int(asks.sum()))
    a1 = float(((status == 2) & rows.first_right & asks).sum() / n)
    h3 = float(((status > 0) & rows.three_right & asks).sum() / n)
    wrong = float(((status == 2) & ~rows.first_right & asks).sum() / n)
    refused = float(((status == 0) & outs).sum() / outs.sum()) if outs.any() else 1.0
    return a1, h3, wrong, refused


def fit(rows: Rows, idx: np.ndarray, max_wrong: float, min_refused: float) -> Calibration:
    """Models and probabilities fitted on the questions `idx`."""
    answer = logistic(rows.x[idx], rows.first_right[idx].astype(float))
    reach = logistic(rows.x[idx], rows.three_right[idx].astype(float))
    pa, pr = probabilities(answer, rows.x), probabilities(reach, rows.x)
    best = (-np.inf, 0.5, 0.5)
    for answer_at in ANSWER_GRID:
        for offer_at in OFFER_GRID:
            a1, h3, wrong, refused = figures(rows, statuses(rows, pa, pr, answer_at, offer_at), idx)
            objective = a1 + h3 - 10 * max(0.0, wrong - max_wrong) - 3 * max(0.0, min_refused - refused)
            if objective > best[0]:
                best = (objective, float(answer_at), float(offer_at))
    return Calibration(answer, reach, best[1], best[2])


def run(rows: Rows, cal: Calibration) -> np.ndarray:
    return statuses(rows, probabilities(cal.answer, rows.x), probabilities(cal.reach, rows.x), cal.answer_at,
                    cal.offer_at)


def write(cal: Calibration, path: Path, files: list[Path], folds: int, cv: tuple[float, ...],
          max_wrong: float, min_refused: float) -> None:
    import yaml

    note = (f"# Calibrated decision of `ask` with both signals (bot/core/ask/calibration.py).\n"
            f"# Fitted by benchmarks/fit_decision.py on {', '.join(p.as_posix() for p in files)}\n"
            f"# (L2 logistic regression, Newton; probabilities chosen for wrong-confident <= {max_wrong}\n"
            f"# and out-of-scope refused >= {min_refused}). {folds}-fold cross-validated on those files:\n"
            f"# answer@1 {cv[0]:.3f}, hit@3 {cv[1]:.3f}, wrong-confident {cv[2]:.3f}, oos refused {cv[3]:.3f}.\n"
            f"# Do not edit by hand: rerun the script with --write.\n")
    path.write_text(note + yaml.safe_dump(cal.as_data(), allow_unicode=True, sort_keys=False), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-wrong", type=float, nargs="+", default=[0.02],
                        help="limit(s) on the wrong-confident rate; several: one fit per pair, the first written")
    parser.add_argument("--min-refused", type=float, nargs="+", default=[0.95])
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--write", action="store_true", help=f"store the fit in knowledge/{CALIBRATION_FILE}")
    args = parser.parse_args()

    from bot.cli.common import cache_dir
    from bot.core.ask import index_cache

    matcher = index_cache.load_matcher(None, cache=cache_dir(), semantic=True)
    if matcher.semantic is None:
        print(f"the semantic signal is off ({matcher.semantic_off}): nothing to calibrate", file=sys.stderr)
        return 1
    rows = collect(matcher, args.files)
    everything = np.ones(len(rows.oos), dtype=bool)
    fold = np.empty(len(rows.oos), dtype=int)
    fold[np.random.default_rng(args.seed).permutation(len(fold))] = np.arange(len(fold)) % args.folds
    for n, (max_wrong, min_refused) in enumerate(zip(args.max_wrong, args.min_refused, strict=True)):
        held_out = np.zeros(len(fold), dtype=int)
        for k in range(args.folds):
            cal = fit(rows, fold != k, max_wrong, min_refused)
            held_out[fold == k] = run(rows, cal)[fold == k]
        print(f"limits: wrong-confident <= {max_wrong}, oos refused >= {min_refused}")
        print(f"{args.folds}-fold cross-validated     answer@1  hit@3  wrong-confident  oos refused")
        for name in [*dict.fromkeys(rows.source), "pooled"]:
            idx = everything if name == "pooled" else rows.source == name
            a1, h3, wc, rf = figures(rows, held_out, idx)
            print(f"  {name:<28} {a1:8.3f} {h3:6.3f} {wc:16.3f} {rf:12.3f}")
        cv = figures(rows, held_out, everything)
        cal = fit(rows, everything, max_wrong, min_refused)
        a1, h3, wc, rf = figures(rows, run(rows, cal), everything)
        print(f"fit on everything: answer_at {cal.answer_at}, offer_at {cal.offer_at}; in-sample "
              f"answer@1 {a1:.3f} hit@3 {h3:.3f} wrong-confident {wc:.3f} oos refused {rf:.3f}")
        if args.write and n == 0:
            path = ROOT / "knowledge" / CALIBRATION_FILE
            write(cal, path, args.files, args.folds, cv, max_wrong, min_refused)
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
