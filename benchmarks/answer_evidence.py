"""Does new evidence tell a right first candidate from a wrong one? Measured on the answer model alone.

Run:  .venv/bin/python benchmarks/answer_evidence.py [--questions CACHE.json] [--groups]
          [EVIDENCE[,EVIDENCE...] ...]

The shipped decision (knowledge/decision.yaml) ranks every question of the ask writer groups
(benchmarks/blind: ask_fit, ask_final and each vN directory, one group each) with its own reranker;
its reach model and `offer_at` stay as shipped, so hit@3 and out-of-scope refusal move only through
what the answer model answers. For each set of EVIDENCE (names below, comma-joined, added to the
shipped answer model's features) the answer model is refitted leaving one group out and printed:

- at matched wrong-confident: the left-out probabilities of every group pooled, the answer threshold
  swept until pooled wrong-confident reaches .016 / .018 / .020; answer@1 there, and how many groups
  pass .03. This compares how well each model ranks right first candidates above wrong ones, free of
  the noise of choosing a threshold per fold;
- with `--groups`, as `fit_decision.py` would fit it: in each fold the answer threshold chosen on the
  other groups' out-of-group probabilities under the same limits (pooled Wilson bounds, per-group
  allowance), the left-out group scored at it; per group, pooled and by style answer@1 / hit@1 /
  hit@3 / wrong-confident / oos refused, the refit with the shipped features first.

Evidence (of the reranker's first candidate F, its second S and its rival R, the best-ranked
candidate that cites no clause of F's, `KnowledgeBase.kin`):
  only_first, only_rival  idf share of the question F's own words (title, questions, keywords;
                          answer text at half credit, as the lexical signal credits them) explain
                          and R's do not, and the reverse
  excl_lead               only_first - only_rival
  shared                  idf share both explain
  cov_lead                coverage of F minus R's (`Matcher.word_stats`): what each leaves unexplained
  key_lead                share of the question's rarest words F holds minus R's (`Matcher.key_terms`)
  second_kin              S cites a clause of F's (pairs: clause already answers such a pair together)
  second_topic, rival_topic  S (R) is of F's topic
  second_related          S and F are linked by `related` (either way): cross-referenced entries
  rival_gap_logit         log of F's reranker probability over R's
  pair_cos, second_cos    answer-passage cosine between F and R (S): would they give the same advice
  crowd                   F's highest answer-passage cosine to an entry of another clause
  n_alts                  log(1 + F's alternate questions)
  lexical_rank, question_rank, answer_rank  log(1 + candidates each signal alone ranks above F)
  rank_corr               Spearman correlation of the lexical and the alternate-question orders of
                          the candidates: do the two readings agree beyond their first
and any name of `calibration.FEATURES` the shipped answer model does not read.

Nothing here is read by `ask`: a set of evidence that held would be added to `calibration.features`
and fitted with fit_decision.py. docs/history.md, round 45, has the figures.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import fit_decision as fd  # noqa: E402
from blind_groups import BLIND, writer_groups  # noqa: E402

from bot.core.ask.calibration import CALIBRATION_FILE, FEATURES, load_calibration  # noqa: E402

TARGETS = (0.016, 0.018, 0.020)


def groups_files() -> dict[str, list[Path]]:
    """Every ask writer group: the two oldest sets, then each vN directory."""
    return {"ask_fit": [BLIND / "ask_fit.yaml"], "ask_final": [BLIND / "ask_final.yaml"], **writer_groups("ask")}


def questions_of(cache: Path | None, matcher: Any) -> list[fd.Question]:
    """Every group's questions as `fit_decision.collect` ranks them, `source` the group's name."""
    groups = groups_files()
    files = [p for ps in groups.values() for p in ps]
    key = fd._key(files)
    questions = fd.load_questions(cache, key) if cache is not None else None
    if questions is None:
        questions = fd.collect(matcher, files)
        group_of = {p.name: g for g, ps in groups.items() for p in ps}
        for q in questions:
            q.source = group_of[q.source]
        if cache is not None:
            fd.save_questions(questions, cache, key)
    return questions


def evidence(questions: list[fd.Question], matcher: Any, orders: list[list[tuple[int, float]]],
             kin: list[frozenset[int]], topics: list[str]) -> tuple[list[str], np.ndarray]:
    """The evidence named in the module's docstring, one row per question."""
    n = len(matcher.kb.entries)
    entries = matcher.kb.entries
    assert matcher.semantic is not None
    passages = np.asarray(matcher.semantic._passages[:n], dtype=float)
    passages /= np.linalg.norm(passages, axis=1, keepdims=True)
    cos = passages @ passages.T
    crowd = [max((float(cos[i, j]) for j in range(n) if j != i and j not in kin[i]), default=0.0) for i in range(n)]
    rows: list[dict[str, float]] = []
    for q, probs in zip(questions, orders, strict=True):
        order = [i for i, _ in probs]
        if not order:
            rows.append({})
            continue
        f = order[0]
        rival = next((i for i in order[1:] if i not in kin[f]), None)
        second = order[1] if len(order) > 1 else None
        idfs = matcher._narrative({w: matcher.idf(w) * (1.0 if w in matcher._idf else matcher._unknown_share(w, 1.0))
                                   for w in matcher._words(matcher._prep(q.text))}, q.text)
        idfs = {w: v for w, v in idfs.items() if v > 0.0}
        total = sum(idfs.values()) or 1.0
        cf = matcher._credit[f]
        cr = matcher._credit[rival] if rival is not None else {}
        only_f = sum(v * max(0.0, cf.get(w, 0.0) - cr.get(w, 0.0)) for w, v in idfs.items()) / total
        only_r = sum(v * max(0.0, cr.get(w, 0.0) - cf.get(w, 0.0)) for w, v in idfs.items()) / total
        p = dict(probs)
        rows.append({
            "only_first": only_f, "only_rival": only_r, "excl_lead": only_f - only_r,
            "shared": sum(v * min(cf.get(w, 0.0), cr.get(w, 0.0)) for w, v in idfs.items()) / total,
            "cov_lead": q.coverage.get(f, 0.0) - (q.coverage.get(rival, 0.0) if rival is not None else 0.0),
            "key_lead": q.keys.get(f, 0.0) - (q.keys.get(rival, 0.0) if rival is not None else 0.0),
            "second_kin": float(second is not None and second in kin[f]),
            "second_topic": float(second is not None and topics[second] == topics[f]),
            "rival_topic": float(rival is not None and topics[rival] == topics[f]),
            "second_related": float(second is not None and (entries[second].id in entries[f].related
                                                            or entries[f].id in entries[second].related)),
            "rival_gap_logit": (math.log(max(1e-6, p[f]) / max(1e-6, p[rival])) if rival is not None else 8.0),
            "pair_cos": float(cos[f, rival]) if rival is not None else 1.0,
            "second_cos": float(cos[f, second]) if second is not None else 1.0,
            "crowd": crowd[f], "n_alts": math.log1p(len(entries[f].questions)),
            **_rank_agreement(q, f, n),
        })
    names = sorted({k for r in rows for k in r})
    return names, np.array([[r.get(k, 0.0) for k in names] for r in rows])


