"""Fit the scored forbidden-sentence detector (bot/core/check/scored.py) on FIT check sets.

Run:  .venv/bin/python benchmarks/fit_forbidden.py FILE [FILE ...] [--write] [--l2 0.3]

Units are the sentences of the folded drafts, read as characters and through the rule files' synonym
classes (CLASSES below: a class word is its class, so 打烊 learns from 下班). A sentence of a forbidden
draft that holds one of its `hits` is positive, a sentence of a clean draft negative (the other
sentences of forbidden drafts are left out: unlabelled, and so is a sentence only the word rules 你→您
/ 开口语 flag); the rule files' must-hit sentences (where their rule fires) and must-not-hit examples,
the phrasebook's standard phrases and the knowledge base's answers (clean) are added, and so are
phrasebook/forbidden_examples.yaml's sentences (written for the detector from the documents' 服务禁语,
labelled with a rule, and their polite counterparts). Per rule, a one-vs-rest model over the
positives the rule patterns catch says which rule's why, source and rewrite a finding cites.

Leave-one-file-out: each file is scored by the rule patterns plus a model fitted on the other files
only; the threshold is the one of the grid with the best pooled F1 of forbidden drafts (each set was
written by other people in other voices, so that is what a new set sees). "model alone" is the same
without the patterns: they were written against these files, so the model's own out-of-file recall
is what tells how much it adds on a new set, where the patterns miss more. `--write` stores the fit on
everything in phrasebook/forbidden_model.json. Never fit on a set you report as held-out.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.ask.knowledge import load_knowledge  # noqa: E402
from bot.core.check.checker import PIECE_SCORE, Checker, uncovered_pieces  # noqa: E402
from bot.core.check.rules import fold_literal  # noqa: E402
from bot.core.check.scored import (  # noqa: E402
    MODEL_PATH,
    SentenceModel,
    class_automaton,
    sentence_grams,
    sentence_units,
)
from bot.core.phrases.phrasebook import load_phrasebook  # noqa: E402
from bot.core.text.fold import fold_draft  # noqa: E402

THRESHOLDS = (50, 70, 80, 85, 90, 95, 98)
# Rules the patterns already judge completely (a word, not a meaning): no sentence is cited under them,
# and a sentence only they flag is no example of forbidden meaning (it taught the score that 你 in a
# colleague's chat is forbidden).
NOT_CITED = ("tone.ni_for_nin", "tone.openers")
# Weights below these are dropped (leave-one-file-out measures the pruned model): the score keeps
# about a third of its n-grams and the figures, in a few MiB less memory.
PRUNE, PRUNE_RULE = 0.05, 0.1
KB_PROSE = True
EXAMPLES_PATH = ROOT / "phrasebook" / "forbidden_examples.yaml"
RULES_DIR = ROOT / "phrasebook" / "rules"
# The rule files' synonym classes the model also reads a sentence through (a word of the class is
# the class): the ones whose words name what the banned act is about. Not the small grammatical ones
# (你/您, 自己, 问/找/看, 说), whose members are single characters the n-grams already see.
CLASSES = ("CLOSE", "LATER", "THIRD", "SIGN", "HURRY", "BUSY", "DONTKNOW", "SELFHELP", "NOTMINE", "WAITTALK", "TIMES")
MIN_CLASS_WORD = 2


def load_classes() -> dict[str, list[str]]:
    """The CLASSES of the forbidden rule files, folded as the draft is (a one-character word left out)."""
    out: dict[str, list[str]] = {}
    for f in sorted(RULES_DIR.glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        if data.get("kind") != "forbidden":
            continue
        for name, words in (data.get("classes") or {}).items():
            if name in CLASSES:
                folded = [w for w in map(fold_literal, map(str, words)) if len(w) >= MIN_CLASS_WORD]
                out[name] = sorted(set(out.get(name, [])) | set(folded))
    return out


CLASS_WORDS = load_classes() if CLASSES else {}
# The clauses of a flagged sentence that no finding touches are scored on their own from this score up
# (the checker's `PIECE_SCORE`; swept after the threshold is chosen); the number of them flagged in
# `outcome`, and of those on no labelled hit (further warnings in a draft already flagged).
PIECE_T = [PIECE_SCORE]
PIECES = [0, 0]
CUSTOMER_ONLY: set[str] = set()  # rules whose sentences to a colleague are not flagged (filled by main)
_CLASS_INDEX = class_automaton(CLASS_WORDS)


def sentences(draft: str) -> list[tuple[str, int, int]]:
    """(folded sentence and its ending, start, end in the draft) of each sentence, as the checker cuts them."""
    c = fold_draft(draft).compact
    return [(c.text[a:b] + "\0" + ending, *c.span(a, b)) for a, b, ending in sentence_units(c)]


def grams(unit: str) -> set[str]:
    text, _, ending = unit.partition("\0")
    return sentence_grams(text, ending, _CLASS_INDEX)


def _spans(draft: str, needles: list[str]) -> list[tuple[int, int]]:
    out = []
    for n in needles:
        i = draft.find(n)
        while n and i >= 0:
            out.append((i, i + len(n)))
            i = draft.find(n, i + 1)
    return out


def load_set(path: str, checker: Checker) -> list[dict[str, Any]]:
    items = []
    for it in yaml.safe_load(Path(path).read_text(encoding="utf-8")).get("check", []):
        draft = str(it["draft"])
        forbidden = bool(it.get("forbidden"))
        hits = _spans(draft, [str(h) for h in it.get("hits") or []])
        # What the checker's scored stage is told: the patterns' findings, the sentences whose pattern
        # match the context cleared, and whether the draft is to a colleague (customer-only rules'
        # sentences are then skipped).
        stage = checker.scored_stage(draft)
        found = [(f.start, f.end, f.rule) for f in stage.found]
        units = []
        for sentence in stage.sentences():
            text, s, e = sentence.text + "\0" + sentence.ending, sentence.start, sentence.end
            label = 0
            if forbidden:
                label = 1 if any(a < e and s < b for a, b in hits) else -1
            rule = next((r for a, b, r in found if a < e and s < b and r not in NOT_CITED), None)
            if label == 1 and rule is None and any(a < e and s < b for a, b, _ in found):
                label = -1  # only a word rule (你 for 您) fires here: no evidence about meaning either way
            units.append((text, s, e, label, rule, sentence.judged))
        # The clauses of a flagged sentence that no finding touches, which the checker scores on their own.
        view = stage.folded.compact
        spans = [(a, b) for a, b, _ in found]

        def overlapping(x: int, y: int, spans: list[tuple[int, int]] = spans) -> list[tuple[int, int]]:
            return [(a, b) for a, b in spans if a < y and x < b]

        pieces = [(view.text[x:y] + "\0" + end, *view.span(x, y))
                  for a, b, ending in sentence_units(view) if a not in stage.judged and overlapping(*view.span(a, b))
                  for x, y, end in uncovered_pieces(view, a, b, ending, overlapping)]
        items.append({"forbidden": forbidden, "hits": hits, "draft": draft, "found": [(a, b) for a, b, _ in found],
                      "units": units, "pieces": pieces, "kind": it.get("kind_of_text"),
                      "colleague": stage.colleague()})
    return items


def extra_units(checker: Checker) -> list[tuple[str, int, str | None]]:
    """Rule examples (must-hit sentences where their rule fires; must-not-hit ones), standard phrases
    and the knowledge base's answers."""
    out: list[tuple[str, int, str | None]] = []
    for rule in checker.ruleset.rules:
        for draft in rule.examples.hit:
            spans = [(f.start, f.end) for f in checker.check(draft).findings if f.rule == rule.id]
            if rule.id not in NOT_CITED:
                out += [(t, 1, rule.id) for t, s, e in sentences(draft) if any(a < e and s < b for a, b in spans)]
        out += [(t, 0, None) for draft in rule.examples.clean for t, _, _ in sentences(draft)]
    pb = load_phrasebook()
    out += [(t, 0, None) for sc in pb.scenarios for p in pb.render(sc.id, {}) for t, _, _ in sentences(p)]
    if EXAMPLES_PATH.is_file():
        written = yaml.safe_load(EXAMPLES_PATH.read_text(encoding="utf-8"))
        for rid, drafts in (written.get("forbidden") or {}).items():
            out += [(t, 1, str(rid)) for draft in drafts for t, _, _ in sentences(str(draft))]
        out += [(t, 0, None) for draft in written.get("clean") or [] for t, _, _ in sentences(str(draft))]
    if KB_PROSE:
        # The knowledge base's answers: the rules' own prose (不得…, 禁止说“…”) is no forbidden language.
        out += [(t, 0, None) for e in load_knowledge().entries for t, _, _ in sentences(e.answer)]
    return out


