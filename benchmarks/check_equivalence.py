"""Equivalence of two draft checkers: every finding, hint and masked piece the same, draft by draft.

A speed change to the checker must not change what it reports. `--write FILE` records the results
of the code at hand over a fixed corpus; `--compare FILE` (run on the changed code) checks each draft
again and counts the drafts whose result differs. The corpus: every draft of the evaluation sets
(benchmarks/blind/**, the shared dev set), the rule files' examples, the throughput benchmark's
drafts (ordinary and a third violating, shipped rules and +5,000 synthetic patterns), those drafts
disguised by each evasion of check_evasion.py, pinyin and homophone spellings, the worst-case
benchmark's hostile families and the fuzz generator's inputs.

    .venv/bin/python benchmarks/check_equivalence.py --write /tmp/base.json.gz [--random 3000 --fuzz 2000]
    .venv/bin/python benchmarks/check_equivalence.py --compare /tmp/base.json.gz
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import yaml  # noqa: E402
from check_evasion import TRANSFORMS  # noqa: E402
from check_throughput import make_drafts, synthetic_rules  # noqa: E402
from check_worst import families  # noqa: E402
from support.fuzz import hostile_text  # noqa: E402

from bot.core.check.checker import Checker, CheckResult  # noqa: E402
from bot.core.check.rules import Marker, Rule, RuleSet, Topic, load_rules  # noqa: E402
from bot.core.phrases.phrasebook import load_phrasebook  # noqa: E402

EVAL_FILES = [*sorted((ROOT / "benchmarks" / "blind").rglob("*.yaml")), ROOT / "benchmarks" / "probe.yaml"]
# Pinyin and homophone spellings (written here): the sound stages only run on such drafts.
SOUNDS = ("您明天再来吧 xia ban le", "这个不归窝管，你去问别人", "ni zi ji kan ba", "已经下斑了明天再来",
          "这事bu gui wo guan", "nizijiqukan", "我们已经下般了", "你自已去找吧", "wo bu zhi dao")


def digest(result: CheckResult) -> str:
    """The whole result (findings with spans, messages and masked text; hints; pieces) as a hash."""
    return _sha(repr((result.findings, result.hints, result.pieces)))


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def eval_drafts(shared: Path) -> Iterator[tuple[str, str]]:
    for path in [*EVAL_FILES, shared / "eval" / "dev.yaml"]:
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("check", "leak"):
            for item in data.get(key) or []:
                if isinstance(item, dict) and isinstance(item.get("draft"), str):
                    yield f"eval:{path.name}", item["draft"]


def corpus(rs: RuleSet, *, shared: Path, n_random: int, n_fuzz: int, seed: int) -> Iterator[tuple[str, str, str]]:
    """(group, checker name, draft): the drafts to compare, in a fixed order, from the rule set as loaded
    (a checker keeps its rules without the patterns' alternatives)."""
    book = load_phrasebook()
    evals = list(eval_drafts(shared))
    for group, d in evals:
        yield group, "shipped", d
    items: list[Rule | Marker | Topic] = [*rs.rules, *rs.markers, *rs.topics]
    examples = sorted({d for it in items for d in (*it.examples.hit, *it.examples.clean)})
    for d in examples:
        yield "examples", "shipped", d
    rng = random.Random(seed)
    phrases = [p for s in book.scenarios for p in book.render(s.id, {})]
    normal = make_drafts(n_random, rng, rs, phrases)
    heavy = make_drafts(n_random, rng, rs, phrases, heavy=True)
    for d in normal:
        yield "random", "shipped", d
        yield "random+5000", "big", d
    for d in heavy:
        yield "heavy", "shipped", d
        yield "heavy+5000", "big", d
    for fn in TRANSFORMS.values():
        for d in [d for _, d in evals][: n_random // 10] + normal[: n_random // 10]:
            yield "evasion", "shipped", fn(d)
    for d in SOUNDS:
        yield "sounds", "shipped", d
        for other in normal[:20]:
            yield "sounds", "shipped", other[:150] + d + other[150:]
    for _name, drafts in families(rs, random.Random(seed), 60, 300).items():
        for d in drafts:
            yield "hostile", "shipped", d
    for _ in range(n_fuzz):
        yield "fuzz", "shipped", hostile_text(rng)[:5000]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path)
    mode.add_argument("--compare", type=Path)
    ap.add_argument("--random", type=int, default=3000, help="throughput drafts of each kind")
    ap.add_argument("--fuzz", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--shared", type=Path, default=ROOT.parents[1] / "shared", help="the folder holding eval/dev.yaml")
    args = ap.parse_args()
    book = load_phrasebook()
    rs = load_rules(scenarios={s.id for s in book.scenarios})
    checkers = {"shipped": Checker(rs, phrasebook=book)}
    checkers["big"] = Checker(replace(rs, rules=[*rs.rules, *synthetic_rules(5000, random.Random(3))]), phrasebook=book)
    results: list[tuple[str, str, str]] = []  # (group, hash of checker name + draft, hash of the result)
    drafts = corpus(rs, shared=args.shared, n_random=args.random, n_fuzz=args.fuzz, seed=args.seed)
    for group, which, draft in drafts:
        results.append((group, _sha(which + "\0" + draft), digest(checkers[which].check(draft))))
    if args.write:
        with gzip.open(args.write, "wt", encoding="utf-8") as fh:
            json.dump(results, fh)
        print(f"{len(results):,} results written to {args.write}")
        return 0
    with gzip.open(args.compare, "rt", encoding="utf-8") as fh:
        base = {key: result for _, key, result in json.load(fh)}
    total: Counter[str] = Counter()
    differ: Counter[str] = Counter()
    missing = 0
    for group, key, new in results:
        if key not in base:
            missing += 1
            continue
        total[group] += 1
        differ[group] += base[key] != new
    if missing:
        print(f"{missing} drafts not in the recorded corpus (not compared)")
    for group in total:
        print(f"{group:<28} {total[group]:>6} drafts  {differ[group]:>4} differ")
    print(f"all {sum(total.values()):,} drafts: {sum(differ.values())} differ")
    return 1 if sum(differ.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