def _rank_agreement(q: fd.Question, first: int, n: int) -> dict[str, float]:
    """Where each signal alone ranks the first candidate (log of its place: 0 when first), and how
    far the lexical and the alternate-question orders of all candidates agree (Spearman)."""
    rows = [r for r in q.rows if r[0] < n]
    out: dict[str, float] = {}
    for k, name in ((1, "lexical_rank"), (2, "question_rank"), (3, "answer_rank")):
        mine = next(r[k] for r in rows if r[0] == first)
        out[name] = math.log(1 + sum(r[k] > mine for r in rows))
    if len(rows) > 2:
        a = np.argsort(np.argsort([-r[1] for r in rows])).astype(float)
        b = np.argsort(np.argsort([-r[2] for r in rows])).astype(float)
        out["rank_corr"] = float(np.corrcoef(a, b)[0, 1])
    else:
        out["rank_corr"] = 1.0
    return out


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`fit_decision.logistic` on a matrix of any columns: (mean, scale, weights with the intercept first)."""
    mean, scale = x.mean(0), x.std(0)
    scale[scale < 1e-9] = 1.0
    return mean, scale, fd.newton(np.c_[np.ones(len(x)), (x - mean) / scale], y)


def _predict(model: tuple[np.ndarray, np.ndarray, np.ndarray], x: np.ndarray) -> np.ndarray:
    mean, scale, w = model
    return 1.0 / (1.0 + np.exp(-np.clip(w[0] + ((x - mean) / scale) @ w[1:], -60, 60)))


class Bench:
    """The shipped ranking of every question, its reach probabilities, and the evidence columns."""

    def __init__(self, t: fd.Table, x: np.ndarray, names: list[str], reach: np.ndarray, offer_at: float,
                 styles: np.ndarray) -> None:
        self.t, self.x, self.names, self.reach, self.offer_at, self.styles = t, x, names, reach, offer_at, styles
        self.src = t.source
        self.groups = list(dict.fromkeys(self.src))
        self.y = t.first_right.astype(float)

    def columns(self, names: list[str]) -> np.ndarray:
        return self.x[:, [self.names.index(c) for c in names]]

    def status(self, pa: np.ndarray, answer_at: float) -> np.ndarray:
        return fd.statuses(self.t, pa, self.reach, answer_at, self.offer_at)

    def figures(self, status: np.ndarray, idx: np.ndarray) -> tuple[float, float, float, float, float]:
        """answer@1, hit@1, hit@3, wrong-confident, oos refused over `idx`."""
        t = self.t
        asks, outs = idx & ~t.oos, idx & t.oos
        n = max(1, int(asks.sum()))
        return (float(((status == 2) & t.first_right & asks).sum() / n),
                float(((status > 0) & t.first_right & asks).sum() / n),
                float(((status > 0) & t.three_right & asks).sum() / n),
                float(((status == 2) & ~t.first_right & asks).sum() / n),
                float(((status == 0) & outs).sum() / outs.sum()) if outs.any() else 1.0)

    def over(self, status: np.ndarray, limit: float = 0.03) -> int:
        return sum(self.figures(status, self.src == g)[3] > limit for g in self.groups)

    def left_out(self, cols: list[str]) -> np.ndarray:
        """Each group's answer probabilities from the model fitted on the other groups."""
        x, pa = self.columns(cols), np.zeros(len(self.y))
        for g in self.groups:
            rest = self.src != g
            pa[~rest] = _predict(_fit(x[rest], self.y[rest]), x[~rest])
        return pa

    def matched(self, pa: np.ndarray) -> list[tuple[float, tuple[float, ...], int]]:
        """At each pooled wrong-confident target: (threshold, figures, groups over .03)."""
        every = np.ones(len(self.y), dtype=bool)
        out: list[tuple[float, tuple[float, ...], int]] = []
        for target in TARGETS:
            for a in np.arange(0.30, 0.99, 0.0025):
                status = self.status(pa, float(a))
                f = self.figures(status, every)
                if f[3] <= target:
                    out.append((float(a), f, self.over(status)))
                    break
        return out

    def folds(self, cols: list[str], group: fd.GroupLimits, z: float) -> np.ndarray:
        """Each group's status with the answer model and threshold fitted on the other groups, the
        threshold chosen as fit_decision.py chooses it (offer_at fixed)."""
        x, status = self.columns(cols), np.zeros(len(self.y), dtype=int)
        for g in self.groups:
            fold = self.src != g
            inner = np.zeros(len(self.y))
            for h in self.groups:
                part = self.src == h
                if h != g:
                    inner[part] = _predict(_fit(x[fold & ~part], self.y[fold & ~part]), x[part])
            at = self._choose(inner, fold, group, z)
            status[~fold] = self.status(_predict(_fit(x[fold], self.y[fold]), x), at)[~fold]
        return status

    def _choose(self, pa: np.ndarray, idx: np.ndarray, group: fd.GroupLimits, z: float) -> float:
        best: tuple[tuple[bool, float], float] = ((False, -np.inf), 0.5)
        groups = fd._Groups(self.t, idx)
        for a in fd.ANSWER_GRID:
            status = self.status(pa, float(a))
            a1, h3, _, _ = fd.figures(self.t, status, idx)
            hi, lo = fd.bounds(self.t, status, idx, z)
            excess = max(0.0, hi - 0.03) * 10 + max(0.0, 0.93 - lo) * 3
            wrong_over, refused_under = groups.figures(status).excess(group)
            excess += wrong_over * 10 + refused_under * 3
            key = (excess == 0.0, a1 + h3 - excess)
            if key > best[0]:
                best = (key, float(a))
        return best[1]

    def table(self, before: np.ndarray, after: np.ndarray) -> None:
        every = np.ones(len(self.y), dtype=bool)
        print(f"  {'':<12} answer@1      hit@1         hit@3         wrong-conf.   oos refused")
        for name, idx in [*((g, self.src == g) for g in self.groups), ("pooled", every),
                          *((s, self.styles == s) for s in sorted(set(self.styles) - {""}))]:
            a, b = self.figures(before, idx), self.figures(after, idx)
            print(f"  {name:<12} " + "  ".join(f"{u:.3f}->{v:.3f}" for u, v in zip(a, b, strict=True)))
        up = [self.figures(after, self.src == g)[0] - self.figures(before, self.src == g)[0] for g in self.groups]
        wc = [self.figures(after, self.src == g)[3] - self.figures(before, self.src == g)[3] for g in self.groups]
        print(f"  groups: answer@1 up {sum(d > 1e-9 for d in up)}, down {sum(d < -1e-9 for d in up)}; "
              f"wrong-confident up {sum(d > 1e-9 for d in wc)}, down {sum(d < -1e-9 for d in wc)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("evidence", nargs="*", help="comma-joined names added to the shipped answer model's features")
    parser.add_argument("--questions", type=Path, help="fit_decision.py's question cache, kept between runs")
    parser.add_argument("--groups", action="store_true",
                        help="also the per-fold fit with per-group and by-style figures (slow: minutes a set)")
    args = parser.parse_args()

    from bot.cli.common import cache_dir
    from bot.core.ask import index_cache

    matcher = index_cache.load_matcher(None, cache=cache_dir(), semantic=True)
    shipped = load_calibration(ROOT / "knowledge" / CALIBRATION_FILE)
    if matcher.semantic is None or shipped is None or shipped.rerank is None:
        print("needs the semantic signal and a shipped decision with a reranker", file=sys.stderr)
        return 1
    n = len(matcher.kb.entries)
    questions = questions_of(args.questions, matcher)
    kin = [matcher.kb.kin(i) for i in range(n)]
    topics = [e.topic for e in matcher.kb.entries]
    stated = [matcher.stated_facts(i) for i in range(n)]
    t = fd.table(questions, n, shipped.rerank, matcher.config.fused.clarify_cutoff, fd.one_rule_pairs(matcher), kin,
                 topics, stated, kin if shipped.pairs == fd.PAIRS_CLAUSE else [])
    orders = [shipped.rerank.probabilities(q.rows, n, words=q.words, unknown_share=q.unknown_share,
                                           coverage=q.coverage, topics=topics, kin=kin, keys=q.keys,
                                           unmet=fd._unmet(q, n, stated), fact_asked=float(bool(q.asked)))[0]
              for q in questions]
    names, extra = evidence(questions, matcher, orders, kin, topics)
    bench = Bench(t, np.c_[t.x, extra], [*FEATURES, *names], fd.probabilities(shipped.reach, t.x), shipped.offer_at,
                  np.asarray([q.style for q in questions]))
    base = list(shipped.answer.names)
    sets = [[c for c in s.split(",") if c] for s in args.evidence]
    for s in sets:
        unknown = [c for c in s if c not in bench.names]
        if unknown:
            print(f"unknown evidence: {', '.join(unknown)}", file=sys.stderr)
            return 1
    print(f"{len(bench.groups)} groups, {int((~t.oos).sum())} answerable, {int(t.oos.sum())} out of scope; "
          f"answer model {', '.join(base)}")

    def line(label: str, pa: np.ndarray) -> None:
        cells = [f"wc<={tg}: a1 {f[0]:.3f} h1 {f[1]:.3f} (>.03: {k})"
                 for tg, (_, f, k) in zip(TARGETS, bench.matched(pa), strict=True)]
        print(f"{label:<44} " + " | ".join(cells), flush=True)

    line("shipped answer model", fd.probabilities(shipped.answer, t.x))
    line("refit, shipped features (left out)", bench.left_out(base))
    for s in sets:
        line("+ " + ",".join(s), bench.left_out(base + s))
    if args.groups:
        group = fd.GroupLimits(0.03, 0.93, NormalDist().inv_cdf(0.5 + fd.GROUP_CONFIDENCE / 2))
        z = NormalDist().inv_cdf(0.975)
        ship = bench.status(fd.probabilities(shipped.answer, t.x), shipped.answer_at)
        refit = bench.folds(base, group, z)
        print("shipped -> refit with the shipped features, per fold:")
        bench.table(ship, refit)
        for s in sets:
            print(f"refit with the shipped features -> + {','.join(s)}, per fold:")
            bench.table(refit, bench.folds(base + s, group, z))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
