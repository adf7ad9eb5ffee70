"""Fit the topic opinion (bot/core/check/scored.py `TopicOpinion`) on the fit check sets, and measure it
leave-one-group-out.

Run:  .venv/bin/python benchmarks/fit_topics.py [--l2 4.0] [--show N]        # the nested table (≈ 10-20 min)
      .venv/bin/python benchmarks/fit_topics.py --write --no-nested            # refit the shipped file

A unit is one disclosed-topic finding of the rule grammar (`Checker.topic_hits`: what `check` would
report before the opinion is asked), read as `topic_features` (its category, evidence kind and
sentence signals, the topic word, character n-grams of its sentence, of the word's close
surroundings and of the sentences either side). Its label is the draft's: a finding on a draft whose
`kinds` hold confidential_topic is a hit (1), on any other draft (clean check drafts, leak drafts of
other kinds) a false alarm (0); the topic categories' must-hit and must-not-hit examples in
secret.yaml are fitted on in every fold as well (`rule_examples`). The model is fitted by
fit_forbidden.py's `train` (class-balanced L2 logistic regression).

Groups: each benchmarks/blind/vN directory (one writer group), each adv* directory, and the top-level
check_fit / check_final / check_v2 files; a draft in two groups is kept in the first only, so no
draft is both fitted on and measured. Leave-one-group-out, nested: each group is scored by a model
fitted on the other groups, at a threshold chosen on those other groups alone (each scored by a
model fitted without it and without the measured group: `--inner` grouped folds of them), so
neither the model nor the threshold saw the group it is measured on. A draft counts as a topic
finding when any of its findings scores at or above the threshold (`check eval`'s per-draft count).
`--write` fits on every group and stores phrasebook/topic_opinion.json with the threshold chosen by
pooled leave-one-group-out F1 over all groups (`--no-nested` skips the inner folds, which only the
per-group table needs: the shipped file is `fit_topics.py --write --no-nested`).
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

from check_groups import groups as writer_groups  # noqa: E402
from fit_forbidden import train  # noqa: E402

from bot.core.check.checker import Checker  # noqa: E402
from bot.core.check.evaluation import Score  # noqa: E402
from bot.core.check.scored import OPINION_FEATURES, OPINION_PATH, TopicOpinion, topic_features  # noqa: E402

BLIND = ROOT / "benchmarks" / "blind"
TOPIC = "confidential_topic"
# Candidate thresholds (0: the opinion drops nothing, so a fit that does not help can decline).
THRESHOLDS = (0, 10, 20, 30, 40, 50, 60, 70, 80)
# Weights below are dropped from the stored model (leave-one-group-out measures the pruned model): 0.05
# keeps about a sixth of them, ≈ 0.5 MiB in memory instead of ≈ 2.6.
PRUNE = [0.05]
# `--precision`: choose the threshold as the lowest whose pooled precision reaches this (0: by pooled F1).
OBJECTIVE = [0.0]


def groups() -> dict[str, list[Path]]:
    """Group name -> its check files: the writer groups vN as `check_groups.py` reads them (check.yaml
    where it joins the others, else check*.yaml), adv* (every yaml), then check_fit / check_final /
    check_v2 as groups of their own."""
    out = writer_groups()
    for d in sorted((d for d in BLIND.iterdir() if d.is_dir() and not d.name.startswith("v")),
                    key=lambda p: (int(re.sub(r"\D", "", p.name) or 0), p.name)):
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
                found = [h for h in hits if h.category == TOPIC]
                drafts.append({"want": want, "units": [frozenset(topic_features(view, h)) for h in found],
                               "kinds": [h.evidence for h in found], "draft": draft,
                               "hits": [(h.rule, h.evidence, h.signals) for h in found],
                               "reader": reader(checker, draft) if found else ""})
        out[g] = drafts
    return out


def reader(checker: Checker, draft: str) -> str:
    """Whom the draft is written to as the checker reads it (colleague, customer, or neither known): the
    breakdown's addressee (`Checker.addressee`)."""
    return checker.addressee(draft)


