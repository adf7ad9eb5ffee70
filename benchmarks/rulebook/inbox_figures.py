"""Figures of `kb suggest` on an inbox log against a knowledge directory holding the imported
library regulations: clusters, sizes, and the share of questions whose cluster's home is the
clause of the right article (noise questions count as right when their cluster has no home).

    python benchmarks/rulebook/inbox_figures.py KNOWLEDGE_DIR [LOG.yaml]

Without LOG: the implementer-written inbox_log.txt with inbox_labels.yaml. LOG.yaml: a list of
{q, article} (article null for questions the regulation does not answer), e.g. blind/inbox_log.yaml.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

from bot.core.ask.index_cache import load_matcher
from bot.core.rulebook.inbox import cluster_questions


def main(directory: str, log: str | None = None) -> None:
    here = Path(__file__).parent
    if log:
        rows = yaml.safe_load(Path(log).read_text(encoding="utf-8"))
        labels = {r["q"].strip(): r["article"] or "none" for r in rows}
        questions = [r["q"] for r in rows]
    else:
        labels = {r["q"]: r["article"]
                  for r in yaml.safe_load((here / "inbox_labels.yaml").read_text(encoding="utf-8"))}
        questions = (here / "inbox_log.txt").read_text(encoding="utf-8").split("\n")
    matcher = load_matcher(Path(directory))
    clusters = cluster_questions(matcher, [q for q in questions if q.strip()])
    right = 0
    for c in clusters:
        for q in c.questions:
            article = labels[q]
            if article == "none":
                right += c.kind == "none"
            else:
                right += c.kind == "clause" and article in c.target_title
    sizes = Counter(len(c.questions) for c in clusters)
    kinds = Counter(c.kind for c in clusters)
    print(f"questions {sum(len(c.questions) for c in clusters)}  clusters {len(clusters)}  by home {dict(kinds)}")
    print(f"sizes (size: clusters) {dict(sorted(sizes.items(), reverse=True))}")
    print(f"largest: {[len(c.questions) for c in clusters[:10]]}")
    total = sum(len(c.questions) for c in clusters)
    print(f"assigned to the right home: {right / total:.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
