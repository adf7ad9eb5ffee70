"""Fit the topic opinion (bot/core/check/scored.py `TopicOpinion`) on the fit check sets, and measure it
leave-one-group-out.

Run:  .venv/bin/python benchmarks/fit_topics.py [--write] [--l2 1.0] [--show N]

A unit is one disclosed-topic finding of the rule grammar (`Checker.topic_hits`: what `check` would
report before the opinion is asked), read as `topic_features` (its category, evidence kind and
sentence signals, the topic word, character n-grams of its sentence, of the word's close
surroundings and of the sentences either side). Its label is the draft's: a finding on a draft whose
`kinds` hold confidential_topic is a hit (1), on any other draft (clean check drafts, leak drafts of
other kinds) a false alarm (0). The model is fitted by fit_forbidden.py's `train` (class-balanced L2
logistic regression).

Groups: each benchmarks/blind/vN directory (one writer group), each adv* directory, and the top-level
check_fit / check_final / check_v2 files; a draft in two groups is kept in the first only, so no
draft is both fitted on and measured. Leave-one-group-out, nested: each group is scored by a model
fitted on the other groups, at a threshold chosen on those other groups alone (each scored by a
model fitted without it and without the measured group: `--inner` grouped folds of them), so
neither the model nor the threshold saw the group it is measured on. A draft counts as a topic
finding when any of its findings scores at or above the threshold (`check eval`'s per-draft count).
`--write` fits on every group and stores phrasebook/topic_opinion.json with the threshold chosen by
pooled leave-one-group-out F1 over all groups.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fit_forbidden import train  # noqa: E402

from bot.core.check.checker import Checker  # noqa: E402
from bot.core.check.evaluation import Score  # noqa: E402
from bot.core.check.scored import OPINION_FEATURES, OPINION_PATH, TopicOpinion, topic_features  # noqa: E402

BLIND = ROOT / "benchmarks" / "blind"
TOPIC = "confidential_topic"
# Candidate thresholds (0: the opinion drops nothing, so a fit that does not help can decline).
THRESHOLDS = (0, 5, 10, 15, 20, 25, 30, 35, 40, 50)
PRUNE = 0.02  # weights below are dropped from the stored model (measured pruned)


def groups() -> dict[str, list[Path]]:
    """Group name -> its check files: vN (check.yaml where it joins the others, else check*.yaml),
    adv* (every yaml), then check_fit / check_final / check_v2 as groups of their own."""
    out: dict[str, list[Path]] = {}
    dirs = sorted((d for d in BLIND.iterdir() if d.is_dir()),
                  key=lambda p: (not p.name.startswith("v"), int(re.sub(r"\D", "", p.name) or 0), p.name))
    for d in dirs:
        if d.name.startswith("v"):
            files = [d / "check.yaml"] if (d / "check.yaml").exists() else sorted(d.glob("check*.yaml"))
        else:
            files = sorted(d.glob("*.yaml"))
        if files:
            out[d.name] = files
    for name in ("check_fit", "check_final", "check_v2"):
        if (BLIND / f"{name}.yaml").exists():
            out[name] = [BLIND / f"{name}.yaml"]
    return out


def data_digest(files: Sequence[Path]) -> str:
    """Digest of the fit files' bytes (the model file records it: a changed fit set makes it stale)."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda p: p.relative_to(ROOT).as_posix()):
        h.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:32]


def load(checker: Checker, chosen: dict[str, list[Path]]) -> dict[str, list[dict[str, Any]]]:
    """Group -> drafts, each {"want": bool, "units": [feature sets of its topic findings], "draft"}."""
    seen: set[str] = set()
    out: dict[str, list[dict[str, Any]]] = {}
    for g, files in chosen.items():
        drafts = []
        for path in files:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            items = [(str(it.get("draft", "")), False) for it in data.get("check") or []]
            items += [(str(it.get("draft", "")), TOPIC in (it.get("kinds") or [])) for it in data.get("leak") or []]
            for draft, want in items:
                if draft in seen:
                    continue
                seen.add(draft)
                view, hits = checker.topic_hits(draft)
                units = [frozenset(topic_features(view, h)) for h in hits if h.category == TOPIC]
                drafts.append({"want": want, "units": units, "draft": draft})
        out[g] = drafts
    return out


def fit(drafts: list[dict[str, Any]], *, l2: float) -> tuple[dict[str, float], float]:
    data = [(u, int(d["want"])) for d in drafts for u in d["units"]]
    weights, bias = train(data, l2=l2, features=lambda u: u)
    return {g: w for g, w in weights.items() if abs(w) >= PRUNE}, bias


def model_of(weights: dict[str, float], bias: float, threshold: float = 0.0) -> TopicOpinion:
    return TopicOpinion(threshold, bias, weights, frozenset())