def rule_examples(checker: Checker) -> list[dict[str, Any]]:
    """The topic categories' must-hit examples in secret.yaml (their own category's findings: hits) and
    must-not-hit ones (any finding of their category: a false alarm), fitted on in every fold: written
    by the rules' authors for the category, never evaluation items, and kept behaving by the opinion."""
    out = []
    for topic in checker.ruleset.topics:
        for want, drafts in ((True, topic.examples.hit), (False, topic.examples.clean)):
            for draft in drafts:
                view, hits = checker.topic_hits(draft)
                units = [frozenset(topic_features(view, h)) for h in hits if h.rule == topic.id]
                if units:
                    out.append({"want": want, "units": units, "draft": draft})
    return out


# The evidence kinds of a told value: the second table never drops a finding that has one.
VALUES = frozenset({"quantity", "credential", "formula"})
EXTRA: list[dict[str, Any]] = []  # rule_examples, filled by main


def fit(drafts: list[dict[str, Any]], *, l2: float) -> tuple[dict[str, float], float]:
    data = [(u, int(d["want"])) for d in [*drafts, *EXTRA] for u in d["units"]]
    weights, bias = train(data, l2=l2, features=lambda u: u)
    return {g: w for g, w in weights.items() if abs(w) >= PRUNE[0]}, bias


def model_of(weights: dict[str, float], bias: float, threshold: float = 0.0) -> TopicOpinion:
    return TopicOpinion(threshold, bias, weights, frozenset())


def scores(model: TopicOpinion, drafts: list[dict[str, Any]]) -> list[list[float]]:
    return [[model.score(set(u)) for u in d["units"]] for d in drafts]


def count(drafts: list[dict[str, Any]], scored: list[list[float]], t: float, keep: frozenset[str] = frozenset()
          ) -> Score:
    """`check eval`'s topic counts when findings scored below `t` are dropped (never one whose evidence
    kind is in `keep`)."""
    s = Score()
    for d, sc in zip(drafts, scored, strict=True):
        got = any(x >= t or k in keep for x, k in zip(sc, d["kinds"], strict=True))
        s.tp += got and d["want"]
        s.fp += got and not d["want"]
        s.fn += d["want"] and not got
    return s


def f1(s: Score) -> float:
    return 2 * s.tp / max(1, 2 * s.tp + s.fp + s.fn)


def add(a: Score, b: Score) -> Score:
    return Score(a.tp + b.tp, a.fp + b.fp, a.fn + b.fn)


def best_threshold(pairs: list[tuple[list[dict[str, Any]], list[list[float]]]], keep: frozenset[str] = frozenset()
                   ) -> float:
    """The candidate with the best pooled F1 over these (drafts, scores), the lower on a tie; with
    `--precision P`, the lowest candidate whose pooled precision is at least P."""
    def pooled(t: float) -> Score:
        total = Score()
        for drafts, sc in pairs:
            total = add(total, count(drafts, sc, t, keep))
        return total
    if OBJECTIVE[0] > 0:
        # The lowest candidate whose pooled precision reaches the objective (the highest when none does).
        reach = [t for t in THRESHOLDS if pooled(t).precision >= OBJECTIVE[0]]
        return min(reach) if reach else max(THRESHOLDS)
    return max(THRESHOLDS, key=lambda t: (f1(pooled(t)), -t))


def _length(n: int) -> str:
    return "<40" if n < 40 else "40-79" if n < 80 else "80-149" if n < 150 else "150+"