def train(data: list[tuple[Any, int]], *, l2: float, iters: int = 300,
          features: Callable[[Any], Iterable[str]] | None = None) -> tuple[dict[str, float], float]:
    """Class-balanced L2 logistic regression over indicator features (Adam, full batch): a unit's
    `features` (default: a sentence's n-grams, `grams`). benchmarks/fit_topics.py fits the topic
    opinion with it too."""
    feats = features or grams
    vocab: dict[str, int] = {}
    rows, cols, y = [], [], []
    for i, (text, label) in enumerate(data):
        for g in feats(text):
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
        y.append(label)
    r, c, yy = np.array(rows), np.array(cols), np.array(y, float)
    n, pos = len(yy), max(1.0, yy.sum())
    cw = np.where(yy == 1, n / (2 * pos), n / (2 * max(1.0, n - pos)))
    w, b = np.zeros(len(vocab)), 0.0
    m, v, mb, vb = np.zeros_like(w), np.zeros_like(w), 0.0, 0.0
    for t in range(1, iters + 1):
        z = np.bincount(r, weights=w[c], minlength=n) + b
        g = (1 / (1 + np.exp(-z)) - yy) * cw / n
        gw = np.bincount(c, weights=g[r], minlength=len(w)) + l2 * w / n
        gb = float(g.sum())
        m, v = 0.9 * m + 0.1 * gw, 0.999 * v + 0.001 * gw * gw
        w -= 0.025 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        mb, vb = 0.9 * mb + 0.1 * gb, 0.999 * vb + 0.001 * gb * gb
        b -= 0.025 * (mb / (1 - 0.9 ** t)) / (math.sqrt(vb / (1 - 0.999 ** t)) + 1e-8)
    return {g: float(w[j]) for g, j in vocab.items()}, b


