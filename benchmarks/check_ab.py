"""Paired speed comparison of the draft checker: a git revision's against the working tree's, in one process.

On a shared machine two throughput runs minutes apart differ by more than a small change gains
(the same code measured 0.079-0.093 x peer in four runs). Here the revision's `bot` package is
extracted under another name, both checkers (shipped rules + 5,000 synthetic patterns, each
built by its own code from its own rule files) check the same drafts, interleaved base / new /
base in each round, and the figure is CPU time of base over new: > 1 is faster.

    .venv/bin/python benchmarks/check_ab.py [--base main] [--drafts 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import importlib
import io
import random
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from check_throughput import draft_sets, synthetic_rules  # noqa: E402

from bot.core.check.checker import Checker  # noqa: E402

ALIAS = "bot_base"
_IMPORT = re.compile(r"\b(from|import) bot\b")


def extract(rev: str, into: Path) -> None:
    """The revision's bot/, phrasebook/ and knowledge/ under `into`, the package renamed to ALIAS."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "bot", "phrasebook", "knowledge"],
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    (into / "bot").rename(into / ALIAS)
    for path in (into / ALIAS).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(_IMPORT.sub(rf"\1 {ALIAS}", text).replace('"bot.', f'"{ALIAS}.'), encoding="utf-8")


def convert(obj: Any, module: Any) -> Any:
    """A rules dataclass of this tree as the same dataclass of the base package (field by field)."""
    cls = getattr(module, type(obj).__name__)
    # Only the fields the base has: a field added since (with its default) is not the base's to take.
    known = {f.name for f in fields(cls)}
    values = {f.name: getattr(obj, f.name) for f in fields(obj) if f.name in known}
    if "patterns" in values:
        values["patterns"] = tuple(convert(p, module) for p in values["patterns"])
    if "examples" in values:
        values["examples"] = convert(values["examples"], module)
    return cls(**values)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="main", help="git revision to compare with")
    ap.add_argument("--drafts", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    book, rules, sets = draft_sets(args.drafts, random.Random(7))
    synthetic = synthetic_rules(5000, random.Random(3))
    new = Checker(replace(rules, rules=[*rules.rules, *synthetic]), phrasebook=book)
    with tempfile.TemporaryDirectory() as tmp:
        extract(args.base, Path(tmp))
        sys.path.insert(0, tmp)
        b_checker = importlib.import_module(f"{ALIAS}.core.check.checker")
        b_rules = importlib.import_module(f"{ALIAS}.core.check.rules")
        b_book = importlib.import_module(f"{ALIAS}.core.phrases.phrasebook").load_phrasebook()
        b_set = b_rules.load_rules(scenarios={s.id for s in b_book.scenarios})
        base = b_checker.Checker(replace(b_set, rules=[*b_set.rules, *(convert(r, b_rules) for r in synthetic)]),
                                 phrasebook=b_book)
    new.prepare()
    base.prepare()
    for d in sets["ordinary"][:200]:
        new.check(d)
        base.check(d)
    print(f"base {args.base} vs working tree, {args.drafts} drafts, {args.rounds} rounds (CPU time base / new):")
    for name, drafts in sets.items():
        ratios, rates = [], []
        for _ in range(args.rounds):
            t0 = time.thread_time()
            for d in drafts:
                base.check(d)
            t1 = time.thread_time()
            for d in drafts:
                new.check(d)
            t2 = time.thread_time()
            for d in drafts:
                base.check(d)
            t3 = time.thread_time()
            ratios.append((t1 - t0 + t3 - t2) / 2 / (t2 - t1))
            rates.append(len(drafts) / (t2 - t1))
        print(f"  {name:<18} x{statistics.median(ratios):.3f} (rounds {min(ratios):.3f}-{max(ratios):.3f}), "
              f"new {statistics.median(rates):,.0f} drafts/s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