def breakdown(data: dict[str, list[dict[str, Any]]], scored: dict[str, list[list[float]]],
              thresholds: dict[str, float]) -> None:
    """What the opinion drops, by kind: of the drafts the grammar finds (any topic finding), the true ones
    the opinion drops (every finding below its group's threshold) and the false alarms it drops, by the
    kept-or-dropped draft's best-scored finding's category, evidence kind and signals, the draft's
    addressee as the checker reads it, its politeness (您 / a courtesy word / neither), its length and
    whether any finding tells a value. Read to find categories of loss, not items."""
    rows: dict[tuple[str, str], list[int]] = {}
    courtesy = ("请", "谢谢", "感谢", "麻烦", "不好意思", "抱歉", "辛苦")
    for g, drafts in data.items():
        t = thresholds[g]
        for d, sc in zip(drafts, scored[g], strict=True):
            if not sc:
                continue
            kept = max(sc) >= t
            rule, evidence, signals = d["hits"][max(range(len(sc)), key=sc.__getitem__)]
            text = d["draft"]
            keys = [("all", ""), ("category", rule.rsplit(".", 1)[-1]), ("evidence", evidence),
                    ("addressee", d["reader"] or "none"),
                    ("politeness", "您" if "您" in text else
                     "courtesy" if any(w in text for w in courtesy) else "plain"),
                    ("length", _length(len(text))), ("told value", str(any(k in VALUES for k in d["kinds"])))]
            keys += [("signal", s) for s in signals if not s.startswith("#")]
            for k in keys:
                r = rows.setdefault(k, [0, 0, 0, 0])
                r[0 if d["want"] else 2] += 1
                r[1 if d["want"] else 3] += not kept
    print(f"\n{'what the opinion drops':36}{'true found':>11}{'dropped':>9}{'false found':>13}{'dropped':>9}")
    for (kind, value), (tf, td, ff, fd) in sorted(rows.items()):
        if tf + ff >= 10:
            print(f"  {kind:12}{value:22}{tf:>11}{td:>5} {td / max(1, tf):.2f}{ff:>11}{fd:>5} {fd / max(1, ff):.2f}")


