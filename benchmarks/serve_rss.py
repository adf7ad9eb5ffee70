"""Serving peak RSS: `python -m bot chat` answering distinct questions, the checker prepared.

    .venv/bin/python benchmarks/serve_rss.py [--questions 100] [--runs 2] [--base DIR]

Each run is a new `chat` process (its index cache filled first by one `ask` in the same fresh
cache directory) answering `--questions` distinct questions made as `ask_latency.py` makes them
(perturbed alternate questions of the shipped knowledge base, the same seed), then `/quit`; the
figure is the process's peak RSS (`ru_maxrss`), the README's "memory" row.

The embedder's memory-mapped model pages count in RSS and depend on the page cache's state of
that copy of the model file: two trees are compared only by one interpreter in one sitting. With
`--base DIR` (another checkout, e.g. /work/main) each run measures the base then this tree, the
child started in each tree's directory so that `python -m bot` imports that tree's `bot`, and the
figure is branch over base (< 1 is smaller). The load average is printed: a loaded machine does
not change RSS much, but it is stated with every memory figure.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ask_latency import distinct_questions, serving  # noqa: E402

from bot.core.ask.knowledge import load_knowledge  # noqa: E402


def serving_rss(tree: Path, questions: list[str]) -> float:
    """Peak RSS in MiB of `chat` in `tree` answering `questions`, in a fresh cache directory."""
    return serving(questions, cwd=tree)[1] / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", type=int, default=100, help="distinct questions chat answers")
    ap.add_argument("--runs", type=int, default=2, help="runs of each tree")
    ap.add_argument("--base", type=Path, help="another checkout to measure alternately with this tree")
    args = ap.parse_args()
    questions = distinct_questions(load_knowledge(), args.questions, random.Random(3))
    trees = [("base", args.base.resolve()), ("branch", ROOT)] if args.base else [("branch", ROOT)]
    figures: dict[str, list[float]] = {name: [] for name, _ in trees}
    for run in range(args.runs):
        for name, tree in trees:
            mib = serving_rss(tree, questions)
            figures[name].append(mib)
            print(f"run {run + 1} {name:<6} {tree}: peak RSS {mib:.1f} MiB (load {os.getloadavg()[0]:.1f})",
                  flush=True)
    for name, values in figures.items():
        print(f"{name:<6} median {statistics.median(values):.1f} MiB ({min(values):.1f}-{max(values):.1f}), "
              f"{len(questions)} questions, {args.runs} runs")
    if args.base:
        ratio = statistics.median(figures["branch"]) / statistics.median(figures["base"])
        print(f"branch / base x{ratio:.3f}")


if __name__ == "__main__":
    main()
