"""Where a draft check's time goes: thread CPU per stage on check_throughput.py's drafts.

The checker is built as the throughput benchmark builds it (shipped rules + `--patterns` synthetic
ones), and each stage's method is wrapped by a timer for the measured run only. Stages nest (the
phrase matcher runs inside the forbidden stage, the addressee inside whichever stage asks first),
so the shares do not add up to 100 %; the top-level ones are marked. The timers cost about a
microsecond per call: the rate printed is that of the wrapped checker, a little below the plain one.

    .venv/bin/python benchmarks/check_stages.py [--drafts 1500] [--patterns 5000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from check_throughput import draft_sets, synthetic_rules  # noqa: E402

import bot.core.check.checker as checker_module  # noqa: E402
from bot.core.check.checker import Checker  # noqa: E402


def stages(checker: Checker) -> list[tuple[Any, str, str, bool]]:
    """(owner, attribute, label, top level) of each timed stage; one that a tree lacks is left out."""
    return [
        (checker_module, "fold_draft", "folding", True),
        (checker, "_stage", "forbidden stages (patterns + sounds)", True),
        (checker, "_forbidden", "  rule patterns (with the homophone pass's)", False),
        (checker.phrases, "match", "    phrase matcher", False),
        (checker.homophones, "rewrite", "  homophone rewrite", False),
        (checker.sounds, "find", "  pinyin matcher", False),
        (checker, "_scored", "scored sentence model", True),
        (checker, "_pii", "personal data", True),
        (checker, "_secrets", "classified", True),
        (checker.classified, "_markings", "  markings", False),
        (checker.classified, "_topics", "  topics", False),
        (checker._addressee, "to_colleague", "addressee (inside the others)", False),
        (checker_module.CheckResult, "of", "result and masking", True),
        (checker, "_hints", "hints", True),
    ]


def wrap(owner: Any, name: str, label: str, spent: dict[str, float]) -> Callable[[], None]:
    """Time `owner.name` into `spent[label]`; returns the undo."""
    inner = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.thread_time()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[label] += time.thread_time() - t0

    own = vars(owner).get(name) if hasattr(owner, "__dict__") else None  # a classmethod as itself
    setattr(owner, name, timed)
    return (lambda: setattr(owner, name, own)) if own is not None else (lambda: delattr(owner, name))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--drafts", type=int, default=1500)
    ap.add_argument("--patterns", type=int, default=5000)
    args = ap.parse_args()
    book, shipped, sets = draft_sets(args.drafts, random.Random(7))
    rules = replace(shipped, rules=[*shipped.rules, *synthetic_rules(args.patterns, random.Random(3))])
    checker = Checker(rules, phrasebook=book)
    checker.prepare()
    for drafts in sets.values():
        for d in drafts[:200]:  # warm the per-character caches and the scored detector's memo
            checker.check(d)
    for name, drafts in sets.items():
        spent: dict[str, float] = defaultdict(float)
        listed = [s for s in stages(checker) if hasattr(s[0], s[1])]
        undo: list[Callable[[], None]] = []
        try:
            for owner, attr, label, _ in listed:
                undo.append(wrap(owner, attr, label, spent))
        except (AttributeError, TypeError):
            for u in reversed(undo):
                u()
            print("a compiled checker's methods cannot be wrapped: time the sources "
                  "(bash scripts/compile-checker --clean)", file=sys.stderr)
            return 2
        try:
            t0 = time.thread_time()
            for d in drafts:
                checker.check(d)
            total = time.thread_time() - t0
        finally:
            for u in reversed(undo):
                u()
        print(f"{name}: {len(drafts) / total:,.0f} drafts/s CPU (timed), {total / len(drafts) * 1e6:,.0f} µs a draft")
        top = 0.0
        for _, _, label, is_top in listed:
            share = spent[label] / total
            top += share if is_top else 0.0
            print(f"  {'*' if is_top else ' '} {label:<44} {spent[label] / len(drafts) * 1e6:7.1f} µs {share:6.1%}")
        print(f"    {'rest (the shared automaton pass, glue)':<44} {(1 - top) * total / len(drafts) * 1e6:7.1f} µs "
              f"{1 - top:6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