def scores(model: TopicOpinion, drafts: list[dict[str, Any]]) -> list[list[float]]:
    return [[model.score(set(u)) for u in d["units"]] for d in drafts]


def count(drafts: list[dict[str, Any]], scored: list[list[float]], t: float) -> Score:
    """`check eval`'s topic counts when findings scored below `t` are dropped."""
    s = Score()
    for d, sc in zip(drafts, scored, strict=True):
        got = any(x >= t for x in sc)
        s.tp += got and d["want"]
        s.fp += got and not d["want"]
        s.fn += d["want"] and not got
    return s


def f1(s: Score) -> float:
    return 2 * s.tp / max(1, 2 * s.tp + s.fp + s.fn)


def add(a: Score, b: Score) -> Score:
    return Score(a.tp + b.tp, a.fp + b.fp, a.fn + b.fn)


def best_threshold(pairs: list[tuple[list[dict[str, Any]], list[list[float]]]]) -> float:
    """The candidate with the best pooled F1 over these (drafts, scores); the lower on a tie."""
    def pooled(t: float) -> Score:
        total = Score()
        for drafts, sc in pairs:
            total = add(total, count(drafts, sc, t))
        return total
    return max(THRESHOLDS, key=lambda t: (f1(pooled(t)), -t))


def cell(s: Score) -> str:
    return f"{s.precision:.3f}/{s.recall:.3f} (fp {s.fp:>2}, fn {s.fn:>2})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--inner", type=int, default=4, help="grouped folds of the other groups that choose the threshold")
    ap.add_argument("--show", type=int, default=0, help="print up to N drafts per group whose count changed (masked)")
    args = ap.parse_args()
    checker = Checker.load(opinion=False)
    chosen = groups()
    data = load(checker, chosen)
    names = list(data)
    units = sum(len(d["units"]) for g in names for d in data[g])
    print(f"{len(names)} groups, {sum(map(len, data.values()))} drafts, {units} topic findings", flush=True)
    before = after = Score()
    lofo_scores: dict[str, list[list[float]]] = {}
    print(f"{'group':12}{'before':>28}{'after':>28}  threshold")
    for k, g in enumerate(names):
        others = [h for h in names if h != g]
        w, b = fit([d for h in others for d in data[h]], l2=args.l2)
        lofo_scores[g] = scores(model_of(w, b), data[g])
        # The threshold from the other groups alone, each scored by a model fitted without it and without g.
        folds = [others[i::args.inner] for i in range(args.inner)]
        inner: list[tuple[list[dict[str, Any]], list[list[float]]]] = []
        for fold in folds:
            rest = [d for h in others if h not in fold for d in data[h]]
            wi, bi = fit(rest, l2=args.l2)
            m = model_of(wi, bi)
            inner += [(data[h], scores(m, data[h])) for h in fold]
        t = best_threshold(inner)
        s0 = count(data[g], [[100.0] * len(d["units"]) for d in data[g]], 0)
        s1 = count(data[g], lofo_scores[g], t)
        before, after = add(before, s0), add(after, s1)
        print(f"{g:12}{cell(s0):>28}{cell(s1):>28}  {t}", flush=True)
        if args.show:
            changed = [(d, sc) for d, sc in zip(data[g], lofo_scores[g], strict=True)
                       if d["units"] and not any(x >= t for x in sc)]
            for d, sc in changed[:args.show]:
                print(f"    dropped ({'LEAK' if d['want'] else 'clean'}; {max(sc):.0f}): {d['draft'][:90]}")
        del k
    print(f"{'pooled':12}{cell(before):>28}{cell(after):>28}")
    pairs = [(data[g], lofo_scores[g]) for g in names]
    for t in THRESHOLDS:
        total = Score()
        for drafts, sc in pairs:
            total = add(total, count(drafts, sc, t))
        print(f"  every group left out, one threshold {t:>3}: {cell(total)}  F1 {f1(total):.4f}")
    if args.write:
        t = best_threshold(pairs)
        w, b = fit([d for g in names for d in data[g]], l2=args.l2)
        files = [f for g in names for f in chosen[g]]
        out = {
            "about": "Topic opinion (a second opinion on disclosed-topic findings), written by "
                     "benchmarks/fit_topics.py; do not edit.",
            "features": OPINION_FEATURES,
            "fitted_on": [f.relative_to(ROOT).as_posix() for f in files],
            "data_digest": data_digest(files),
            "l2": args.l2,
            "threshold": t,
            "bias": round(b, 4),
            "categories": sorted({r.id for r in checker.ruleset.topics}),
            "weights": {g: round(x, 4) for g, x in sorted(w.items())},
        }
        OPINION_PATH.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {OPINION_PATH} ({len(out['weights'])} weights, threshold {t})")


if __name__ == "__main__":
    main()
