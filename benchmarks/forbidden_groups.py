"""Forbidden-language precision and recall per writer group (each benchmarks/blind/vN is one group).

Run:  .venv/bin/python benchmarks/forbidden_groups.py [--json OUT] [--misses OUT]

Each group's ``check`` drafts are scored as `check eval` scores them (bot/core/check/evaluation.py);
a group of several files (v10 step and final, v14 fit and final ...) is pooled, and a draft met twice
in a group (check.yaml holds check_forbidden.yaml's drafts) counts once. `--json` writes the per-group
figures, `--misses` the missed and falsely flagged drafts (fit sets only) for reading by cause.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.check.checker import Checker  # noqa: E402
from bot.core.check.evaluation import CheckReport, _score_forbidden  # noqa: E402

BLIND = ROOT / "benchmarks" / "blind"


def groups() -> dict[str, list[Path]]:
    """Writer group -> its check files (the top-level files are one group each)."""
    out: dict[str, list[Path]] = {}
    for f in sorted(BLIND.glob("check*.yaml")):
        out[f.stem] = [f]
    for d in sorted(BLIND.glob("v*"), key=lambda p: int(p.name[1:])):
        files = sorted(p for p in d.glob("check*.yaml") if not p.stem.endswith("_leak"))
        if files:
            out[d.name] = files
    return out


def drafts(files: list[Path]) -> list[dict]:
    seen: set[str] = set()
    items = []
    for f in files:
        for item in (yaml.safe_load(f.read_text(encoding="utf-8")) or {}).get("check") or []:
            key = str(item.get("draft", ""))
            if key not in seen:
                seen.add(key)
                items.append(item)
    return items


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--misses")
    args = ap.parse_args()
    checker = Checker.load()
    figures, misses = {}, []
    pooled = CheckReport()
    for name, files in groups().items():
        report = CheckReport()
        for item in drafts(files):
            draft = str(item.get("draft", ""))
            result = checker.check(draft)
            before = len(report.misses)
            _score_forbidden(report, item, draft, result)
            _score_forbidden(pooled, item, draft, result)
            for m in report.misses[before:]:
                misses.append({"group": name, "kind": m.kind, "got": m.got, "draft": draft,
                               "hits": item.get("hits") or [], "label": item.get("kind_of_text"),
                               "evasion": item.get("evasion")})
        s = report.forbidden
        figures[name] = {"tp": s.tp, "fp": s.fp, "fn": s.fn, "p": round(s.precision, 3), "r": round(s.recall, 3)}
        print(f"{name:<16} P {s.precision:.3f}  R {s.recall:.3f}  (tp {s.tp}, fp {s.fp}, fn {s.fn})", flush=True)
    s = pooled.forbidden
    figures["pooled"] = {"tp": s.tp, "fp": s.fp, "fn": s.fn, "p": round(s.precision, 4), "r": round(s.recall, 4)}
    print(f"{'pooled':<16} P {s.precision:.4f}  R {s.recall:.4f}  (tp {s.tp}, fp {s.fp}, fn {s.fn})")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.misses:
        Path(args.misses).write_text(json.dumps(misses, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