def fit(sets: list[list[dict[str, Any]]], extra: list[tuple[str, int, str | None]], *, l2: float,
        threshold: float, files: list[str]) -> dict[str, Any]:
    labelled: dict[str, int] = {}
    cited: dict[str, str] = {}
    for items in sets:
        for it in items:
            for text, _, _, label, rule, _ in it["units"]:
                if label >= 0:
                    labelled[text] = max(labelled.get(text, 0), label)
                if label == 1 and rule:
                    cited.setdefault(text, rule)
    for text, label, rule in extra:
        labelled[text] = max(labelled.get(text, 0), label)
        if label == 1 and rule:
            cited.setdefault(text, rule)
    weights, bias = train(sorted(labelled.items()), l2=l2)
    weights = {g: round(w, 4) for g, w in weights.items() if abs(w) >= PRUNE}
    rules: dict[str, dict[str, Any]] = {}
    for rid in sorted(set(cited.values())):
        rw, rb = train(sorted((t, int(r == rid)) for t, r in cited.items()), l2=l2)
        rules[rid] = {"bias": round(rb, 4), "weights": {g: round(w, 4) for g, w in rw.items() if abs(w) >= PRUNE_RULE}}
    return {
        "about": "Scored forbidden-sentence detector, written by benchmarks/fit_forbidden.py; do not edit.",
        "fitted_on": [Path(f).as_posix() for f in files],
        "threshold": threshold,
        "bias": round(bias, 4),
        "weights": dict(sorted(weights.items())),
        "rules": {r: {"bias": v["bias"], "weights": {g: w for g, w in sorted(v["weights"].items()) if g in weights}}
                  for r, v in sorted(rules.items())},
        "classes": CLASS_WORDS,
    }


def outcome(items: list[dict[str, Any]], model: SentenceModel | None, threshold: float,
            by_kind: dict[str, list[int]] | None = None, *, patterns: bool = True) -> tuple[int, int, int]:
    """(tp, fp, fn) of forbidden drafts as `check eval` counts them, the model's sentences added
    (and per `kind_of_text` into `by_kind` when given); without `patterns`, the model's alone (how
    much it knows beyond the patterns, which were written against these files)."""
    tp = fp = fn = 0
    for it in items:
        before = (tp, fp, fn)
        found = list(it["found"]) if patterns else []
        if model is not None:
            for text, s, e, _, _, judged in it["units"]:
                if judged or any(a < e and s < b for a, b in found):
                    continue
                g = grams(text)
                if model.score(g) >= threshold and not (it["colleague"] and model.rule(g) in CUSTOMER_ONLY):
                    found.append((s, e))
            for text, s, e in it["pieces"] if patterns else ():
                g = grams(text)
                least = max(threshold, PIECE_T[0])
                if model.score(g) >= least and not (it["colleague"] and model.rule(g) in CUSTOMER_ONLY):
                    found.append((s, e))
                    PIECES[0] += 1
                    PIECES[1] += not any(a < e and s < b for a, b in it["hits"])
        if it["forbidden"]:
            if any(a < e and s < b for a, b in found for s, e in it["hits"]):
                tp += 1
            else:
                fn += 1
                fp += bool(found)
        elif found:
            fp += 1
        if by_kind is not None:
            cell = by_kind.setdefault(str(it["kind"] or "-"), [0, 0, 0])
            for k, (x, y) in enumerate(zip((tp, fp, fn), before, strict=True)):
                cell[k] += x - y
    return tp, fp, fn


