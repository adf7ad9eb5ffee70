"""Figures of `kb suggest` on inbox_log.txt against a knowledge directory holding the imported
library regulations: clusters, sizes, and the share of questions whose cluster's home is the
clause of the right article (noise questions count as right when their cluster has no home).

    python benchmarks/rulebook/inbox_figures.py KNOWLEDGE_DIR
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

from bot.core.ask.index_cache import load_matcher
from bot.core.rulebook.inbox import cluster_questions


def main(directory: str) -> None:
    here = Path(__file__).parent
    labels = {r["q"]: r["article"] for r in yaml.safe_load((here / "inbox_labels.yaml").read_text(encoding="utf-8"))}
    matcher = load_matcher(Path(directory))
    questions = (here / "inbox_log.txt").read_text(encoding="utf-8").split("\n")
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
    print(f"questions {len(labels)}  clusters {len(clusters)}  by home {dict(kinds)}")
    print(f"sizes (size: clusters) {dict(sorted(sizes.items(), reverse=True))}")
    print(f"largest: {[len(c.questions) for c in clusters[:10]]}")
    print(f"assigned to the right home: {right / len(labels):.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
