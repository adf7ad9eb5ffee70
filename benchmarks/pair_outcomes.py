"""Which entry pairs the shipped decision stumbles on, counted by entry id over the fit groups.

Two kinds of pair, (A, B) by entry id:
- "clarify, first right": `ask` offered candidates though its first entry A was right; B is the
  second candidate (the close rival that kept the decision from answering);
- "wrong-confident": `ask` answered A and A was wrong; B is the best-ranked right entry ("-" when
  no right entry was among the candidates).

Run once per tree and keep the outcomes (no question text is stored, only ids and statuses), then
compare two runs:

    .venv/bin/python benchmarks/pair_outcomes.py run OUT.json          # every fit group, shipped decision
    .venv/bin/python benchmarks/pair_outcomes.py show OUT.json [--top 40] [--base BEFORE.json]

`show` prints per group and pooled answer@1 / hit@1 (decided) / rank-only hit@1 / hit@3 /
wrong-confident / oos refused and the "clarify, first right" count, then by style, then the pairs
(unordered) by count, with BEFORE's counts beside them when given. Fit groups only: it reads their
items, so it is a tool for the knowledge's curation, never a held-out measurement.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BLIND = ROOT / "benchmarks" / "blind"


def fit_groups() -> dict[str, list[Path]]:
    """Every writer group of the fit: each vN directory is one group (its ask files joined; v3–v8
    keep their whole set in ask_vN.yaml beside two halves), plus blind fit and final."""
    from blind_groups import writer_groups

    return {"fit": [BLIND / "ask_fit.yaml"], "final": [BLIND / "ask_final.yaml"], **writer_groups("ask")}


def run(out: Path) -> int:
    from bot.cli.common import cache_dir
    from bot.core.ask import index_cache
    from bot.core.ask.evaluation import answers_expect, load_eval_file

    matcher = index_cache.load_matcher(ROOT / "knowledge", cache=cache_dir(), semantic=True, threads=1)
    entries = matcher.kb.entries
    rows: list[dict[str, Any]] = []
    for group, files in fit_groups().items():
        for f in files:
            data = load_eval_file(f)
            for kind in ("ask", "out_of_scope"):
                for item in data.get(kind, []):
                    expect = [str(e) for e in item.get("expect", [])]
                    res = matcher.ask(str(item["q"]), limit=3)
                    right = sorted(e.id for e in entries if expect and answers_expect(e, expect))
                    rows.append({"group": group, "kind": kind, "style": str(item.get("style", "")),
                                 "status": res.status, "paired": res.paired,
                                 "matches": [m.entry.id for m in res.matches],
                                 "ranked": [m.entry.id for m in res.ranked[:3]], "right": right})
        print(f"{group}: done", file=sys.stderr)
    out.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return 0


def _outcome(r: dict[str, Any]) -> dict[str, Any]:
    """The figures of one question as `kb eval` counts them (evaluation.outcome, on the stored ids)."""
    from bot.core.ask.evaluation import outcome_of_ids

    if r["kind"] == "out_of_scope":
        return {"oos": True, "refused": r["status"] == "unknown"}
    o = outcome_of_ids(r["status"], r["paired"], r["matches"], r["ranked"], set(r["right"]))
    return {"oos": False, "right": o.right, "wrong": o.wrong, "hit1": o.hit_at_1, "rank1": o.rank_at_1,
            "hit3": o.hit_at_3, "clarify_first_right": o.clarify_first_right}


def figures(rows: list[dict[str, Any]]) -> dict[str, float]:
    outs = [_outcome(r) for r in rows]
    asks = [o for o in outs if not o["oos"]]
    oos = [o for o in outs if o["oos"]]
    n = max(1, len(asks))
    return {"n": len(asks), "a1": sum(o["right"] for o in asks) / n, "h1": sum(o["hit1"] for o in asks) / n,
            "r1": sum(o["rank1"] for o in asks) / n, "h3": sum(o["hit3"] for o in asks) / n,
            "wc": sum(o["wrong"] for o in asks) / n, "n_oos": len(oos),
            "oos": sum(o["refused"] for o in oos) / max(1, len(oos)),
            "cfr": sum(o["clarify_first_right"] for o in asks), "nwc": sum(o["wrong"] for o in asks)}


Pairs = collections.Counter[tuple[str, str]]


def pairs(rows: list[dict[str, Any]]) -> tuple[Pairs, Pairs]:
    """(clarify-first-right pairs, wrong-confident pairs), each an unordered pair of ids."""
    clar: collections.Counter[tuple[str, str]] = collections.Counter()
    wrong: collections.Counter[tuple[str, str]] = collections.Counter()
    for r in rows:
        if r["kind"] != "ask":
            continue
        o = _outcome(r)
        if o["clarify_first_right"] and len(r["matches"]) > 1:
            a, b = r["matches"][0], r["matches"][1]
            clar[(min(a, b), max(a, b))] += 1
        elif o["wrong"]:
            a = r["matches"][0]
            b = next((e for e in r["matches"] if e in set(r["right"])), "-")
            wrong[(min(a, b), max(a, b)) if b != "-" else (a, b)] += 1
    return clar, wrong


def _row(name: str, f: dict[str, float], base: dict[str, float] | None) -> str:
    def cell(k: str, fmt: str) -> str:
        now = format(f[k], fmt)
        return now if base is None else f"{format(base[k], fmt)}→{now}"
    return (f"{name:<8}{f['n']:>6} {cell('a1', '.3f'):>11} {cell('h1', '.3f'):>11} {cell('r1', '.3f'):>11}"
            f" {cell('h3', '.3f'):>11} {cell('wc', '.3f'):>11} {cell('oos', '.3f'):>11} {cell('cfr', '.0f'):>9}")


def show(path: Path, top: int, base_path: Path | None) -> int:
    rows = json.loads(path.read_text(encoding="utf-8"))
    base = json.loads(base_path.read_text(encoding="utf-8")) if base_path else None
    print(f"{'group':<8}{'n':>6} {'answer@1':>11} {'hit@1':>11} {'rank@1':>11} {'hit@3':>11} {'wrong-c':>11}"
          f" {'oos ref':>11} {'clar1st':>9}")
    groups = list(dict.fromkeys(r["group"] for r in rows))
    for g in groups:
        print(_row(g, figures([r for r in rows if r["group"] == g]),
                   figures([r for r in base if r["group"] == g]) if base else None))
    print(_row("pooled", figures(rows), figures(base) if base else None))
    print("by style:")
    for s in sorted({r["style"] for r in rows if r["kind"] == "ask"}):
        print(_row(s or "-", figures([r for r in rows if r["style"] == s]),
                   figures([r for r in base if r["style"] == s]) if base else None))
    clar, wrong = pairs(rows)
    bclar, bwrong = pairs(base) if base else (collections.Counter(), collections.Counter())
    for title, now, before in (("clarify, first right", clar, bclar), ("wrong-confident", wrong, bwrong)):
        print(f"{title}: {sum(now.values())} questions, {len(now)} pairs" +
              (f" (before {sum(before.values())}, {len(before)})" if base else ""))
        keys = sorted(set(now) | set(before), key=lambda k: (-max(now[k], before[k]), k))[:top]
        for k in keys:
            print(f"  {now[k]:>3}" + (f" (before {before[k]:>3})" if base else "") + f"  {k[0]}  {k[1]}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("out", type=Path)
    s = sub.add_parser("show")
    s.add_argument("path", type=Path)
    s.add_argument("--top", type=int, default=40)
    s.add_argument("--base", type=Path)
    args = ap.parse_args()
    if args.cmd == "run":
        return run(args.out)
    return show(args.path, args.top, args.base)


if __name__ == "__main__":
    sys.exit(main())
