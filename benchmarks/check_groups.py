"""Personal data, markings and topics per writer group: precision / recall of `check eval` on every fit
group (every benchmarks/blind/vN directory, one directory a group), per group and pooled, and what changed
against a recorded run.

A change to how findings are combined (one span reported once, under its most specific category) moves
precision in one category and recall in another: this prints the three leak categories side by side for
each group, so a group that pays a large recall loss shows. `--write FILE` records each draft's leak
categories; `--compare FILE` (run on the changed code) prints both tables' deltas and the drafts whose
categories changed, by group (`--show N` of them, masked).

    .venv/bin/python benchmarks/check_groups.py --write /tmp/main.json
    .venv/bin/python benchmarks/check_groups.py --compare /tmp/main.json --show 20
    .venv/bin/python benchmarks/check_groups.py --file my_set.yaml   # one file as one group
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from blind_groups import writer_groups  # noqa: E402

from bot.core.check.checker import Checker  # noqa: E402
from bot.core.check.evaluation import SECRET_CATEGORIES, Score  # noqa: E402
from bot.core.check.rules import PII_CATEGORIES  # noqa: E402

COLUMNS = (("pii", PII_CATEGORIES), ("markings", ("secret_marker",)), ("topics", ("confidential_topic",)))
LEAK = (*PII_CATEGORIES, *SECRET_CATEGORIES)


def groups() -> dict[str, list[Path]]:
    """vN -> its check files (v4–v9: check.yaml, which joins their forbidden and leak files)."""
    return writer_groups("check")


def run(checker: Checker, files: list[Path]) -> list[dict]:
    rows: list[dict[str, Any]] = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("check") or []:
            rows.append({"draft": str(item.get("draft", "")), "want": []})
        for item in data.get("leak") or []:
            rows.append({"draft": str(item.get("draft", "")), "want": sorted(str(k) for k in item.get("kinds") or [])})
    for row in rows:
        result = checker.check(row["draft"])
        row["got"] = sorted({f.category for f in result.findings if f.kind in ("pii", "secret")})
        row["masked"] = result.masked_draft()
        del row["draft"]
    return rows


def score(rows: list[dict], cats: tuple[str, ...]) -> Score:
    """True positives, false alarms and misses over drafts and categories, as `check eval` counts them."""
    s = Score()
    for r in rows:
        for c in cats:
            hit, want = c in r["got"], c in r["want"]
            s.tp += hit and want
            s.fp += hit and not want
            s.fn += want and not hit
    return s


def pr(s: Score) -> str:
    return f"{s.precision:.3f}/{s.recall:.3f}"


def table(results: dict[str, list[dict]], base: dict[str, list[dict]] | None = None) -> None:
    print(f"{'group':8}" + "".join(f"{name:>26}" for name, _ in COLUMNS))
    pooled: dict[str, list[dict]] = {"pooled": [r for rows in results.values() for r in rows]}
    pooled_base = {"pooled": [r for rows in base.values() for r in rows]} if base else None
    for g, rows in {**results, **pooled}.items():
        cells = []
        for _, cats in COLUMNS:
            now = score(rows, cats)
            cell = pr(now)
            if base is not None:
                old_rows = (pooled_base or {})["pooled"] if g == "pooled" else base.get(g, [])
                old = score(old_rows, cats)
                cell = f"{pr(old)} → {pr(now)}" if old != now else f"{pr(now)} (=)"
            cells.append(f"{cell:>26}")
        print(f"{g:8}" + "".join(cells))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", type=Path)
    ap.add_argument("--compare", type=Path)
    ap.add_argument("--file", type=Path, action="append", help="score these files instead (each one group)")
    ap.add_argument("--show", type=int, default=0, help="print up to N changed drafts per group")
    args = ap.parse_args()
    checker = Checker.load()
    chosen = {p.stem: [p] for p in args.file} if args.file else groups()
    results = {g: run(checker, files) for g, files in chosen.items()}
    base = json.loads(args.compare.read_text(encoding="utf-8")) if args.compare else None
    table(results, base)
    if base is not None:
        for g, rows in results.items():
            changed = [(o, n) for o, n in zip(base.get(g, []), rows, strict=False) if o["got"] != n["got"]]
            if not changed:
                continue
            print(f"\n{g}: {len(changed)} drafts changed")
            for o, n in changed[:args.show]:
                print(f"  want {n['want']}: {o['got']} → {n['got']}\n    {n['masked'][:160]}")
    if args.write:
        args.write.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