def cell(s: Score) -> str:
    return f"{s.precision:.3f}/{s.recall:.3f} (fp {s.fp:>2}, fn {s.fn:>2})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--l2", type=float, default=4.0)
    ap.add_argument("--inner", type=int, default=4, help="grouped folds of the other groups that choose the threshold")
    ap.add_argument("--keep", default="", help="evidence kinds never judged, comma-separated (written with --write)")
    ap.add_argument("--prune", type=float, default=PRUNE[0])
    ap.add_argument("--threshold", type=int, choices=THRESHOLDS, default=None,
                    help="with --write: store this threshold instead of the grid's best pooled F1 (the shipped 70 is "
                         "a precision guard: docs/history.md, Round 43)")
    ap.add_argument("--no-nested", action="store_true",
                    help="skip the per-group threshold (the inner folds): the per-group column then reads --threshold "
                         "(0 without it), e.g. for --write")
    ap.add_argument("--precision", type=float, default=0.0,
                    help="thresholds: the lowest whose pooled precision reaches this (default: best pooled F1)")
    ap.add_argument("--breakdown", action="store_true",
                    help="what the opinion drops by kind (category, evidence, addressee, politeness, length, value)")
    ap.add_argument("--show", type=int, default=0, help="print up to N drafts per group whose count changed (masked)")
    args = ap.parse_args()
    PRUNE[0] = args.prune
    OBJECTIVE[0] = args.precision
    checker = Checker.load(opinion=False)
    chosen = groups()
    data = load(checker, chosen)
    names = list(data)
    EXTRA[:] = rule_examples(checker)
    units = sum(len(d["units"]) for g in names for d in data[g])
    print(f"{len(names)} groups, {sum(map(len, data.values()))} drafts, {units} topic findings; "
          f"{sum(len(d['units']) for d in EXTRA)} of the rules' examples", flush=True)
    keep = frozenset(k for k in args.keep.split(",") if k)
    before = after = kept = Score()
    lofo_scores: dict[str, list[list[float]]] = {}
    chosen_t: dict[str, float] = {}
    print(f"{'group':12}{'before':>28}{'after':>28}  threshold{'':4}{'after, value evidence kept':>28}  threshold")
    for g in names:
        others = [h for h in names if h != g]
        w, b = fit([d for h in others for d in data[h]], l2=args.l2)
        lofo_scores[g] = scores(model_of(w, b), data[g])
        # The threshold from the other groups alone, each scored by a model fitted without it and without g.
        folds = [] if args.no_nested else [others[i::args.inner] for i in range(args.inner)]
        inner: list[tuple[list[dict[str, Any]], list[list[float]]]] = []
        for fold in folds:
            rest = [d for h in others if h not in fold for d in data[h]]
            wi, bi = fit(rest, l2=args.l2)
            m = model_of(wi, bi)
            inner += [(data[h], scores(m, data[h])) for h in fold]
        # Without the inner folds, a given --threshold scores each group (by the model fitted without it).
        fixed = args.threshold if args.no_nested and args.threshold is not None else 0
        t = best_threshold(inner) if inner else fixed
        chosen_t[g] = t
        tk = best_threshold(inner, VALUES) if inner else fixed
        s0 = count(data[g], [[100.0] * len(d["units"]) for d in data[g]], 0)
        s1 = count(data[g], lofo_scores[g], t)
        s2 = count(data[g], lofo_scores[g], tk, VALUES)
        before, after, kept = add(before, s0), add(after, s1), add(kept, s2)
        print(f"{g:12}{cell(s0):>28}{cell(s1):>28}  {t:<9}{'':4}{cell(s2):>28}  {tk}", flush=True)
        if args.show:
            changed = [(d, sc) for d, sc in zip(data[g], lofo_scores[g], strict=True)
                       if d["units"] and not any(x >= t for x in sc)]
            for d, sc in changed[:args.show]:
                masked = checker.check(d["draft"]).masked_draft()
                print(f"    dropped ({'LEAK' if d['want'] else 'clean'}; {max(sc):.0f}): {masked[:90]}")
    print(f"{'pooled':12}{cell(before):>28}{cell(after):>28}{'':15}{cell(kept):>28}")
    pairs = [(data[g], lofo_scores[g]) for g in names]
    if args.breakdown:
        # At each group's nested threshold; with --no-nested at the threshold every group left out once chooses.
        whole = best_threshold(pairs)
        breakdown(data, lofo_scores, {g: chosen_t[g] if not args.no_nested else whole for g in names})
    for variant in (frozenset(), VALUES):
        for t in THRESHOLDS:
            total = Score()
            for drafts, group_scores in pairs:
                total = add(total, count(drafts, group_scores, t, variant))
            print(f"  every group left out, one threshold {t:>3}{', value evidence kept' if variant else ''}: "
                  f"{cell(total)}  F1 {f1(total):.4f}")
    if args.write:
        t = best_threshold(pairs, keep) if args.threshold is None else args.threshold
        w, b = fit([d for g in names for d in data[g]], l2=args.l2)
        files = [f for g in names for f in chosen[g]]
        out = {
            "about": "Topic opinion (a second opinion on disclosed-topic findings), written by "
                     "benchmarks/fit_topics.py; do not edit.",
            "features": OPINION_FEATURES,
            "fitted_on": [f.relative_to(ROOT).as_posix() for f in files],
            "data_digest": data_digest(files),
            "l2": args.l2,
            "prune": args.prune,
            "threshold": t,
            "keep_evidence": sorted(keep),
            "bias": round(b, 4),
            "categories": sorted({r.id for r in checker.ruleset.topics}),
            "weights": {g: round(x, 4) for g, x in sorted(w.items())},
        }
        OPINION_PATH.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {OPINION_PATH} ({len(out['weights'])} weights, threshold {t})")


if __name__ == "__main__":
    main()