def pr(tp: int, fp: int, fn: int) -> str:
    return f"P {tp / max(1, tp + fp):.3f} R {tp / max(1, tp + fn):.3f}"


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / max(1, 2 * tp + fp + fn)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--l2", type=float, default=0.3)
    ap.add_argument("--misses", action="store_true",
                    help="print the fit files' drafts missed and falsely flagged out of file (never a held-out set)")
    args = ap.parse_args()
    checker = Checker.load(phrasebook=load_phrasebook(), scored=False)
    CUSTOMER_ONLY.update(r.id for r in checker.ruleset.rules if r.customer_only)
    sets = {f: load_set(f, checker) for f in args.files}
    extra = extra_units(checker)
    pooled = {t: [0, 0, 0] for t in THRESHOLDS}
    alone = {t: [0, 0, 0] for t in THRESHOLDS}
    base = [0, 0, 0]
    models: dict[str, SentenceModel] = {}
    for f in args.files:
        others = [g for g in args.files if g != f]
        model = models[f] = SentenceModel.from_json(fit([sets[g] for g in others], extra, l2=args.l2, threshold=0,
                                                        files=others))
        b = outcome(sets[f], None, 101)
        base = [x + y for x, y in zip(base, b, strict=True)]
        cells = []
        for t in THRESHOLDS:
            o = outcome(sets[f], model, t)
            pooled[t] = [x + y for x, y in zip(pooled[t], o, strict=True)]
            alone[t] = [x + y for x, y in zip(alone[t], outcome(sets[f], model, t, patterns=False), strict=True)]
            cells.append(f"{t}: {pr(*o)}")
        print(f"{f}: patterns {pr(*b)} | " + " | ".join(cells), flush=True)
    print(f"pooled patterns only: {pr(*base)}")
    for t in THRESHOLDS:
        print(f"pooled, threshold {t}: {pr(*pooled[t])}  F1 {f1(*pooled[t]):.4f}  | model alone {pr(*alone[t])}"
              f"  F1 {f1(*alone[t]):.4f}")
    best = max(THRESHOLDS, key=lambda t: (f1(*pooled[t]), t))
    print(f"threshold chosen by pooled leave-one-file-out F1: {best}")
    for pt in sorted({0.0, PIECE_SCORE, 90.0, 95.0, 98.0}):
        PIECES[:] = [0, 0]
        PIECE_T[0] = pt
        tot = [0, 0, 0]
        for f in args.files:
            tot = [x + y for x, y in zip(tot, outcome(sets[f], models[f], best), strict=True)]
        print(f"leave-one-file-out at {best}, pieces from {max(pt, best)}: {pr(*tot)} (tp {tot[0]}, fp {tot[1]}, "
              f"fn {tot[2]}); clauses of flagged sentences flagged on their own {PIECES[0]}"
              f" ({PIECES[1]} on no labelled hit)")
    PIECE_T[0] = PIECE_SCORE
    kinds: dict[str, list[int]] = {}
    for f in args.files:
        outcome(sets[f], models[f], best, kinds)
    if args.misses:
        for f in args.files:
            for it in sets[f]:
                tp, fp, _ = outcome([it], models[f], best)
                if it["forbidden"] and tp == 0:
                    print(f"  missed out of file ({f}, {it['kind']}): {it['draft']}")
                if fp:
                    by = "patterns" if outcome([it], None, 101)[1] else "model"
                    print(f"  false alarm out of file ({f}, {it['kind']}, {by}): {it['draft']}")
    for k in sorted(kinds):
        tp, fp, fn = kinds[k]
        print(f"  leave-one-file-out at {best}, kind_of_text {k}: {pr(tp, fp, fn)} (tp {tp}, fp {fp}, fn {fn})")
    if args.write:
        data = fit(list(sets.values()), extra, l2=args.l2, threshold=best, files=args.files)
        MODEL_PATH.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH} ({len(data['weights'])} weights)")


if __name__ == "__main__":
    main()
